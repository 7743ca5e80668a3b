import "server-only";
import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import { AppError, notFound } from "../errors";
import type { Page } from "../schemas/common";
import type { ListMessagesQuery, Message, SendMessageInput } from "../schemas/messages";
import { JsonText } from "../json-text";
import { cursorSeq, decodeCursor, encodeCursor } from "./cursor";
import { getPrisma, isUniqueViolation, Prisma } from "./sql";

// The rules of messages and read state live in SQL, one function per file in prisma/sql/functions/ (docs/decisions.md,
// "One home per rule"): a message's JSON as a viewer sees it (`parley_message_json`), whether a viewer has read a
// message (`parley_is_read`), and every write to a thread's messages, watermarks and unread counts (send, edit, delete,
// mark read). This module calls them, turns their outcomes into errors, and builds the queries that page messages.

/**
 * Sends a message. In one statement, and so one transaction (`parley_send_message`): lock the thread row, take the
 * next sequence number, insert the message, add one to every other participant's unread count, move the sender's
 * watermark to the new message (sending marks the thread read for the sender), stamp everyone's `last_activity_at`,
 * and record a `message.created` event with every participant's new unread count and read state of the message.
 *
 * Idempotency: a repeated `clientMessageId` from the same sender returns the original message (`created: false`)
 * and changes nothing; the unique index (sender_id, client_message_id) backs this against races.
 *
 * A reply (`replyToId`) quotes a person's message of the same thread; the people of the thread that the text mentions
 * (`@username`: `parley_mentions`) are stored with it, and each gains an unread mention.
 *
 * @returns the message as its sender sees it (`isRead` true); the same JSON is the event's payload.
 * @throws AppError `not_found` (404) when the thread does not exist or the caller is not a participant;
 *   `validation` (400) when `replyToId` is not a person's message of this thread (or no longer exists);
 *   `conflict` (409) when the sender used the same `clientMessageId` in another thread; `forbidden` (403) in a direct
 *   conversation of two when either person blocked the other (lib/server/blocks.ts: the blocked one is told only
 *   that they cannot send).
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

type SendOutcome = "created" | "existing" | "conflict" | "thread_not_found" | "reply_not_found" | "blocked" | "blocking";

async function sendOnce(userId: string, threadId: string, input: SendMessageInput) {
  const [row] = await getPrisma().$queryRaw<{ outcome: SendOutcome; message: Message | null }[]>`
    SELECT outcome, message
    FROM parley_send_message(${threadId}, ${userId}, ${uuidv7()}, ${input.text}, ${input.clientMessageId ?? null},
                             ${input.replyToId ?? null})`;
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
    case "reply_not_found":
      throw new AppError("validation", "You can only reply to a person's message in this conversation.", [
        { pointer: "#/replyToId", detail: "Not a message of this conversation you can reply to (or it was deleted)." },
      ]);
    case "blocked":
      throw new AppError("forbidden", "You can't send messages in this conversation.");
    case "blocking":
      throw new AppError("forbidden", "You blocked this person. Unblock them to send messages.");
    default:
      throw new Error(`parley_send_message answered ${JSON.stringify(row)}`);
  }
}

/**
 * One message as the caller sees it (`isRead` from their watermark: `parley_message_json`), if the caller takes part
 * in its thread.
 * @throws AppError `not_found` (404) otherwise.
 */
export async function getMessage(userId: string, messageId: string): Promise<Message> {
  const [row] = await getPrisma().$queryRaw<{ message: Message }[]>`
    SELECT parley_message_json(m, u, p.user_id, p.last_read_seq) AS message
    FROM messages m
    JOIN users u ON u.id = m.sender_id
    JOIN participants p ON p.thread_id = m.thread_id AND p.user_id = ${userId}
    WHERE m.id = ${messageId}`;
  if (!row) throw notFound("Message");
  return row.message;
}

/** What `parley_edit_message` and `parley_delete_message` answer besides success. */
type OwnMessageOutcome = "message_not_found" | "forbidden" | "system_entry" | "removed" | "thread_not_found";

/**
 * The error for a sender-only change that did not happen: `not_found` (404) when the message does not exist (or no
 * longer), the caller is not in its thread, or the thread was deleted meanwhile; `forbidden` (403) when the caller is
 * in the thread but did not send the message, or it is a system entry of a group ("alice added bob") or a message a
 * moderator removed, which nobody changes.
 */
function ownMessageError(outcome: OwnMessageOutcome): AppError {
  switch (outcome) {
    case "message_not_found":
      return notFound("Message");
    case "thread_not_found":
      return notFound("Thread");
    case "forbidden":
      return new AppError("forbidden", "Only the sender can change or delete a message.");
    case "system_entry":
      return new AppError("forbidden", "A group's system entries cannot be edited or deleted.");
    case "removed":
      return new AppError("forbidden", "A moderator removed this message; it cannot be edited or deleted.");
  }
}

/**
 * Replaces the text of the caller's own message and sets `editedAt`, in one statement (`parley_edit_message`), which
 * also records `message.updated`; each recipient of that event gets their own `isRead` and counts. Read state does not
 * change; mentions are parsed again, and a participant who has not read the message gains or loses an unread mention
 * as the new text mentions them or no longer does.
 * @returns the message as its sender sees it (`isRead` true).
 * @throws AppError `not_found` (404) or `forbidden` (403), as {@link ownMessageError} says.
 */
export async function editMessage(userId: string, messageId: string, text: string): Promise<Message> {
  const [row] = await getPrisma().$queryRaw<{ outcome: "updated" | OwnMessageOutcome; message: Message | null }[]>`
    SELECT outcome, message FROM parley_edit_message(${messageId}, ${userId}, ${text})`;
  if (row?.outcome === "updated") return row.message!;
  if (!row) throw new Error("parley_edit_message answered no row");
  throw ownMessageError(row.outcome);
}

/**
 * Deletes the caller's own message, in one statement (`parley_delete_message`): every participant who had not read it
 * gets one less unread, and `message.deleted` is recorded with everyone's new count.
 * @returns the thread and sequence number the message had.
 * @throws AppError `not_found` (404) or `forbidden` (403), as {@link ownMessageError} says.
 */
export async function deleteMessage(userId: string, messageId: string): Promise<{ threadId: string; seq: number }> {
  const [row] = await getPrisma().$queryRaw<
    { outcome: "deleted" | OwnMessageOutcome; thread_id: string | null; seq: number | null }[]
  >`SELECT outcome, thread_id, seq FROM parley_delete_message(${messageId}, ${userId})`;
  if (row?.outcome === "deleted") return { threadId: row.thread_id!, seq: row.seq! };
  if (!row) throw new Error("parley_delete_message answered no row");
  throw ownMessageError(row.outcome);
}

/** A page of a thread's messages: `prevCursor` in catch-up order and around a message ({@link listMessages}). */
export type MessagePage = Page<Message> & { prevCursor?: string | null };

const messageCursor = z.union([
  z.strictObject({ b: cursorSeq }), // newest first: messages before seq b
  z.strictObject({ a: cursorSeq }), // catch-up: messages after seq a, oldest first
]);

/**
 * A page of a thread's messages for a participant.
 *
 * Default order is newest first; `after` (a message id) switches to catch-up mode: messages newer than that one,
 * oldest first, with a `prevCursor` for the messages at or before where the page began (newest first); `around` (a message id) gives the window around that message ({@link listAround}), with a
 * `prevCursor` for newer messages. Cursors hold a sequence number, so paging stays exact while messages arrive or are
 * deleted: each message appears exactly once.
 *
 * @returns the page as JSON text (the API sends it as it is; `.parse()` gives the {@link MessagePage}).
 * @throws AppError `not_found` (404) when the thread is not the caller's or `after` or `around` is not a message of
 *   it; `validation` (400) for a malformed cursor.
 */
export async function listMessages(userId: string, threadId: string, query: ListMessagesQuery): Promise<JsonText<MessagePage>> {
  if (query.around !== undefined) return JsonText.of(await listAround(userId, threadId, query.around, query));
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
  // One statement: the caller's participant row (no row: not their thread), the `after` anchor's seq, and the page,
  // each message as the caller sees it, as one JSON array of up to `limit` (JsonText: the text goes to the response
  // as PostgreSQL wrote it), with how many of `limit + 1` there were and the seq of the last one on the page.
  const rows = await getPrisma().$queryRaw<{ anchor_seq: number | null; data: string; found: number; last_seq: number | null }[]>`
    SELECT anchor.seq AS anchor_seq,
           coalesce(json_agg(page.message ORDER BY page.n) FILTER (WHERE page.n <= ${query.limit}), '[]')::text AS data,
           count(page.n)::int AS found,
           max(page.seq) FILTER (WHERE page.n = ${query.limit}) AS last_seq
    FROM participants me
    CROSS JOIN LATERAL (SELECT ${anchor} AS seq) anchor
    LEFT JOIN LATERAL (
      SELECT parley_message_json(m, u, me.user_id, me.last_read_seq) AS message, m.seq,
             row_number() OVER (ORDER BY m.seq ${ascending ? Prisma.sql`ASC` : Prisma.sql`DESC`}) AS n
      FROM messages m JOIN users u ON u.id = m.sender_id
      WHERE m.thread_id = me.thread_id ${bound} ${sender}
      ORDER BY m.seq ${ascending ? Prisma.sql`ASC` : Prisma.sql`DESC`}
      LIMIT ${query.limit + 1}
    ) page ON true
    WHERE me.thread_id = ${threadId} AND me.user_id = ${userId}
    GROUP BY anchor.seq`;
  const me = rows[0];
  if (!me) throw notFound("Thread");
  if (query.after && !cursor && me.anchor_seq === null) {
    throw new AppError("not_found", "The message named by `after` is not in this thread.", [
      { parameter: "after", detail: "No such message in this thread." },
    ]);
  }
  const nextCursor = me.found > query.limit && me.last_seq !== null ? encodeCursor(ascending ? { a: me.last_seq } : { b: me.last_seq }) : null;
  const cursors = `"nextCursor":${JSON.stringify(nextCursor)}`;
  if (!ascending) return new JsonText(`{"data":${me.data},${cursors}}`);
  // Catch-up order: the way back is the messages at or before where this page began, newest first. Set even when the
  // page is empty, so a client holding it at the front of a window can still page back from it.
  const from = cursor && "a" in cursor ? cursor.a : me.anchor_seq!;
  return new JsonText(`{"data":${me.data},${cursors},"prevCursor":${JSON.stringify(encodeCursor({ b: from + 1 }))}}`);
}

/**
 * The window of a thread's messages around `around` (a jump to a search result, a quote, the first unread), newest
 * first: `around` and the messages before it, and up to `floor(limit / 2)` messages after it — more when fewer than
 * the rest of the page come before it, so a page is full whenever the thread has `limit` messages (with `sender`: of
 * that sender). `nextCursor` continues to older messages as in the default order; `prevCursor` is a catch-up cursor
 * (`cursor=` it: the messages after the window's newest, oldest first), `null` when the window holds the newest.
 * One statement, like {@link listMessages}.
 * @throws AppError `not_found` (404) when the thread is not the caller's or `around` is not a message of it.
 */
async function listAround(
  userId: string,
  threadId: string,
  around: string,
  query: ListMessagesQuery,
): Promise<Page<Message> & { prevCursor: string | null }> {
  const sender = query.sender ? Prisma.sql`AND m.sender_id = ${query.sender}` : Prisma.empty;
  const message = Prisma.sql`parley_message_json(m, u, me.user_id, me.last_read_seq)`;
  // Up to a page and one at or before the anchor (one more: is there an older page?), up to a page after it.
  const rows = await getPrisma().$queryRaw<{ anchor_seq: number | null; newer: boolean | null; message: Message | null }[]>`
    SELECT anchor.seq AS anchor_seq, page.newer, page.message
    FROM participants me
    CROSS JOIN LATERAL (SELECT (SELECT a.seq FROM messages a WHERE a.id = ${around} AND a.thread_id = me.thread_id) AS seq) anchor
    LEFT JOIN LATERAL (
      (SELECT false AS newer, ${message} AS message FROM messages m JOIN users u ON u.id = m.sender_id
       WHERE m.thread_id = me.thread_id AND m.seq <= anchor.seq ${sender} ORDER BY m.seq DESC LIMIT ${query.limit + 1})
      UNION ALL
      (SELECT true, ${message} FROM messages m JOIN users u ON u.id = m.sender_id
       WHERE m.thread_id = me.thread_id AND m.seq > anchor.seq ${sender} ORDER BY m.seq ASC LIMIT ${query.limit})
    ) page ON true
    WHERE me.thread_id = ${threadId} AND me.user_id = ${userId}`;
  if (!rows[0]) throw notFound("Thread");
  if (rows[0].anchor_seq === null) {
    throw new AppError("not_found", "The message named by `around` is not in this thread.", [
      { parameter: "around", detail: "No such message in this thread." },
    ]);
  }
  const older = rows.flatMap((r) => (r.message && !r.newer ? [r.message] : [])).sort((a, b) => b.seq - a.seq);
  const newer = rows.flatMap((r) => (r.message && r.newer ? [r.message] : [])).sort((a, b) => a.seq - b.seq);
  const olderCount = Math.min(older.length, query.limit - Math.min(newer.length, Math.floor(query.limit / 2)));
  const newerCount = Math.min(newer.length, query.limit - olderCount);
  const data = [...newer.slice(0, newerCount).reverse(), ...older.slice(0, olderCount)];
  const oldest = older[olderCount - 1];
  return {
    data,
    nextCursor: older.length > olderCount && oldest ? encodeCursor({ b: oldest.seq }) : null,
    prevCursor: newer.length > newerCount && data[0] ? encodeCursor({ a: data[0].seq }) : null,
  };
}
