import "server-only";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { config, type RateLimitPolicy } from "../config";
import { countStatement, getPool } from "../db";
import { AppError } from "../errors";

/**
 * Rate limits, counted in PostgreSQL so that they hold across instances: rate-limiter-flexible's RateLimiterPostgres
 * over the app's own pool, one fixed window per key in the `rate_limits` table (migration `rate_limits`).
 *
 * | limit          | counts                                        | key                     | default        |
 * |----------------|-----------------------------------------------|-------------------------|----------------|
 * | `writes`       | every POST/PATCH/DELETE of a signed-in caller | user                    | 300 per minute |
 * | `signIn`       | wrong passwords                               | client IP and username  | 10 per 15 min  |
 * | `tokenCreation`| tokens issued                                 | user                    | 20 per hour    |
 * | `signUp`       | accounts created                              | client IP               | 20 per hour    |
 *
 * Each is set by an environment variable (`RATE_LIMIT_WRITES`, …) as `<points>/<seconds>` or `off`; see lib/config.ts.
 * A limited request gets `429` with `Retry-After` (RFC 9110 §10.2.3) and the `RateLimit-Limit`, `RateLimit-Remaining`,
 * `RateLimit-Reset` and `RateLimit-Policy` fields of draft-ietf-httpapi-ratelimit-headers-06 (the form
 * express-rate-limit and most APIs send); allowed requests carry the same `RateLimit-*` fields.
 */

/** The limits Parley applies. */
export type RateLimitName = "writes" | "signIn" | "tokenCreation" | "signUp";

const SETTING: Record<RateLimitName, keyof ReturnType<typeof config>> = {
  writes: "RATE_LIMIT_WRITES",
  signIn: "RATE_LIMIT_SIGN_IN",
  tokenCreation: "RATE_LIMIT_TOKEN_CREATION",
  signUp: "RATE_LIMIT_SIGN_UP",
};

/** Where a key stands in its window after a request. */
export interface RateLimitState {
  /** Requests allowed per window. */
  limit: number;
  /** Requests left in this window (0 when limited). */
  remaining: number;
  /** Seconds until the window ends and the count starts afresh (at least 1). */
  resetSeconds: number;
  /** Window length in seconds. */
  windowSeconds: number;
}

const globalForLimiters = globalThis as unknown as { parleyRateLimiters?: Map<RateLimitName, RateLimiterPostgres | null> };

function limiter(name: RateLimitName): { limiter: RateLimiterPostgres; policy: RateLimitPolicy } | null {
  const policy = config()[SETTING[name]] as RateLimitPolicy | null;
  if (!policy) return null;
  const limiters = (globalForLimiters.parleyRateLimiters ??= new Map());
  let l = limiters.get(name);
  if (!l) {
    l = new RateLimiterPostgres({
      storeClient: getPool(),
      tableName: "rate_limits",
      tableCreated: true,
      keyPrefix: name,
      points: policy.points,
      duration: policy.seconds,
    });
    limiters.set(name, l);
  }
  return { limiter: l, policy };
}

function stateOf(res: RateLimiterRes, policy: RateLimitPolicy): RateLimitState {
  return {
    limit: policy.points,
    remaining: Math.max(0, res.remainingPoints),
    resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    windowSeconds: policy.seconds,
  };
}

/**
 * The `RateLimit-*` response fields for `state` (draft-ietf-httpapi-ratelimit-headers-06: delta seconds in `Reset`,
 * `<limit>;w=<window>` in `Policy`).
 */
export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    "ratelimit-limit": String(state.limit),
    "ratelimit-remaining": String(state.remaining),
    "ratelimit-reset": String(state.resetSeconds),
    "ratelimit-policy": `${state.limit};w=${state.windowSeconds}`,
  };
}

function limited(name: RateLimitName, state: RateLimitState): AppError {
  const what: Record<RateLimitName, string> = {
    writes: "Too many changes",
    signIn: "Too many failed sign-in attempts",
    tokenCreation: "Too many tokens created",
    signUp: "Too many accounts created",
  };
  return new AppError("too_many_requests", `${what[name]}. Try again in ${state.resetSeconds} s.`, undefined, {
    "retry-after": String(state.resetSeconds),
    ...rateLimitHeaders(state),
  });
}

/**
 * Counts one request against limit `name` for `subject` (a user id, or client IP and username).
 * @returns the key's state afterwards, for the `RateLimit-*` headers; `null` when the limit is `off`.
 * @throws AppError `too_many_requests` (429, with `Retry-After` and `RateLimit-*` headers) when the window's
 *   allowance is spent; the request must then change nothing. Database errors propagate (503 upstream).
 */
export async function consume(name: RateLimitName, subject: string): Promise<RateLimitState | null> {
  const l = limiter(name);
  if (!l) return null;
  countStatement();
  try {
    return stateOf(await l.limiter.consume(subject), l.policy);
  } catch (e) {
    if (e instanceof RateLimiterRes) throw limited(name, stateOf(e, l.policy));
    throw e;
  }
}

/**
 * Throws if `subject` has spent its allowance under limit `name`, without counting anything (for limits that count
 * only failures, such as wrong passwords: check first, {@link consume} on failure, {@link reset} on success).
 * @throws AppError `too_many_requests` (429) as {@link consume} does.
 */
export async function check(name: RateLimitName, subject: string): Promise<void> {
  const l = limiter(name);
  if (!l) return;
  countStatement();
  const res = await l.limiter.get(subject);
  if (res && res.consumedPoints >= l.policy.points) throw limited(name, stateOf(res, l.policy));
}

/** Forgets `subject`'s count under limit `name` (a successful sign-in clears its failures). */
export async function reset(name: RateLimitName, subject: string): Promise<void> {
  const l = limiter(name);
  if (!l) return;
  countStatement();
  await l.limiter.delete(subject);
}

/** Drops the limiters so that the next use re-reads the settings (tests that change the environment). */
export function resetRateLimiters(): void {
  globalForLimiters.parleyRateLimiters = undefined;
}

/**
 * The client's IP address as the nearest proxy saw it: the last entry of `X-Forwarded-For`. Vercel sets the header to
 * the client's address alone; a reverse proxy (nginx `$proxy_add_x_forwarded_for`, Caddy, Traefik) appends the
 * address it was connected from. Next's own server sets it to the socket's address only when it is absent, so
 * without a proxy in front a client can choose it: deploy behind one (docs/decisions.md, "Rate limits").
 * @returns the address, or `"unknown"` when there is none (in-process calls).
 */
export function clientIp(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for");
  const last = forwarded?.split(",").at(-1)?.trim();
  // Bounded: it becomes part of a key of at most 255 characters.
  return last ? last.slice(0, 64) : "unknown";
}
