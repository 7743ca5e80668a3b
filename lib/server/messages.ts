import "server-only";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { AppError, notFound } from "../errors";
import type { Page } from "../schemas/common";
import type { ListMessagesQuery, Message, SendMessageInput } from "../schemas/messages";
import { cursorSeq, decodeCursor, encodeCursor } from "./cursor";
import { recordThreadEvent } from "./events";
import { type Db, getPrisma, isUniqueViolation, Prisma } from "./sql";

/** A message row joined with its sender (`m` = messages, `u` = users). */
export type MessageRow = {
  id: string;
  thread_id: string;
  seq: number;
  sender_id: string;
  sender_username: string;
  sender_name: string | null;
  text: string;
  client_message_id: string | null;
  created_at: Date;
  edited_at: Date | null;
};

export const MESSAGE_COLUMNS = Prisma.sql`m.id, m.thread_id, m.seq, m.sender_id, u.username AS sender_username,
  u.name AS sender_name, m.text, m.client_message_id, m.created_at, m.edited_at`;

/**
 * Wire shape of a message for `viewerId`, whose read watermark in the thread is `viewerLastReadSeq`.
 * A viewer's own messages are always read.
 */
export function toMessage(r: MessageRow, viewerId: string, viewerLastReadSeq: number): Message {
  return {
    id: r.id,
    threadId: r.thread_id,
    seq: r.seq,
    sender: { id: r.sender_id, username: r.sender_username, name: r.sender_name },
    text: r.text,
    clientMessageId: r.client_message_id,
    createdAt: r.created_at.toISOString(),
    editedAt: r.edited_at?.toISOString() ?? null,
    isRead: r.sender_id === viewerId || r.seq <= viewerLastReadSeq,
  };
}

/**
 * Locks the thread row for a write that changes its messages or counters, after checking that `userId` takes part.
 * Every such write locks the thread row first, so concurrent writes to one thread are serialised in one order
 * (thread row, then participant rows) and cannot deadlock. The SQL functions `parley_send_message` and
 * `parley_mark_read` take the same locks in the same order.
 * @returns the thread's last sequence number.
 * @throws AppError `not_found` when the thread does not exist or `userId` is not a participant.
 */
export async function lockThread(tx: Db, threadId: string, userId: string, mode: "update" | "share"): Promise<number> {
  const lock = mode === "update" ? Prisma.sql`FOR UPDATE` : Prisma.sql`FOR SHARE`;
  const rows = await tx.$queryRaw<{ last_seq: number }[]>`
    SELECT t.last_seq FROM threads t
    WHERE t.id = ${threadId}
      AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = t.id AND p.user_id = ${userId})
    ${lock}`;
  if (!rows[0]) throw notFound("Thread");
  return rows[0].last_seq;
}

/**
 * Sends a message. In one statement, and so one transaction (the SQL function `parley_send_message`, migration
 * `write_functions`): lock the thread row, take the next sequence number, insert the message, add one to every other
 * participant's unread count, move the sender's watermark to the new message (sending marks the thread read for the
 * sender), stamp everyone's `last_activity_at`, and record a `message.created` event with every participant's new
 * unread count.
 *
 * Idempotency: a repeated `clientMessageId` from the same sender returns the original message (`created: false`)
 * and changes nothing; the unique index (sender_id, client_message_id) backs this against races.
 *
 * @returns the message as its sender sees it (`isRead` true); the same JSON is the event's payload.
 * @throws AppError `not_found` (404) when the thread does not exist or the caller is not a participant;
 *   `conflict` (409) when the sender used the same `clientMessageId` in another thread.
 */
export async function sendMessage(
  userId: string,
  threadId: string,
  input: SendMessageInput,
): Promise<{ message: Message; created: boolean }> {
  try {
    return await sendOnce(userId, threadId, input);
  } catch (e) {
    // Two sends with one clientMessageId into different threads raced; the loser now sees the winner's message.
    if (input.clientMessageId && isUniqueViolation(e)) return sendOnce(userId, threadId, input);
    throw e;
  }
}

type SendOutcome = "created" | "existing" | "conflict" | "thread_not_found";

async function sendOnce(userId: string, threadId: string, input: SendMessageInput) {
  const [row] = await getPrisma().$queryRaw<{ outcome: SendOutcome; message: Message | null }[]>`
    SELECT outcome, message
    FROM parley_send_message(${threadId}, ${userId}, ${uuidv7()}, ${input.text}, ${input.clientMessageId ?? null})`;
  switch (row?.outcome) {
    case "created":
    case "existing":
      return { message: row.message!, created: row.outcome === "created" };
    case "conflict":
      throw new AppError("conflict", "This clientMessageId was already used for a message in another thread.", [
        { pointer: "#/clientMessageId", detail: "Already used in another thread." },
      ]);
    case "thread_not_found":
      throw notFound("Thread");
    default:
      throw new Error(`parley_send_message answered ${JSON.stringify(row)}`);
  }
}

/**
 * One message, if the caller takes part in its thread.
 * @throws AppError `not_found` (404) otherwise.
 */
export async function getMessage(userId: string, messageId: string): Promise<Message> {
  const [row] = await getPrisma().$queryRaw<(MessageRow & { last_read_seq: number })[]>`
    SELECT ${MESSAGE_COLUMNS}, p.last_read_seq
    FROM messages m
    JOIN users u ON u.id = m.sender_id
    JOIN participants p ON p.thread_id = m.thread_id AND p.user_id = ${userId}
    WHERE m.id = ${messageId}`;
  if (!row) throw notFound("Message");
  return toMessage(row, userId, row.last_read_seq);
}

/**
 * Finds a message for a sender-only change.
 * @throws AppError `not_found` (404) when it does not exist or the caller is not in its thread; `forbidden` (403)
 *   when the caller is in the thread but did not send it.
 */
async function ownMessage(tx: Db, userId: string, messageId: string): Promise<{ thread_id: string }> {
  const [m] = await tx.$queryRaw<{ thread_id: string; sender_id: string }[]>`
    SELECT m.thread_id, m.sender_id FROM messages m
    WHERE m.id = ${messageId}
      AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = m.thread_id AND p.user_id = ${userId})`;
  if (!m) throw notFound("Message");
  if (m.sender_id !== userId) throw new AppError("forbidden", "Only the sender can change or delete a message.");
  return m;
}

/**
 * Replaces the text of the caller's own message and sets `editedAt`; records `message.updated`. Read state does
 * not change.
 * @throws AppError `not_found` (404), `forbidden` (403) as {@link ownMessage}.
 */
export async function editMessage(userId: string, messageId: string, text: string): Promise<Message> {
  return getPrisma().$transaction(async (tx) => {
    const { thread_id: threadId } = await ownMessage(tx, userId, messageId);
    // Like every write, take the thread row lock first: a deletion of the thread then waits for this edit, or
    // this edit finds the thread gone, so no event of a thread follows its thread.deleted.
    await lockThread(tx, threadId, userId, "share");
    const [row] = await tx.$queryRaw<MessageRow[]>`
      WITH m AS (
        UPDATE messages SET text = ${text}, edited_at = clock_timestamp()::timestamptz(3)
        WHERE id = ${messageId} AND sender_id = ${userId}
        RETURNING *
      )
      SELECT ${MESSAGE_COLUMNS} FROM m JOIN users u ON u.id = m.sender_id`;
    if (!row) throw notFound("Message");
    const message = toMessage(row, userId, row.seq);
    await recordThreadEvent(tx, message.threadId, "message.updated", { message });
    return message;
  });
}

/**
 * Deletes the caller's own message. Every participant whose watermark is below it had it counted as unread, so their
 * unread count drops by one in the same transaction, which also records `message.deleted`.
 * @returns the thread and sequence number the message had.
 * @throws AppError `not_found` (404), `forbidden` (403) as {@link ownMessage}.
 */
export async function deleteMessage(userId: string, messageId: string): Promise<{ threadId: string; seq: number }> {
  return getPrisma().$transaction(async (tx) => {
    const { thread_id: threadId } = await ownMessage(tx, userId, messageId);
    await lockThread(tx, threadId, userId, "update");
    const [deleted] = await tx.$queryRaw<{ seq: number }[]>`
      DELETE FROM messages WHERE id = ${messageId} AND sender_id = ${userId} RETURNING seq`;
    if (!deleted) throw notFound("Message");
    await tx.$executeRaw`
      UPDATE participants SET unread_count = unread_count - 1
      WHERE thread_id = ${threadId} AND user_id <> ${userId} AND last_read_seq < ${deleted.seq}::int`;
    await recordThreadEvent(tx, threadId, "message.deleted", { threadId, messageId, seq: deleted.seq }, { all: true });
    return { threadId, seq: deleted.seq };
  });
}

const messageCursor = z.union([
  z.strictObject({ b: cursorSeq }), // newest first: messages before seq b
  z.strictObject({ a: cursorSeq }), // catch-up: messages after seq a, oldest first
]);

/**
 * A page of a thread's messages for a participant.
 *
 * Default order is newest first; `after` (a message id) switches to catch-up mode: messages newer than that one,
 * oldest first. Cursors hold a sequence number, so paging stays exact while messages arrive or are deleted: each
 * message appears exactly once.
 *
 * @throws AppError `not_found` (404) when the thread is not the caller's or `after` is not a message of it;
 *   `validation` (400) for a malformed cursor.
 */
export async function listMessages(userId: string, threadId: string, query: ListMessagesQuery): Promise<Page<Message>> {
  const cursor = decodeCursor(query.cursor, messageCursor);
  let ascending: boolean;
  let bound: Prisma.Sql;
  let anchor = Prisma.sql`NULL::int`;
  if (cursor && "a" in cursor) {
    ascending = true;
    bound = Prisma.sql`AND m.seq > ${cursor.a}::int`;
  } else if (cursor && "b" in cursor) {
    ascending = false;
    bound = Prisma.sql`AND m.seq < ${cursor.b}::int`;
  } else if (query.after) {
    ascending = true;
    anchor = Prisma.sql`(SELECT a.seq FROM messages a WHERE a.id = ${query.after} AND a.thread_id = me.thread_id)`;
    bound = Prisma.sql`AND m.seq > anchor.seq`;
  } else {
    ascending = false;
    bound = Prisma.empty;
  }
  const sender = query.sender ? Prisma.sql`AND m.sender_id = ${query.sender}` : Prisma.empty;
  // One statement: the caller's participant row (no row: not their thread), the `after` anchor's seq, and the page.
  // A thread with no message in range still gives one row, with the message columns NULL.
  const rows = await getPrisma().$queryRaw<(Nullable<MessageRow> & { last_read_seq: number; anchor_seq: number | null })[]>`
    SELECT me.last_read_seq, anchor.seq AS anchor_seq, page.*
    FROM participants me
    CROSS JOIN LATERAL (SELECT ${anchor} AS seq) anchor
    LEFT JOIN LATERAL (
      SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id
      WHERE m.thread_id = me.thread_id ${bound} ${sender}
      ORDER BY m.seq ${ascending ? Prisma.sql`ASC` : Prisma.sql`DESC`}
      LIMIT ${query.limit + 1}
    ) page ON true
    WHERE me.thread_id = ${threadId} AND me.user_id = ${userId}`;
  const me = rows[0];
  if (!me) throw notFound("Thread");
  if (query.after && !cursor && me.anchor_seq === null) {
    throw new AppError("not_found", "The message named by `after` is not in this thread.", [
      { parameter: "after", detail: "No such message in this thread." },
    ]);
  }
  const found = rows.filter((r): r is MessageRow & { last_read_seq: number; anchor_seq: number | null } => r.id !== null);
  const data = found.slice(0, query.limit);
  const last = data[data.length - 1];
  const nextCursor =
    found.length > query.limit && last ? encodeCursor(ascending ? { a: last.seq } : { b: last.seq }) : null;
  return { data: data.map((r) => toMessage(r, userId, me.last_read_seq)), nextCursor };
}

type Nullable<T> = { [K in keyof T]: T[K] | null };
