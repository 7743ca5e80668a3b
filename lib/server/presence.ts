import "server-only";
import { z } from "zod";
import { peopleInBlockWith } from "./blocks";
import { EVENTS_CHANNEL } from "./events";
import { type Db, getPrisma, Prisma } from "./sql";

/**
 * Presence (docs/realtime.md, "Presence"): a person is online while they have an event stream open on any instance,
 * and for PRESENCE_TIMEOUT_MS after the last one closed; otherwise "last seen" at `users.last_seen_at`.
 *
 * Every instance refreshes `last_seen_at` of the people with streams open on it ({@link touchPresence}, on opening
 * and then every third of the timeout), and one instance at a time sweeps those whose time ran out
 * ({@link sweepPresence}). `users.online` is the state others were last told: it changes only on those two
 * transitions, each announced once, so a tab that reconnects or flaps within the timeout changes nothing and tells
 * nobody. Reads report the same column, so an answer and the events agree.
 */

/** The NOTIFY payload of a presence change, on the events channel (an ephemeral event without recipients). */
export const presenceNotice = z.object({
  type: z.literal("presence"),
  userId: z.string(),
  online: z.boolean(),
  /** ISO 8601, or null when the person hides it. */
  lastSeenAt: z.string().nullable(),
});
export type PresenceNotice = z.infer<typeof presenceNotice>;

/**
 * The `pg_notify` of a {@link PresenceNotice} for a row `c` of changed users (`id`, `last_seen_at`, `hide_last_seen`),
 * as SQL: written by the statement that makes the change, so that notices go out at its commit, in commit order
 * (PostgreSQL docs, "NOTIFY"), and a sweep and a touch of the same person cannot be announced in the wrong order.
 */
const notifyChanged = (online: boolean) => Prisma.sql`
  pg_notify(${EVENTS_CHANNEL}, json_build_object(
    'type', 'presence', 'userId', c.id, 'online', ${online}::boolean,
    'lastSeenAt', CASE WHEN c.hide_last_seen THEN NULL
                       ELSE to_char(c.last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END)::text)::text`;

/**
 * Marks `userIds` as seen now (they have a stream open on this instance) and announces those who were offline as
 * online, in one statement. Deleted accounts are left alone.
 * @returns how many came online.
 */
export async function touchPresence(userIds: readonly string[]): Promise<number> {
  if (userIds.length === 0) return 0;
  const rows = await getPrisma().$queryRaw<{ n: string }[]>`
    WITH was AS (
      SELECT id, online FROM users WHERE id = ANY(${userIds}::text[]) AND deleted_at IS NULL ORDER BY id FOR NO KEY UPDATE
    ), touched AS (
      UPDATE users u SET last_seen_at = clock_timestamp()::timestamptz(3), online = true
      FROM was WHERE u.id = was.id
      RETURNING u.id, u.last_seen_at, u.hide_last_seen, was.online AS was_online
    )
    SELECT ${notifyChanged(true)} AS n FROM touched c WHERE NOT c.was_online`;
  return rows.length;
}

/**
 * Marks `userId` offline at once inside `tx`, announced (without a last-seen time) if they were online: an account
 * being deleted, whose streams end with it.
 */
export async function goOffline(tx: Db, userId: string): Promise<void> {
  await tx.$queryRaw`
    WITH c AS (UPDATE users SET online = false WHERE id = ${userId} AND online RETURNING id, last_seen_at, true AS hide_last_seen)
    SELECT ${notifyChanged(false)} AS n FROM c`;
}

/** Advisory lock key of the presence sweep, the same on every instance (any fixed number; only this takes it). */
const SWEEP_LOCK_KEY = 7_261_022;

/**
 * Marks offline, and announces, everyone marked online whose `last_seen_at` is older than `timeoutMs`: their
 * streams closed (or their instance stopped) that long ago. One instance at a time sweeps; the others skip their turn.
 * @returns how many went offline.
 */
export async function sweepPresence(timeoutMs: number): Promise<number> {
  return getPrisma().$transaction(async (tx) => {
    const [lock] = await tx.$queryRaw<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK_KEY}) AS ok`;
    if (!lock?.ok) return 0;
    const rows = await tx.$queryRaw<{ n: string }[]>`
      WITH due AS (
        -- In id order, as touchPresence locks them, and skipping rows a touch holds (that person is being seen now):
        -- the two can never wait for each other in a cycle.
        SELECT id FROM users
        WHERE online AND last_seen_at < clock_timestamp() - make_interval(secs => ${timeoutMs / 1000}::float8)
        ORDER BY id FOR NO KEY UPDATE SKIP LOCKED
      ), swept AS (
        UPDATE users u SET online = false FROM due WHERE u.id = due.id
        RETURNING u.id, u.last_seen_at, u.hide_last_seen
      )
      SELECT ${notifyChanged(false)} AS n FROM swept c`;
    return rows.length;
  });
}

/**
 * Of `candidates` (the people with streams open on an instance), those who share a thread with `userId` and so are
 * told of their presence, each with whether they hide their own last-seen time (then they see nobody's). Nobody is
 * told of someone they blocked or who blocked them (lib/server/blocks.ts).
 */
export async function presenceAudience(userId: string, candidates: readonly string[]): Promise<{ id: string; hides: boolean }[]> {
  if (candidates.length === 0) return [];
  const rows = await getPrisma().$queryRaw<{ id: string; hide_last_seen: boolean }[]>`
    SELECT u.id, u.hide_last_seen FROM users u
    WHERE u.id = ANY(${candidates}::text[]) AND u.id <> ${userId}
      AND EXISTS (
        SELECT 1 FROM participants mine JOIN participants theirs ON theirs.thread_id = mine.thread_id
        WHERE mine.user_id = ${userId} AND theirs.user_id = u.id)
      AND NOT ${blockedBetween(userId)}`;
  return rows.map((r) => ({ id: r.id, hides: r.hide_last_seen }));
}

/**
 * SQL: whether `viewerId` and the user `u.id` of the surrounding query are in a block, either way (the set of the
 * viewer's blocks, read once per statement: lib/server/blocks.ts, peopleInBlockWith).
 */
export const blockedBetween = (viewerId: string) => Prisma.sql`(u.id IN (${peopleInBlockWith(Prisma.sql`${viewerId}`)}))`;
