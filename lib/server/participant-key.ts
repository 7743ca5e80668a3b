import { createHash } from "node:crypto";

// No `import "server-only"` here, unlike the rest of lib/server: a pure function of ids that the benchmark seed
// (bench/seed.ts) and tools outside the project load with plain tsx, outside React's server condition.

/**
 * The key that makes a participant set unique (threads.participant_key): SHA-256 (hex) of the sorted user ids joined
 * by newlines. A fixed-size digest keeps the unique index small whatever `MAX_PARTICIPANTS` is; ids never contain
 * newlines.
 */
export function participantKey(userIds: readonly string[]): string {
  return createHash("sha256").update([...userIds].sort().join("\n")).digest("hex");
}
