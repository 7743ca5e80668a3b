import "server-only";
import { z } from "zod";

/** A rate limit: `points` requests per window of `seconds`. */
export interface RateLimitPolicy {
  points: number;
  seconds: number;
}

/** `<points>/<seconds>` (`300/60`: 300 requests a minute) or `off`. */
const rateLimit = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .transform((v, ctx): RateLimitPolicy | null => {
      if (v.toLowerCase() === "off") return null;
      const m = /^(\d{1,9})\/(\d{1,7})$/.exec(v);
      const points = Number(m?.[1]);
      const seconds = Number(m?.[2]);
      if (!m || points < 1 || seconds < 1) {
        ctx.addIssue({ code: "custom", message: `expected "<requests>/<seconds>" such as "300/60", or "off"; got "${v}"` });
        return z.NEVER;
      }
      return { points, seconds };
    });

/** A whole number in `[min, max]`, from an environment string; an empty string counts as unset. */
const integer = (min: number, max: number, fallback: number) =>
  z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce
      .number({ error: "expected a whole number" })
      .int({ error: "expected a whole number" })
      .min(min, { error: `expected at least ${min}` })
      .max(max, { error: `expected at most ${max}` })
      .default(fallback),
  );

/** `true`/`false` (also `1`/`0`, `yes`/`no`), any case. */
const flag = (fallback: boolean) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return fallback;
      if (["true", "1", "yes"].includes(v)) return true;
      if (["false", "0", "no"].includes(v)) return false;
      ctx.addIssue({ code: "custom", message: `expected true or false; got "${v}"` });
      return z.NEVER;
    });

/**
 * A PostgreSQL connection URL (`postgres://` or `postgresql://`), as node-postgres reads it. The message never repeats
 * the value: it holds a password.
 */
const postgresUrl = z.string().refine(
  (v) => {
    try {
      const url = new URL(v);
      return (url.protocol === "postgres:" || url.protocol === "postgresql:") && url.hostname !== "";
    } catch {
      return false;
    }
  },
  { error: "expected a URL such as postgres://user:password@host:5432/database" },
);

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * Every setting Parley reads from its environment (`.env.example` lists them with their defaults). Dev and test
 * scripts set `DATABASE_URL` and `AUTH_SECRET` themselves when they run the embedded database.
 */
const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    /** The app's connection: on Vercel and other serverless hosts, the pooled one. */
    DATABASE_URL: postgresUrl,
    /**
     * A direct (session) connection to the same database, for what a transaction-mode pooler cannot carry:
     * `LISTEN` (live events, token revocation) and migrations' advisory lock. Default: `DATABASE_URL`. The name is
     * the one Vercel's Neon integration sets.
     */
    DATABASE_URL_UNPOOLED: postgresUrl.optional(),
    /** Connections in this instance's pool. */
    DATABASE_POOL_SIZE: integer(1, 1000, 10),
    /** How long a request waits for a connection before it is answered 503, ms. */
    DATABASE_CONNECT_TIMEOUT_MS: integer(100, 600_000, 5000),
    /**
     * How long a query may go unanswered before it fails and its request is answered 503, ms: the bound when the
     * database stops answering mid-query (frozen, or the network path died). See lib/db.ts.
     */
    DATABASE_QUERY_TIMEOUT_MS: integer(100, 600_000, 10_000),
    /** Signs session cookies (Auth.js). Required in production; generate with `openssl rand -base64 32`. */
    AUTH_SECRET: z.string().optional(),
    /**
     * Keep bearer-token and session lookups in memory, dropped by `NOTIFY` when they end
     * (lib/infra/credential-cache.ts). Default on, except on Vercel (`VERCEL=1`): a frozen instance could answer from
     * memory before it hears of a revocation.
     */
    TOKEN_CACHE: flag(!process.env.VERCEL),
    /** Apply pending migrations when the server starts (the Docker image sets it). */
    MIGRATE_ON_START: flag(false),
    /** Most participants a thread may have, the creator included. 2 is the strict one-to-one mode. */
    MAX_PARTICIPANTS: integer(2, 1000, 50),
    /** Writes (POST, PATCH, DELETE) per signed-in user. */
    RATE_LIMIT_WRITES: rateLimit("300/60"),
    /** Failed sign-ins (web form, or `POST /api/tokens` with a password) per client IP and username. */
    RATE_LIMIT_SIGN_IN: rateLimit("10/900"),
    /** API tokens issued per user, whether asked for with a password or by a signed-in caller. */
    RATE_LIMIT_TOKEN_CREATION: rateLimit("20/3600"),
    /** Accounts created per client IP. */
    RATE_LIMIT_SIGN_UP: rateLimit("20/3600"),
    /** How long live delivery waits for an event id that has not committed yet, ms (docs/realtime.md). */
    EVENTS_GAP_TIMEOUT_MS: integer(1, 60_000, 1000),
    /** Keep-alive comment interval on event streams, ms. */
    EVENTS_HEARTBEAT_MS: integer(1000, 300_000, 15_000),
    /**
     * Presence: how long someone stays online after their last event stream closed, ms (docs/realtime.md,
     * "Presence"). Instances refresh open streams' people every third of it, and sweep the others.
     */
    PRESENCE_TIMEOUT_MS: integer(1000, 3_600_000, 60_000),
    /** How long events are kept for reconnecting clients, hours. */
    EVENTS_RETENTION_HOURS: integer(1, 8760, 24),
    /**
     * Longest life of one event stream, seconds; the client reconnects with `Last-Event-ID` and misses nothing.
     * 0: no limit. Default 0, or 280 on Vercel (`VERCEL=1`), inside the functions' 300 s limit.
     */
    EVENTS_MAX_STREAM_SECONDS: integer(0, 86_400, process.env.VERCEL ? 280 : 0),
    /** pino level of the JSON log lines on stdout. */
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` }).default("info"),
    /** Report every SQL statement to lib/db.ts's listeners: statement budgets in tests and benchmarks. */
    PRISMA_QUERY_EVENTS: flag(false),
    /** On SIGTERM, how long in-flight requests get to finish before the process exits anyway, seconds. */
    SHUTDOWN_GRACE_SECONDS: integer(0, 3600, 8),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && !env.AUTH_SECRET) {
      ctx.addIssue({ code: "custom", path: ["AUTH_SECRET"], message: "is required in production (openssl rand -base64 32)" });
    } else if (env.NODE_ENV === "production" && env.AUTH_SECRET && env.AUTH_SECRET.length < 32) {
      ctx.addIssue({ code: "custom", path: ["AUTH_SECRET"], message: "must be at least 32 characters (openssl rand -base64 32)" });
    }
  });

export type Config = z.infer<typeof schema>;

/** The names of every setting, for `.env.example` and the README to be checked against. */
export const SETTING_NAMES = Object.keys(schema.shape) as (keyof Config)[];

/** The settings are not usable: {@link message} names the variable and what is wrong, in one line. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

let cached: Config | undefined;

/**
 * Settings read from the environment, validated once (zod) and cached.
 * @throws ConfigError naming the first variable that is missing or out of range, e.g.
 *   `Invalid setting AUTH_SECRET: is required in production (openssl rand -base64 32)`. Values are never repeated
 *   for the URLs, which hold passwords.
 */
export function config(): Config {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path.join(".") ?? "");
    const message = issue?.code === "invalid_type" && issue.input === undefined ? "is not set" : `${issue?.message}`;
    throw new ConfigError(`Invalid setting ${name}: ${message}`);
  }
  cached = parsed.data;
  return cached;
}

/** Forgets the cached settings (tests that change the environment). */
export function resetConfig(): void {
  cached = undefined;
}

/**
 * `LOG_LEVEL` on its own, without validating the other settings, so that lib/log.ts has a logger with which to report
 * a bad configuration; an unknown level gives `info` here and a {@link ConfigError} from {@link config}.
 */
export function logLevel(): (typeof LOG_LEVELS)[number] {
  const level = process.env.LOG_LEVEL;
  return LOG_LEVELS.find((known) => known === level) ?? "info";
}
