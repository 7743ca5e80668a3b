import "server-only";
import { v7 as uuidv7 } from "uuid";
import { config } from "../config";
import { AppError, notFound } from "../errors";
import type { Page } from "../schemas/common";
import { type ListThreadsQuery, PREVIEW_LENGTH, type Role, type Thread } from "../schemas/threads";
import { decodeCursor, encodeCursor, timeIdCursor } from "./cursor";
import { participantKey } from "./participant-key";
import { refuseIfBlockedBy } from "./blocks";
import { recordThreadEvent } from "./events";
import { blockedBetween, presenceFor } from "./presence";
import { type Db, escapeLike, getPrisma, Prisma } from "./sql";

type ThreadRow = {
  thread_id: string;
  title: string | null;
  description: string | null;
  created_at: Date;
  last_activity_at: Date;
  unread_count: number;
  unread_mention_count: number;
  lm_id: string | null;
  lm_kind: "text" | "system" | "removed" | null;
  lm_text: string | null;
  lm_sender_id: string | null;
  lm_created_at: Date | null;
};

type ParticipantRow = {
  thread_id: string;
  id: string;
  username: string;
  name: string | null;
  last_read_seq: number;
  role: Role;
  joined_at: Date;
  online: boolean;
  last_seen_at: Date | null;
  hide_last_seen: boolean;
  viewer_hides: boolean;
  blocked: boolean;
};

/**
 * One statement: the caller's participant rows (ordered for the thread list), their thread, and each thread's newest
 * message through a LATERAL lookup on the (thread_id, seq) index.
 */
function selectThreadRows(db: Db, userId: string, where: Prisma.Sql, limit: number): Promise<ThreadRow[]> {
  return db.$queryRaw<ThreadRow[]>`
    SELECT p.thread_id, t.title, t.description, t.created_at, p.last_activity_at, p.unread_count, p.unread_mention_count,
           lm.id AS lm_id, lm.kind AS lm_kind, CASE WHEN lm.kind = 'removed' THEN '' ELSE left(lm.text, ${PREVIEW_LENGTH}::int) END AS lm_text, lm.sender_id AS lm_sender_id, lm.created_at AS lm_created_at
    FROM participants p
    JOIN threads t ON t.id = p.thread_id
    LEFT JOIN LATERAL (
      SELECT m.id, m.kind, m.text, m.sender_id, m.created_at FROM messages m
      WHERE m.thread_id = p.thread_id ORDER BY m.seq DESC LIMIT 1
    ) lm ON true
    WHERE p.user_id = ${userId} ${where}
    ORDER BY p.last_activity_at DESC, p.thread_id DESC
    LIMIT ${limit}`;
}

/**
 * One statement: the participants (with read positions, roles and presence) of all the given threads. Presence is as
 * `viewerId` may see it (lib/server/presence.ts, presenceFor); with `viewerId` null (a live event's thread, which
 * many people receive) nobody's last-seen time is given.
 */
async function attachParticipants(db: Db, rows: ThreadRow[], viewerId: string | null): Promise<Thread[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.thread_id);
  const people = await db.$queryRaw<ParticipantRow[]>`
    SELECT p.thread_id, u.id, u.username, u.name, p.last_read_seq, p.role, p.joined_at, u.online, u.last_seen_at, u.hide_last_seen,
           coalesce((SELECT v.hide_last_seen FROM users v WHERE v.id = ${viewerId}), true) AS viewer_hides,
           ${viewerId === null ? Prisma.sql`false` : blockedBetween(viewerId)} AS blocked
    FROM participants p JOIN users u ON u.id = p.user_id
    WHERE p.thread_id = ANY(${ids}::text[])
    ORDER BY u.username`;
  const byThread = new Map<string, Thread["participants"]>();
  for (const p of people) {
    const list = byThread.get(p.thread_id) ?? [];
    const presence = presenceFor(p, viewerId === null ? null : { id: viewerId, hides: p.viewer_hides, blocked: p.blocked });
    list.push({
      id: p.id,
      username: p.username,
      name: p.name,
      lastReadSeq: p.last_read_seq,
      role: p.role,
      joinedAt: p.joined_at.toISOString(),
      presence,
    });
    byThread.set(p.thread_id, list);
  }
  return rows.map((r) => ({
    id: r.thread_id,
    kind: r.title === null ? "direct" : "group",
    title: r.title,
    description: r.description,
    createdAt: r.created_at.toISOString(),
    lastActivityAt: r.last_activity_at.toISOString(),
    participants: byThread.get(r.thread_id) ?? [],
    lastMessage:
      r.lm_id && r.lm_kind && r.lm_sender_id && r.lm_created_at
        ? { id: r.lm_id, kind: r.lm_kind, text: r.lm_text ?? "", senderId: r.lm_sender_id, createdAt: r.lm_created_at.toISOString() }
        : null,
    unreadCount: r.unread_count,
    unreadMentionCount: r.unread_mention_count,
  }));
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
  const rows = await selectThreadRows(db, userId, Prisma.sql`AND p.thread_id = ${threadId}`, 1);
  const [thread] = await attachParticipants(db, rows, presenceViewer);
  if (!thread) throw notFound("Thread");
  return thread;
}

/**
 * The caller's threads, most recent activity first, in two statements whatever the page size.
 * Filters: `participant` (threads that include that user), `unread` (threads with unread messages), `q` (threads
 * with another participant whose username or name contains `q`, or groups whose title does, case-insensitively).
 * @throws AppError `validation` (400) for a malformed cursor.
 */
export async function listThreads(userId: string, query: ListThreadsQuery): Promise<Page<Thread>> {
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
  const db = getPrisma();
  const rows = await selectThreadRows(db, userId, filters.length ? Prisma.join(filters, " ", "", "") : Prisma.empty, query.limit + 1);
  const hasMore = rows.length > query.limit;
  const data = await attachParticipants(db, rows.slice(0, query.limit), userId);
  const last = data[data.length - 1];
  return { data, nextCursor: hasMore && last ? encodeCursor({ t: last.lastActivityAt, i: last.id }) : null };
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
 * that are not (or no longer) the user's are left out. Two queries, however many ids.
 */
export async function getThreads(userId: string, ids: readonly string[]): Promise<Thread[]> {
  if (ids.length === 0) return [];
  const db = getPrisma();
  const threads = await attachParticipants(db, await selectThreadRows(db, userId, Prisma.sql`AND p.thread_id = ANY(${ids}::text[])`, ids.length), userId);
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
