/**
 * Read state: each participant's watermark (lastReadSeq) and unread count, the endpoints that move it, the ones that
 * report it, and that the counter agrees with the messages after concurrent sends, reads and deletes.
 */
import { describe, expect, it, vi } from "vitest";
import { getPrisma } from "@/lib/db";
import type { Page } from "@/lib/schemas/common";
import type { Message } from "@/lib/schemas/messages";
import type { ReadState, Thread, UnreadSummary } from "@/lib/schemas/threads";
import { eventsSince, personalize } from "@/lib/server/events";
import { Prisma } from "@/lib/server/sql";
import { api, type ApiResponse } from "./helpers/api";
import { allMessages, createThread, createUser, send, type TestUser } from "./helpers/fixtures";

const MISSING_ID = "0190b8a0-0000-7000-8000-000000000000";

async function pair() {
  const [alice, bob] = await Promise.all([createUser("alice"), createUser("bob")]);
  const threadId = await createThread(alice, bob);
  return { alice, bob, threadId };
}

/** The caller's read position and unread count in a thread, from GET /api/threads/{id}. */
async function stateOf(user: TestUser, threadId: string) {
  const res = await api.get<Thread>(`/api/threads/${threadId}`, { token: user.token });
  expect(res.status).toBe(200);
  const me = res.body.participants.find((p) => p.id === user.id);
  expect(me).toBeDefined();
  return { lastReadSeq: me!.lastReadSeq, unreadCount: res.body.unreadCount };
}

/** Every page of GET /api/messages/unread for `user`. */
async function unreadPages(user: TestUser, limit?: number): Promise<Message[][]> {
  const pages: Message[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const q = new URLSearchParams({ ...(limit ? { limit: String(limit) } : {}), ...(cursor ? { cursor } : {}) });
    const res = await api.get<Page<Message>>(`/api/messages/unread?${q}`, { token: user.token });
    expect(res.status).toBe(200);
    pages.push(res.body.data);
    if (res.body.nextCursor === null) return pages;
    cursor = res.body.nextCursor;
  }
}

async function unreadSummary(user: TestUser): Promise<UnreadSummary> {
  const res = await api.get<UnreadSummary>("/api/unread", { token: user.token });
  expect(res.status).toBe(200);
  return res.body;
}

const markThread = (user: TestUser, threadId: string, upToMessageId?: string) =>
  api.post(`/api/threads/${threadId}/read`, {
    token: user.token,
    ...(upToMessageId ? { body: { upToMessageId } } : {}),
  });

const markMessage = (user: TestUser, messageId: string) =>
  api.post(`/api/messages/${messageId}/read`, { token: user.token });

function expectProblem(res: ApiResponse, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
}

async function sendMany(from: TestUser, threadId: string, n: number, prefix = "m"): Promise<Message[]> {
  const out: Message[] = [];
  for (let i = 1; i <= n; i++) out.push(await send(from, threadId, `${prefix}${i}`));
  return out;
}

/**
 * The invariant the counters must keep: the unread count is exactly the number of others' messages after the
 * watermark, the listed isRead flags follow the watermark, and /api/unread and /api/messages/unread agree.
 * @returns the state checked.
 */
async function expectCounterMatchesMessages(user: TestUser, threadId: string) {
  const state = await stateOf(user, threadId);
  const messages = await allMessages(user, threadId);
  const unread = messages.filter((m) => m.sender.id !== user.id && m.seq > state.lastReadSeq);
  expect(state.unreadCount).toBe(unread.length);
  for (const m of messages) expect(m.isRead).toBe(m.sender.id === user.id || m.seq <= state.lastReadSeq);

  const summary = await unreadSummary(user);
  const entry = summary.threads.find((t) => t.threadId === threadId);
  if (unread.length === 0) expect(entry).toBeUndefined();
  else expect(entry).toEqual({ threadId, count: unread.length, mentions: unread.filter((m) => m.mentions.includes(user.id)).length });

  const listedUnread = (await unreadPages(user, 100)).flat().filter((m) => m.threadId === threadId);
  expect(listedUnread.map((m) => m.id)).toEqual(unread.map((m) => m.id));
  return { ...state, messages };
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("the read watermark", () => {
  it("never moves backwards: marking an earlier message after a later one changes nothing", async () => {
    const { alice, bob, threadId } = await pair();
    const sent = await sendMany(alice, threadId, 5);

    const later = await markMessage(bob, sent[3]!.id);
    expect(later.status).toBe(200);
    expect(later.body).toEqual({ threadId, lastReadSeq: 4, unreadCount: 1, unreadMentionCount: 0 });
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 4, unreadCount: 1 });

    const earlier = await markMessage(bob, sent[1]!.id);
    expect(earlier.status).toBe(200);
    expect(earlier.body).toEqual({ threadId, lastReadSeq: 4, unreadCount: 1, unreadMentionCount: 0 });
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 4, unreadCount: 1 });

    const viaThread = await markThread(bob, threadId, sent[0]!.id);
    expect(viaThread.status).toBe(200);
    expect(viaThread.body).toEqual({ threadId, lastReadSeq: 4, unreadCount: 1, unreadMentionCount: 0 });
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 4, unreadCount: 1 });
    expect((await allMessages(bob, threadId)).map((m) => m.isRead)).toEqual([false, true, true, true, true]);
  });

  it("marks the whole thread read when POST /api/threads/{id}/read has no body", async () => {
    const { alice, bob, threadId } = await pair();
    await sendMany(alice, threadId, 4);
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 0, unreadCount: 4 });

    const res = await markThread(bob, threadId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ threadId, lastReadSeq: 4, unreadCount: 0, unreadMentionCount: 0 });
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 4, unreadCount: 0 });
    expect((await allMessages(bob, threadId)).every((m) => m.isRead)).toBe(true);
  });

  it("accepts an empty JSON object as 'everything'", async () => {
    const { alice, bob, threadId } = await pair();
    await sendMany(alice, threadId, 2);
    const res = await api.post<ReadState>(`/api/threads/${threadId}/read`, { token: bob.token, body: {} });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ threadId, lastReadSeq: 2, unreadCount: 0, unreadMentionCount: 0 });
  });

  it("marks up to and including upToMessageId, leaving the messages after it unread", async () => {
    const [alice, bob, carol] = await Promise.all([createUser("alice"), createUser("bob"), createUser("carol")]);
    const threadId = await createThread(alice, bob, carol);
    const sent: Message[] = [];
    for (const [i, from] of [alice, carol, alice, carol, alice, alice].entries()) {
      sent.push(await send(from, threadId, `x${i + 1}`));
    }

    const res = await markThread(bob, threadId, sent[1]!.id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ threadId, lastReadSeq: 2, unreadCount: 4, unreadMentionCount: 0 });
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 2, unreadCount: 4 });
    expect((await allMessages(bob, threadId)).map((m) => [m.seq, m.isRead])).toEqual([
      [6, false],
      [5, false],
      [4, false],
      [3, false],
      [2, true],
      [1, true],
    ]);

    const upToLast = await markThread(bob, threadId, sent[5]!.id);
    expect(upToLast.body).toEqual({ threadId, lastReadSeq: 6, unreadCount: 0, unreadMentionCount: 0 });
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 6, unreadCount: 0 });
  });

  it("marks a message and everything before it with POST /api/messages/{id}/read", async () => {
    const { alice, bob, threadId } = await pair();
    const sent = await sendMany(alice, threadId, 3);
    const res = await markMessage(bob, sent[1]!.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.body).toEqual({ threadId, lastReadSeq: 2, unreadCount: 1, unreadMentionCount: 0 });
    const got = await Promise.all(sent.map((m) => api.get<Message>(`/api/messages/${m.id}`, { token: bob.token })));
    expect(got.map((r) => r.body.isRead)).toEqual([true, true, false]);

    // Marking one's own message read is allowed and changes nothing.
    const own = await markMessage(alice, sent[2]!.id);
    expect(own.status).toBe(200);
    expect(own.body).toEqual({ threadId, lastReadSeq: 3, unreadCount: 0, unreadMentionCount: 0 });
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 2, unreadCount: 1 });
  });

  it("answers 404 for upToMessageId from another thread, and changes nothing", async () => {
    const [{ alice, bob, threadId }, carol] = await Promise.all([pair(), createUser("carol")]);
    const otherThread = await createThread(bob, carol);
    await sendMany(alice, threadId, 3);
    const elsewhere = await send(carol, otherThread, "other thread");

    expectProblem(await markThread(bob, threadId, elsewhere.id), 404);
    expectProblem(await markThread(bob, threadId, MISSING_ID), 404);
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 0, unreadCount: 3 });
    expect(await stateOf(bob, otherThread)).toEqual({ lastReadSeq: 0, unreadCount: 1 });
  });

  it("answers outsiders' mark-read requests with 404, as for missing ids", async () => {
    const [{ alice, bob, threadId }, carol] = await Promise.all([pair(), createUser("carol")]);
    const sent = await send(alice, threadId, "private");

    const thread = await markThread(carol, threadId);
    const missingThread = await markThread(carol, MISSING_ID);
    expectProblem(thread, 404);
    expectProblem(missingThread, 404);
    expect(thread.body.detail).toBe(missingThread.body.detail);

    const message = await markMessage(carol, sent.id);
    const missingMessage = await markMessage(carol, MISSING_ID);
    expectProblem(message, 404);
    expectProblem(missingMessage, 404);
    expect(message.body.detail).toBe(missingMessage.body.detail);
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 0, unreadCount: 1 });
  });

  it("rejects an unknown field in the mark-read body with 400", async () => {
    const { alice, bob, threadId } = await pair();
    await send(alice, threadId, "hi");
    const res = await api.post(`/api/threads/${threadId}/read`, { token: bob.token, body: { upTo: "x" } });
    expectProblem(res, 400);
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 0, unreadCount: 1 });
  });
});

describe("what counts as unread", () => {
  it("never counts one's own messages", async () => {
    const { alice, bob, threadId } = await pair();
    await sendMany(alice, threadId, 3);
    expect(await stateOf(alice, threadId)).toEqual({ lastReadSeq: 3, unreadCount: 0 });
    expect((await allMessages(alice, threadId)).every((m) => m.isRead)).toBe(true);
    expect(await unreadSummary(alice)).toEqual({ total: 0, mentions: 0, threads: [] });
    expect((await unreadPages(alice)).flat()).toEqual([]);
    expect((await stateOf(bob, threadId)).unreadCount).toBe(3);
  });

  it("marks the thread read for the sender when they send", async () => {
    const { alice, bob, threadId } = await pair();
    await sendMany(alice, threadId, 3);
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 0, unreadCount: 3 });

    const reply = await send(bob, threadId, "got them");
    expect(reply.seq).toBe(4);
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 4, unreadCount: 0 });
    expect((await allMessages(bob, threadId)).every((m) => m.isRead)).toBe(true);
    expect(await stateOf(alice, threadId)).toEqual({ lastReadSeq: 3, unreadCount: 1 });
  });

  it("lowers the recipient's count by exactly one when an unread message is deleted, not when a read one is", async () => {
    const { alice, bob, threadId } = await pair();
    const sent = await sendMany(alice, threadId, 5);
    await markThread(bob, threadId, sent[1]!.id);
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 2, unreadCount: 3 });

    expect((await api.delete(`/api/messages/${sent[3]!.id}`, { token: alice.token })).status).toBe(204);
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 2, unreadCount: 2 });

    expect((await api.delete(`/api/messages/${sent[0]!.id}`, { token: alice.token })).status).toBe(204);
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 2, unreadCount: 2 });

    expect((await api.delete(`/api/messages/${sent[1]!.id}`, { token: alice.token })).status).toBe(204);
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 2, unreadCount: 2 });

    // The newest message too: the watermark stays where it was.
    expect((await api.delete(`/api/messages/${sent[4]!.id}`, { token: alice.token })).status).toBe(204);
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 2, unreadCount: 1 });
    expect(await unreadSummary(bob)).toEqual({ total: 1, mentions: 0, threads: [{ threadId, count: 1, mentions: 0 }] });
    await expectCounterMatchesMessages(bob, threadId);

    expect((await markThread(bob, threadId)).body).toEqual({ threadId, lastReadSeq: 5, unreadCount: 0, unreadMentionCount: 0 });
    expect(await stateOf(alice, threadId)).toEqual({ lastReadSeq: 5, unreadCount: 0 });
  });

  it("keeps each participant's read state separate", async () => {
    const [alice, bob, carol] = await Promise.all([createUser("alice"), createUser("bob"), createUser("carol")]);
    const threadId = await createThread(alice, bob, carol);
    const sent = await sendMany(alice, threadId, 3);

    expect((await markThread(bob, threadId)).body).toEqual({ threadId, lastReadSeq: 3, unreadCount: 0, unreadMentionCount: 0 });
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 3, unreadCount: 0 });
    expect(await stateOf(carol, threadId)).toEqual({ lastReadSeq: 0, unreadCount: 3 });

    const forBob = await api.get<Message>(`/api/messages/${sent[0]!.id}`, { token: bob.token });
    const forCarol = await api.get<Message>(`/api/messages/${sent[0]!.id}`, { token: carol.token });
    expect(forBob.body.isRead).toBe(true);
    expect(forCarol.body.isRead).toBe(false);
    expect((await allMessages(carol, threadId)).map((m) => m.isRead)).toEqual([false, false, false]);

    // Everyone sees everyone's read positions.
    const seenByAlice = await api.get<Thread>(`/api/threads/${threadId}`, { token: alice.token });
    const positions = Object.fromEntries(seenByAlice.body.participants.map((p) => [p.id, p.lastReadSeq]));
    expect(positions).toEqual({ [alice.id]: 3, [bob.id]: 3, [carol.id]: 0 });

    // Carol reading one message moves only her watermark.
    await markMessage(carol, sent[0]!.id);
    expect(await stateOf(carol, threadId)).toEqual({ lastReadSeq: 1, unreadCount: 2 });
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 3, unreadCount: 0 });
    expect(await stateOf(alice, threadId)).toEqual({ lastReadSeq: 3, unreadCount: 0 });
  });

  it("reports isRead on listed messages exactly as the watermark says", async () => {
    const { alice, bob, threadId } = await pair();
    const sent: Message[] = [];
    for (const [i, from] of [alice, alice, bob, alice, alice, alice, alice].entries()) {
      sent.push(await send(from, threadId, `w${i + 1}`));
    }
    await markMessage(bob, sent[4]!.id);
    const { lastReadSeq } = await expectCounterMatchesMessages(bob, threadId);
    expect(lastReadSeq).toBe(5);
    expect((await allMessages(bob, threadId)).map((m) => [m.seq, m.isRead])).toEqual([
      [7, false],
      [6, false],
      [5, true],
      [4, true],
      [3, true],
      [2, true],
      [1, true],
    ]);
    await expectCounterMatchesMessages(alice, threadId);
  });
});

describe("unread across threads", () => {
  it("totals GET /api/unread over the caller's threads and lists unread messages newest first", async () => {
    const [alice, bob, carol, dave] = await Promise.all([
      createUser("alice"),
      createUser("bob"),
      createUser("carol"),
      createUser("dave"),
    ]);
    const [t1, t2, t3, t4] = await Promise.all([
      createThread(alice, bob),
      createThread(bob, carol),
      createThread(alice, bob, carol),
      createThread(dave, bob),
    ]);
    // One at a time, so that the order in which they were sent is known.
    await send(alice, t1, "a1");
    const c1 = await send(carol, t2, "c1");
    await send(bob, t1, "b1"); // marks t1 read for Bob: a1 is read
    const a2 = await send(alice, t1, "a2");
    const c2 = await send(carol, t3, "c2");
    const a3 = await send(alice, t3, "a3");
    const c3 = await send(carol, t2, "c3");
    await send(dave, t4, "d1");
    await markThread(bob, t3, c2.id); // c2 read, a3 not
    await markThread(bob, t4); // t4 has nothing unread
    const a4 = await send(alice, t1, "a4");

    const summary = await unreadSummary(bob);
    expect(summary.total).toBe(5);
    expect([...summary.threads].sort((x, y) => x.threadId.localeCompare(y.threadId))).toEqual(
      [
        { threadId: t1, count: 2, mentions: 0 },
        { threadId: t2, count: 2, mentions: 0 },
        { threadId: t3, count: 1, mentions: 0 },
      ].sort((x, y) => x.threadId.localeCompare(y.threadId)),
    );
    for (const { threadId, count } of summary.threads) {
      expect((await stateOf(bob, threadId)).unreadCount).toBe(count);
    }
    expect((await stateOf(bob, t4)).unreadCount).toBe(0);

    const expected = [a4, c3, a3, a2, c1].map((m) => m.id);
    const all = (await unreadPages(bob)).flat();
    expect(all.map((m) => m.id)).toEqual(expected);
    expect(all.every((m) => m.isRead === false)).toBe(true);
    expect(all.map((m) => m.threadId)).toEqual([t1, t2, t3, t1, t2]);
    expect(all.map((m) => m.text)).toEqual(["a4", "c3", "a3", "a2", "c1"]);

    const pages = await unreadPages(bob, 2);
    expect(pages.map((p) => p.map((m) => m.text))).toEqual([["a4", "c3"], ["a3", "a2"], ["c1"]]);
    expect(pages.flat().map((m) => m.id)).toEqual(expected);

    // Everybody else: sending marked their threads read.
    expect(await unreadSummary(alice)).toEqual({ total: 0, mentions: 0, threads: [] });
    expect(await unreadSummary(carol)).toEqual({ total: 1, mentions: 0, threads: [{ threadId: t3, count: 1, mentions: 0 }] });
    expect(await unreadSummary(dave)).toEqual({ total: 0, mentions: 0, threads: [] });
    expect((await unreadPages(carol)).flat().map((m) => m.id)).toEqual([a3.id]);

    // Reading a thread takes its messages off the list and out of the totals.
    await markThread(bob, t1);
    expect((await unreadPages(bob)).flat().map((m) => m.id)).toEqual([c3.id, a3.id, c1.id]);
    const after = await unreadSummary(bob);
    expect(after.total).toBe(3);
    expect(after.threads.map((t) => t.threadId).sort()).toEqual([t2, t3].sort());
  });

  it("rejects a bad limit or cursor on GET /api/messages/unread with 400", async () => {
    const bob = await createUser("bob");
    for (const q of ["limit=0", "limit=101", "cursor=garbage"]) {
      expectProblem(await api.get(`/api/messages/unread?${q}`, { token: bob.token }), 400);
    }
  });
});

describe("counters under concurrency", () => {
  it("keeps Bob's unread count exact while Alice sends 50 messages and Bob marks read at the same time", async () => {
    const { alice, bob, threadId } = await pair();
    const early = await sendMany(alice, threadId, 10, "early");
    const random = rng(20261121);

    const ops: Promise<ApiResponse>[] = [];
    for (let i = 1; i <= 50; i++) {
      ops.push(api.post(`/api/threads/${threadId}/messages`, { token: alice.token, body: { text: `live${i}` } }));
      if (i % 2 === 0) ops.push(markThread(bob, threadId));
      if (i % 3 === 0) ops.push(markMessage(bob, early[Math.floor(random() * early.length)]!.id));
      if (i % 5 === 0) ops.push(markThread(bob, threadId, early[Math.floor(random() * early.length)]!.id));
    }
    const results = await Promise.all(ops);
    for (const r of results) expect([200, 201]).toContain(r.status);
    expect(results.filter((r) => r.status === 201).length).toBe(50);
    for (const r of results.filter((x) => x.status === 200)) expect(r.body.unreadCount).toBeGreaterThanOrEqual(0);

    const { messages, lastReadSeq } = await expectCounterMatchesMessages(bob, threadId);
    expect(messages.length).toBe(60);
    expect(lastReadSeq).toBeGreaterThanOrEqual(10);
    await expectCounterMatchesMessages(alice, threadId);

    expect((await markThread(bob, threadId)).body).toEqual({ threadId, lastReadSeq: 60, unreadCount: 0, unreadMentionCount: 0 });
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 60, unreadCount: 0 });
  });

  it("keeps the count exact while Alice deletes random messages, sends more, and Bob marks read", async () => {
    const { alice, bob, threadId } = await pair();
    const early = await sendMany(alice, threadId, 40, "early");
    await markThread(bob, threadId, early[14]!.id);
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 15, unreadCount: 25 });

    const random = rng(42);
    const order = shuffled(early, random);
    const doomed = order.slice(0, 20);
    const kept = order.slice(20);

    const ops: Promise<ApiResponse>[] = [];
    for (let i = 0; i < 20; i++) {
      ops.push(api.delete(`/api/messages/${doomed[i]!.id}`, { token: alice.token }));
      ops.push(api.post(`/api/threads/${threadId}/messages`, { token: alice.token, body: { text: `live${i}` } }));
      if (i % 2 === 0) ops.push(markThread(bob, threadId, kept[Math.floor(random() * kept.length)]!.id));
      if (i % 3 === 0) ops.push(markMessage(bob, kept[Math.floor(random() * kept.length)]!.id));
      if (i % 7 === 6) ops.push(markThread(bob, threadId));
    }
    const results = await Promise.all(ops);
    expect(results.filter((r) => r.status === 204).length).toBe(20);
    expect(results.filter((r) => r.status === 201).length).toBe(20);
    for (const r of results) expect([200, 201, 204]).toContain(r.status);

    const { messages, lastReadSeq } = await expectCounterMatchesMessages(bob, threadId);
    expect(messages.length).toBe(40);
    const ids = new Set(messages.map((m) => m.id));
    for (const m of doomed) expect(ids.has(m.id)).toBe(false);
    for (const m of kept) expect(ids.has(m.id)).toBe(true);
    await expectCounterMatchesMessages(alice, threadId);

    // Then deletes on both sides of Bob's watermark with no mark-read to recount: only the deletes move the counter.
    // How far Bob's concurrent mark-reads got depends on the interleaving (one of them is "up to the newest"), so
    // five more messages first make sure there are unread ones to delete.
    for (let i = 0; i < 5; i++) await send(alice, threadId, `unread${i}`);
    const now = await expectCounterMatchesMessages(bob, threadId);
    expect(now.lastReadSeq).toBe(lastReadSeq);
    const readOnes = now.messages.filter((m) => m.seq <= lastReadSeq);
    const unreadOnes = now.messages.filter((m) => m.seq > lastReadSeq);
    expect(readOnes.length).toBeGreaterThan(0);
    const second = [...shuffled(readOnes, random).slice(0, 5), ...shuffled(unreadOnes, random).slice(0, 5)];
    const before = await stateOf(bob, threadId);
    const deletes = await Promise.all([
      ...second.map((m) => api.delete(`/api/messages/${m.id}`, { token: alice.token })),
      ...Array.from({ length: 5 }, (_, i) =>
        api.post(`/api/threads/${threadId}/messages`, { token: alice.token, body: { text: `more${i}` } }),
      ),
    ]);
    expect(deletes.map((r) => r.status).sort()).toEqual([...Array<number>(5).fill(201), ...Array<number>(second.length).fill(204)]);
    const deletedUnread = second.filter((m) => m.seq > lastReadSeq).length;
    expect(deletedUnread).toBe(5);
    expect(await stateOf(bob, threadId)).toEqual({
      lastReadSeq: before.lastReadSeq,
      unreadCount: before.unreadCount - deletedUnread + 5,
    });
    expect((await expectCounterMatchesMessages(bob, threadId)).messages.length).toBe(45 - second.length + 5);
  });

  it("keeps both participants' counts exact when both send, read and delete at once", async () => {
    const { alice, bob, threadId } = await pair();
    const [fromAlice, fromBob] = [await sendMany(alice, threadId, 15, "a"), await sendMany(bob, threadId, 15, "b")];
    const random = rng(7);
    const ops: Promise<ApiResponse>[] = [];
    const aliceDoomed = shuffled(fromAlice, random).slice(0, 6);
    const bobDoomed = shuffled(fromBob, random).slice(0, 6);
    for (let i = 0; i < 12; i++) {
      ops.push(api.post(`/api/threads/${threadId}/messages`, { token: alice.token, body: { text: `la${i}` } }));
      ops.push(api.post(`/api/threads/${threadId}/messages`, { token: bob.token, body: { text: `lb${i}` } }));
      if (i < 6) {
        ops.push(api.delete(`/api/messages/${aliceDoomed[i]!.id}`, { token: alice.token }));
        ops.push(api.delete(`/api/messages/${bobDoomed[i]!.id}`, { token: bob.token }));
      }
      if (i % 3 === 0) ops.push(markThread(alice, threadId), markThread(bob, threadId));
    }
    const results = await Promise.all(ops);
    for (const r of results) expect([200, 201, 204]).toContain(r.status);
    expect(results.filter((r) => r.status === 204).length).toBe(12);

    const forBob = await expectCounterMatchesMessages(bob, threadId);
    const forAlice = await expectCounterMatchesMessages(alice, threadId);
    expect(forBob.messages.length).toBe(30 - 12 + 24);
    expect(forAlice.messages.map((m) => m.id)).toEqual(forBob.messages.map((m) => m.id));
  });
});

/** Backends of this file's database that wait for a lock. */
async function waitingForLocks(): Promise<number> {
  const [row] = await getPrisma().$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
  return row?.n ?? 0;
}

async function until(done: () => Promise<boolean>, what: string): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await done())) throw new Error(`still waiting: ${what}`);
    },
    { timeout: 10_000, interval: 10 },
  );
}

/**
 * Runs `statement` (a call of one of the write functions) in a transaction that stays open, holding its locks, until
 * `commit()`: a write caught halfway, for another request to run into.
 */
async function holdOpen(statement: Prisma.Sql): Promise<{ commit(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let ran!: () => void;
  const hasRun = new Promise<void>((resolve) => (ran = resolve));
  const transaction = getPrisma().$transaction(
    async (tx) => {
      await tx.$queryRaw(statement);
      ran();
      await released;
    },
    { timeout: 60_000 },
  );
  await Promise.race([hasRun, transaction]);
  return {
    async commit() {
      release();
      await transaction;
    },
  };
}

/**
 * `request` (`expectedWaiting` requests) started while `held` is open: checks that it waits for a lock, then commits
 * `held` and returns its answer.
 */
async function waitsFor<T>(held: { commit(): Promise<void> }, request: Promise<T>, expectedWaiting = 1): Promise<T> {
  let answered = false;
  const answer = request.finally(() => (answered = true));
  await until(async () => answered || (await waitingForLocks()) >= expectedWaiting, "the request to wait for a lock");
  expect(answered, "answered without waiting for the write in flight").toBe(false);
  await held.commit();
  return answer;
}

describe("a write that meets another one halfway", () => {
  it("deletes after a mark-read in flight, and lowers the count only for what that mark-read left unread", async () => {
    const { alice, bob, threadId } = await pair();
    const sent = await sendMany(alice, threadId, 5);
    const read = await holdOpen(Prisma.sql`SELECT outcome FROM parley_mark_read(${threadId}, ${bob.id}, ${sent[2]!.id})`);
    // m2 was unread when the deletions started and is read once the mark-read commits; m4 stays unread.
    const deletions = Promise.all([sent[1]!, sent[3]!].map((m) => api.delete(`/api/messages/${m.id}`, { token: alice.token })));
    expect((await waitsFor(read, deletions, 2)).map((r) => r.status)).toEqual([204, 204]);
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 3, unreadCount: 1 });
    await expectCounterMatchesMessages(bob, threadId);
  });

  it("marks read after a deletion in flight, and recounts without the deleted message", async () => {
    const { alice, bob, threadId } = await pair();
    const sent = await sendMany(alice, threadId, 5);
    const deletion = await holdOpen(Prisma.sql`SELECT outcome FROM parley_delete_message(${sent[3]!.id}, ${alice.id})`);
    const read = await waitsFor(deletion, markThread(bob, threadId, sent[1]!.id));
    // Unread after m2: m3 and m5; m4 is gone. A count taken beside the uncommitted deletion would say 3.
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ threadId, lastReadSeq: 2, unreadCount: 2, unreadMentionCount: 0 });
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 2, unreadCount: 2 });
    await expectCounterMatchesMessages(bob, threadId);
  });

  it("records an edit after a mark-read in flight, so each recipient's isRead follows the thread.read before it", async () => {
    const { alice, bob, threadId } = await pair();
    const sent = await sendMany(alice, threadId, 3);
    const read = await holdOpen(Prisma.sql`SELECT outcome FROM parley_mark_read(${threadId}, ${bob.id}, ${sent[1]!.id})`);
    const edit = await waitsFor(read, api.patch(`/api/messages/${sent[1]!.id}`, { token: alice.token, body: { text: "m2, edited" } }));
    expect(edit.status).toBe(200);

    const events = await eventsSince(bob.id, 0n, 2n ** 62n, 1000); // Bob is new: only this thread's events
    const [readEvent, updated] = [events.find((e) => e.type === "thread.read")!, events.find((e) => e.type === "message.updated")!];
    expect(readEvent.id).toBeLessThan(updated.id);
    expect(personalize(updated, bob.id)).toEqual({ message: { ...edit.body, isRead: true }, unreadCount: 1, unreadMentionCount: 0 });
    expect(personalize(updated, alice.id)).toEqual({ message: edit.body, unreadCount: 0, unreadMentionCount: 0 });
  });
});
