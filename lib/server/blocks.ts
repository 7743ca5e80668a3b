import "server-only";
import { AppError, notFound } from "../errors";
import type { Page } from "../schemas/common";
import type { BlockedUser } from "../schemas/moderation";
import { decodeCursor, encodeCursor, timeIdCursor } from "./cursor";
import { type Db, getPrisma, isForeignKeyViolation, Prisma } from "./sql";
import { toPublicUser } from "./users";

/**
 * Blocking (docs/data-model.md, "Moderation"). Someone a person blocked cannot start a conversation with them (a direct
 * one or a group), nor add them to a group, nor write in their direct conversation of two (parley_send_message refuses
 * both ways); neither sees the other's typing or presence. Groups they share are otherwise unaffected. The blocked
 * person is never told: what they are refused says only that they cannot.
 */

/**
 * Blocks `blockedId` for `userId`. Blocking someone already blocked changes nothing (PUT is idempotent).
 * @throws AppError `validation` (400) for oneself; `not_found` (404) when no such (undeleted) user exists.
 */
export async function block(userId: string, blockedId: string): Promise<void> {
  if (blockedId === userId) throw new AppError("validation", "You cannot block yourself.", [{ parameter: "userId", detail: "That is you." }]);
  try {
    const rows = await getPrisma().$executeRaw`
      INSERT INTO blocks (blocker_id, blocked_id)
      SELECT ${userId}, u.id FROM users u WHERE u.id = ${blockedId} AND u.deleted_at IS NULL
      ON CONFLICT DO NOTHING`;
    if (rows === 0) {
      const [exists] = await getPrisma().$queryRaw<{ ok: boolean }[]>`
        SELECT true AS ok FROM blocks WHERE blocker_id = ${userId} AND blocked_id = ${blockedId}`;
      if (!exists) throw notFound("User");
    }
  } catch (e) {
    // The blocker's own account went away meanwhile.
    if (isForeignKeyViolation(e)) throw notFound("User");
    throw e;
  }
}

/** Unblocks `blockedId` for `userId`; unblocking someone not blocked changes nothing. */
export async function unblock(userId: string, blockedId: string): Promise<void> {
  await getPrisma().$executeRaw`DELETE FROM blocks WHERE blocker_id = ${userId} AND blocked_id = ${blockedId}`;
}

/**
 * The people `userId` blocked, most recently blocked first.
 * @throws AppError `validation` (400) for a malformed cursor.
 */
export async function listBlocks(userId: string, opts: { limit: number; cursor?: string }): Promise<Page<BlockedUser>> {
  const after = decodeCursor(opts.cursor, timeIdCursor);
  const rows = await getPrisma().$queryRaw<{ id: string; username: string; name: string | null; createdAt: Date; blocked_at: Date }[]>`
    SELECT u.id, u.username, u.name, u.created_at AS "createdAt", b.created_at AS blocked_at
    FROM blocks b JOIN users u ON u.id = b.blocked_id
    WHERE b.blocker_id = ${userId}
      AND (${after?.t ?? null}::timestamptz IS NULL OR (b.created_at, b.blocked_id) < (${after?.t ?? null}::timestamptz, ${after?.i ?? null}))
    ORDER BY b.created_at DESC, b.blocked_id DESC
    LIMIT ${opts.limit + 1}`;
  const data = rows.slice(0, opts.limit).map((r) => ({ user: toPublicUser(r), blockedAt: r.blocked_at.toISOString() }));
  const last = rows.length > opts.limit ? rows[opts.limit - 1]! : null;
  return { data, nextCursor: last ? encodeCursor({ t: last.blocked_at.toISOString(), i: last.id }) : null };
}

/**
 * Refuses, inside `tx`, when any of `userIds` has blocked `callerId`: the caller is starting a conversation with them
 * or adding them to a group.
 * @throws AppError `forbidden` (403) saying only that the caller cannot, not who or why.
 */
export async function refuseIfBlockedBy(tx: Db, callerId: string, userIds: readonly string[], what: "start" | "add"): Promise<void> {
  const others = userIds.filter((id) => id !== callerId);
  if (others.length === 0) return;
  const [hit] = await tx.$queryRaw<{ ok: boolean }[]>`
    SELECT true AS ok FROM blocks WHERE blocked_id = ${callerId} AND blocker_id = ANY(${others}::text[]) LIMIT 1`;
  if (!hit) return;
  throw new AppError(
    "forbidden",
    what === "start"
      ? others.length === 1
        ? "You can't start a conversation with this person."
        : "You can't start a conversation with some of these people."
      : others.length === 1
        ? "You can't add this person."
        : "You can't add some of these people.",
  );
}

/**
 * SQL: whether the two people `a` and `b` (SQL expressions: a column, a parameter) are in a block, either way: two
 * probes, one of each index of the blocks table. For pairs that change row by row (events.ts, among a thread's
 * participants); where one side is fixed (a viewer), {@link peopleInBlockWith} reads the same rule once per statement.
 */
export const blockedEitherWay = (a: Prisma.Sql, b: Prisma.Sql) => Prisma.sql`(
  EXISTS (SELECT 1 FROM blocks bl WHERE bl.blocker_id = ${a} AND bl.blocked_id = ${b})
  OR EXISTS (SELECT 1 FROM blocks bl WHERE bl.blocker_id = ${b} AND bl.blocked_id = ${a}))`;

/**
 * SQL: the ids of everyone in a block with `viewer` (an SQL expression), either way, as a sub-select. Uncorrelated, so
 * PostgreSQL runs it once per statement and probes it as a hashed set (`u.id IN (…)`), where {@link blockedEitherWay}
 * would cost two index probes for every row: the form for lists (a thread list's participants).
 */
export const peopleInBlockWith = (viewer: Prisma.Sql) => Prisma.sql`
  SELECT bl.blocked_id FROM blocks bl WHERE bl.blocker_id = ${viewer}
  UNION ALL
  SELECT bl.blocker_id FROM blocks bl WHERE bl.blocked_id = ${viewer}`;
