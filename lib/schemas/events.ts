import { z } from "zod";
import { id } from "./common";
import { message, reaction } from "./messages";
import { presence } from "./presence";
import { thread } from "./threads";

/**
 * Live events on `GET /api/events` (Server-Sent Events). Each persisted event carries an SSE `id` (a decimal
 * string, increasing); `typing` is ephemeral and has none. The `event:` field is the type; `data:` the JSON below.
 * Viewer-specific fields (`unreadCount`, and a message's `isRead`) are the receiving user's, as when they read it.
 */
/** Your unread counts in the event's thread afterwards (lib/schemas/threads.ts). */
const counts = { unreadCount: z.number().int(), unreadMentionCount: z.number().int() };

const reactionChange = z.object({
  threadId: id,
  messageId: id,
  seq: z.number().int(),
  emoji: z.string(),
  userId: id,
  reactions: z.array(reaction),
});

export const eventPayloads = {
  /** A new message in one of your threads; `unreadCount` and `unreadMentionCount` are your counts in it after it. */
  "message.created": z.object({ message, ...counts }),
  /**
   * A message's text changed; `message.isRead` is yours (an edit changes nobody's read state). Its mentions are
   * parsed again, so your unread mention count may change: your counts in the thread afterwards.
   */
  "message.updated": z.object({ message, ...counts }),
  /**
   * A moderator removed a message: `message` is it as it now is (`kind` `removed`, no text, read by everyone);
   * `unreadCount` is your count in that thread afterwards.
   */
  "message.removed": z.object({ message, ...counts }),
  /** A message was deleted; `unreadCount` and `unreadMentionCount` are your counts in that thread afterwards. */
  "message.deleted": z.object({ threadId: id, messageId: id, seq: z.number().int(), ...counts }),
  /**
   * Someone reacted to a message (`userId`, with `emoji`); `reactions` is the message's reactions afterwards, which
   * replace the ones you have. Reactions change nobody's read state.
   */
  "reaction.added": reactionChange,
  /** Someone took their reaction back; as `reaction.added`. */
  "reaction.removed": reactionChange,
  /** You were made a participant of a new thread. */
  "thread.created": z.object({ thread }),
  /**
   * A group changed: its title or description, its members or their roles. `thread` is the whole thread as you now
   * see it (its `unreadCount` is yours); someone just added receives it too, right after the `message.created` of the
   * entry that says they were added (the first two events of the group they get; a client that does not know the
   * thread yet fetches it on the first).
   */
  "thread.updated": z.object({ thread }),
  /** You are no longer in a group: you left (from another tab or client) or an admin removed you. Its events stop. */
  "thread.removed": z.object({ threadId: id, reason: z.enum(["left", "removed"]) }),
  /** A thread you took part in was deleted (its events stop). */
  "thread.deleted": z.object({ threadId: id }),
  /**
   * A participant's read position moved: forwards when they read, back when they marked a message unread.
   * `unreadCount` and `unreadMentionCount` are present when that participant is you.
   */
  "thread.read": z.object({
    threadId: id,
    userId: id,
    lastReadSeq: z.number().int(),
    unreadCount: z.number().int().optional(),
    unreadMentionCount: z.number().int().optional(),
  }),
  /**
   * Someone who shares a thread with you came online or went offline (ephemeral, like `typing`). Changes are
   * announced once each: a tab reconnecting within a minute changes nothing.
   */
  presence: z.object({ userId: id, presence }),
  /** Someone is typing in one of your threads (ephemeral: lasts a few seconds unless repeated). */
  typing: z.object({ threadId: id, userId: id, expiresInMs: z.number().int() }),
  /** Admins only: someone reported a message; the reports queue has a new open report. */
  "report.created": z.object({ reportId: id }),
  /** Admins only: an admin resolved reports (removed the message, suspended its sender or dismissed them). */
  "report.resolved": z.object({ reportIds: z.array(id) }),
  /** Too much was missed to replay: refetch everything. */
  resync: z.object({ reason: z.string() }),
  /** Sent first on every connection: the stream is live from here. */
  ready: z.object({}),
  /**
   * The last event of a stream whose credential ended: the token was revoked, the session signed out (or otherwise
   * ended), or the session expired. The stream closes after it; reconnecting with the same credential gets 401.
   */
  unauthorized: z.object({ reason: z.enum(["token_revoked", "session_ended", "session_expired"]) }),
} as const;

export type EventType = keyof typeof eventPayloads;
export type EventPayload<T extends EventType> = z.infer<(typeof eventPayloads)[T]>;
