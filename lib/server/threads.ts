import "server-only";
import { v7 as uuidv7 } from "uuid";
import { config } from "../config";
import { AppError, notFound } from "../errors";
import { JsonText } from "../json-text";
import type { Page } from "../schemas/common";
import { type ListThreadsQuery, PREVIEW_LENGTH, type Role, type Thread } from "../schemas/threads";
import { decodeCursor, encodeCursor, timeIdCursor } from "./cursor";
import { participantKey } from "./participant-key";
import { refuseIfBlockedBy } from "./blocks";
import { recordThreadEvent } from "./events";
import { blockedBetween } from "./presence";
import { type Db, escapeLike, getPrisma, isoTime, Prisma } from "./sql";

/**
 * One statement: up to `limit` of `userId`'s threads matching `where` (conditions on `p`, their participant row, and
 * `t`, the thread), most recent activity first, as one JSON array of {@link Thread} built by PostgreSQL (the text goes
 * to the response as it is: lib/json-text.ts). Each thread has its newest message (a LATERAL lookup on the
 * (thread_id, seq) index) and its participants with read positions, roles and presence as `presenceViewer` may see
 * it (`parley_presence_json`; null: nobody's last-seen time, for a live event's thread, which many people receive).
 * One row more than `limit` is read to tell whether there are more: `found`; `last_t` and `last_i` are the
 * `lastActivityAt` and id of the last thread on the page (its cursor).
 */
async function selectThreads(
  db: Db,
  userId: string,
  where: Prisma.Sql,
  limit: number,
  presenceViewer: string | null,
): Promise<{ data: string; found: number; last_t: string | null; last_i: string | null }> {
  const viewer = presenceViewer === null ? Prisma.sql`NULL::text, NULL::boolean, false` : Prisma.sql`
    ${presenceViewer}, coalesce((SELECT v.hide_last_seen FROM users v WHERE v.id = ${presenceViewer}), true), ${blockedBetween(presenceViewer)}`;
  const [row] = await db.$queryRaw<{ data: string; found: number; last_t: string | null; last_i: string | null }[]>`
    SELECT coalesce(json_agg(json_build_object(
             'id', r.thread_id,
             'kind', CASE WHEN r.title IS NULL THEN 'direct' ELSE 'group' END,
             'title', r.title,
             'description', r.description,
             'createdAt', ${isoTime(Prisma.sql`r.created_at`)},
             'lastActivityAt', r.last_activity,
             'participants', (
               SELECT json_agg(json_build_object(
                        'id', u.id, 'username', u.username, 'name', u.name, 'lastReadSeq', o.last_read_seq, 'role', o.role,
                        'joinedAt', ${isoTime(Prisma.sql`o.joined_at`)},
                        'presence', parley_presence_json(u, ${viewer}))
                      ORDER BY u.username)
               FROM participants o JOIN users u ON u.id = o.user_id
               WHERE o.thread_id = r.thread_id),
             'lastMessage', CASE WHEN r.lm_id IS NOT NULL THEN json_build_object(
               'id', r.lm_id, 'kind', r.lm_kind,
               'text', CASE WHEN r.lm_kind = 'removed' THEN '' ELSE left(r.lm_text, ${PREVIEW_LENGTH}::int) END,
               'senderId', r.lm_sender_id, 'createdAt', ${isoTime(Prisma.sql`r.lm_created_at`)}) END,
             'unreadCount', r.unread_count,
             'unreadMentionCount', r.unread_mention_count
           ) ORDER BY r.n) FILTER (WHERE r.n <= ${limit}), '[]')::text AS data,
           count(*)::int AS found,
           max(r.last_activity) FILTER (WHERE r.n = ${limit}) AS last_t,
           max(r.thread_id) FILTER (WHERE r.n = ${limit}) AS last_i
    FROM (
      SELECT s.*, ${isoTime(Prisma.sql`s.last_activity_at`)} AS last_activity,
             row_number() OVER (ORDER BY s.last_activity_at DESC, s.thread_id DESC) AS n
      FROM (
        SELECT p.thread_id, t.title, t.description, t.created_at, p.last_activity_at, p.unread_count, p.unread_mention_count,
               lm.id AS lm_id, lm.kind AS lm_kind, lm.text AS lm_text, lm.sender_id AS lm_sender_id, lm.created_at AS lm_created_at
        FROM participants p
        JOIN threads t ON t.id = p.thread_id
        LEFT JOIN LATERAL (
          SELECT m.id, m.kind, m.text, m.sender_id, m.created_at FROM messages m
          WHERE m.thread_id = p.thread_id ORDER BY m.seq DESC LIMIT 1
        ) lm ON true
        WHERE p.user_id = ${userId} ${where}
        ORDER BY p.last_activity_at DESC, p.thread_id DESC
        LIMIT ${limit + 1}
      ) s
    ) r`;
  return row!;
}

/**
 * A thread as the caller sees it: participants with read positions, newest message, the caller's unread count.
 * @throws AppError `not_found` (404) when the thread does not exist or the caller is not a participant.
 */
export async function getThread(userId: string, threadId: string, db: Db = getPrisma()): Promise<Thread> {
  return readThread(userId, threadId, db, userId);
}

/**
 * A thread for a live event's payload, read inside `tx` through `memberId` (a participant: the shared parts are the
 * same for all; each recipient's `unreadCount` is put in when the event is delivered): as {@link getThread} gives it,
 * but with nobody's last-seen time, which depends on who looks (`presence` events carry it).
 */
export function getThreadForEvent(tx: Db, memberId: string, threadId: string): Promise<Thread> {
  return readThread(memberId, threadId, tx, null);
}

async function readThread(userId: string, threadId: string, db: Db, presenceViewer: string | null): Promise<Thread> {
  const { data } = await selectThreads(db, userId, Prisma.sql`AND p.thread_id = ${threadId}`, 1, presenceViewer);
  const [thread] = new JsonText<Thread[]>(data).parse();
  if (!thread) throw notFound("Thread");
  return thread;
}

/**
 * The caller's threads, most recent activity first, in one statement whatever the page size.
 * Filters: `participant` (threads that include that user), `unread` (threads with unread messages), `q` (threads
 * with another participant whose username or name contains `q`, or groups whose title does, case-insensitively).
 * @returns the page as JSON text (the API sends it as it is; `.parse()` gives the `Page<Thread>`).
 * @throws AppError `validation` (400) for a malformed cursor.
 */
export async function listThreads(userId: string, query: ListThreadsQuery): Promise<JsonText<Page<Thread>>> {
  const after = decodeCursor(query.cursor, timeIdCursor);
  const filters: Prisma.Sql[] = [];
  if (after) filters.push(Prisma.sql`AND (p.last_activity_at, p.thread_id) < (${after.t}::timestamptz, ${after.i})`);
  if (query.unread) filters.push(Prisma.sql`AND p.unread_count > 0`);
  if (query.participant) {
    filters.push(
      Prisma.sql`AND EXISTS (SELECT 1 FROM participants o WHERE o.thread_id = p.thread_id AND o.user_id = ${query.participant})`,
    );
  }
  if (query.q) {
    const pattern = `%${escapeLike(query.q)}%`;
    filters.push(Prisma.sql`AND (t.title ILIKE ${pattern} OR EXISTS (
      SELECT 1 FROM participants o JOIN users u ON u.id = o.user_id
      WHERE o.thread_id = p.thread_id AND o.user_id <> ${userId}
        AND (u.username ILIKE ${pattern} OR u.name ILIKE ${pattern})))`);
  }
  const where = filters.length ? Prisma.join(filters, " ", "", "") : Prisma.empty;
  const page = await selectThreads(getPrisma(), userId, where, query.limit, userId);
  const nextCursor =
    page.found > query.limit && page.last_t !== null && page.last_i !== null ? encodeCursor({ t: page.last_t, i: page.last_i }) : null;
  return new JsonText(`{"data":${page.data},"nextCursor":${JSON.stringify(nextCursor)}}`);
}

/**
 * The people of a new thread: the caller and `participantIds`, the caller first.
 * @throws AppError `validation` (400, pointer `#/participantIds`) for duplicates, a set that is only the caller, or
 *   more than `MAX_PARTICIPANTS` people.
 */
export function memberSet(callerId: string, participantIds: readonly string[]): string[] {
  if (new Set(participantIds).size !== participantIds.length) {
    throw new AppError("validation", "participantIds lists a user more than once.", [
      { pointer: "#/participantIds", detail: "Contains duplicates." },
    ]);
  }
  const members = [...new Set([callerId, ...participantIds])];
  if (members.length < 2) {
    throw new AppError("validation", "A thread needs at least one participant besides you.", [
      { pointer: "#/participantIds", detail: "Name at least one other user." },
    ]);
  }
  const max = config().MAX_PARTICIPANTS;
  if (members.length > max) {
    throw new AppError("validation", `A thread can have at most ${max} participants, you included.`, [
      { pointer: "#/participantIds", detail: `At most ${max - 1} other users.` },
    ]);
  }
  return members;
}

/**
 * Checks inside `tx` that every id names a user who can join a thread, and holds their rows `FOR KEY SHARE` until the
 * commit. A deleted account (a tombstone, lib/server/account.ts) counts as no user: nobody starts a thread with it or
 * adds it to a group, and the lock makes an account's deletion wait for a thread being made with it (deleteAccount
 * then takes it out of the groups it is in).
 * @returns the users' ids, usernames and names, in no particular order.
 * @throws AppError `not_found` (404, at `pointer`) naming the ids that are no such user.
 */
export async function requireUsers(
  tx: Db,
  ids: readonly string[],
  pointer: string,
): Promise<{ id: string; username: string; name: string | null }[]> {
  const found = await tx.$queryRaw<{ id: string; username: string; name: string | null }[]>`
    SELECT id, username, name FROM users WHERE id = ANY(${ids}::text[]) AND deleted_at IS NULL FOR KEY SHARE`;
  if (found.length !== new Set(ids).size) {
    const known = new Set(found.map((u) => u.id));
    const unknown = ids.filter((m) => !known.has(m));
    throw new AppError("not_found", `No user with id ${unknown.join(", ")}.`, [
      { pointer, detail: `Unknown user id: ${unknown.join(", ")}` },
    ]);
  }
  return found;
}

/**
 * Creates the direct conversation for exactly `{caller} ∪ participantIds`, or returns the one that exists. (A group,
 * which is never merged with another, is created by `createGroup` in lib/server/groups.ts.)
 *
 * Exactly one thread per participant set, even under concurrent requests: `INSERT … ON CONFLICT (participant_key)
 * DO NOTHING` makes PostgreSQL wait for any concurrent insert of the same key and then skip, so every request but
 * one falls through to reading the winner's thread (PostgreSQL docs, "INSERT … ON CONFLICT").
 *
 * @param participantIds the other users; the caller may be listed or not.
 * @returns the thread and whether this call created it.
 * @throws AppError `validation` (400) for duplicates, a set that is only the caller, or more than
 *   `MAX_PARTICIPANTS`; `not_found` (404) when an id names no user; `forbidden` (403) when the conversation does not
 *   exist and someone in it blocked the caller (lib/server/blocks.ts).
 */
export async function createOrGetThread(
  callerId: string,
  participantIds: readonly string[],
): Promise<{ thread: Thread; created: boolean }> {
  const members = memberSet(callerId, participantIds);
  const key = participantKey(members);

  // A thread found by key can be deleted before we read it; trying again then creates a new one.
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await getPrisma().$transaction(async (tx) => {
      await requireUsers(tx, members, "#/participantIds");
      const inserted = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO threads (id, participant_key) VALUES (${uuidv7()}, ${key})
        ON CONFLICT (participant_key) DO NOTHING
        RETURNING id`;
      const newId = inserted[0]?.id;
      if (newId) {
        // Only a new conversation is refused (and the insert rolled back): one that exists is the caller's already.
        await refuseIfBlockedBy(tx, callerId, members, "start");
        // Watermarks and unread counts start at their column defaults, 0: nothing has been sent yet. Every later
        // change to them is made by the SQL functions of prisma/sql/functions/.
        await tx.$executeRaw`
          INSERT INTO participants (thread_id, user_id, last_activity_at)
          SELECT ${newId}, u, t.created_at FROM unnest(${members}::text[]) AS u, threads t WHERE t.id = ${newId}`;
        const thread = await getThreadForEvent(tx, callerId, newId);
        await recordThreadEvent(tx, newId, "thread.created", { thread });
        return { threadId: newId, created: true };
      }
      const existing = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM threads WHERE participant_key = ${key}`;
      return existing[0] ? { threadId: existing[0].id, created: false } : null;
    });
    if (result) return { thread: await getThread(callerId, result.threadId), created: result.created };
  }
  throw new AppError("conflict", "The thread changed while it was being created. Try again.");
}

/**
 * Those of the threads `ids` that `userId` takes part in, as {@link getThread} gives each, in the order of `ids`; ids
 * that are not (or no longer) the user's are left out. One query, however many ids.
 */
export async function getThreads(userId: string, ids: readonly string[]): Promise<Thread[]> {
  if (ids.length === 0) return [];
  const { data } = await selectThreads(getPrisma(), userId, Prisma.sql`AND p.thread_id = ANY(${ids}::text[])`, ids.length, userId);
  const threads = new JsonText<Thread[]>(data).parse();
  const byId = new Map(threads.map((t) => [t.id, t]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The ids of every thread `userId` takes part in, in id order (a stable order for walking them all: the export). */
export async function threadIdsOf(userId: string): Promise<string[]> {
  const rows = await getPrisma().$queryRaw<{ thread_id: string }[]>`
    SELECT thread_id FROM participants WHERE user_id = ${userId} ORDER BY thread_id`;
  return rows.map((r) => r.thread_id);
}

/** A thread row locked by one of its participants, with that participant's role as read under the lock. */
export interface LockedThread {
  title: string | null;
  description: string | null;
  role: Role;
}

/**
 * Locks the thread row `FOR UPDATE` inside `tx` (the first lock of every change to a thread), then reads the caller's
 * membership and role in a statement of its own: a statement that waited for the lock re-checks only the row it
 * locked, so a removal or demotion that committed meanwhile would go unseen in it (PostgreSQL docs, "Transaction
 * Isolation"; the SQL functions check again after their lock for the same reason).
 * @throws AppError `not_found` (404) when there is no such thread or the caller is not (or no longer) in it.
 */
export async function lockThreadAsMember(tx: Db, userId: string, threadId: string): Promise<LockedThread> {
  const [thread] = await tx.$queryRaw<{ title: string | null; description: string | null }[]>`
    SELECT t.title, t.description FROM threads t
    WHERE t.id = ${threadId}
      AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = t.id AND p.user_id = ${userId})
    FOR UPDATE`;
  const [me] = thread
    ? await tx.$queryRaw<{ role: Role }[]>`SELECT role FROM participants WHERE thread_id = ${threadId} AND user_id = ${userId}`
    : [];
  if (!thread || !me) throw notFound("Thread");
  return { ...thread, role: me.role };
}

/**
 * Deletes a thread, its messages and everyone's read state, and tells the participants (`thread.deleted`).
 * Any participant of a direct conversation may do it; a group, only its admins.
 *
 * It locks the thread row `FOR UPDATE` first, as the SQL functions that write a thread's messages and counters do
 * (prisma/sql/functions/): a send, edit, deletion or mark-read in flight finishes first, and one that comes later finds
 * the thread gone, so no event of the thread follows its `thread.deleted`. The participant rows and messages go with
 * the thread row (ON DELETE CASCADE); no count is left to correct.
 * @throws AppError `not_found` (404) when the thread does not exist or the caller is not a participant; `forbidden`
 *   (403) when it is a group and the caller is not one of its admins.
 */
export async function deleteThread(userId: string, threadId: string): Promise<void> {
  await getPrisma().$transaction(async (tx) => {
    const thread = await lockThreadAsMember(tx, userId, threadId);
    if (thread.title !== null && thread.role !== "admin") {
      throw new AppError("forbidden", "Only a group's admins can delete it. You can leave it instead.");
    }
    // Recorded before the participants go, so that they are its recipients; it commits with the deletion.
    await recordThreadEvent(tx, threadId, "thread.deleted", { threadId });
    await tx.$executeRaw`DELETE FROM threads WHERE id = ${threadId}`;
  });
}
