import { type InfiniteData, InfiniteQueryObserver, QueryClient } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { applyEvent } from "@/lib/client/live/cache-updates";
import { type LiveEvent, parseEvent } from "@/lib/client/live/events";
import { backoffDelay, RECONNECT_MAX_MS } from "@/lib/client/live/event-stream";
import { queryKeys } from "@/lib/client/query-keys";
import { clearAllTyping, createTypingSender, getTypingUserIds, showTyping, typingLabel } from "@/lib/client/typing";
import type { Page } from "@/lib/schemas/common";
import type { Message } from "@/lib/schemas/messages";
import type { Thread, UnreadSummary } from "@/lib/schemas/threads";

// The browser's cache updates for live events (lib/client/live/), against a real QueryClient.

type Pages<T> = InfiniteData<Page<T>, string | null>;

const ME = "u-bob";
const ALICE = "u-alice";
const CAROL = "u-carol";
const person = (id: string) => ({ id, username: id.slice(2), name: null });
const offline = { status: "offline" as const, lastSeenAt: null };

const at = (minute: number) => new Date(Date.UTC(2026, 4, 14, 12, minute)).toISOString();

const message = (over: Partial<Message> & Pick<Message, "id" | "threadId" | "seq">): Message => ({
  kind: "text",
  sender: person(ALICE),
  text: `message ${over.id}`,
  system: null,
  clientMessageId: null,
  createdAt: at(over.seq),
  editedAt: null,
  replyTo: null,
  mentions: [],
  reactions: [],
  isRead: false,
  ...over,
});

const thread = (id: string, minute: number, over: Partial<Thread> = {}): Thread => ({
  id,
  kind: "direct",
  title: null,
  description: null,
  createdAt: at(0),
  lastActivityAt: at(minute),
  participants: [
    { ...person(ME), lastReadSeq: 0, role: "member", joinedAt: at(0), presence: offline },
    { ...person(ALICE), lastReadSeq: 0, role: "member", joinedAt: at(0), presence: offline },
  ],
  lastMessage: { id: `last-${id}`, kind: "text", text: "earlier", senderId: ALICE, createdAt: at(minute) },
  unreadCount: 0,
  unreadMentionCount: 0,
  ...over,
});

const pages = <T>(...chunks: T[][]): Pages<T> => ({
  pages: chunks.map((data, i) => ({ data, nextCursor: i < chunks.length - 1 ? `c${i}` : null })),
  pageParams: chunks.map((_, i) => (i === 0 ? null : `c${i - 1}`)),
});

let client: QueryClient;
const threadsIn = (q = "") => client.getQueryData<Pages<Thread>>(queryKeys.threads(q))!.pages.map((p) => p.data.map((t) => t.id));
const apply = (event: LiveEvent) => applyEvent(client, ME, event);

beforeEach(() => {
  client = new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity } } });
  client.setQueryData(queryKeys.threads(), pages([thread("t1", 30), thread("t2", 20)], [thread("t3", 10)]));
  client.setQueryData<UnreadSummary>(queryKeys.unread, { total: 2, mentions: 0, threads: [{ threadId: "t1", count: 2, mentions: 0 }] });
  client.setQueryData(queryKeys.thread("t3"), thread("t3", 10));
  client.setQueryData(queryKeys.messages("t3"), pages([message({ id: "m2", threadId: "t3", seq: 2 }), message({ id: "m1", threadId: "t3", seq: 1 })]));
});

afterEach(() => {
  client.clear();
  clearAllTyping();
  vi.useRealTimers();
});

describe("message.created", () => {
  const created = (m: Message, unreadCount = 1): LiveEvent => ({ type: "message.created", payload: { message: m, unreadCount, unreadMentionCount: 0 } });

  it("appends the message to an open conversation and moves its thread to the top with the new preview", () => {
    const m = message({ id: "m3", threadId: "t3", seq: 3, text: "x".repeat(250), createdAt: at(40) });
    apply(created(m, 1));

    const cached = client.getQueryData<Pages<Message>>(queryKeys.messages("t3"))!;
    expect(cached.pages[0]!.data.map((x) => x.id)).toEqual(["m3", "m2", "m1"]);
    expect(threadsIn()).toEqual([["t3", "t1", "t2"], []]);
    const top = client.getQueryData<Pages<Thread>>(queryKeys.threads())!.pages[0]!.data[0]!;
    expect(top.lastMessage).toEqual({ id: "m3", kind: "text", text: "x".repeat(200), senderId: ALICE, createdAt: at(40) });
    expect(top.lastActivityAt).toBe(at(40));
    expect(top.unreadCount).toBe(1);
  });

  it("sets the thread's unread count in the summary and recomputes the total", () => {
    apply(created(message({ id: "m3", threadId: "t3", seq: 3, createdAt: at(40) }), 4));
    expect(client.getQueryData<UnreadSummary>(queryKeys.unread)).toEqual({
      total: 6,
      mentions: 0,
      threads: [
        { threadId: "t1", count: 2, mentions: 0 },
        { threadId: "t3", count: 4, mentions: 0 },
      ],
    });
  });

  it("moves the sender's read position to the message, which drives 'Seen'", () => {
    apply(created(message({ id: "m3", threadId: "t3", seq: 3, createdAt: at(40) })));
    const alice = client.getQueryData<Thread>(queryKeys.thread("t3"))!.participants.find((p) => p.id === ALICE)!;
    expect(alice.lastReadSeq).toBe(3);
  });

  it("leaves the messages of a thread that is not open uncached", () => {
    apply(created(message({ id: "n1", threadId: "t1", seq: 9, createdAt: at(40) })));
    expect(client.getQueryData(queryKeys.messages("t1"))).toBeUndefined();
    expect(threadsIn()[0]![0]).toBe("t1");
  });

  it("refetches a list that does not hold the thread instead of guessing where it goes", () => {
    client.setQueryData(queryKeys.threads("carol"), pages([thread("t2", 20)]));
    apply(created(message({ id: "n1", threadId: "t9", seq: 1, createdAt: at(40) })));
    expect(client.getQueryState(queryKeys.threads("carol"))!.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.threads())!.isInvalidated).toBe(true);
  });

  it("leaves a list alone when it already shows a newer message (a refetch got ahead of the event)", () => {
    apply(created(message({ id: "old", threadId: "t2", seq: 1, createdAt: at(5) })));
    expect(threadsIn()).toEqual([["t1", "t2"], ["t3"]]);
    expect(client.getQueryData<Pages<Thread>>(queryKeys.threads())!.pages[0]!.data[1]!.lastMessage!.id).toBe("last-t2");
  });

  it("ends the sender's typing indicator", () => {
    showTyping("t3", ALICE, 5000);
    showTyping("t3", CAROL, 5000);
    apply(created(message({ id: "m3", threadId: "t3", seq: 3, createdAt: at(40) })));
    expect(getTypingUserIds("t3")).toEqual([CAROL]);
  });

  it("keeps the update when a refetch that started before it answers afterwards", async () => {
    const stale = pages([message({ id: "m2", threadId: "t3", seq: 2 }), message({ id: "m1", threadId: "t3", seq: 1 })]);
    const fresh = pages([message({ id: "m3", threadId: "t3", seq: 3 }), ...stale.pages[0]!.data]);
    let answer!: (v: Page<Message>) => void;
    const queryFn = vi
      .fn<() => Promise<Page<Message>>>()
      .mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)))
      .mockResolvedValue(fresh.pages[0]!);
    // An open conversation whose refetch (of the stale cached page) is in flight.
    const observer = new InfiniteQueryObserver(client, {
      queryKey: queryKeys.messages("t3"),
      queryFn,
      initialPageParam: null as string | null,
      getNextPageParam: () => null,
    });
    const unsubscribe = observer.subscribe(() => undefined);
    await vi.waitFor(() => expect(queryFn).toHaveBeenCalledTimes(1));

    apply(created(message({ id: "m3", threadId: "t3", seq: 3, createdAt: at(40) })));
    answer(stale.pages[0]!);
    await vi.waitFor(() => expect(queryFn).toHaveBeenCalledTimes(2));
    await vi.waitFor(() => expect(client.getQueryState(queryKeys.messages("t3"))!.fetchStatus).toBe("idle"));
    const ids = client.getQueryData<Pages<Message>>(queryKeys.messages("t3"))!.pages[0]!.data.map((m) => m.id);
    expect(ids).toEqual(["m3", "m2", "m1"]);
    unsubscribe();
  });
});

describe("message.updated and message.deleted", () => {
  it("changes a cached message and the list preview that shows it", () => {
    client.setQueryData(queryKeys.threads(), pages([thread("t3", 10, { lastMessage: { id: "m2", kind: "text", text: "old", senderId: ALICE, createdAt: at(2) } })]));
    apply({ type: "message.updated", payload: { message: message({ id: "m2", threadId: "t3", seq: 2, text: "new text", editedAt: at(50) }), unreadCount: 0, unreadMentionCount: 0 } });
    expect(client.getQueryData<Pages<Message>>(queryKeys.messages("t3"))!.pages[0]!.data[0]!.text).toBe("new text");
    expect(client.getQueryData<Pages<Thread>>(queryKeys.threads())!.pages[0]!.data[0]!.lastMessage!.text).toBe("new text");
  });

  it("keeps the reader's isRead when an unread message is edited (the payload carries the sender's view)", () => {
    expect(client.getQueryData<Pages<Message>>(queryKeys.messages("t3"))!.pages[0]!.data.find((m) => m.id === "m2")!.isRead).toBe(false);
    apply({ type: "message.updated", payload: { message: message({ id: "m2", threadId: "t3", seq: 2, text: "edited", isRead: true }), unreadCount: 0, unreadMentionCount: 0 } });
    const m2 = client.getQueryData<Pages<Message>>(queryKeys.messages("t3"))!.pages[0]!.data.find((m) => m.id === "m2")!;
    expect(m2.text).toBe("edited");
    expect(m2.isRead).toBe(false);
  });

  it("does not insert an edited message that is not loaded", () => {
    apply({ type: "message.updated", payload: { message: message({ id: "m0", threadId: "t3", seq: 0 }), unreadCount: 0, unreadMentionCount: 0 } });
    expect(client.getQueryData<Pages<Message>>(queryKeys.messages("t3"))!.pages[0]!.data.map((m) => m.id)).toEqual(["m2", "m1"]);
  });

  it("removes a deleted message, sets the counts and refetches the lists", () => {
    apply({ type: "message.deleted", payload: { threadId: "t1", messageId: "x", seq: 5, unreadCount: 1, unreadMentionCount: 0 } });
    apply({ type: "message.deleted", payload: { threadId: "t3", messageId: "m2", seq: 2, unreadCount: 0, unreadMentionCount: 0 } });
    expect(client.getQueryData<Pages<Message>>(queryKeys.messages("t3"))!.pages[0]!.data.map((m) => m.id)).toEqual(["m1"]);
    expect(client.getQueryData<UnreadSummary>(queryKeys.unread)).toEqual({ total: 1, mentions: 0, threads: [{ threadId: "t1", count: 1, mentions: 0 }] });
    expect(client.getQueryState(queryKeys.threads())!.isInvalidated).toBe(true);
  });
});

describe("thread events", () => {
  it("moves another participant's read position ('Seen') without touching the caller's counts", () => {
    apply({ type: "thread.read", payload: { threadId: "t3", userId: ALICE, lastReadSeq: 2 } });
    expect(client.getQueryData<Thread>(queryKeys.thread("t3"))!.participants.find((p) => p.id === ALICE)!.lastReadSeq).toBe(2);
    expect(client.getQueryData<UnreadSummary>(queryKeys.unread)!.total).toBe(2);
  });

  it("clears the caller's badge and marks messages read when another tab read the thread", () => {
    client.setQueryData<UnreadSummary>(queryKeys.unread, { total: 2, mentions: 0, threads: [{ threadId: "t3", count: 2, mentions: 0 }] });
    apply({ type: "thread.read", payload: { threadId: "t3", userId: ME, lastReadSeq: 2, unreadCount: 0 } });
    expect(client.getQueryData<UnreadSummary>(queryKeys.unread)).toEqual({ total: 0, mentions: 0, threads: [] });
    expect(client.getQueryData<Pages<Message>>(queryKeys.messages("t3"))!.pages[0]!.data.every((m) => m.isRead)).toBe(true);
  });

  it("drops a deleted thread's cached data and refetches the lists and counts", () => {
    apply({ type: "thread.deleted", payload: { threadId: "t3" } });
    expect(client.getQueryData(queryKeys.thread("t3"))).toBeUndefined();
    expect(client.getQueryData(queryKeys.messages("t3"))).toBeUndefined();
    expect(client.getQueryState(queryKeys.threads())!.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.unread)!.isInvalidated).toBe(true);
  });

  it("refetches the lists and counts when the caller joins a new thread, and everything on resync", () => {
    apply({ type: "thread.created", payload: { thread: thread("t9", 60) } });
    expect(client.getQueryState(queryKeys.threads())!.isInvalidated).toBe(true);
    expect(client.getQueryState(queryKeys.thread("t3"))!.isInvalidated).toBe(false);
    apply({ type: "resync", payload: { reason: "too far behind" } });
    expect(client.getQueryState(queryKeys.thread("t3"))!.isInvalidated).toBe(true);
  });

  it("leaves audited reads alone on ready and resync: each fetch of one is an audit entry", () => {
    const audited = ["admin", "thread-messages", "t3", "why"];
    client.getQueryCache().build(client, { queryKey: audited, meta: { audited: true } }).setData({ pages: [], pageParams: [] });
    client.setQueryData(queryKeys.adminReports, []);
    for (const type of ["ready", "resync"] as const) {
      apply(type === "ready" ? { type, payload: {} } : { type, payload: { reason: "too far behind" } });
      expect(client.getQueryState(audited)!.isInvalidated).toBe(false);
      expect(client.getQueryState(queryKeys.adminReports)!.isInvalidated).toBe(true);
    }
  });
});

describe("typing", () => {
  it("shows someone typing for expiresInMs, extended by repeats, and ignores the caller's own", () => {
    vi.useFakeTimers();
    apply({ type: "typing", payload: { threadId: "t3", userId: ME, expiresInMs: 5000 } });
    expect(getTypingUserIds("t3")).toEqual([]);
    apply({ type: "typing", payload: { threadId: "t3", userId: ALICE, expiresInMs: 5000 } });
    vi.advanceTimersByTime(4000);
    apply({ type: "typing", payload: { threadId: "t3", userId: ALICE, expiresInMs: 5000 } });
    vi.advanceTimersByTime(4000);
    expect(getTypingUserIds("t3")).toEqual([ALICE]);
    vi.advanceTimersByTime(1000);
    expect(getTypingUserIds("t3")).toEqual([]);
  });

  it("names one, two, three or more people", () => {
    expect(typingLabel([])).toBe("");
    expect(typingLabel(["Bob"])).toBe("Bob is typing…");
    expect(typingLabel(["Bob", "Carol"])).toBe("Bob and Carol are typing…");
    expect(typingLabel(["Bob", "Carol", "Dave"])).toBe("Bob, Carol and Dave are typing…");
    expect(typingLabel(["Bob", "Carol", "Dave", "Erin"])).toBe("Several people are typing…");
  });

  it("tells the server at most every 3 s, only for non-blank text, and again at once after a send", () => {
    let now = 0;
    const post = vi.fn(() => Promise.resolve());
    const sender = createTypingSender("t3", post, () => now);
    sender.notify("   ");
    expect(post).not.toHaveBeenCalled();
    sender.notify("h");
    now = 2999;
    sender.notify("he");
    expect(post).toHaveBeenCalledTimes(1);
    now = 3000;
    sender.notify("hel");
    expect(post).toHaveBeenCalledTimes(2);
    sender.reset();
    sender.notify("n");
    expect(post).toHaveBeenCalledTimes(3);
    expect(post).toHaveBeenCalledWith("t3");
  });
});

describe("the stream", () => {
  it("reads events by the contract and rejects unknown types and malformed payloads", () => {
    expect(parseEvent("ready", "{}")).toEqual({ type: "ready", payload: {} });
    expect(parseEvent("typing", JSON.stringify({ threadId: "t3", userId: ALICE, expiresInMs: 5000 }))?.type).toBe("typing");
    expect(parseEvent("typing", JSON.stringify({ threadId: "t3" }))).toBeNull();
    expect(parseEvent("toString", "{}")).toBeNull();
    expect(parseEvent("ready", "not json")).toBeNull();
  });

  it("waits 1 s, 2 s, 4 s … at most 30 s between reconnects, jittered into the upper half", () => {
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, 0.999999))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelay(0, 0)).toBe(500);
    expect(backoffDelay(10, 0.999999)).toBe(RECONNECT_MAX_MS);
    expect(backoffDelay(50, 0)).toBe(RECONNECT_MAX_MS / 2);
  });
});
