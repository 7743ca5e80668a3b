/**
 * Messages: sending (shape, sequence numbers, idempotency), reading one, listing and paging (newest first, catch-up
 * with `after`, `sender` filter), editing and deleting — including concurrent sends into one thread.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "@/lib/schemas/common";
import type { Message } from "@/lib/schemas/messages";
import type { Thread } from "@/lib/schemas/threads";
import { api, type ApiResponse } from "./helpers/api";
import { createThread, createUser, send, type TestUser } from "./helpers/fixtures";

/** Two fresh users (Alice with a display name, Bob without) and their new thread. */
async function pair() {
  const [alice, bob] = await Promise.all([createUser("alice", "Alice Liddell"), createUser("bob")]);
  const threadId = await createThread(alice, bob);
  return { alice, bob, threadId };
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

function listPage(user: TestUser, threadId: string, params: Record<string, string | number | undefined> = {}) {
  return api.get<Page<Message>>(`/api/threads/${threadId}/messages${query(params)}`, { token: user.token });
}

/** Follows `nextCursor` to the end, checking every page is a 200; returns the pages. */
async function allPages(user: TestUser, threadId: string, params: Record<string, string | number | undefined> = {}) {
  const pages: Message[][] = [];
  let cursor = params.cursor === undefined ? undefined : String(params.cursor);
  for (let i = 0; i < 1000; i++) {
    const res = await listPage(user, threadId, { ...params, cursor });
    expect(res.status).toBe(200);
    pages.push(res.body.data);
    if (res.body.nextCursor === null) return pages;
    cursor = res.body.nextCursor;
  }
  throw new Error("paging did not end");
}

const listAll = async (user: TestUser, threadId: string, params: Record<string, string | number | undefined> = {}) =>
  (await allPages(user, threadId, { limit: 100, ...params })).flat();

function expectProblem(res: ApiResponse, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
  expect(typeof res.body.type).toBe("string");
  expect(typeof res.body.requestId).toBe("string");
}

/** An ISO 8601 UTC timestamp as the API writes them. */
const isIsoTimestamp = (s: unknown) => typeof s === "string" && !Number.isNaN(Date.parse(s)) && new Date(s).toISOString() === s;

const seqs = (ms: Message[]) => ms.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Sends `n` messages one after another (so their order is known), texts `${prefix}${i}`, i from 1. */
async function sendMany(from: TestUser, threadId: string, n: number, prefix = "m") {
  const out: Message[] = [];
  for (let i = 1; i <= n; i++) out.push(await send(from, threadId, `${prefix}${i}`));
  return out;
}

describe("sending a message", () => {
  it("answers 201 with the full message, a Location header and sequence numbers 1, 2, 3", async () => {
    const { alice, bob, threadId } = await pair();
    const bodies: Message[] = [];
    for (const [i, from] of [alice, bob, alice].entries()) {
      const res = await api.post<Message>(`/api/threads/${threadId}/messages`, {
        token: from.token,
        body: { text: `hello ${i + 1}` },
      });
      expect(res.status).toBe(201);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(res.headers.get("location")).toBe(`/api/messages/${res.body.id}`);
      bodies.push(res.body);
    }
    const [first, second, third] = bodies;
    expect(first).toEqual({
      id: expect.any(String),
      threadId,
      seq: 1,
      kind: "text",
      sender: { id: alice.id, username: alice.username, name: "Alice Liddell" },
      text: "hello 1",
      system: null,
      clientMessageId: null,
      createdAt: expect.any(String),
      editedAt: null,
      replyTo: null,
      mentions: [],
      reactions: [],
      isRead: true,
    });
    expect(second).toEqual({
      id: expect.any(String),
      threadId,
      seq: 2,
      kind: "text",
      sender: { id: bob.id, username: bob.username, name: null },
      text: "hello 2",
      system: null,
      clientMessageId: null,
      createdAt: expect.any(String),
      editedAt: null,
      replyTo: null,
      mentions: [],
      reactions: [],
      isRead: true,
    });
    expect(third).toMatchObject({ seq: 3, sender: { id: alice.id }, text: "hello 3", isRead: true });
    for (const m of bodies) expect(isIsoTimestamp(m.createdAt)).toBe(true);
    expect(new Set(bodies.map((m) => m.id)).size).toBe(3);
    expect(Date.parse(first!.createdAt)).toBeLessThanOrEqual(Date.parse(second!.createdAt));
    expect(Date.parse(second!.createdAt)).toBeLessThanOrEqual(Date.parse(third!.createdAt));
  });

  it("answers a send with the message exactly as reading it answers", async () => {
    // Sends and reads take the JSON from the same SQL function (parley_message_json), each passing its own viewer.
    const { alice, bob, threadId } = await pair();
    const keyed = await api.post<Message>(`/api/threads/${threadId}/messages`, {
      token: alice.token,
      body: { text: "ünïcödé \"quoted\" \\ 🎉", clientMessageId: "parity-1" },
    });
    const plain = await api.post<Message>(`/api/threads/${threadId}/messages`, { token: bob.token, body: { text: "plain" } });
    expect([keyed.status, plain.status]).toEqual([201, 201]);
    expect((await api.get<Message>(`/api/messages/${keyed.body.id}`, { token: alice.token })).body).toEqual(keyed.body);
    expect((await api.get<Message>(`/api/messages/${plain.body.id}`, { token: bob.token })).body).toEqual(plain.body);
    const listed = (await listPage(alice, threadId)).body.data;
    expect(listed).toEqual([{ ...plain.body, isRead: false }, keyed.body]);
    expect(keyed.body.sender).toEqual({ id: alice.id, username: alice.username, name: "Alice Liddell" });
    expect(plain.body.sender).toEqual({ id: bob.id, username: bob.username, name: null });
    expect(keyed.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("stores the text trimmed and echoes the clientMessageId", async () => {
    const { alice, threadId } = await pair();
    const res = await api.post<Message>(`/api/threads/${threadId}/messages`, {
      token: alice.token,
      body: { text: "  \n padded text \t ", clientMessageId: "trim-1" },
    });
    expect(res.status).toBe(201);
    expect(res.body.text).toBe("padded text");
    expect(res.body.clientMessageId).toBe("trim-1");
    const got = await api.get<Message>(`/api/messages/${res.body.id}`, { token: alice.token });
    expect(got.body.text).toBe("padded text");
  });

  it("rejects a text that is empty after trimming, and creates nothing", async () => {
    const { alice, threadId } = await pair();
    const res = await api.post(`/api/threads/${threadId}/messages`, { token: alice.token, body: { text: "   \n " } });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: "#/text" })]);
    expect(await listAll(alice, threadId)).toEqual([]);
  });
});

describe("getting one message", () => {
  it("shows the message to both participants, unread for the recipient until read", async () => {
    const { alice, bob, threadId } = await pair();
    const sent = await send(alice, threadId, "are you there?");

    const asAlice = await api.get<Message>(`/api/messages/${sent.id}`, { token: alice.token });
    expect(asAlice.status).toBe(200);
    expect(asAlice.body).toEqual({ ...sent, isRead: true });

    const asBob = await api.get<Message>(`/api/messages/${sent.id}`, { token: bob.token });
    expect(asBob.status).toBe(200);
    expect(asBob.body).toEqual({ ...sent, isRead: false });

    const read = await api.post(`/api/messages/${sent.id}/read`, { token: bob.token });
    expect(read.status).toBe(200);
    const again = await api.get<Message>(`/api/messages/${sent.id}`, { token: bob.token });
    expect(again.body).toEqual({ ...sent, isRead: true });
  });

  it("answers an outsider exactly as it answers an id that does not exist", async () => {
    const [{ alice, threadId }, carol] = await Promise.all([pair(), createUser("carol")]);
    const sent = await send(alice, threadId, "private");
    const outsider = await api.get(`/api/messages/${sent.id}`, { token: carol.token });
    const missing = await api.get(`/api/messages/0190b8a0-0000-7000-8000-000000000000`, { token: carol.token });
    expectProblem(outsider, 404);
    expectProblem(missing, 404);
    expect(outsider.body.detail).toBe(missing.body.detail);
  });
});

describe("listing a thread's messages", () => {
  it("lists newest first, 50 per page by default", async () => {
    const { alice, bob, threadId } = await pair();
    // Sent one by one so that senders alternate in a known order.
    for (let i = 1; i <= 55; i++) await send(i % 2 ? alice : bob, threadId, `n${i}`);

    const first = await listPage(bob, threadId);
    expect(first.status).toBe(200);
    expect(seqs(first.body.data)).toEqual(range(6, 55).reverse());
    expect(first.body.data.map((m) => m.text)).toEqual(range(6, 55).reverse().map((i) => `n${i}`));
    expect(first.body.nextCursor).toEqual(expect.any(String));

    const second = await listPage(bob, threadId, { cursor: first.body.nextCursor! });
    expect(second.status).toBe(200);
    expect(seqs(second.body.data)).toEqual([5, 4, 3, 2, 1]);
    expect(second.body.nextCursor).toBeNull();
  });

  it("visits every message exactly once when paging with limit and cursor", async () => {
    const { alice, bob, threadId } = await pair();
    const sent = await Promise.all(range(1, 23).map((i) => send(i % 3 ? alice : bob, threadId, `p${i}`)));
    const pages = await allPages(alice, threadId, { limit: 5 });
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
    const listed = pages.flat();
    expect(seqs(listed)).toEqual(range(1, 23).reverse());
    expect(listed.map((m) => m.id).sort()).toEqual(sent.map((m) => m.id).sort());
  });

  it("ends with a null nextCursor when the last page is exactly full", async () => {
    const { alice, threadId } = await pair();
    await sendMany(alice, threadId, 4);
    const pages = await allPages(alice, threadId, { limit: 2 });
    expect(pages.map(seqs)).toEqual([
      [4, 3],
      [2, 1],
    ]);
  });

  it("shows the recipient which messages are unread, and the sender their own as read", async () => {
    const { alice, bob, threadId } = await pair();
    const sent = await sendMany(alice, threadId, 3);
    expect((await listAll(alice, threadId)).map((m) => m.isRead)).toEqual([true, true, true]);
    expect((await listAll(bob, threadId)).map((m) => m.isRead)).toEqual([false, false, false]);
    await api.post(`/api/messages/${sent[1]!.id}/read`, { token: bob.token });
    expect((await listAll(bob, threadId)).map((m) => [m.seq, m.isRead])).toEqual([
      [3, false],
      [2, true],
      [1, true],
    ]);
  });

  it("returns the newer messages oldest first with after=<id>, paging with its cursor", async () => {
    const { alice, bob, threadId } = await pair();
    const sent: Message[] = [];
    for (let i = 1; i <= 25; i++) sent.push(await send(i % 2 ? alice : bob, threadId, `a${i}`));
    const anchor = sent[9]!; // seq 10

    const first = await listPage(bob, threadId, { after: anchor.id, limit: 6 });
    expect(first.status).toBe(200);
    expect(seqs(first.body.data)).toEqual(range(11, 16));
    expect(first.body.nextCursor).toEqual(expect.any(String));

    const rest = await allPages(bob, threadId, { after: anchor.id, limit: 6, cursor: first.body.nextCursor! });
    const all = [...first.body.data, ...rest.flat()];
    expect(seqs(all)).toEqual(range(11, 25));
    expect(all.map((m) => m.id)).toEqual(sent.slice(10).map((m) => m.id));

    const fromNewest = await listPage(bob, threadId, { after: sent[24]!.id });
    expect(fromNewest.status).toBe(200);
    // Nothing newer; catch-up pages carry a cursor back (to refetch the window: tests/around.test.ts).
    expect(fromNewest.body).toEqual({ data: [], nextCursor: null, prevCursor: expect.any(String) });
  });

  it("catches up on messages that arrive while paging with after=<id>", async () => {
    const { alice, bob, threadId } = await pair();
    const before = await sendMany(alice, threadId, 5);
    const first = await listPage(bob, threadId, { after: before[0]!.id, limit: 3 });
    expect(seqs(first.body.data)).toEqual([2, 3, 4]);
    await sendMany(bob, threadId, 3, "late");
    const rest = await allPages(bob, threadId, { after: before[0]!.id, limit: 3, cursor: first.body.nextCursor! });
    expect(seqs([...first.body.data, ...rest.flat()])).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });

  it("filters by sender with sender=<userId>", async () => {
    const { alice, bob, threadId } = await pair();
    const sent: Message[] = [];
    for (let i = 1; i <= 9; i++) sent.push(await send(i % 3 === 0 ? bob : alice, threadId, `s${i}`));

    const bobs = await allPages(alice, threadId, { sender: bob.id, limit: 2 });
    expect(bobs.flat().map((m) => m.seq)).toEqual([9, 6, 3]);
    expect(bobs.flat().every((m) => m.sender.id === bob.id)).toBe(true);

    const alices = await listAll(bob, threadId, { sender: alice.id });
    expect(seqs(alices)).toEqual([8, 7, 5, 4, 2, 1]);

    const caughtUp = await listAll(bob, threadId, { sender: alice.id, after: sent[3]!.id });
    expect(seqs(caughtUp)).toEqual([5, 7, 8]);

    const nobody = await listPage(alice, threadId, { sender: "0190b8a0-0000-7000-8000-000000000000" });
    expect(nobody.status).toBe(200);
    expect(nobody.body).toEqual({ data: [], nextCursor: null });
  });

  it("answers 404 when after names a message of another thread, or no message", async () => {
    const [{ alice, bob, threadId }, carol] = await Promise.all([pair(), createUser("carol")]);
    const otherThread = await createThread(alice, carol);
    await send(alice, threadId, "here");
    const elsewhere = await send(alice, otherThread, "there");

    const res = await listPage(alice, threadId, { after: elsewhere.id });
    expectProblem(res, 404);
    const missing = await listPage(bob, threadId, { after: "0190b8a0-0000-7000-8000-000000000000" });
    expectProblem(missing, 404);
  });

  it("rejects a bad limit or cursor with 400", async () => {
    const { alice, threadId } = await pair();
    for (const params of [{ limit: 0 }, { limit: 101 }, { limit: "ten" }, { cursor: "not-a-cursor" }]) {
      const res = await listPage(alice, threadId, params);
      expectProblem(res, 400);
    }
  });

  it("yields each existing message exactly once when new ones arrive between pages", async () => {
    const { alice, bob, threadId } = await pair();
    const existing = await Promise.all(range(1, 30).map((i) => send(i % 2 ? alice : bob, threadId, `old${i}`)));
    const expected = [...existing].sort((a, b) => b.seq - a.seq).map((m) => m.id);

    const seen: string[] = [];
    let cursor: string | undefined;
    let arrivals = 0;
    for (;;) {
      const res = await listPage(bob, threadId, { limit: 4, cursor });
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((m) => m.id));
      if (res.body.nextCursor === null) break;
      cursor = res.body.nextCursor;
      // Two new messages land before the next page is fetched.
      await send(alice, threadId, `new${++arrivals}`);
      await send(bob, threadId, `new${++arrivals}`);
    }
    expect(arrivals).toBeGreaterThan(0);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
    // The new ones are all there for the next reader.
    expect(seqs(await listAll(alice, threadId))).toEqual(range(1, 30 + arrivals).reverse());
  });
});

describe("clientMessageId", () => {
  it("answers a retry with 200 and the original message, creating nothing", async () => {
    const { alice, bob, threadId } = await pair();
    const first = await api.post<Message>(`/api/threads/${threadId}/messages`, {
      token: alice.token,
      body: { text: "only once", clientMessageId: "retry-1" },
    });
    expect(first.status).toBe(201);

    const retry = await api.post<Message>(`/api/threads/${threadId}/messages`, {
      token: alice.token,
      body: { text: "only once", clientMessageId: "retry-1" },
    });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);

    // Even with another text, the retry answers with what was stored the first time.
    const changed = await api.post<Message>(`/api/threads/${threadId}/messages`, {
      token: alice.token,
      body: { text: "something else", clientMessageId: "retry-1" },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual(first.body);

    const listed = await listAll(bob, threadId);
    expect(listed.map((m) => m.id)).toEqual([first.body.id]);
    expect(listed[0]!.text).toBe("only once");
    const thread = await api.get<Thread>(`/api/threads/${threadId}`, { token: bob.token });
    expect(thread.body.unreadCount).toBe(1);

    // The next new message still gets the next sequence number.
    expect((await send(alice, threadId, "after retry")).seq).toBe(2);
  });

  it("lets a different sender use the same clientMessageId", async () => {
    const { alice, bob, threadId } = await pair();
    const a = await send(alice, threadId, "from alice", "shared-key");
    const b = await api.post<Message>(`/api/threads/${threadId}/messages`, {
      token: bob.token,
      body: { text: "from bob", clientMessageId: "shared-key" },
    });
    expect(b.status).toBe(201);
    expect(b.body).toMatchObject({ seq: 2, sender: { id: bob.id }, text: "from bob", clientMessageId: "shared-key" });
    expect(b.body.id).not.toBe(a.id);
    expect(seqs(await listAll(alice, threadId))).toEqual([2, 1]);
  });

  it("answers 409 when the same sender reuses it in another thread, and creates nothing there", async () => {
    const [{ alice, bob, threadId }, carol] = await Promise.all([pair(), createUser("carol")]);
    const otherThread = await createThread(alice, carol);
    await send(alice, threadId, "first", "once-only");

    const res = await api.post(`/api/threads/${otherThread}/messages`, {
      token: alice.token,
      body: { text: "second", clientMessageId: "once-only" },
    });
    expectProblem(res, 409);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: "#/clientMessageId" })]);
    expect(await listAll(carol, otherThread)).toEqual([]);
    expect(seqs(await listAll(bob, threadId))).toEqual([1]);
  });

  it("creates exactly one message from 20 concurrent sends with the same clientMessageId", async () => {
    const { alice, bob, threadId } = await pair();
    const results = await Promise.all(
      range(1, 20).map(() =>
        api.post<Message>(`/api/threads/${threadId}/messages`, {
          token: alice.token,
          body: { text: "racing", clientMessageId: "race-key" },
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort((a, b) => a - b);
    expect(statuses).toEqual([...Array<number>(19).fill(200), 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const listed = await listAll(bob, threadId);
    expect(listed.length).toBe(1);
    expect(listed[0]).toMatchObject({ id: results[0]!.body.id, seq: 1, text: "racing", clientMessageId: "race-key" });
    const thread = await api.get<Thread>(`/api/threads/${threadId}`, { token: bob.token });
    expect(thread.body.unreadCount).toBe(1);
  });
  it("creates one message when the same key races into two threads, answering the rest 200 or 409", async () => {
    const [{ alice, bob, threadId }, carol] = await Promise.all([pair(), createUser("carol")]);
    const otherThread = await createThread(alice, carol);
    const results = await Promise.all(
      [threadId, otherThread, threadId, otherThread].map((t) =>
        api.post<Message>(`/api/threads/${t}/messages`, {
          token: alice.token,
          body: { text: "where does it go?", clientMessageId: "two-threads" },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBe(1);
    for (const s of statuses) expect([200, 201, 409]).toContain(s);
    const winner = results.find((r) => r.status === 201)!.body;
    // The retry into the winner's thread gets the original; the two into the other thread are conflicts.
    expect(statuses.filter((s) => s === 200).length).toBe(1);
    expect(statuses.filter((s) => s === 409).length).toBe(2);
    for (const r of results.filter((x) => x.status === 200)) expect(r.body.id).toBe(winner.id);
    const [inFirst, inSecond] = await Promise.all([listAll(bob, threadId), listAll(carol, otherThread)]);
    expect([...inFirst, ...inSecond].map((m) => m.id)).toEqual([winner.id]);
  });
});

describe("concurrent sends", () => {
  it("gives 200 concurrent sends from both participants the sequence numbers 1..200, none lost", async () => {
    const { alice, bob, threadId } = await pair();
    const results = await Promise.all(
      range(1, 200).map((i) =>
        api.post<Message>(`/api/threads/${threadId}/messages`, {
          token: i % 2 ? alice.token : bob.token,
          body: { text: `c${i}` },
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array<number>(200).fill(201));
    expect(results.map((r) => r.body.seq).sort((a, b) => a - b)).toEqual(range(1, 200));

    const listed = await listAll(alice, threadId);
    expect(listed.length).toBe(200);
    expect(seqs(listed)).toEqual(range(1, 200).reverse());
    expect(new Set(listed.map((m) => m.id)).size).toBe(200);
    expect(listed.map((m) => m.text).sort()).toEqual(range(1, 200).map((i) => `c${i}`).sort());
    // Each listed message is the one its send returned.
    const byId = new Map(results.map((r) => [r.body.id, r.body]));
    for (const m of listed) expect(byId.get(m.id)).toMatchObject({ seq: m.seq, text: m.text, sender: m.sender });

    // And both unread counters agree with the messages: others' messages after each one's watermark.
    for (const user of [alice, bob]) {
      const thread = await api.get<Thread>(`/api/threads/${threadId}`, { token: user.token });
      const watermark = thread.body.participants.find((p) => p.id === user.id)!.lastReadSeq;
      const expected = listed.filter((m) => m.sender.id !== user.id && m.seq > watermark).length;
      expect(thread.body.unreadCount).toBe(expected);
    }
  });
});

describe("editing a message", () => {
  it("changes the text, sets editedAt, and the other participant sees it", async () => {
    const { alice, bob, threadId } = await pair();
    const sent = await send(alice, threadId, "helo");
    const res = await api.patch<Message>(`/api/messages/${sent.id}`, { token: alice.token, body: { text: "hello" } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...sent, text: "hello", editedAt: expect.any(String) });
    expect(isIsoTimestamp(res.body.editedAt)).toBe(true);
    expect(Date.parse(res.body.editedAt!)).toBeGreaterThanOrEqual(Date.parse(sent.createdAt));

    const asBob = await api.get<Message>(`/api/messages/${sent.id}`, { token: bob.token });
    expect(asBob.body).toEqual({ ...res.body, isRead: false });
    const listed = await listAll(bob, threadId);
    expect(listed).toEqual([{ ...res.body, isRead: false }]);
  });

  it("trims the new text, and rejects one that is empty after trimming", async () => {
    const { alice, threadId } = await pair();
    const sent = await send(alice, threadId, "draft");
    const res = await api.patch<Message>(`/api/messages/${sent.id}`, { token: alice.token, body: { text: "  final\n" } });
    expect(res.status).toBe(200);
    expect(res.body.text).toBe("final");

    const empty = await api.patch(`/api/messages/${sent.id}`, { token: alice.token, body: { text: " \t " } });
    expectProblem(empty, 400);
    expect((await api.get<Message>(`/api/messages/${sent.id}`, { token: alice.token })).body.text).toBe("final");
  });

  it("does not change the read state of the thread", async () => {
    const { alice, bob, threadId } = await pair();
    const sent = await sendMany(alice, threadId, 2);
    await api.patch(`/api/messages/${sent[0]!.id}`, { token: alice.token, body: { text: "edited" } });
    const thread = await api.get<Thread>(`/api/threads/${threadId}`, { token: bob.token });
    expect(thread.body.unreadCount).toBe(2);
  });
});

describe("who may change a message", () => {
  it("forbids the other participant to edit or delete it (403) and leaves it unchanged", async () => {
    const { alice, bob, threadId } = await pair();
    const sent = await send(alice, threadId, "mine");
    const edit = await api.patch(`/api/messages/${sent.id}`, { token: bob.token, body: { text: "yours" } });
    expectProblem(edit, 403);
    const del = await api.delete(`/api/messages/${sent.id}`, { token: bob.token });
    expectProblem(del, 403);

    const got = await api.get<Message>(`/api/messages/${sent.id}`, { token: alice.token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(sent);
  });

  it("answers an outsider's edit or delete with 404, like a missing message", async () => {
    const [{ alice, threadId }, carol] = await Promise.all([pair(), createUser("carol")]);
    const sent = await send(alice, threadId, "not yours");
    const missing = "0190b8a0-0000-7000-8000-000000000000";
    const edit = await api.patch(`/api/messages/${sent.id}`, { token: carol.token, body: { text: "x" } });
    const editMissing = await api.patch(`/api/messages/${missing}`, { token: carol.token, body: { text: "x" } });
    expectProblem(edit, 404);
    expectProblem(editMissing, 404);
    expect(edit.body.detail).toBe(editMissing.body.detail);
    const del = await api.delete(`/api/messages/${sent.id}`, { token: carol.token });
    const delMissing = await api.delete(`/api/messages/${missing}`, { token: carol.token });
    expectProblem(del, 404);
    expectProblem(delMissing, 404);
    expect(del.body.detail).toBe(delMissing.body.detail);
    expect((await api.get<Message>(`/api/messages/${sent.id}`, { token: alice.token })).body).toEqual(sent);
  });
});

describe("deleting a message", () => {
  it("answers 204, after which the message is gone for everyone", async () => {
    const { alice, bob, threadId } = await pair();
    const [one, two, three] = await sendMany(alice, threadId, 3);
    const res = await api.delete(`/api/messages/${two!.id}`, { token: alice.token });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();

    expectProblem(await api.get(`/api/messages/${two!.id}`, { token: alice.token }), 404);
    expectProblem(await api.get(`/api/messages/${two!.id}`, { token: bob.token }), 404);
    expectProblem(await api.delete(`/api/messages/${two!.id}`, { token: alice.token }), 404);
    expectProblem(await api.patch(`/api/messages/${two!.id}`, { token: alice.token, body: { text: "x" } }), 404);

    expect((await listAll(bob, threadId)).map((m) => m.id)).toEqual([three!.id, one!.id]);
    // Sequence numbers are never reused.
    expect((await send(bob, threadId, "next")).seq).toBe(4);
  });
});
