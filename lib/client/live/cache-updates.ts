"use client";

/**
 * How live events change the browser's React Query caches. Pure transforms of the cached shapes (thread lists,
 * a thread, message pages) and {@link applyEvent}, which writes them for one event — together with the cache
 * writers shared with the mutations (lib/client/queries.ts), the typing store and the outbox.
 *
 * The stream that delivers the events is lib/client/live/event-stream.ts; this module does not know it exists.
 */
import type { InfiniteData, QueryClient, QueryKey } from "@tanstack/react-query";
import type { Page } from "../../schemas/common";
import type { Message } from "../../schemas/messages";
import type { Presence } from "../../schemas/presence";
import { PREVIEW_LENGTH } from "../../schemas/constants";
import type { Thread } from "../../schemas/threads";
import type { UserProfile } from "../../schemas/users";
import { settleOutboxEntry } from "../outbox";
import {
  type MessagePages,
  messagesReadAt,
  removeMessage,
  setCachedReactions,
  setCachedUnread,
  type UnreadCounts,
  upsertMessage,
} from "../queries";
import { queryKeys } from "../query-keys";
import { clearTyping, showTyping } from "../typing";
import type { LiveEvent } from "./events";

type Cursor = string | null;
type ThreadPages = InfiniteData<Page<Thread>, Cursor>;

// ---------------------------------------------------------------------------------------------------------------
// Pure cache transforms

/** A thread list's preview of `message`: its first {@link PREVIEW_LENGTH} code points. */
export function previewOf(message: Message): NonNullable<Thread["lastMessage"]> {
  return {
    id: message.id,
    kind: message.kind,
    text: [...message.text].slice(0, PREVIEW_LENGTH).join(""),
    senderId: message.sender.id,
    createdAt: message.createdAt,
  };
}

/**
 * A thread list after `message` arrived: its thread moves to the top of the first page with the message as its
 * preview, `lastActivityAt` = the message's `createdAt` and the caller's unread counts. A message older than the
 * preview already shown (a refetch got ahead of the event) leaves the list as it is.
 * @returns the new pages, or null when the thread is not in this list (the caller refetches it instead)
 */
export function threadsWithNewMessage(data: ThreadPages, message: Message, counts: UnreadCounts): ThreadPages | null {
  let found: Thread | undefined;
  for (const page of data.pages) {
    found = page.data.find((t) => t.id === message.threadId);
    if (found) break;
  }
  if (!found) return null;
  const shown = found.lastMessage;
  if (shown && shown.id !== message.id && Date.parse(shown.createdAt) > Date.parse(message.createdAt)) return data;
  const moved: Thread = {
    ...found,
    lastMessage: previewOf(message),
    lastActivityAt: message.createdAt,
    unreadCount: counts.unreadCount,
    unreadMentionCount: counts.unreadMentionCount,
  };
  const pages = data.pages.map((p, i) => {
    const rest = p.data.filter((t) => t.id !== message.threadId);
    return { ...p, data: i === 0 ? [moved, ...rest] : rest };
  });
  return { ...data, pages };
}

/**
 * A thread list after `message` was edited or removed by a moderator: the preview's text (and kind: `removed`, whose
 * text is empty) changes where it is that thread's last message. Its place and time stay: neither is new activity.
 */
export function threadsWithEditedMessage(data: ThreadPages, message: Message): ThreadPages {
  const touches = data.pages.some((p) => p.data.some((t) => t.lastMessage?.id === message.id));
  if (!touches) return data;
  const { text, kind } = previewOf(message);
  return {
    ...data,
    pages: data.pages.map((p) => ({
      ...p,
      data: p.data.map((t) => (t.lastMessage?.id === message.id ? { ...t, lastMessage: { ...t.lastMessage, kind, text } } : t)),
    })),
  };
}

/**
 * A thread with one participant's read position changed (this drives "Seen").
 * @param mode `set` takes `lastReadSeq` as is (a `thread.read` event); `max` only moves it forward (a sender has
 *   read their own message)
 */
export function threadWithReadPosition(thread: Thread, userId: string, lastReadSeq: number, mode: "set" | "max"): Thread {
  let changed = false;
  const participants = thread.participants.map((p) => {
    if (p.id !== userId) return p;
    const next = mode === "max" ? Math.max(p.lastReadSeq, lastReadSeq) : lastReadSeq;
    if (next === p.lastReadSeq) return p;
    changed = true;
    return { ...p, lastReadSeq: next };
  });
  return changed ? { ...thread, participants } : thread;
}

/** A thread with `userId`'s presence replaced, if they take part in it. */
export function threadWithPresence(thread: Thread, userId: string, presence: Presence): Thread {
  if (!thread.participants.some((p) => p.id === userId)) return thread;
  return { ...thread, participants: thread.participants.map((p) => (p.id === userId ? { ...p, presence } : p)) };
}

/**
 * A thread from a live event (`thread.updated`) with the presence of the people already cached kept: an event's
 * thread carries no last-seen times (they depend on who looks), and `presence` events keep the cached ones current.
 */
export function threadKeepingPresence(next: Thread, cached: Thread | undefined): Thread {
  if (!cached) return next;
  const known = new Map(cached.participants.map((p) => [p.id, p.presence]));
  return { ...next, participants: next.participants.map((p) => ({ ...p, presence: known.get(p.id) ?? p.presence })) };
}

/**
 * A thread's cached messages with the replies that quote `original` showing it as it now is: its new text (an
 * edit), or the tombstone of a removal; with `original` null, the deletion of the message at `seq`: the replies say
 * "original deleted". The server reads quotes the same way (`parley_reply_json`), so a refetch changes nothing more.
 */
export function messagesWithQuote(data: MessagePages, seq: number, original: Message | null): MessagePages {
  const quotes = (m: Message) => m.replyTo?.seq === seq && m.replyTo.message !== null;
  if (!data.pages.some((p) => p.data.some(quotes))) return data;
  const quoted = original && {
    id: original.id,
    kind: original.kind === "removed" ? ("removed" as const) : ("text" as const),
    sender: original.sender,
    text: [...original.text].slice(0, PREVIEW_LENGTH).join(""),
  };
  return {
    ...data,
    pages: data.pages.map((p) => ({
      ...p,
      data: p.data.map((m) => (quotes(m) ? { ...m, replyTo: { seq, message: quoted } } : m)),
    })),
  };
}

/** A message from a thread's cached pages, if it is there. */
export const findMessage = (data: MessagePages | undefined, messageId: string): Message | undefined =>
  data?.pages.flatMap((p) => p.data).find((m) => m.id === messageId);

// ---------------------------------------------------------------------------------------------------------------
// Applying events to the caches

const refetchWhenSettled = new Set<string>();

/**
 * Keeps an update made while a query is fetching: the fetch's answer may predate the event and would overwrite the
 * update when it lands, so such queries fetch once more after it (at most one extra fetch per query, however many
 * events arrived meanwhile).
 */
function refetchIfInFlight(client: QueryClient, queryKey: QueryKey): void {
  const cache = client.getQueryCache();
  for (const query of cache.findAll({ queryKey })) {
    if (query.state.fetchStatus !== "fetching" || refetchWhenSettled.has(query.queryHash)) continue;
    refetchWhenSettled.add(query.queryHash);
    const unsubscribe = cache.subscribe((e) => {
      if (e.query !== query) return;
      const removed = e.type === "removed";
      if (!removed && query.state.fetchStatus === "fetching") return;
      unsubscribe();
      refetchWhenSettled.delete(query.queryHash);
      if (!removed) void client.invalidateQueries({ queryKey: query.queryKey, exact: true });
    });
  }
}

/** Updates the cached thread (if any) with `update`, keeping the update across a fetch in flight. */
function patchThread(client: QueryClient, threadId: string, update: (t: Thread) => Thread): void {
  client.setQueryData<Thread>(queryKeys.thread(threadId), (t) => (t ? update(t) : t));
  refetchIfInFlight(client, queryKeys.thread(threadId));
}

/** Sets the caller's unread counts of a thread in the lists, the thread and the summary (`["unread"]`, totals recomputed). */
function patchUnread(client: QueryClient, threadId: string, counts: UnreadCounts): void {
  setCachedUnread(client, threadId, counts);
  refetchIfInFlight(client, queryKeys.allThreads);
  refetchIfInFlight(client, queryKeys.unread);
}

/** Shows a changed or deleted message as it now is in the cached replies that quote it ({@link messagesWithQuote}). */
function patchQuotes(client: QueryClient, threadId: string, seq: number, original: Message | null): void {
  client.setQueryData<MessagePages>(queryKeys.messages(threadId), (data) => (data ? messagesWithQuote(data, seq, original) : data));
}

const invalidateLists = (client: QueryClient) =>
  Promise.all([
    client.invalidateQueries({ queryKey: queryKeys.allThreads }),
    client.invalidateQueries({ queryKey: queryKeys.unread }),
  ]);

/**
 * Applies one live event to the React Query caches (and to the typing and outbox stores):
 *
 * - `message.created`: the message joins its thread's cached pages (when that thread's messages are cached); the
 *   thread moves to the top of every cached list with its new preview and the caller's `unreadCount` (a list that
 *   does not hold the thread refetches); the unread summary and total follow; the sender's read position moves to
 *   the message (they have read what they wrote); the sender's typing indicator ends; the caller's own message
 *   settles its outbox entry.
 * - `message.updated`: the cached copy, the quotes of it in cached replies and a list preview showing it change;
 *   the counts come from the payload (the edit may mention the caller, or no longer).
 * - `message.removed` (a moderator removed it): the cached copy becomes the payload's tombstone (`kind` `removed`, no
 *   text), read (a removed message is never unread); the counts come from the payload (whoever had not read it loses
 *   it from their counts); cached replies quoting it and a list preview showing it say so.
 * - `message.deleted`: the message leaves the cache, cached replies to it say "original deleted", the counts come
 *   from the payload, the lists refetch (their previews may change).
 * - `thread.created`: the lists and the counts refetch. `thread.deleted`, and `thread.removed` (the caller left or was
 *   removed from a group): the thread's cached data goes (an open view refetches and shows "not found"), the lists and
 *   the counts refetch.
 * - `thread.updated` (a group's title, description, members or roles): the cached thread becomes the payload's; the
 *   lists refetch (the caller may have just been added) and the counts follow the payload.
 * - `thread.read`: the participant's `lastReadSeq` ("Seen"); when it is the caller (`unreadCount` present, e.g.
 *   another tab), their counts and the messages' `isRead`, whichever way it moved (mark unread moves it back).
 * - `reaction.added`, `reaction.removed`: the cached message's reactions become the payload's.
 * - `presence`: that person's presence in every cached thread, list and profile card.
 * - `typing`: someone else's indicator for `expiresInMs`. `ready`, `resync`: every query refetches but those marked
 *   `meta: { audited: true }` (each fetch of them is written to the audit log).
 * - `report.created`, `report.resolved` (admins only): the admin area's reports queries (`["admin", "reports", …]`)
 *   refetch, if any are cached; nothing else here shows reports.
 *
 * @param meId the signed-in user's id
 */
export function applyEvent(client: QueryClient, meId: string, event: LiveEvent): void {
  switch (event.type) {
    case "message.created": {
      const { message } = event.payload;
      const { threadId } = message;
      upsertMessage(client, message);
      refetchIfInFlight(client, queryKeys.messages(threadId));
      // Counts first: setting data clears a query's invalidation, which the lists below may need.
      patchUnread(client, threadId, event.payload);
      for (const query of client.getQueryCache().findAll({ queryKey: queryKeys.allThreads })) {
        const data = query.state.data as ThreadPages | undefined;
        if (!data) continue;
        const next = threadsWithNewMessage(data, message, event.payload);
        if (next) client.setQueryData(query.queryKey, next);
        else void client.invalidateQueries({ queryKey: query.queryKey, exact: true });
      }
      patchThread(client, threadId, (t) => threadWithReadPosition(t, message.sender.id, message.seq, "max"));
      clearTyping(threadId, message.sender.id);
      if (message.sender.id === meId && message.clientMessageId) settleOutboxEntry(message.clientMessageId);
      return;
    }
    case "message.updated": {
      const { message } = event.payload;
      const cached = findMessage(client.getQueryData<MessagePages>(queryKeys.messages(message.threadId)), message.id);
      if (cached) {
        // An edit changes nobody's read state: keep the cached isRead, which may already include a mark-read this tab
        // made after the edit (the payload's is the recipient's at the edit).
        upsertMessage(client, { ...message, isRead: cached.isRead });
        refetchIfInFlight(client, queryKeys.messages(message.threadId));
      }
      patchUnread(client, message.threadId, event.payload); // its mentions may have changed
      patchQuotes(client, message.threadId, message.seq, message);
      client.setQueriesData<ThreadPages>({ queryKey: queryKeys.allThreads }, (data) =>
        data ? threadsWithEditedMessage(data, message) : data,
      );
      refetchIfInFlight(client, queryKeys.allThreads);
      return;
    }
    case "message.removed": {
      const { message } = event.payload;
      const { threadId } = message;
      // Only a copy already cached changes: a page not loaded yet will bring the tombstone itself.
      if (findMessage(client.getQueryData<MessagePages>(queryKeys.messages(threadId)), message.id)) {
        upsertMessage(client, { ...message, isRead: true });
      }
      refetchIfInFlight(client, queryKeys.messages(threadId));
      patchUnread(client, threadId, event.payload);
      patchQuotes(client, threadId, message.seq, message);
      client.setQueriesData<ThreadPages>({ queryKey: queryKeys.allThreads }, (data) =>
        data ? threadsWithEditedMessage(data, message) : data,
      );
      return;
    }
    case "message.deleted": {
      const { threadId, messageId, seq } = event.payload;
      removeMessage(client, threadId, messageId);
      patchQuotes(client, threadId, seq, null);
      refetchIfInFlight(client, queryKeys.messages(threadId));
      patchUnread(client, threadId, event.payload);
      void client.invalidateQueries({ queryKey: queryKeys.allThreads });
      return;
    }
    case "thread.created":
      void invalidateLists(client);
      return;
    case "thread.updated": {
      const { thread } = event.payload;
      client.setQueryData<Thread>(queryKeys.thread(thread.id), (cached) => threadKeepingPresence(thread, cached));
      refetchIfInFlight(client, queryKeys.thread(thread.id));
      patchUnread(client, thread.id, thread);
      void client.invalidateQueries({ queryKey: queryKeys.allThreads });
      return;
    }
    case "thread.deleted":
    case "thread.removed": {
      const { threadId } = event.payload;
      // Unused copies go; a conversation on screen refetches instead, gets 404 and says the thread is gone.
      client.removeQueries({ queryKey: queryKeys.thread(threadId), type: "inactive" });
      client.removeQueries({ queryKey: queryKeys.messages(threadId), type: "inactive" });
      void client.invalidateQueries({ queryKey: queryKeys.thread(threadId) });
      void client.invalidateQueries({ queryKey: queryKeys.messages(threadId) });
      void invalidateLists(client);
      clearTyping(threadId);
      return;
    }
    case "thread.read": {
      const { threadId, userId, lastReadSeq, unreadCount, unreadMentionCount } = event.payload;
      patchThread(client, threadId, (t) => threadWithReadPosition(t, userId, lastReadSeq, "set"));
      if (unreadCount !== undefined) {
        // The caller's own position, forwards (read) or back (marked unread), from any of their tabs.
        patchUnread(client, threadId, { unreadCount, unreadMentionCount: unreadMentionCount ?? 0 });
        client.setQueryData<MessagePages>(queryKeys.messages(threadId), (data) =>
          data ? messagesReadAt(data, meId, lastReadSeq) : data,
        );
        refetchIfInFlight(client, queryKeys.messages(threadId));
      }
      return;
    }
    case "reaction.added":
    case "reaction.removed": {
      const { threadId, messageId, reactions } = event.payload;
      setCachedReactions(client, threadId, messageId, reactions);
      refetchIfInFlight(client, queryKeys.messages(threadId));
      return;
    }
    case "presence": {
      const { userId, presence } = event.payload;
      client.setQueriesData<Thread>({ queryKey: queryKeys.allThread }, (t) => (t ? threadWithPresence(t, userId, presence) : t));
      client.setQueriesData<ThreadPages>({ queryKey: queryKeys.allThreads }, (data) =>
        data ? { ...data, pages: data.pages.map((p) => ({ ...p, data: p.data.map((t) => threadWithPresence(t, userId, presence)) })) } : data,
      );
      client.setQueryData<UserProfile>(queryKeys.user(userId), (u) => (u ? { ...u, presence } : u));
      return;
    }
    case "typing": {
      const { threadId, userId, expiresInMs } = event.payload;
      if (userId !== meId) showTyping(threadId, userId, expiresInMs);
      return;
    }
    case "ready":
    case "resync":
      // Everything but audited reads (the admin area's reading of a conversation writes an audit entry per fetch):
      // those are fetched only when the admin asks.
      void client.invalidateQueries({ predicate: (query) => query.meta?.audited !== true });
      return;
    case "unauthorized":
      // The connection's business (startLive): the caches stay as they are until the tab knows where it stands.
      return;
    case "report.created":
    case "report.resolved":
      void client.invalidateQueries({ queryKey: queryKeys.adminReports });
      return;
    default: {
      // Every event type of lib/schemas/events.ts is handled above: a new one fails to compile here.
      const unhandled: never = event;
      return unhandled;
    }
  }
}
