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

const schema = z.object({
  /** Most participants a thread may have, the creator included. 2 is the strict one-to-one mode. */
  MAX_PARTICIPANTS: z.coerce.number().int().min(2).max(1000).default(50),
  /** Writes (POST, PATCH, DELETE) per signed-in user. */
  RATE_LIMIT_WRITES: rateLimit("300/60"),
  /** Failed sign-ins (web form, or `POST /api/tokens` with a password) per client IP and username. */
  RATE_LIMIT_SIGN_IN: rateLimit("10/900"),
  /** API tokens issued per user, whether asked for with a password or by a signed-in caller. */
  RATE_LIMIT_TOKEN_CREATION: rateLimit("20/3600"),
  /** Accounts created per client IP. */
  RATE_LIMIT_SIGN_UP: rateLimit("20/3600"),
});

export type Config = z.infer<typeof schema>;

let cached: Config | undefined;

/**
 * Settings read from the environment, validated once.
 * @throws Error naming the variable when a setting is out of range.
 */
export function config(): Config {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid setting ${String(issue?.path.join("."))}: ${issue?.message}`);
  }
  cached = parsed.data;
  return cached;
}

/** Forgets the cached settings (tests that change the environment). */
export function resetConfig(): void {
  cached = undefined;
}
