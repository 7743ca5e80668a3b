"use client";

/**
 * React Query keys, fetchers and cache updates for the chat UI. Server components prefetch the same keys through
 * `lib/server` (see `lib/prefetch.ts`), so the first paint has data and the client takes over from the cache.
 */
import {
  type InfiniteData,
  keepPreviousData,
  type QueryClient,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import type { Page } from "../schemas/common";
import type { Message } from "../schemas/messages";
import type { MessageReactions } from "../schemas/reactions";
import type { BlockedUser, FiledReport, ReportReason } from "../schemas/moderation";
import type { SearchResult } from "../schemas/search";
import type { Participant, ReadState, Role, Thread, UnreadSummary, UpdateThreadInput } from "../schemas/threads";
import type { ApiTokenView, CreatedToken } from "../schemas/tokens";
import type {
  ChangePasswordInput,
  DeleteAccountInput,
  Me,
  PublicUser,
  SignedOut,
  UpdateMeInput,
  UserProfile,
} from "../schemas/users";
import { ApiError, apiFetch } from "./api";
import { isLiveConnected, useLiveConnected } from "./live/connection-status";
import { PAGE_SIZES, queryKeys } from "./query-keys";

export { queryKeys };

/** How often lists and the open thread refetch while the tab is visible and the live stream is not connected. */
export const POLL_MS = 4000;

/**
 * Refetch options of the chat queries: while the live stream (lib/client/live/) is connected its events keep the
 * caches current, so there is no polling and no refetch on window focus; otherwise both are on.
 */
function usePollingUnlessLive() {
  const live = useLiveConnected();
  return { refetchInterval: live ? false : POLL_MS, refetchOnWindowFocus: !live } as const;
}


type Cursor = string | null;
const qs = (params: Record<string, string | number | null | undefined>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") s.set(k, String(v));
  const str = s.toString();
  return str ? `?${str}` : "";
};

/** The signed-in user's threads, most recent activity first, optionally narrowed by participant name. */
export function useThreads(q?: string) {
  const refetch = usePollingUnlessLive();
  return useInfiniteQuery({
    queryKey: queryKeys.threads(q),
    queryFn: ({ pageParam, signal }) =>
      apiFetch<Page<Thread>>(`/api/threads${qs({ limit: PAGE_SIZES.threads, cursor: pageParam, q })}`, { signal }),
    initialPageParam: null as Cursor,
    getNextPageParam: (last) => last.nextCursor,
    ...refetch,
    // While a new filter loads, keep showing the previous results instead of skeleton rows.
    placeholderData: keepPreviousData,
  });
}

/** `{total, threads}` unread counts. */
export function useUnread() {
  const refetch = usePollingUnlessLive();
  return useQuery({
    queryKey: queryKeys.unread,
    queryFn: ({ signal }) => apiFetch<UnreadSummary>("/api/unread", { signal }),
    ...refetch,
  });
}

/** One thread with participants' read positions. */
export function useThread(id: string) {
  const refetch = usePollingUnlessLive();
  return useQuery({
    queryKey: queryKeys.thread(id),
    queryFn: ({ signal }) => apiFetch<Thread>(`/api/threads/${id}`, { signal }),
    ...refetch,
    retry: (count, e) => (e as { status?: number }).status !== 404 && count < 2,
  });
}

/**
 * Where a page of a thread's cached messages comes from: `null` the newest page; `older` the page before a cursor;
 * `around` the window around a message (a jump: {@link loadAroundMessage}); `newer` the page after the newest
 * message of a window that is not at the present (scrolling down from a jump).
 */
export type MessagePageParam = null | { older: string } | { around: string } | { newer: string };

/**
 * One cached page of a thread's messages: newest first, like every page; `nextCursor` continues to older messages,
 * `newerCursor` (the first page only) to newer ones when the window is not at the present. A page without
 * `newerCursor` at the front of the cache holds the newest message: live messages join it.
 */
export type MessagePage = Page<Message> & { newerCursor?: string | null };

/** The cached pages of a thread's messages (`queryKeys.messages`). */
export type MessagePages = InfiniteData<MessagePage, MessagePageParam>;

/** Fetches one page for {@link MessagePageParam}, turned newest first. */
async function fetchMessagePage(threadId: string, param: MessagePageParam, signal?: AbortSignal): Promise<MessagePage> {
  const limit = PAGE_SIZES.messages;
  const path = `/api/threads/${threadId}/messages`;
  if (param && "newer" in param) {
    // Catch-up order (oldest first): its `nextCursor` goes on to newer messages, its `prevCursor` back to older ones.
    const page = await apiFetch<MessagePageWire>(`${path}${qs({ limit, cursor: param.newer })}`, { signal });
    return { data: [...page.data].reverse(), nextCursor: page.prevCursor ?? null, newerCursor: page.nextCursor };
  }
  const query = param === null ? {} : "older" in param ? { cursor: param.older } : { around: param.around };
  const page = await apiFetch<MessagePageWire>(`${path}${qs({ limit, ...query })}`, { signal });
  return { data: page.data, nextCursor: page.nextCursor, newerCursor: param === null ? undefined : (page.prevCursor ?? null) };
}

/** A page of messages as the API sends it; `prevCursor` goes the other way from `nextCursor`. */
type MessagePageWire = Page<Message> & { prevCursor?: string | null };

/**
 * A thread's messages in pages, newest page first, each page newest first. `fetchNextPage` loads older messages;
 * after a jump ({@link loadAroundMessage}) the cache is a window that may not reach the present, and then
 * `hasPreviousPage` is true and `fetchPreviousPage` loads newer ones.
 */
export function useMessages(threadId: string) {
  const refetch = usePollingUnlessLive();
  return useInfiniteQuery({
    queryKey: queryKeys.messages(threadId),
    queryFn: ({ pageParam, signal }) =>
      fetchMessagePage(threadId, pageParam, signal).catch((e: unknown) => {
        // A window around a message deleted since (a refetch asks for it again): the newest page instead. A thread
        // that is gone is 404 there too.
        if (pageParam && "around" in pageParam && e instanceof ApiError && e.status === 404) return fetchMessagePage(threadId, null, signal);
        throw e;
      }),
    initialPageParam: null as MessagePageParam,
    getNextPageParam: (last): MessagePageParam | undefined => (last.nextCursor ? { older: last.nextCursor } : undefined),
    getPreviousPageParam: (first): MessagePageParam | undefined => (first.newerCursor ? { newer: first.newerCursor } : undefined),
    ...refetch,
  });
}

/**
 * Makes sure a message is in its thread's cached pages, for jumping to it (a search result, a reply's quote, the
 * first unread message). When it is not there, the cache becomes the window of messages around it (`around`), which
 * then loads older messages as usual and newer ones with `fetchPreviousPage`; {@link returnToPresent} goes back.
 * @param signal a newer jump's: once aborted, this one changes nothing
 * @throws ApiError (404) when the message is not in the thread (or no longer exists)
 */
export async function loadAroundMessage(
  client: QueryClient,
  threadId: string,
  messageId: string,
  signal?: AbortSignal,
): Promise<void> {
  const key = queryKeys.messages(threadId);
  if (client.getQueryData<MessagePages>(key)?.pages.some((p) => p.data.some((m) => m.id === messageId))) return;
  const page = await fetchMessagePage(threadId, { around: messageId }, signal);
  if (signal?.aborted) return;
  await client.cancelQueries({ queryKey: key, exact: true });
  client.setQueryData<MessagePages>(key, { pages: [page], pageParams: [{ around: messageId }] });
  // Live events that came during the fetch were applied to the pages this replaced: fetch the window once more.
  void client.invalidateQueries({ queryKey: key, exact: true });
}

/**
 * Leaves a window of old messages for the newest page of the thread (the "Jump to present" button): the window stays
 * on screen until the newest page is there, then replaces it.
 */
export async function returnToPresent(client: QueryClient, threadId: string): Promise<void> {
  const key = queryKeys.messages(threadId);
  const page = await fetchMessagePage(threadId, null);
  await client.cancelQueries({ queryKey: key, exact: true });
  client.setQueryData<MessagePages>(key, { pages: [page], pageParams: [null] });
  // Messages that arrived while the window was detached (live ones, one's own) were not kept; the page may predate
  // them: fetch it once more.
  void client.invalidateQueries({ queryKey: key, exact: true });
}

/** Whether a thread's cached pages reach its newest message, so that a live message belongs at their front. */
export const reachesPresent = (data: MessagePages) => !data.pages[0]?.newerCursor;

/** People search for the new-conversation dialog. */
export function useUserSearch(q: string) {
  return useQuery({
    queryKey: queryKeys.users(q),
    queryFn: ({ signal }) => apiFetch<Page<PublicUser>>(`/api/users${qs({ q, limit: PAGE_SIZES.users })}`, { signal }),
    placeholderData: (prev) => prev,
  });
}

/** Puts a message into the cached pages of its thread (replacing one with the same id), newest first. */
export function upsertMessage(client: QueryClient, message: Message): void {
  client.setQueryData<MessagePages>(queryKeys.messages(message.threadId), (data) => {
    if (!data) return data;
    let found = false;
    const pages = data.pages.map((p) => ({
      ...p,
      data: p.data.map((m) => {
        if (m.id !== message.id) return m;
        found = true;
        return message;
      }),
    }));
    // A new message joins the newest page; a window of older messages (after a jump) does not hold it.
    if (!found && pages[0] && reachesPresent(data)) pages[0] = { ...pages[0], data: [message, ...pages[0].data] };
    return { ...data, pages };
  });
}

/** Removes a message from the cached pages of its thread. */
export function removeMessage(client: QueryClient, threadId: string, messageId: string): void {
  client.setQueryData<MessagePages>(queryKeys.messages(threadId), (data) =>
    data ? { ...data, pages: data.pages.map((p) => ({ ...p, data: p.data.filter((m) => m.id !== messageId) })) } : data,
  );
}

/** Refetches what a change to one thread can affect: the lists, the counts and that thread (when live events are not connected). */
export function invalidateThread(client: QueryClient, threadId: string): Promise<void> {
  // While the event stream is connected, the change's own event updates these caches in place
  // (lib/client/live/cache-updates.ts).
  if (isLiveConnected()) return Promise.resolve();
  return Promise.all([
    client.invalidateQueries({ queryKey: queryKeys.allThreads }),
    client.invalidateQueries({ queryKey: queryKeys.unread }),
    client.invalidateQueries({ queryKey: queryKeys.thread(threadId) }),
  ]).then(() => undefined);
}

/** The caller's unread counts in one thread, as the API and live events give them. */
export type UnreadCounts = Pick<Thread, "unreadCount" | "unreadMentionCount">;

/** No unread messages (and so no unread mentions). */
export const NOTHING_UNREAD: UnreadCounts = { unreadCount: 0, unreadMentionCount: 0 };

/** Sets the caller's unread counts of a thread in every cached list, in the cached thread and in the totals. */
export function setCachedUnread(client: QueryClient, threadId: string, counts: UnreadCounts): void {
  const { unreadCount, unreadMentionCount } = counts;
  const withCounts = (t: Thread) => (t.id === threadId ? { ...t, unreadCount, unreadMentionCount } : t);
  client.setQueriesData<InfiniteData<Page<Thread>, Cursor>>({ queryKey: queryKeys.allThreads }, (data) =>
    data ? { ...data, pages: data.pages.map((p) => ({ ...p, data: p.data.map(withCounts) })) } : data,
  );
  client.setQueryData<Thread>(queryKeys.thread(threadId), (t) => (t ? withCounts(t) : t));
  client.setQueryData<UnreadSummary>(queryKeys.unread, (u) => {
    if (!u) return u;
    const others = u.threads.filter((t) => t.threadId !== threadId);
    const threads = unreadCount > 0 ? [...others, { threadId, count: unreadCount, mentions: unreadMentionCount }] : others;
    return {
      total: threads.reduce((s, t) => s + t.count, 0),
      mentions: threads.reduce((s, t) => s + t.mentions, 0),
      threads,
    };
  });
}

/**
 * Marks a thread read up to a message. Badges change at once (optimistically: {@link countsAfterMark}); the server's
 * answer then sets the exact counts, the caller's read position and the cached messages' `isRead`
 * ({@link applyReadState}), and the lists and the thread refetch.
 * @param meId the caller's id (for the read position and `isRead`); defaults to the `me` query's
 */
export function useMarkRead(threadId: string, meId?: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (upToMessageId: string) =>
      apiFetch<ReadState>(`/api/threads/${threadId}/read`, { method: "POST", body: { upToMessageId } }),
    // The view marks read only what was seen: a mark short of the newest message must not clear the badges, even for
    // a moment; the answer sets `isRead` and the read position too, so what is still unread is known before the event.
    onMutate: (upToMessageId) => setCachedUnread(client, threadId, countsAfterMark(client, threadId, upToMessageId, meId)),
    onSuccess: (state) => applyReadState(client, state, meId ?? client.getQueryData<Me>(queryKeys.me)?.id),
    onSettled: () => invalidateThread(client, threadId),
  });
}

/**
 * The caller's unread counts in a thread once it is read up to `upToMessageId`, as far as the cache tells (for the
 * optimistic badges): none when that is the newest message, else the cached counts less the cached unread messages
 * up to it, or the cached counts as they are when the cache does not hold the message. The server's answer corrects
 * any difference.
 */
function countsAfterMark(
  client: QueryClient,
  threadId: string,
  upToMessageId: string,
  meId = client.getQueryData<Me>(queryKeys.me)?.id,
): UnreadCounts {
  const thread = client.getQueryData<Thread>(queryKeys.thread(threadId));
  const data = client.getQueryData<MessagePages>(queryKeys.messages(threadId));
  const messages = data?.pages.flatMap((p) => p.data) ?? [];
  const target = messages.find((m) => m.id === upToMessageId);
  // A message the cache does not hold: the badges wait for the answer.
  if (!thread || !data || !target) return thread ?? NOTHING_UNREAD;
  if (reachesPresent(data) && messages.every((m) => m.seq <= target.seq)) return NOTHING_UNREAD;
  const lastReadSeq = thread.participants.find((p) => p.id === meId)?.lastReadSeq ?? 0;
  const nowRead = messages.filter((m) => !m.isRead && m.seq > lastReadSeq && m.seq <= target.seq);
  return {
    unreadCount: Math.max(0, thread.unreadCount - nowRead.length),
    unreadMentionCount: Math.max(0, thread.unreadMentionCount - (meId ? nowRead.filter((m) => m.mentions.includes(meId)).length : 0)),
  };
}

/**
 * "Mark unread from here": moves the caller's read position back to just before a message. The answer sets the
 * counts, the caller's read position and the cached messages' `isRead` at once; the `thread.read` event that follows
 * does the same in the caller's other tabs.
 */
export function useMarkUnread(threadId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (messageId: string) => apiFetch<ReadState>(`/api/messages/${messageId}/unread`, { method: "POST" }),
    onSuccess: (state) => applyReadState(client, state),
    onSettled: () => invalidateThread(client, threadId),
  });
}

/**
 * Writes the caller's read state in a thread to the caches: the counts (lists, thread, totals), the caller's
 * `lastReadSeq` in the cached thread and every cached message's `isRead` by the watermark rule (the server's
 * `parley_is_read`, applied to what it decided: a message is read when it is not a person's text, the caller sent
 * it, or its `seq` is at or below `lastReadSeq`).
 * @param meId the caller's id; defaults to the `me` query's
 */
export function applyReadState(client: QueryClient, state: ReadState, meId = client.getQueryData<Me>(queryKeys.me)?.id): void {
  setCachedUnread(client, state.threadId, state);
  if (!meId) return;
  client.setQueryData<Thread>(queryKeys.thread(state.threadId), (t) =>
    t ? { ...t, participants: t.participants.map((p) => (p.id === meId ? { ...p, lastReadSeq: state.lastReadSeq } : p)) } : t,
  );
  client.setQueryData<MessagePages>(queryKeys.messages(state.threadId), (data) =>
    data ? messagesReadAt(data, meId, state.lastReadSeq) : data,
  );
}

/**
 * A thread's cached messages with `isRead` as the caller's watermark at `lastReadSeq` makes it (moving forwards or
 * back): the server's rule, `parley_is_read`, applied to what it decided.
 */
export function messagesReadAt(data: MessagePages, meId: string, lastReadSeq: number): MessagePages {
  const isRead = (m: Message) => m.kind !== "text" || m.sender.id === meId || m.seq <= lastReadSeq;
  if (!data.pages.some((p) => p.data.some((m) => m.isRead !== isRead(m)))) return data;
  return {
    ...data,
    pages: data.pages.map((p) => ({ ...p, data: p.data.map((m) => (m.isRead === isRead(m) ? m : { ...m, isRead: isRead(m) })) })),
  };
}

/** Sets a cached message's reactions (from an answer or a `reaction.*` event), if that message is cached. */
export function setCachedReactions(client: QueryClient, threadId: string, messageId: string, reactions: Message["reactions"]): void {
  client.setQueryData<MessagePages>(queryKeys.messages(threadId), (data) =>
    data && data.pages.some((p) => p.data.some((m) => m.id === messageId))
      ? { ...data, pages: data.pages.map((p) => ({ ...p, data: p.data.map((m) => (m.id === messageId ? { ...m, reactions } : m)) })) }
      : data,
  );
}

/**
 * Adds or takes back the caller's reaction to a message. Optimistic: the cached reactions change at once and the
 * change is undone if the request fails; the answer (and the `reaction.*` event) then set them as the server has
 * them. The caller's reactions in a thread go one request at a time (`scope`), so a double click's answers arrive in
 * order.
 */
export function useReact(threadId: string) {
  const client = useQueryClient();
  return useMutation({
    // One message's reactions change one request at a time, so that answers cannot land out of order.
    scope: { id: `react:${threadId}` },
    mutationFn: ({ messageId, emoji, add }: { messageId: string; emoji: string; add: boolean; meId: string }) =>
      apiFetch<MessageReactions>(`/api/messages/${messageId}/reactions/${encodeURIComponent(emoji)}`, {
        method: add ? "PUT" : "DELETE",
      }),
    onMutate: ({ messageId, emoji, add, meId }) => {
      const cached = client
        .getQueryData<MessagePages>(queryKeys.messages(threadId))
        ?.pages.flatMap((p) => p.data)
        .find((m) => m.id === messageId);
      if (!cached) return undefined;
      setCachedReactions(client, threadId, messageId, reactionsWith(cached.reactions, emoji, meId, add));
    },
    onError: (_e, { messageId, emoji, add, meId }) => {
      // Undo this change only: others' reactions that arrived meanwhile stay.
      const cached = client.getQueryData<MessagePages>(queryKeys.messages(threadId))?.pages.flatMap((p) => p.data).find((m) => m.id === messageId);
      if (cached) setCachedReactions(client, threadId, messageId, reactionsWith(cached.reactions, emoji, meId, !add));
    },
    onSuccess: (answer) => setCachedReactions(client, threadId, answer.messageId, answer.reactions),
  });
}

/** `reactions` with `userId`'s reaction with `emoji` added (at the end of its emoji's people) or taken back. */
export function reactionsWith(reactions: Message["reactions"], emoji: string, userId: string, add: boolean): Message["reactions"] {
  const existing = reactions.find((r) => r.emoji === emoji);
  if (add) {
    if (existing?.userIds.includes(userId)) return reactions;
    if (!existing) return [...reactions, { emoji, count: 1, userIds: [userId] }];
    return reactions.map((r) => (r === existing ? { ...r, count: r.count + 1, userIds: [...r.userIds, userId] } : r));
  }
  if (!existing?.userIds.includes(userId)) return reactions;
  if (existing.count === 1) return reactions.filter((r) => r !== existing);
  return reactions.map((r) => (r === existing ? { ...r, count: r.count - 1, userIds: r.userIds.filter((u) => u !== userId) } : r));
}

/** Edits one of the caller's messages. */
export function useEditMessage() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, text }: { id: string; text: string }) =>
      apiFetch<Message>(`/api/messages/${id}`, { method: "PATCH", body: { text } }),
    onSuccess: (message) => {
      upsertMessage(client, message);
      void invalidateThread(client, message.threadId);
    },
  });
}

/** Deletes one of the caller's messages. */
export function useDeleteMessage(threadId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api/messages/${id}`, { method: "DELETE" }),
    onSuccess: (_v, id) => {
      removeMessage(client, threadId, id);
      void invalidateThread(client, threadId);
    },
  });
}

/** Deletes a thread for everyone. */
export function useDeleteThread() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api/threads/${id}`, { method: "DELETE" }),
    onSuccess: (_v, id) => {
      client.removeQueries({ queryKey: queryKeys.thread(id) });
      client.removeQueries({ queryKey: queryKeys.messages(id) });
      void client.invalidateQueries({ queryKey: queryKeys.allThreads });
      void client.invalidateQueries({ queryKey: queryKeys.unread });
    },
  });
}

/** One person's profile card, with their presence as the caller may see it (kept current by `presence` events). */
export function useUserProfile(id: string | null) {
  return useQuery({
    queryKey: queryKeys.user(id ?? ""),
    queryFn: ({ signal }) => apiFetch<UserProfile>(`/api/users/${id}`, { signal }),
    enabled: id !== null,
  });
}

/** The caller's own account (name, "about", privacy). */
export function useMe() {
  return useQuery({ queryKey: queryKeys.me, queryFn: ({ signal }) => apiFetch<Me>("/api/users/me", { signal }) });
}

/** Changes the caller's profile or privacy: `PATCH /api/users/me`. */
export function useUpdateMe() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateMeInput) => apiFetch<Me>("/api/users/me", { method: "PATCH", body: input }),
    onSuccess: (me) => {
      client.setQueryData(queryKeys.me, me);
      // Names and last-seen times shown elsewhere follow on their next fetch.
      void client.invalidateQueries({ queryKey: queryKeys.allThreads });
      void client.invalidateQueries({ queryKey: queryKeys.allThread });
      void client.invalidateQueries({ queryKey: queryKeys.allUsers });
    },
  });
}

/** Create-or-get the thread with exactly these people (the caller included). */
export function useCreateThread() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { participantIds: string[]; title?: string }) => apiFetch<Thread>("/api/threads", { method: "POST", body: input }),
    onSuccess: (thread) => {
      client.setQueryData(queryKeys.thread(thread.id), thread);
      void client.invalidateQueries({ queryKey: queryKeys.allThreads });
    },
  });
}

/** Puts a group as the server answered it into the cache and refreshes the lists (its title or members changed). */
function groupChanged(client: QueryClient, thread: Thread): void {
  client.setQueryData(queryKeys.thread(thread.id), thread);
  void client.invalidateQueries({ queryKey: queryKeys.allThreads });
}

/** Renames a group or changes its description (admins): `PATCH /api/threads/{id}`. */
export function useUpdateGroup(threadId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateThreadInput) => apiFetch<Thread>(`/api/threads/${threadId}`, { method: "PATCH", body: input }),
    onSuccess: (thread) => groupChanged(client, thread),
  });
}

/** Adds people to a group (admins): `POST /api/threads/{id}/participants`. */
export function useAddParticipants(threadId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (userIds: string[]) =>
      apiFetch<Thread>(`/api/threads/${threadId}/participants`, { method: "POST", body: { userIds } }),
    onSuccess: (thread) => groupChanged(client, thread),
  });
}

/** Makes a member an admin or an admin a member (admins): `PATCH /api/threads/{id}/participants/{userId}`. */
export function useSetRole(threadId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      apiFetch<Participant>(`/api/threads/${threadId}/participants/${userId}`, { method: "PATCH", body: { role } }),
    onSuccess: () => invalidateThread(client, threadId),
  });
}

/**
 * Removes someone from a group (admins), or leaves it (the caller's own id): `DELETE
 * /api/threads/{id}/participants/{userId}`. Leaving drops the group's cached data, as a deletion does.
 */
export function useRemoveParticipant(threadId: string, meId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => apiFetch<void>(`/api/threads/${threadId}/participants/${userId}`, { method: "DELETE" }),
    onSuccess: (_, userId) => {
      if (userId === meId) {
        client.removeQueries({ queryKey: queryKeys.thread(threadId) });
        client.removeQueries({ queryKey: queryKeys.messages(threadId) });
        void client.invalidateQueries({ queryKey: queryKeys.allThreads });
        void client.invalidateQueries({ queryKey: queryKeys.unread });
      } else {
        void invalidateThread(client, threadId);
      }
    },
  });
}

type TokenPages = InfiniteData<Page<ApiTokenView>, Cursor>;

/**
 * The caller's API tokens in pages of the API's default size (20), newest first, without secrets. Not polled: only
 * the person changes them, apart from `lastUsedAt`, which a refetch on focus or reload brings up to date. A 4xx
 * answer is final; other failures are retried once before the error shows.
 */
export function useTokens() {
  return useInfiniteQuery({
    queryKey: queryKeys.tokens,
    queryFn: ({ pageParam, signal }) => apiFetch<Page<ApiTokenView>>(`/api/tokens${qs({ cursor: pageParam })}`, { signal }),
    initialPageParam: null as Cursor,
    getNextPageParam: (last) => last.nextCursor,
    retry: (count, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && count < 1,
  });
}

/**
 * Issues a token named `name` → `{id, name, token, createdAt}`. The list gains the token (without its secret) at once.
 * The secret is the caller's to keep: the mutation is dropped from React Query's cache as soon as nothing observes
 * it (`gcTime: 0`), and callers should `reset()` once they have taken it.
 * @throws ApiError as the API answers: 400 with `errors` for an invalid name, 429 when rate-limited.
 */
export function useCreateToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => apiFetch<CreatedToken>("/api/tokens", { method: "POST", body: { name } }),
    gcTime: 0,
    onSuccess: ({ id, name, createdAt }) => {
      client.setQueryData<TokenPages>(queryKeys.tokens, (data) => {
        const first = data?.pages[0];
        if (!data || !first || first.data.some((t) => t.id === id)) return data;
        return { ...data, pages: [{ ...first, data: [{ id, name, createdAt, lastUsedAt: null }, ...first.data] }, ...data.pages.slice(1)] };
      });
      void client.invalidateQueries({ queryKey: queryKeys.tokens });
    },
  });
}

/**
 * Revokes one of the caller's tokens; it leaves the cached list at once. A 404 counts as success: the token is
 * already gone (revoked in another tab), which is what was asked.
 */
export function useRevokeToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      apiFetch<void>(`/api/tokens/${encodeURIComponent(id)}`, { method: "DELETE" }).catch((e: unknown) => {
        if (!(e instanceof ApiError && e.status === 404)) throw e;
      }),
    onSuccess: (_v, id) => {
      client.setQueryData<TokenPages>(queryKeys.tokens, (data) =>
        data ? { ...data, pages: data.pages.map((p) => ({ ...p, data: p.data.filter((t) => t.id !== id) })) } : data,
      );
      void client.invalidateQueries({ queryKey: queryKeys.tokens });
    },
  });
}

/**
 * Changes the caller's password (`POST /api/users/me/password`); the account's other browser sessions end.
 * @throws ApiError as the API answers: 400 with `errors` pointing at `#/currentPassword` (wrong) or `#/newPassword`
 *   (too short or long), 429 while too many wrong passwords were tried.
 */
export function useChangePassword() {
  return useMutation({
    mutationFn: (input: ChangePasswordInput) => apiFetch<void>("/api/users/me/password", { method: "POST", body: input }),
  });
}

/**
 * Signs the caller out everywhere (`DELETE /api/users/me/credentials`): every browser session, this one included,
 * and every API token end. What is cached here is then of no use; the caller leaves for the sign-in page.
 * @throws ApiError as the API answers (429 when rate-limited, 503 when the database is away: nothing was ended).
 */
export function useSignOutEverywhere() {
  return useMutation({
    mutationFn: () => apiFetch<SignedOut>("/api/users/me/credentials", { method: "DELETE" }),
  });
}

/**
 * Deletes the caller's account (`DELETE /api/users/me` with the password): every credential ends and the account
 * becomes a "Deleted user" tombstone. The caller leaves for the sign-in page afterwards.
 * @throws ApiError as the API answers: 400 with `errors` pointing at `#/password` when it is wrong, 429 while too
 *   many wrong passwords were tried.
 */
export function useDeleteAccount() {
  return useMutation({
    mutationFn: (input: DeleteAccountInput) => apiFetch<void>("/api/users/me", { method: "DELETE", body: input }),
  });
}

/**
 * Reports someone else's message to the admins (`POST /api/messages/{id}/reports`) → the report as filed. Nothing
 * cached changes: the message looks the same to the reporter.
 * @throws ApiError as the API answers: 409 when the caller reported it already or a moderator removed it, 403 for the
 *   caller's own message or a system entry, 404 when it is gone (its sender deleted it), 429 when rate-limited.
 */
export function useReportMessage() {
  return useMutation({
    mutationFn: ({ messageId, reason, details }: { messageId: string; reason: ReportReason; details?: string }) =>
      apiFetch<FiledReport>(`/api/messages/${encodeURIComponent(messageId)}/reports`, {
        method: "POST",
        body: details ? { reason, details } : { reason },
      }),
  });
}

type BlockPages = InfiniteData<Page<BlockedUser>, Cursor>;

/**
 * The people the caller blocked, most recently blocked first, in pages of {@link PAGE_SIZES}.blocks. Not polled: only
 * the caller changes it (the block mutations below keep it current). A 4xx answer is final; other failures are retried
 * once before the error shows.
 */
export function useBlocks() {
  return useInfiniteQuery({
    queryKey: queryKeys.blocks,
    queryFn: ({ pageParam, signal }) =>
      apiFetch<Page<BlockedUser>>(`/api/users/me/blocks${qs({ limit: PAGE_SIZES.blocks, cursor: pageParam })}`, { signal }),
    initialPageParam: null as Cursor,
    getNextPageParam: (last) => last.nextCursor,
    retry: (count, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && count < 1,
  });
}

/**
 * Blocks (`PUT /api/users/me/blocks/{userId}`) or unblocks (`DELETE`) a person; both are idempotent. Their profile
 * card's `blocked` flips at once (the open direct conversation's composer follows it), an unblocked person leaves the
 * cached list of blocks, and what shows presence refetches: blocked people see neither the other's presence nor
 * typing.
 * @throws ApiError as the API answers: 404 when there is no such person, 400 for oneself, 429 when rate-limited.
 */
export function useSetBlocked() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, blocked }: { userId: string; blocked: boolean }) =>
      apiFetch<void>(`/api/users/me/blocks/${encodeURIComponent(userId)}`, { method: blocked ? "PUT" : "DELETE" }),
    onSuccess: (_v, { userId, blocked }) => {
      client.setQueryData<UserProfile>(queryKeys.user(userId), (u) => (u ? { ...u, blocked } : u));
      if (!blocked) {
        client.setQueryData<BlockPages>(queryKeys.blocks, (data) =>
          data ? { ...data, pages: data.pages.map((p) => ({ ...p, data: p.data.filter((b) => b.user.id !== userId) })) } : data,
        );
      }
      void client.invalidateQueries({ queryKey: queryKeys.blocks });
      void client.invalidateQueries({ queryKey: queryKeys.user(userId) });
      void client.invalidateQueries({ queryKey: queryKeys.allThread });
      void client.invalidateQueries({ queryKey: queryKeys.allThreads });
    },
  });
}

/** How a search's results are ordered (`GET /api/search`'s `sort`). */
export type SearchSort = "recent" | "relevance";

/**
 * Message search (`GET /api/search`) in pages of {@link PAGE_SIZES}.search, in the order `sort` asks for; idle while
 * `q` is blank. While a new `q` or `sort` loads, the previous results stay (`placeholderData`). Not polled: results
 * are a snapshot, fresh for 30 s. A 4xx answer (too many terms) is final; other failures are retried once.
 */
export function useSearch(q: string, sort: SearchSort) {
  return useInfiniteQuery({
    queryKey: queryKeys.search(q, sort),
    queryFn: ({ pageParam, signal }) =>
      apiFetch<Page<SearchResult>>(`/api/search${qs({ q, sort, limit: PAGE_SIZES.search, cursor: pageParam })}`, { signal }),
    initialPageParam: null as Cursor,
    getNextPageParam: (last) => last.nextCursor,
    enabled: q.trim() !== "",
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    retry: (count, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && count < 1,
  });
}
