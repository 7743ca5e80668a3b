-- Rate-limit counters for rate-limiter-flexible's RateLimiterPostgres (lib/server/rate-limit.ts), which would
-- otherwise create this table itself at run time. Same columns as the library's own CREATE TABLE.
CREATE TABLE "rate_limits" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);

-- Counters are updated on every write request and worth nothing after a crash (windows last minutes): skip the WAL.
-- Losing them on a crash restart only means limits start afresh.
ALTER TABLE "rate_limits" SET UNLOGGED;
