/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are checked field by field by each test. */
/**
 * Replies, mentions, reactions and mark-unread in tests (tests/{replies,mentions,reactions,mark-unread}.test.ts): the
 * requests, what a person sees of a thread, and the two invariants read straight from the database — each
 * participant's stored unread counts against a recount from the messages, and each message's copy of its reactions
 * (`messages.reactions`) against the `message_reactions` rows.
 */
import { expect, vi } from "vitest";
import { getPrisma } from "@/lib/db";
import type { Page } from "@/lib/schemas/common";
import type { Message, Reaction } from "@/lib/schemas/messages";
import type { ReadState, Thread, UnreadSummary } from "@/lib/schemas/threads";
import { api, type ApiResponse } from "./api";
import type { TestUser } from "./fixtures";

// ---------------------------------------------------------------------------------------------------------------------
// Requests

/** `emoji` as a path segment. */
export const emojiPath = (emoji: string) => encodeURIComponent(emoji);

/** PUT /api/messages/{id}/reactions/{emoji}: `emoji` is percent-encoded here (pass `raw` to send a segment as is). */
export const react = (user: TestUser | null, messageId: string, emoji: string, { raw = false } = {}) =>
  api.put(`/api/messages/${messageId}/reactions/${raw ? emoji : emojiPath(emoji)}`, user ? { token: user.token } : {});

/** DELETE /api/messages/{id}/reactions/{emoji}. */
export const unreact = (user: TestUser | null, messageId: string, emoji: string, { raw = false } = {}) =>
  api.delete(`/api/messages/${messageId}/reactions/${raw ? emoji : emojiPath(emoji)}`, user ? { token: user.token } : {});

/** POST /api/messages/{id}/unread. */
export const markUnread = (user: TestUser | null, messageId: string) =>
  api.post<ReadState>(`/api/messages/${messageId}/unread`, user ? { token: user.token } : {});

/** POST /api/messages/{id}/read. */
export const markRead = (user: TestUser, messageId: string) => api.post<ReadState>(`/api/messages/${messageId}/read`, { token: user.token });

/** POST /api/threads/{id}/read (the whole thread). */
export const markThreadRead = (user: TestUser, threadId: string) =>
  api.post<ReadState>(`/api/threads/${threadId}/read`, { token: user.token, body: {} });

/** POST /api/threads/{id}/messages with any body fields (`replyToId`, `clientMessageId`), answered as it comes. */
export const post = (from: TestUser, threadId: string, text: string, extra: { replyToId?: string; clientMessageId?: string } = {}) =>
  api.post(`/api/threads/${threadId}/messages`, { token: from.token, body: { text, ...extra } });

/** A message sent with `extra` (a reply, a key), which must be created (201). */
export async function sent(from: TestUser, threadId: string, text: string, extra: { replyToId?: string; clientMessageId?: string } = {}) {
  const res = await post(from, threadId, text, extra);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Message;
}

export const edit = (by: TestUser, messageId: string, text: string) => api.patch<Message>(`/api/messages/${messageId}`, { token: by.token, body: { text } });
export const del = (by: TestUser, messageId: string) => api.delete(`/api/messages/${messageId}`, { token: by.token });
/** A moderator's removal (DELETE /api/admin/messages/{id}). */
export const removeByModerator = (admin: TestUser, messageId: string, reason = "Harassment") =>
  api.delete(`/api/admin/messages/${messageId}`, { token: admin.token, body: { reason } });
export const block = (by: TestUser, whom: TestUser) => api.put(`/api/users/me/blocks/${whom.id}`, { token: by.token });
export const unblock = (by: TestUser, whom: TestUser) => api.delete(`/api/users/me/blocks/${whom.id}`, { token: by.token });
/** A group admin removes `person` from the group. */
export const removeMember = (by: TestUser, threadId: string, person: TestUser) =>
  api.delete(`/api/threads/${threadId}/participants/${person.id}`, { token: by.token });
export const addMembers = (by: TestUser, threadId: string, ...people: TestUser[]) =>
  api.post(`/api/threads/${threadId}/participants`, { token: by.token, body: { userIds: people.map((p) => p.id) } });

export function expectProblem(res: ApiResponse<unknown>, status: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
}

// ---------------------------------------------------------------------------------------------------------------------
// What a person sees

export async function threadAs(user: TestUser, threadId: string): Promise<Thread> {
  const res = await api.get<Thread>(`/api/threads/${threadId}`, { token: user.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

export async function messageAs(user: TestUser, messageId: string): Promise<Message> {
  const res = await api.get<Message>(`/api/messages/${messageId}`, { token: user.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** The thread as it appears in the caller's thread list (GET /api/threads, every page), or undefined. */
export async function listedThread(user: TestUser, threadId: string): Promise<Thread | undefined> {
  let cursor: string | undefined;
  for (;;) {
    const q = new URLSearchParams({ limit: "100", ...(cursor ? { cursor } : {}) });
    const res = await api.get<Page<Thread>>(`/api/threads?${q}`, { token: user.token });
    expect(res.status).toBe(200);
    const found = res.body.data.find((t) => t.id === threadId);
    if (found) return found;
    if (res.body.nextCursor === null) return undefined;
    cursor = res.body.nextCursor;
  }
}

export async function unreadOf(user: TestUser): Promise<UnreadSummary> {
  const res = await api.get<UnreadSummary>("/api/unread", { token: user.token });
  expect(res.status).toBe(200);
  return res.body;
}

/**
 * A person's read position and counts in a thread, from every place that shows them: GET /api/threads/{id} (their
 * participant entry's `lastReadSeq`, the thread's counts), the thread list and /api/unread, which must all agree.
 */
export async function countsOf(user: TestUser, threadId: string): Promise<{ lastReadSeq: number; unreadCount: number; unreadMentionCount: number }> {
  const thread = await threadAs(user, threadId);
  const listed = await listedThread(user, threadId);
  expect(listed, "the thread is in the caller's list").toBeDefined();
  expect({ unreadCount: listed!.unreadCount, unreadMentionCount: listed!.unreadMentionCount }).toEqual({
    unreadCount: thread.unreadCount,
    unreadMentionCount: thread.unreadMentionCount,
  });
  const summary = await unreadOf(user);
  const entry = summary.threads.find((t) => t.threadId === threadId);
  if (thread.unreadCount === 0) expect(entry).toBeUndefined();
  else expect(entry).toEqual({ threadId, count: thread.unreadCount, mentions: thread.unreadMentionCount });
  expect(summary.total).toBe(summary.threads.reduce((n, t) => n + t.count, 0));
  expect(summary.mentions).toBe(summary.threads.reduce((n, t) => n + t.mentions, 0));
  return {
    lastReadSeq: thread.participants.find((p) => p.id === user.id)!.lastReadSeq,
    unreadCount: thread.unreadCount,
    unreadMentionCount: thread.unreadMentionCount,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Invariants, read straight from the database

interface CountRow {
  thread_id: string;
  user_id: string;
  last_read_seq: number;
  unread_count: number;
  unread_mention_count: number;
  unread: number;
  mentions: number;
}

/**
 * The read-state invariant, for every participant of `threadIds` (of every thread when none are given): the stored
 * `unread_count` is the number of people's messages (`kind` 'text') after their watermark that they did not send, and
 * `unread_mention_count` the number of those whose `mention_ids` name them. Written here from the rule itself, not
 * with the product's functions.
 * @returns the rows checked (how many participants).
 */
export async function expectCountsInvariant(threadIds?: string[]): Promise<number> {
  const rows = await getPrisma().$queryRaw<CountRow[]>`
    SELECT p.thread_id, p.user_id, p.last_read_seq, p.unread_count, p.unread_mention_count,
           (SELECT count(*)::int FROM messages m
            WHERE m.thread_id = p.thread_id AND m.kind = 'text' AND m.sender_id <> p.user_id AND m.seq > p.last_read_seq) AS unread,
           (SELECT count(*)::int FROM messages m
            WHERE m.thread_id = p.thread_id AND m.kind = 'text' AND m.sender_id <> p.user_id AND m.seq > p.last_read_seq
              AND p.user_id = ANY (m.mention_ids)) AS mentions
    FROM participants p
    WHERE ${threadIds ?? null}::text[] IS NULL OR p.thread_id = ANY (${threadIds ?? null}::text[])`;
  const wrong = rows.filter((r) => r.unread_count !== r.unread || r.unread_mention_count !== r.mentions);
  expect(wrong, "participants whose stored counts differ from a recount (stored unread_count/unread_mention_count vs unread/mentions)").toEqual([]);
  return rows.length;
}

interface ReactionRow {
  message_id: string;
  emoji: string;
  user_id: string;
  at: string;
}

/**
 * The reactions invariant, for `messageIds` (every message when none are given): each message's copy
 * (`messages.reactions`) names exactly the `message_reactions` rows — the same emoji, each with its count and the same
 * people — emoji in the order each was first used and people in the order they reacted (by `created_at`; rows of the
 * same millisecond in either order).
 * @returns the number of reaction rows checked.
 */
export async function expectReactionCopiesExact(messageIds?: string[]): Promise<number> {
  const ids = messageIds ?? null;
  const [messages, rows] = await Promise.all([
    getPrisma().$queryRaw<{ id: string; reactions: Reaction[] }[]>`
      SELECT id, reactions FROM messages WHERE ${ids}::text[] IS NULL OR id = ANY (${ids}::text[])`,
    getPrisma().$queryRaw<ReactionRow[]>`
      SELECT message_id, emoji, user_id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS at
      FROM message_reactions WHERE ${ids}::text[] IS NULL OR message_id = ANY (${ids}::text[])`,
  ]);
  const known = new Set(messages.map((m) => m.id));
  expect(rows.filter((r) => !known.has(r.message_id)), "reaction rows of messages that do not exist").toEqual([]);
  for (const m of messages) {
    const mine = rows.filter((r) => r.message_id === m.id);
    const at = new Map(mine.map((r) => [`${r.emoji} ${r.user_id}`, r.at]));
    const byEmoji = new Map<string, ReactionRow[]>();
    for (const r of mine) byEmoji.set(r.emoji, [...(byEmoji.get(r.emoji) ?? []), r]);
    const where = `message ${m.id}: copy ${JSON.stringify(m.reactions)}, rows ${JSON.stringify(mine)}`;
    expect(m.reactions.map((g) => g.emoji).sort(), where).toEqual([...byEmoji.keys()].sort());
    for (const g of m.reactions) {
      const people = byEmoji.get(g.emoji)!.map((r) => r.user_id);
      expect(g.count, where).toBe(people.length);
      expect(g.userIds.length, where).toBe(g.count);
      expect([...g.userIds].sort(), where).toEqual([...people].sort());
      const times = g.userIds.map((u) => at.get(`${g.emoji} ${u}`)!);
      expect(times, `${where}: people in the order they reacted`).toEqual([...times].sort());
    }
    const firstUse = m.reactions.map((g) => g.userIds.map((u) => at.get(`${g.emoji} ${u}`)!).sort()[0]!);
    expect(firstUse, `${where}: emoji in the order each was first used`).toEqual([...firstUse].sort());
  }
  return rows.length;
}

/** The stored events of `type` about message `messageId` (reaction events), oldest first. */
export async function storedEvents(type: string, messageId: string): Promise<{ id: bigint; payload: any; personal: any; recipients: string[] }[]> {
  return getPrisma().$queryRaw`
    SELECT id, payload, personal, recipients FROM events
    WHERE type = ${type} AND (payload ->> 'messageId' = ${messageId} OR payload #>> '{message,id}' = ${messageId})
    ORDER BY id`;
}

/** Waits for `done` to hold (polling, with a deadline): no sleeps. */
export const until = (done: () => Promise<boolean> | boolean, what: string) =>
  vi.waitFor(
    async () => {
      if (!(await done())) throw new Error(`still waiting: ${what}`);
    },
    { timeout: 10_000, interval: 5 },
  );

/**
 * Waits until the database's clock (milliseconds, as reactions are stamped) has moved past every reaction of
 * `messageId`, so that the next one is stamped later: orders are tested without depending on how fast requests are.
 */
export const afterLatestReaction = (messageId: string) =>
  until(async () => {
    const [row] = await getPrisma().$queryRaw<{ later: boolean }[]>`
      SELECT coalesce(clock_timestamp()::timestamptz(3) > max(created_at), true) AS later FROM message_reactions WHERE message_id = ${messageId}`;
    return row!.later;
  }, "the clock to pass the latest reaction");

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
