/**
 * `GET /api/threads/{id}/messages?around=<message id>`: the window of a thread's messages around one message (a jump
 * to a search result or a quote), newest first, with `nextCursor` to older messages and `prevCursor` to newer ones.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Message } from "@/lib/schemas/messages";
import { api } from "./helpers/api";
import { createThread, createUser, send, type TestUser } from "./helpers/fixtures";

/** A page, or (on an error) the problem's field errors. */
type MessagePage = { data: Message[]; nextCursor: string | null; prevCursor?: string | null; errors?: { parameter?: string; detail: string }[] };

const list = (user: TestUser, threadId: string, params: Record<string, string | number>) =>
  api.get<MessagePage>(`/api/threads/${threadId}/messages?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}`, {
    token: user.token,
  });

const seqs = (ms: Message[]) => ms.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: Math.abs(to - from) + 1 }, (_, i) => (from <= to ? from + i : from - i));

let ada: TestUser;
let bob: TestUser;
let eve: TestUser;
let threadId: string;
/** Messages 1..30 of the thread, by seq. */
const bySeq: Message[] = [];

beforeAll(async () => {
  [ada, bob, eve] = await Promise.all([createUser("ada"), createUser("bob"), createUser("eve")]);
  threadId = await createThread(ada, bob);
  for (let i = 1; i <= 30; i++) bySeq[i] = await send(i % 3 ? ada : bob, threadId, `m${i}`);
});

describe("around", () => {
  it("gives the message, the ones before it and half a page after it, newest first", async () => {
    const res = await list(bob, threadId, { around: bySeq[15]!.id, limit: 10 });
    expect(res.status).toBe(200);
    expect(seqs(res.body.data)).toEqual(range(20, 11));
    // Each message as the caller sees it (GET /api/messages/{id}).
    for (const m of res.body.data) expect(m).toEqual((await api.get(`/api/messages/${m.id}`, { token: bob.token })).body);
    // Bob's own messages moved his read position to 30: for Ada, Bob's 30 is not read yet.
    const forAda = await list(ada, threadId, { around: bySeq[30]!.id, limit: 1 });
    expect(forAda.body.data).toEqual([{ ...bySeq[30]!, isRead: false }]);
    expect(res.body.nextCursor).not.toBeNull();
    expect(res.body.prevCursor).not.toBeNull();
  });

  it("goes on to older messages with nextCursor and to newer ones with prevCursor, each message once", async () => {
    const res = await list(bob, threadId, { around: bySeq[15]!.id, limit: 10 });
    const older = await list(bob, threadId, { cursor: res.body.nextCursor!, limit: 100 });
    expect(seqs(older.body.data)).toEqual(range(10, 1));
    expect(older.body.nextCursor).toBeNull();
    // prevCursor is a catch-up cursor: the messages after the window, oldest first.
    const newer = await list(bob, threadId, { cursor: res.body.prevCursor!, limit: 4 });
    expect(seqs(newer.body.data)).toEqual(range(21, 24));
    const rest = await list(bob, threadId, { cursor: newer.body.nextCursor!, limit: 100 });
    expect(seqs(rest.body.data)).toEqual(range(25, 30));
    expect(rest.body.nextCursor).toBeNull();
  });

  it("fills the page with older messages near the newest, and says nothing is newer", async () => {
    const res = await list(bob, threadId, { around: bySeq[29]!.id, limit: 10 });
    expect(seqs(res.body.data)).toEqual(range(30, 21));
    expect(res.body.prevCursor).toBeNull();
    const newest = await list(bob, threadId, { around: bySeq[30]!.id, limit: 4 });
    expect(seqs(newest.body.data)).toEqual(range(30, 27));
    expect(newest.body.prevCursor).toBeNull();
  });

  it("fills the page with newer messages near the oldest, and says nothing is older", async () => {
    const res = await list(bob, threadId, { around: bySeq[2]!.id, limit: 10 });
    expect(seqs(res.body.data)).toEqual(range(10, 1));
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.prevCursor).not.toBeNull();
  });

  it("gives the whole thread when it fits, with neither cursor", async () => {
    const res = await list(bob, threadId, { around: bySeq[12]!.id, limit: 100 });
    expect(seqs(res.body.data)).toEqual(range(30, 1));
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.prevCursor).toBeNull();
  });

  it("with limit 1, the message alone; with 2, it and the next", async () => {
    const one = await list(bob, threadId, { around: bySeq[7]!.id, limit: 1 });
    expect(seqs(one.body.data)).toEqual([7]);
    const newer = await list(bob, threadId, { cursor: one.body.prevCursor!, limit: 1 });
    expect(seqs(newer.body.data)).toEqual([8]);
    const two = await list(bob, threadId, { around: bySeq[7]!.id, limit: 2 });
    expect(seqs(two.body.data)).toEqual([8, 7]);
  });

  it("works across gaps left by deleted messages", async () => {
    const [cid, dan] = await Promise.all([createUser("cid"), createUser("dan")]);
    const t = await createThread(cid, dan);
    const ms: Message[] = [];
    for (let i = 1; i <= 9; i++) ms.push(await send(cid, t, `g${i}`));
    for (const i of [3, 6, 7]) expect((await api.delete(`/api/messages/${ms[i - 1]!.id}`, { token: cid.token })).status).toBe(204);
    const res = await list(dan, t, { around: ms[4]!.id, limit: 4 });
    // Half the page after it (9, 8: 6 and 7 are gone), the rest at or before it (5, 4: 3 is gone).
    expect(seqs(res.body.data)).toEqual([9, 8, 5, 4]);
    const older = await list(dan, t, { cursor: res.body.nextCursor!, limit: 10 });
    expect(seqs(older.body.data)).toEqual([2, 1]);
  });

  it("keeps to one sender with sender=", async () => {
    const res = await list(bob, threadId, { around: bySeq[15]!.id, limit: 4, sender: bob.id });
    // Bob sent every third message: 3, 6, …, 30.
    expect(seqs(res.body.data)).toEqual([21, 18, 15, 12]);
  });

  it("is a 404 for a message of another thread, an unknown one, or a thread not the caller's", async () => {
    const other = await createThread(ada, eve);
    const elsewhere = await send(ada, other, "elsewhere");
    const wrong = await list(bob, threadId, { around: elsewhere.id });
    expect(wrong.status).toBe(404);
    expect(wrong.body.errors).toEqual([{ parameter: "around", detail: expect.any(String) }]);
    expect((await list(bob, threadId, { around: "no-such-message" })).status).toBe(404);
    expect((await list(eve, threadId, { around: bySeq[3]!.id })).status).toBe(404);
  });

  it("is a 400 with after or cursor", async () => {
    const page = await list(bob, threadId, { limit: 5 });
    const extras: Record<string, string>[] = [{ after: bySeq[3]!.id }, { cursor: page.body.nextCursor! }];
    for (const extra of extras) {
      const res = await list(bob, threadId, { around: bySeq[10]!.id, ...extra });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ parameter: "around", detail: expect.stringContaining("around") }]);
    }
  });

  it("leaves the other modes' answers without prevCursor", async () => {
    const res = await list(bob, threadId, { limit: 5 });
    expect(res.body).not.toHaveProperty("prevCursor");
  });
});
