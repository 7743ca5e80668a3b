import { z } from "zod";

const schema = z.object({
  /** Most participants a thread may have, the creator included. 2 is the strict one-to-one mode. */
  MAX_PARTICIPANTS: z.coerce.number().int().min(2).max(1000).default(50),
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
