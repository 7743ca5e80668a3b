-- CreateTable
CREATE TABLE "events" (
    "id" BIGSERIAL NOT NULL,
    "thread_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "personal" JSONB NOT NULL DEFAULT '{}',
    "recipients" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "events_recipients_idx" ON "events" USING GIN ("recipients");

-- CreateIndex
CREATE INDEX "events_created_at_idx" ON "events"("created_at");
