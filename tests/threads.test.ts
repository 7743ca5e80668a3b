/**
 * Threads: create-or-get by exact participant set (also under concurrency), the caller's thread list (order, shape,
 * filters, paging), read positions on one thread, and deleting a thread for everyone.
 */
import { v7 as uuidv7 } from "uuid";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@/lib/db";
import { resetConfig } from "@/lib/config";
import { api, type ApiResponse } from "./helpers/api";
import { createThread, createUser, send, type TestUser } from "./helpers/fixtures";

let a: TestUser, b: TestUser, c: TestUser, d: TestUser, e: TestUser;

beforeAll(async () => {
  [a, b, c, d, e] = await Promise.all([
    createUser("a", "Ada Lovelace"),
    createUser("b"),
    createUser("c"),
    createUser("d"),
    createUser("e"),
  ]);
});

const postThread = (caller: TestUser, participantIds: unknown) =>
  api.post("/api/threads", { token: caller.token, body: { participantIds } });

const listThreads = (caller: TestUser, query = "") => api.get(`/api/threads${query}`, { token: caller.token });

/** Ids of the caller's threads in list order (one page of up to 100). */
async function listedIds(caller: TestUser, query = ""): Promise<string[]> {
  const sep = query ? "&" : "?";
  const res = await listThreads(caller, `${query}${sep}limit=100`);
  expect(res.status).toBe(200);
  expect(res.body.nextCursor).toBeNull();
  return res.body.data.map((t: { id: string }) => t.id);
}

function expectProblem(res: ApiResponse, status: number, type: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json\b/);
  expect(res.body).toMatchObject({ type, status, title: expect.any(String), detail: expect.any(String) });
  expect(typeof res.body.requestId).toBe("string");
}

const sorted = (ids: string[]) => [...ids].sort();

/**
 * Resolves once the wall clock has moved past `iso` (millisecond precision, as stored), so that the next write gets
 * a strictly later timestamp than the one `iso` came from. Waits for the condition; no fixed sleep.
 */
async function clockPast(iso: string) {
  const t = Date.parse(iso);
  while (Date.now() <= t) await new Promise((resolve) => setImmediate(resolve));
}

describe("POST /api/threads", () => {
  it("creates a thread with 201, then returns the same thread with 200 when either side asks again", async () => {
    const first = await postThread(a, [b.id]);
    expect(first.status).toBe(201);
    expect(first.headers.get("location")).toBe(`/api/threads/${first.body.id}`);
    expect(sorted(first.body.participants.map((p: { id: string }) => p.id))).toEqual(sorted([a.id, b.id]));
    expect(first.body.lastMessage).toBeNull();
    expect(first.body.unreadCount).toBe(0);

    const again = await postThread(a, [b.id]);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);

    const otherSide = await postThread(b, [a.id]);
    expect(otherSide.status).toBe(200);
    expect(otherSide.body.id).toBe(first.body.id);
  });

  it("returns the existing thread for the same set in any order, asked by any member", async () => {
    const first = await postThread(a, [b.id, c.id]);
    expect(first.status).toBe(201);
    const asks: [TestUser, string[]][] = [
      [a, [c.id, b.id]],
      [b, [a.id, c.id]],
      [b, [c.id, a.id]],
      [c, [b.id, a.id]],
      [c, [a.id, b.id]],
      [a, [c.id, a.id, b.id]],
    ];
    for (const [caller, ids] of asks) {
      const res = await postThread(caller, ids);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(first.body.id);
    }
  });

  it("gives the same thread whether or not the caller lists themself in participantIds", async () => {
    const listed = await postThread(a, [a.id, d.id]);
    expect(listed.status).toBe(201);
    expect(sorted(listed.body.participants.map((p: { id: string }) => p.id))).toEqual(sorted([a.id, d.id]));

    const unlisted = await postThread(a, [d.id]);
    expect(unlisted.status).toBe(200);
    expect(unlisted.body.id).toBe(listed.body.id);

    const otherListed = await postThread(d, [d.id, a.id]);
    expect(otherListed.status).toBe(200);
    expect(otherListed.body.id).toBe(listed.body.id);
    const otherUnlisted = await postThread(d, [a.id]);
    expect(otherUnlisted.status).toBe(200);
    expect(otherUnlisted.body.id).toBe(listed.body.id);
  });

  it("keeps a three-person thread apart from the two-person threads of its members", async () => {
    const trio = await postThread(b, [c.id, d.id]);
    expect(trio.status).toBe(201);
    const pairs = [await postThread(b, [c.id]), await postThread(b, [d.id]), await postThread(c, [d.id])];
    for (const pair of pairs) {
      expect(pair.status).toBe(201);
      expect(pair.body.participants).toHaveLength(2);
    }
    const ids = [trio.body.id, ...pairs.map((p) => p.body.id)];
    expect(new Set(ids).size).toBe(4);

    const trioAgain = await postThread(d, [b.id, c.id]);
    expect(trioAgain.status).toBe(200);
    expect(trioAgain.body.id).toBe(trio.body.id);
    expect(trioAgain.body.participants).toHaveLength(3);
  });

  describe("rejects participant sets that cannot form a thread with 400, creating nothing", () => {
    const cases: { name: string; body: () => unknown }[] = [
      { name: "an empty list", body: () => ({ participantIds: [] }) },
      { name: "only the caller", body: () => ({ participantIds: [a.id] }) },
      { name: "the caller twice", body: () => ({ participantIds: [a.id, a.id] }) },
      { name: "another user twice", body: () => ({ participantIds: [b.id, b.id] }) },
      { name: "a duplicate next to the caller", body: () => ({ participantIds: [b.id, a.id, b.id] }) },
      { name: "no participantIds at all", body: () => ({}) },
    ];
    for (const { name, body } of cases) {
      it(`answers 400 for ${name}`, async () => {
        const before = await getPrisma().thread.count();
        const res = await api.post("/api/threads", { token: a.token, body: body() });
        expectProblem(res, 400, "/problems/validation");
        expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: "#/participantIds" })]));
        expect(await getPrisma().thread.count()).toBe(before);
      });
    }
  });

  describe("with MAX_PARTICIPANTS set", () => {
    const original = process.env.MAX_PARTICIPANTS;
    const setMax = (value: string) => {
      process.env.MAX_PARTICIPANTS = value;
      resetConfig();
    };
    afterEach(() => {
      if (original === undefined) delete process.env.MAX_PARTICIPANTS;
      else process.env.MAX_PARTICIPANTS = original;
      resetConfig();
    });

    it("allows exactly MAX_PARTICIPANTS people, the caller included, and rejects one more with 400", async () => {
      setMax("3");
      const atLimit = await postThread(e, [a.id, b.id]);
      expect(atLimit.status).toBe(201);
      expect(atLimit.body.participants).toHaveLength(3);
      // Listing oneself does not count twice.
      const selfListed = await postThread(e, [e.id, a.id, b.id]);
      expect(selfListed.status).toBe(200);
      expect(selfListed.body.id).toBe(atLimit.body.id);

      const before = await getPrisma().thread.count();
      const over = await postThread(e, [a.id, b.id, c.id]);
      expectProblem(over, 400, "/problems/validation");
      expect(over.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: "#/participantIds" })]));
      expect(await getPrisma().thread.count()).toBe(before);
    });

    it("allows only one-to-one threads when MAX_PARTICIPANTS is 2", async () => {
      setMax("2");
      const pair = await postThread(e, [a.id]);
      expect(pair.status).toBe(201);

      const before = await getPrisma().thread.count();
      const trio = await postThread(e, [c.id, d.id]);
      expectProblem(trio, 400, "/problems/validation");
      expect(trio.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: "#/participantIds" })]));
      expect(await getPrisma().thread.count()).toBe(before);
    });
  });

  it("answers 404 for an unknown user id and creates nothing", async () => {
    const before = await getPrisma().thread.count();
    const alone = await postThread(a, [uuidv7()]);
    expectProblem(alone, 404, "/problems/not-found");
    const mixed = await postThread(a, [b.id, uuidv7()]);
    expectProblem(mixed, 404, "/problems/not-found");
    expect(await getPrisma().thread.count()).toBe(before);
  });

  it("creates exactly one thread when 50 requests for the same pair race", async () => {
    const [p, q] = await Promise.all([createUser("p"), createUser("q")]);
    const requests = Array.from({ length: 50 }, (_, i) => {
      const [asker, other] = i % 2 === 0 ? [p, q] : [q, p];
      const ids = Math.floor(i / 2) % 3 === 0 ? [other.id] : Math.floor(i / 2) % 3 === 1 ? [asker.id, other.id] : [other.id, asker.id];
      return postThread(asker, ids);
    });
    const responses = await Promise.all(requests);

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    const ids = new Set(responses.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    const [threadId] = [...ids];

    const prisma = getPrisma();
    const threadsOfP = await prisma.thread.findMany({
      where: { participants: { some: { userId: p.id } } },
      select: { id: true, participants: { select: { userId: true } } },
    });
    expect(threadsOfP).toHaveLength(1);
    expect(threadsOfP[0]!.id).toBe(threadId);
    expect(sorted(threadsOfP[0]!.participants.map((x) => x.userId))).toEqual(sorted([p.id, q.id]));
  });
});

describe("GET /api/threads", () => {
  it("lists threads by most recent activity, moving a thread to the top when a message arrives", async () => {
    const o = await createUser("o");
    const t1 = await postThread(o, [b.id]);
    await clockPast(t1.body.lastActivityAt);
    const t2 = await postThread(o, [c.id]);
    await clockPast(t2.body.lastActivityAt);
    const t3 = await postThread(o, [d.id]);
    expect([t1.status, t2.status, t3.status]).toEqual([201, 201, 201]);
    expect(await listedIds(o)).toEqual([t3.body.id, t2.body.id, t1.body.id]);

    await clockPast(t3.body.lastActivityAt);
    const m1 = await send(b, t1.body.id, "bumping the oldest thread");
    expect(await listedIds(o)).toEqual([t1.body.id, t3.body.id, t2.body.id]);

    await clockPast(m1.createdAt);
    await send(o, t2.body.id, "and now the middle one");
    expect(await listedIds(o)).toEqual([t2.body.id, t1.body.id, t3.body.id]);

    const list = await listThreads(o);
    const bumped = list.body.data.find((t: { id: string }) => t.id === t1.body.id);
    expect(bumped.lastActivityAt).toBe(m1.createdAt);
  });

  it("describes each thread with its participants, last message preview and the caller's unread count", async () => {
    const threadId = await createThread(a, b);
    await send(b, threadId, "short one");
    const long = "é🙂x".repeat(84); // 252 code points, 336 UTF-16 units
    const last = await send(b, threadId, long);

    const asA = await listThreads(a);
    expect(asA.status).toBe(200);
    const item = asA.body.data.find((t: { id: string }) => t.id === threadId);
    expect(item).toBeDefined();
    const participants = [...item.participants].sort((x: { id: string }, y: { id: string }) => x.id.localeCompare(y.id));
    // Nobody here ever opened an event stream.
    const never = { status: "offline", lastSeenAt: null };
    const expected = [
      { id: a.id, username: a.username, name: "Ada Lovelace", lastReadSeq: 0, role: "member", joinedAt: item.createdAt, presence: never },
      { id: b.id, username: b.username, name: null, lastReadSeq: last.seq, role: "member", joinedAt: item.createdAt, presence: never },
    ].sort((x, y) => x.id.localeCompare(y.id));
    expect(participants).toEqual(expected);
    expect(item.kind).toBe("direct");
    expect(item.title).toBeNull();
    expect(item.lastMessage).toEqual({
      id: last.id,
      kind: "text",
      text: [...long].slice(0, 200).join(""),
      senderId: b.id,
      createdAt: last.createdAt,
    });
    expect(item.unreadCount).toBe(2);

    const asB = await listThreads(b);
    const bItem = asB.body.data.find((t: { id: string }) => t.id === threadId);
    expect(bItem.unreadCount).toBe(0);
    expect(bItem.lastMessage.id).toBe(last.id);

    const exact = "🙂".repeat(200);
    const exactMsg = await send(a, threadId, exact);
    const after = (await listThreads(b)).body.data.find((t: { id: string }) => t.id === threadId);
    expect(after.lastMessage).toEqual({ id: exactMsg.id, kind: "text", text: exact, senderId: a.id, createdAt: exactMsg.createdAt });
    expect(after.unreadCount).toBe(1);
  });

  it("filters by another participant and by unread", async () => {
    const f = await createUser("f");
    const withB = await createThread(f, b);
    const withC = await createThread(f, c);
    const withBoth = await createThread(f, b, c);
    await send(b, withB, "unread for f");
    await send(c, withBoth, "read by f below");
    const read = await api.post(`/api/threads/${withBoth}/read`, { token: f.token, body: {} });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ threadId: withBoth, lastReadSeq: 1, unreadCount: 0, unreadMentionCount: 0 });

    expect(sorted(await listedIds(f))).toEqual(sorted([withB, withC, withBoth]));
    expect(sorted(await listedIds(f, `?participant=${b.id}`))).toEqual(sorted([withB, withBoth]));
    expect(sorted(await listedIds(f, `?participant=${c.id}`))).toEqual(sorted([withC, withBoth]));
    expect(await listedIds(f, "?unread=true")).toEqual([withB]);
    expect(sorted(await listedIds(f, "?unread=false"))).toEqual(sorted([withB, withC, withBoth]));
    expect(await listedIds(f, `?participant=${b.id}&unread=true`)).toEqual([withB]);
    expect(await listedIds(f, `?participant=${c.id}&unread=true`)).toEqual([]);
    expect(await listedIds(f, `?participant=${d.id}`)).toEqual([]);
    expect(await listedIds(f, `?participant=${uuidv7()}`)).toEqual([]);
  });

  it("pages through five threads two at a time, visiting each exactly once", async () => {
    const g = await createUser("g");
    const created = [
      await createThread(g, b),
      await createThread(g, c),
      await createThread(g, d),
      await createThread(g, b, c),
      await createThread(g, b, d),
    ];
    expect(new Set(created).size).toBe(5);
    const all = await listedIds(g);

    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const res: ApiResponse = await listThreads(g, query);
      expect(res.status).toBe(200);
      pages.push(res.body.data.map((t: { id: string }) => t.id));
      cursor = res.body.nextCursor;
      if (pages.length < 3) expect(typeof cursor).toBe("string");
    } while (cursor !== null && pages.length < 10);

    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(cursor).toBeNull();
    expect(pages.flat()).toEqual(all);
    expect(sorted(pages.flat())).toEqual(sorted(created));
  });
});

describe("GET /api/threads?q=", () => {
  it("narrows the list to threads with another participant whose username or name matches", async () => {
    const [me, zed, yolanda, other] = await Promise.all([
      createUser("me"),
      createUser("zed", "Zed Quokka"),
      createUser("yol", "Yolanda Quill"),
      createUser("oth", "Other Person"),
    ]);
    const withZed = await createThread(me, zed);
    const withYolanda = await createThread(me, yolanda);
    const withBoth = await createThread(me, zed, yolanda);
    await createThread(me, other);

    expect(sorted(await listedIds(me, "?q=quokka"))).toEqual(sorted([withZed, withBoth]));
    expect(sorted(await listedIds(me, "?q=QU"))).toEqual(sorted([withZed, withYolanda, withBoth]));
    expect(sorted(await listedIds(me, `?q=${yolanda.username.slice(0, 6)}`))).toEqual(sorted([withYolanda, withBoth]));
    // The caller's own name never matches, and LIKE wildcards are literal.
    expect(await listedIds(me, `?q=${me.username}`)).toEqual([]);
    expect(await listedIds(me, "?q=%25")).toEqual([]);
  });
});

describe("GET /api/threads/{id}", () => {
  it("shows each participant's read position moving forward as they read, never backwards", async () => {
    const threadId = await createThread(a, c);
    const m1 = await send(a, threadId, "one");
    const m2 = await send(a, threadId, "two");
    const m3 = await send(a, threadId, "three");
    const positions = async (viewer: TestUser) => {
      const res = await api.get(`/api/threads/${threadId}`, { token: viewer.token });
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(threadId);
      const byId = Object.fromEntries(res.body.participants.map((p: { id: string; lastReadSeq: number }) => [p.id, p.lastReadSeq]));
      return { a: byId[a.id], c: byId[c.id], unreadCount: res.body.unreadCount };
    };

    expect(await positions(c)).toEqual({ a: m3.seq, c: 0, unreadCount: 3 });

    const readTwo = await api.post(`/api/messages/${m2.id}/read`, { token: c.token });
    expect(readTwo.status).toBe(200);
    expect(readTwo.body).toEqual({ threadId, lastReadSeq: m2.seq, unreadCount: 1, unreadMentionCount: 0 });
    expect(await positions(a)).toEqual({ a: m3.seq, c: m2.seq, unreadCount: 0 });
    expect(await positions(c)).toEqual({ a: m3.seq, c: m2.seq, unreadCount: 1 });

    const readOne = await api.post(`/api/messages/${m1.id}/read`, { token: c.token });
    expect(readOne.status).toBe(200);
    expect(readOne.body).toEqual({ threadId, lastReadSeq: m2.seq, unreadCount: 1, unreadMentionCount: 0 });
    expect(await positions(c)).toEqual({ a: m3.seq, c: m2.seq, unreadCount: 1 });

    const readAll = await api.post(`/api/threads/${threadId}/read`, { token: c.token, body: {} });
    expect(readAll.status).toBe(200);
    expect(readAll.body).toEqual({ threadId, lastReadSeq: m3.seq, unreadCount: 0, unreadMentionCount: 0 });
    expect(await positions(a)).toEqual({ a: m3.seq, c: m3.seq, unreadCount: 0 });

    const m4 = await send(c, threadId, "four");
    expect(await positions(a)).toEqual({ a: m3.seq, c: m4.seq, unreadCount: 1 });
  });
});

describe("DELETE /api/threads/{id}", () => {
  it("deletes the thread and its messages for everyone, and the same people then get a new thread", async () => {
    const doomed = await createThread(d, e);
    const m1 = await send(d, doomed, "first");
    const m2 = await send(d, doomed, "second");
    const kept = await createThread(b, e);
    await send(b, kept, "still here");

    const before = await api.get("/api/unread", { token: e.token });
    expect(before.body.total).toBe(3);
    expect(before.body.threads).toEqual(
      expect.arrayContaining([
        { threadId: doomed, count: 2, mentions: 0 },
        { threadId: kept, count: 1, mentions: 0 },
      ]),
    );

    // Any participant may delete, not only the one who wrote the messages.
    const del = await api.delete(`/api/threads/${doomed}`, { token: e.token });
    expect(del.status).toBe(204);
    expect(del.body).toBeNull();

    expectProblem(await api.get(`/api/threads/${doomed}`, { token: d.token }), 404, "/problems/not-found");
    expectProblem(await api.get(`/api/threads/${doomed}`, { token: e.token }), 404, "/problems/not-found");
    for (const m of [m1, m2]) {
      expectProblem(await api.get(`/api/messages/${m.id}`, { token: d.token }), 404, "/problems/not-found");
      expectProblem(await api.get(`/api/messages/${m.id}`, { token: e.token }), 404, "/problems/not-found");
    }
    expect(await getPrisma().message.count({ where: { threadId: doomed } })).toBe(0);
    expect(await getPrisma().participant.count({ where: { threadId: doomed } })).toBe(0);

    const after = await api.get("/api/unread", { token: e.token });
    expect(after.status).toBe(200);
    expect(after.body).toEqual({ total: 1, mentions: 0, threads: [{ threadId: kept, count: 1, mentions: 0 }] });
    expect(await listedIds(d)).not.toContain(doomed);
    expect(await listedIds(e)).not.toContain(doomed);

    expectProblem(await api.delete(`/api/threads/${doomed}`, { token: d.token }), 404, "/problems/not-found");

    const again = await postThread(d, [e.id]);
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(doomed);
    expect(again.body.lastMessage).toBeNull();
    expect(again.body.unreadCount).toBe(0);
    const messages = await api.get(`/api/threads/${again.body.id}/messages`, { token: e.token });
    expect(messages.status).toBe(200);
    expect(messages.body).toEqual({ data: [], nextCursor: null });
  });
});
