"use client";

/**
 * Live delivery in the browser: one `EventSource` per tab on `GET /api/events` (Server-Sent Events, see
 * lib/schemas/events.ts), whose events update the React Query caches in place and whose state goes to the
 * connection-status store (lib/client/live/connection-status.ts) — the query hooks poll only while it is not connected.
 *
 * Reconnecting: on an error the stream is closed and opened again after 1 s, 2 s, 4 s … (at most 30 s, with
 * jitter), passing the id of the last event received as `?lastEventId=` so the server replays what was missed (or
 * sends `resync`). The delay starts over once a stream says `ready`.
 *
 * Signed out: a stream ends with `unauthorized` when its session ends (signed out in another tab or everywhere,
 * expired). `EventSource` cannot tell a refused connection (401) from a network failure, so after that event, and
 * whenever a connection fails before it opened, the tab asks the API who is signed in: nobody, and it goes to the
 * sign-in page (coming back here afterwards) instead of retrying forever; someone else (signed in from another tab
 * meanwhile), and it reloads the page as them.
 */
import type { InfiniteData, QueryClient, QueryKey } from "@tanstack/react-query";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { Page } from "../schemas/common";
import { type EventPayload, type EventType, eventPayloads } from "../schemas/events";
import type { Message } from "../schemas/messages";
import { PREVIEW_LENGTH, type Thread } from "../schemas/threads";
import { setLiveStatus } from "./live/connection-status";
import { settleOutboxEntry } from "./outbox";
import { queryKeys, removeMessage, setCachedUnread, upsertMessage } from "./queries";
import { clearAllTyping, clearTyping, showTyping } from "./typing";

/** The path of the stream. */
export const EVENTS_PATH = "/api/events";
/** What the tab asks to learn whether it is still signed in (401 when not). */
const SIGNED_IN_PROBE_PATH = "/api/users/me";
/** First reconnect delay (ms); doubles per failed attempt. */
export const RECONNECT_BASE_MS = 1000;
/** Longest reconnect delay (ms). */
export const RECONNECT_MAX_MS = 30_000;

type Cursor = string | null;
type ThreadPages = InfiniteData<Page<Thread>, Cursor>;
type MessagePages = InfiniteData<Page<Message>, Cursor>;

/** One event of the stream, its payload validated against lib/schemas/events.ts. */
export type LiveEvent = { [K in EventType]: { type: K; payload: EventPayload<K> } }[EventType];

// ---------------------------------------------------------------------------------------------------------------
// Pure cache transforms

/** A thread list's preview of `message`: its first {@link PREVIEW_LENGTH} code points. */
export function previewOf(message: Message): NonNullable<Thread["lastMessage"]> {
  return {
    id: message.id,
    text: [...message.text].slice(0, PREVIEW_LENGTH).join(""),
    senderId: message.sender.id,
    createdAt: message.createdAt,
  };
}

/**
 * A thread list after `message` arrived: its thread moves to the top of the first page with the message as its
 * preview, `lastActivityAt` = the message's `createdAt` and the caller's `unreadCount`. A message older than the
 * preview already shown (a refetch got ahead of the event) leaves the list as it is.
 * @returns the new pages, or null when the thread is not in this list (the caller refetches it instead)
 */
export function threadsWithNewMessage(data: ThreadPages, message: Message, unreadCount: number): ThreadPages | null {
  let found: Thread | undefined;
  for (const page of data.pages) {
    found = page.data.find((t) => t.id === message.threadId);
    if (found) break;
  }
  if (!found) return null;
  const shown = found.lastMessage;
  if (shown && shown.id !== message.id && Date.parse(shown.createdAt) > Date.parse(message.createdAt)) return data;
  const moved: Thread = { ...found, lastMessage: previewOf(message), lastActivityAt: message.createdAt, unreadCount };
  const pages = data.pages.map((p, i) => {
    const rest = p.data.filter((t) => t.id !== message.threadId);
    return { ...p, data: i === 0 ? [moved, ...rest] : rest };
  });
  return { ...data, pages };
}

/** A thread list after `message` was edited: the preview's text changes where it is that thread's last message. */
export function threadsWithEditedMessage(data: ThreadPages, message: Message): ThreadPages {
  const touches = data.pages.some((p) => p.data.some((t) => t.lastMessage?.id === message.id));
  if (!touches) return data;
  const text = previewOf(message).text;
  return {
    ...data,
    pages: data.pages.map((p) => ({
      ...p,
      data: p.data.map((t) => (t.lastMessage?.id === message.id ? { ...t, lastMessage: { ...t.lastMessage, text } } : t)),
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

/** A thread's cached messages with those up to `lastReadSeq` marked read by the caller (`isRead`). */
export function messagesReadUpTo(data: MessagePages, lastReadSeq: number): MessagePages {
  const stale = (m: Message) => !m.isRead && m.seq <= lastReadSeq;
  if (!data.pages.some((p) => p.data.some(stale))) return data;
  return { ...data, pages: data.pages.map((p) => ({ ...p, data: p.data.map((m) => (stale(m) ? { ...m, isRead: true } : m)) })) };
}

/** A message from a thread's cached pages, if it is there. */
export const findMessage = (data: MessagePages | undefined, messageId: string): Message | undefined =>
  data?.pages.flatMap((p) => p.data).find((m) => m.id === messageId);

/**
 * The wait before reconnect attempt `attempt` (0-based), in ms: {@link RECONNECT_BASE_MS} · 2^attempt capped at
 * {@link RECONNECT_MAX_MS}, times a jitter factor in [0.5, 1) so that tabs dropped together do not come back
 * together ("equal jitter", AWS Architecture Blog, "Exponential Backoff And Jitter").
 * @param random a number in [0, 1)
 */
export function backoffDelay(attempt: number, random: number = Math.random()): number {
  const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/**
 * Reads one SSE message: the `event:` type and the `data:` JSON.
 * @returns the validated event, or null for an unknown type or a payload that does not match the contract
 */
export function parseEvent(type: string, data: string): LiveEvent | null {
  if (!Object.hasOwn(eventPayloads, type)) return null;
  let json: unknown;
  try {
    json = JSON.parse(data || "{}");
  } catch {
    return null;
  }
  const parsed = eventPayloads[type as EventType].safeParse(json);
  return parsed.success ? ({ type, payload: parsed.data } as LiveEvent) : null;
}

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

/** Sets the caller's unread count of a thread in the lists and the summary (`["unread"]`, total recomputed). */
function patchUnread(client: QueryClient, threadId: string, unreadCount: number): void {
  setCachedUnread(client, threadId, unreadCount);
  refetchIfInFlight(client, queryKeys.allThreads);
  refetchIfInFlight(client, queryKeys.unread);
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
 * - `message.updated`: the cached copy and a list preview showing it change.
 * - `message.deleted`: the message leaves the cache, the counts come from the payload, the lists refetch (their
 *   previews may change).
 * - `thread.created`: the lists and the counts refetch. `thread.deleted`: the thread's cached data goes (an open
 *   view refetches and shows "not found"), the lists and the counts refetch.
 * - `thread.read`: the participant's `lastReadSeq` ("Seen"); when it is the caller (`unreadCount` present, e.g.
 *   another tab), their counts and the messages' `isRead`.
 * - `typing`: someone else's indicator for `expiresInMs`. `ready`, `resync`: every query refetches.
 *
 * @param meId the signed-in user's id
 */
export function applyEvent(client: QueryClient, meId: string, event: LiveEvent): void {
  switch (event.type) {
    case "message.created": {
      const { message, unreadCount } = event.payload;
      const { threadId } = message;
      upsertMessage(client, message);
      refetchIfInFlight(client, queryKeys.messages(threadId));
      // Counts first: setting data clears a query's invalidation, which the lists below may need.
      patchUnread(client, threadId, unreadCount);
      for (const query of client.getQueryCache().findAll({ queryKey: queryKeys.allThreads })) {
        const data = query.state.data as ThreadPages | undefined;
        if (!data) continue;
        const next = threadsWithNewMessage(data, message, unreadCount);
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
        // The payload carries the sender's view of isRead; an edit changes nobody's read state, so keep ours.
        upsertMessage(client, { ...message, isRead: cached.isRead });
        refetchIfInFlight(client, queryKeys.messages(message.threadId));
      }
      client.setQueriesData<ThreadPages>({ queryKey: queryKeys.allThreads }, (data) =>
        data ? threadsWithEditedMessage(data, message) : data,
      );
      refetchIfInFlight(client, queryKeys.allThreads);
      return;
    }
    case "message.deleted": {
      const { threadId, messageId, unreadCount } = event.payload;
      removeMessage(client, threadId, messageId);
      refetchIfInFlight(client, queryKeys.messages(threadId));
      patchUnread(client, threadId, unreadCount);
      void client.invalidateQueries({ queryKey: queryKeys.allThreads });
      return;
    }
    case "thread.created":
      void invalidateLists(client);
      return;
    case "thread.deleted": {
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
      const { threadId, userId, lastReadSeq, unreadCount } = event.payload;
      patchThread(client, threadId, (t) => threadWithReadPosition(t, userId, lastReadSeq, "set"));
      if (unreadCount !== undefined) {
        patchUnread(client, threadId, unreadCount);
        client.setQueryData<MessagePages>(queryKeys.messages(threadId), (data) => (data ? messagesReadUpTo(data, lastReadSeq) : data));
        refetchIfInFlight(client, queryKeys.messages(threadId));
      }
      return;
    }
    case "typing": {
      const { threadId, userId, expiresInMs } = event.payload;
      if (userId !== meId) showTyping(threadId, userId, expiresInMs);
      return;
    }
    case "ready":
    case "resync":
      void client.invalidateQueries();
      return;
    case "unauthorized":
      // The connection's business (startLive): the caches stay as they are until the tab knows where it stands.
      return;
  }
}

/**
 * Who the browser's session cookie signs in now, as far as the tab must know: `same` (still `meId`, or the API could
 * not tell: a network failure or another error keeps the stream retrying, and the page's own requests show the
 * failure), `other` (another tab signed in as someone else since), or `none` (401).
 */
async function whoIsSignedIn(meId: string): Promise<"same" | "other" | "none"> {
  try {
    const res = await fetch(SIGNED_IN_PROBE_PATH, { credentials: "same-origin", cache: "no-store" });
    if (res.status === 401) return "none";
    if (!res.ok) return "same";
    const me = (await res.json()) as { id?: unknown };
    return me.id === meId ? "same" : "other";
  } catch {
    return "same";
  }
}

/**
 * Leaves for the sign-in page, which brings the person back to this page once they have signed in again. A full page
 * load on purpose, not a client-side navigation: it drops every cache that holds the signed-out person's messages.
 */
function goToSignIn(): void {
  const here = `${window.location.pathname}${window.location.search}`;
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination -- see above: the caches must go
  window.location.assign(`/sign-in?callbackUrl=${encodeURIComponent(here)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The connection

interface Connection {
  close: () => void;
}

let current: Connection | null = null;

/**
 * Opens the tab's stream and keeps it open until {@link stopLive} (or the next `startLive`, which replaces it).
 * Marks the status `connected` on `ready` (and refetches everything once, to close the gap between the first
 * fetch and the stream), `disconnected` on an error (the hooks then poll) until a reconnect is ready again.
 * Without `EventSource` (very old browsers) it does nothing and the hooks keep polling.
 * @param meId the signed-in user's id (to tell own messages and own typing apart)
 * @returns a function that closes this connection (the same as {@link stopLive} while it is the current one)
 */
export function startLive(client: QueryClient, meId: string): () => void {
  current?.close();
  if (typeof EventSource === "undefined") {
    setLiveStatus("disconnected");
    return () => undefined;
  }

  let source: EventSource | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let lastEventId: string | null = null;
  let closed = false;

  /**
   * Drops `es` and opens a new stream after `delay` ms — unless `checkSignedIn` and the session no longer works,
   * then the tab goes to the sign-in page instead.
   */
  const reconnect = (es: EventSource, delay: number, checkSignedIn: boolean) => {
    es.close();
    if (source !== es || closed) return;
    source = null;
    setLiveStatus("disconnected");
    const schedule = () => {
      if (!closed) retry = setTimeout(open, delay);
    };
    if (!checkSignedIn) return schedule();
    void whoIsSignedIn(meId).then((who) => {
      if (closed) return;
      if (who === "same") return schedule();
      connection.close();
      // Someone else's session must not feed this person's caches: load the page afresh, as the cookie's user.
      if (who === "other") return window.location.reload();
      goToSignIn();
    });
  };

  const open = () => {
    retry = undefined;
    const url = lastEventId ? `${EVENTS_PATH}?lastEventId=${encodeURIComponent(lastEventId)}` : EVENTS_PATH;
    const es = new EventSource(url);
    source = es;
    let opened = false;
    es.onopen = () => {
      opened = true;
    };
    const onEvent = (e: Event) => {
      const { type, data, lastEventId: id } = e as MessageEvent<string>;
      // The browser carries the last `id:` over to events without one (typing); only a new value matters.
      if (id) lastEventId = id;
      const event = parseEvent(type, data);
      if (!event) return;
      if (event.type === "ready") {
        attempt = 0;
        setLiveStatus("connected");
      }
      // The credential ended. Another tab may have signed in again since (the cookie is the browser's), so ask
      // before leaving; if this tab is still signed in, the new stream carries the new session.
      if (event.type === "unauthorized") return reconnect(es, 0, true);
      applyEvent(client, meId, event);
    };
    for (const type of Object.keys(eventPayloads)) es.addEventListener(type, onEvent);
    // The browser would retry on its own, without backoff and without our `lastEventId` parameter: take over. A
    // connection that failed before it opened may have been refused with 401.
    es.onerror = () => reconnect(es, backoffDelay(attempt++), !opened);
  };

  const connection: Connection = {
    close: () => {
      if (closed) return;
      closed = true;
      if (retry !== undefined) clearTimeout(retry);
      source?.close();
      source = null;
      if (current === connection) {
        current = null;
        setLiveStatus("disconnected");
        clearAllTyping();
      }
    },
  };
  current = connection;
  setLiveStatus("connecting");
  open();
  return connection.close;
}

/** Closes the tab's stream (sign-out); the hooks fall back to polling until a new one is ready. */
export function stopLive(): void {
  current?.close();
}

/**
 * Keeps the tab's stream open while the calling component is mounted (the chat shell: once per tab), using the
 * QueryClient of the surrounding provider.
 */
export function useLiveEvents(meId: string): void {
  const client = useQueryClient();
  useEffect(() => startLive(client, meId), [client, meId]);
}
