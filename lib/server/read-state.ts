import "server-only";
import { z } from "zod";
import { notFound } from "../errors";
import { JsonText } from "../json-text";
import type { Page } from "../schemas/common";
import type { Message } from "../schemas/messages";
import type { ReadState, UnreadSummary } from "../schemas/threads";
import { cursorSeq, cursorTime, decodeCursor, encodeCursor } from "./cursor";
import { getPrisma, Prisma } from "./sql";

/**
 * Moves the caller's read watermark in a thread forward: to the message `upToMessageId` (every message up to and
 * including it becomes read), or to the newest message. The watermark never moves backwards: marking an older
 * message read than the watermark changes nothing.
 *
 * The unread counts are recomputed from the new watermark — 0 when it reaches the newest message, otherwise the count
 * of others' messages after it, and of those the ones that mention the caller — under a share lock on the thread row (which keeps sends and deletes out) and a row
 * lock on the caller's participant row (which orders the caller's own concurrent marks). When the watermark moves, a
 * `thread.read` event tells the other participants (for "seen" marks). All of it is one statement, and so one
 * transaction: the SQL function `parley_mark_read` (prisma/sql/functions/), where the rule of what counts as unread
 * (`parley_is_read`) is written too.
 *
 * @returns the caller's watermark and unread counts in the thread afterwards.
 * @throws AppError `not_found` (404) when the thread is not the caller's or the message is not in it.
 */
export async function markThreadRead(userId: string, threadId: string, upToMessageId?: string): Promise<ReadState> {
  const { outcome, state } = await markRead(userId, threadId, upToMessageId ?? null);
  if (outcome === "thread_not_found") throw notFound("Thread");
  if (outcome === "message_not_found") throw notFound("Message");
  return state;
}

/**
 * Marks a message and everything before it in its thread read for the caller (see {@link markThreadRead}).
 * @throws AppError `not_found` (404) when the message does not exist or is not in one of the caller's threads.
 */
export async function markMessageRead(userId: string, messageId: string): Promise<ReadState> {
  const { outcome, state } = await markRead(userId, null, messageId);
  if (outcome === "thread_not_found" || outcome === "message_not_found") throw notFound("Message");
  return state;
}

type MarkReadOutcome = "moved" | "unchanged" | "thread_not_found" | "message_not_found";

/** A row of `parley_mark_read` or `parley_mark_unread`. */
type ReadStateRow<O> = {
  outcome: O;
  thread_id: string;
  last_read_seq: number;
  unread_count: number;
  unread_mention_count: number;
};

const readStateOf = (row: ReadStateRow<unknown>): ReadState => ({
  threadId: row.thread_id,
  lastReadSeq: row.last_read_seq,
  unreadCount: row.unread_count,
  unreadMentionCount: row.unread_mention_count,
});

async function markRead(
  userId: string,
  threadId: string | null,
  upToMessageId: string | null,
): Promise<{ outcome: MarkReadOutcome; state: ReadState }> {
  const [row] = await getPrisma().$queryRaw<ReadStateRow<MarkReadOutcome>[]>`
    SELECT outcome, thread_id, last_read_seq, unread_count, unread_mention_count
    FROM parley_mark_read(${threadId}, ${userId}, ${upToMessageId})`;
  if (!row) throw new Error("parley_mark_read answered no row");
  return { outcome: row.outcome, state: readStateOf(row) };
}

/**
 * "Mark unread from here": moves the caller's read watermark in the message's thread back to just before the message,
 * so that it and every later message the caller did not send are unread again; the counts are recomputed and a
 * `thread.read` event tells every tab and participant, as a mark-read does. The only way a watermark moves back. A
 * message that is already unread (the watermark is before it) changes nothing. All of it is one statement:
 * `parley_mark_unread` (prisma/sql/functions/).
 * @returns the caller's watermark and unread counts in the thread afterwards.
 * @throws AppError `not_found` (404) when the message does not exist or is not in one of the caller's threads.
 */
export async function markUnread(userId: string, messageId: string): Promise<ReadState> {
  const [row] = await getPrisma().$queryRaw<ReadStateRow<"moved" | "unchanged" | "message_not_found">[]>`
    SELECT outcome, thread_id, last_read_seq, unread_count, unread_mention_count
    FROM parley_mark_unread(${messageId}, ${userId})`;
  if (!row) throw new Error("parley_mark_unread answered no row");
  if (row.outcome === "message_not_found") throw notFound("Message");
  return readStateOf(row);
}

/**
 * The caller's unread counts, and of them the messages that mention the caller: one statement over the caller's
 * participant rows (O(their threads)), never a scan of messages. Threads with nothing unread are left out of
 * `threads`.
 * @returns the summary as JSON text (the API sends it as it is; `.parse()` gives the {@link UnreadSummary}).
 */
export async function getUnreadSummary(userId: string): Promise<JsonText<UnreadSummary>> {
  // Built by PostgreSQL as the JSON the API answers (lib/json-text.ts): a caller in hundreds of threads costs one row.
  const [row] = await getPrisma().$queryRaw<{ summary: string }[]>`
    SELECT json_build_object(
             'total', coalesce(sum(p.unread_count), 0),
             'mentions', coalesce(sum(p.unread_mention_count), 0),
             'threads', coalesce(json_agg(json_build_object(
                          'threadId', p.thread_id, 'count', p.unread_count, 'mentions', p.unread_mention_count)
                        ORDER BY p.last_activity_at DESC, p.thread_id DESC), '[]'))::text AS summary
    FROM participants p
    WHERE p.user_id = ${userId} AND p.unread_count > 0`;
  return new JsonText(row!.summary);
}

/** Cursor of the unread-messages list: the last message's `{t: createdAt, th: threadId, s: seq}`. */
const unreadCursor = z.strictObject({ t: cursorTime, th: z.string().min(1).max(64), s: cursorSeq });

/**
 * The caller's unread messages across all threads, newest first. Only threads with a non-zero unread count are
 * visited; within each, the messages after the caller's watermark that others sent.
 *
 * Order: `createdAt` descending, then thread, then `seq` descending. Several messages can share a millisecond; within
 * a thread `seq` is the order they were sent in (a message's `createdAt` is taken under the thread lock, so it never
 * runs behind an earlier `seq`), whereas message ids are made before the lock and can be out of that order.
 * @throws AppError `validation` (400) for a malformed cursor.
 */
export async function listUnreadMessages(userId: string, opts: { limit: number; cursor?: string }): Promise<Page<Message>> {
  const after = decodeCursor(opts.cursor, unreadCursor);
  const bound = after
    ? Prisma.sql`AND (m.created_at, m.thread_id, m.seq) < (${after.t}::timestamptz, ${after.th}, ${after.s}::int)`
    : Prisma.empty;
  // Unread: what the caller has not read (parley_is_read), in the threads whose count says there is some.
  const rows = await getPrisma().$queryRaw<{ message: Message }[]>`
    SELECT parley_message_json(m, u, p.user_id, p.last_read_seq) AS message
    FROM participants p
    JOIN messages m ON m.thread_id = p.thread_id AND NOT parley_is_read(m.kind, m.sender_id, m.seq, p.user_id, p.last_read_seq)
    JOIN users u ON u.id = m.sender_id
    WHERE p.user_id = ${userId} AND p.unread_count > 0 ${bound}
    ORDER BY m.created_at DESC, m.thread_id DESC, m.seq DESC
    LIMIT ${opts.limit + 1}`;
  const data = rows.slice(0, opts.limit).map((r) => r.message);
  const last = data[data.length - 1];
  return {
    data,
    nextCursor:
      rows.length > opts.limit && last ? encodeCursor({ t: last.createdAt, th: last.threadId, s: last.seq }) : null,
  };
}
