/**
 * Mark unread (issue 18): `POST /api/messages/{id}/unread` (lib/server/read-state.ts markUnread,
 * prisma/sql/functions/parley_mark_unread.sql) moves the caller's read watermark back to just before a message — the
 * one way a watermark moves back — and recounts their unread and unread mention counts; `thread.read` tells them (with
 * their counts) and the thread's other participants (without). Then the races: against the caller's own mark-reads,
 * against sends and deletions, each checked against the database's invariant (tests/helpers/conversation.ts).
 */
import { v7 as uuidv7 } from "uuid";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { getPrisma } from "@/lib/db";
import type { Page } from "@/lib/schemas/common";
import type { Message } from "@/lib/schemas/messages";
import type { ReadState } from "@/lib/schemas/threads";
import { Prisma } from "@/lib/server/sql";
import { api, type ApiResponse } from "./helpers/api";
import {
  countsOf,
  del,
  expectCountsInvariant,
  expectProblem,
  markRead,
  markThreadRead,
  markUnread,
  removeMember,
  rng,
  threadAs,
  until,
} from "./helpers/conversation";
import { allMessages, createGroup, createThread, quickUser, send, type TestUser } from "./helpers/fixtures";
import { holdOpen, queuedBehind } from "./helpers/locks";
import { dataSnapshot } from "./helpers/snapshot";
import type { SseEvent } from "./helpers/sse";
import { openStream, type Stream } from "./helpers/streams";

const { getHub } = await import("@/lib/infra/live-hub");

afterAll(async () => {
  await getHub().shutdown();
});

afterEach(async () => {
  await expectCountsInvariant();
});

const MISSING_ID = "0190b8a0-0000-7000-8000-000000000000";

/** Alice, Bob and Carol in a group (Alice its admin, seq 1 its group_created entry); Dave in none of it. */
async function cast() {
  const [alice, bob, carol, dave] = await Promise.all([quickUser("alice"), quickUser("bob"), quickUser("carol"), quickUser("dave")]);
  const group = await createGroup(alice, "Mark unread", bob, carol);
  return { alice, bob, carol, dave, group };
}

const at = (u: TestUser) => `@${u.username}`;
const isReadOf = async (user: TestUser, threadId: string) => Object.fromEntries((await allMessages(user, threadId)).map((m) => [m.id, m.isRead]));
const unreadList = async (user: TestUser) =>
  (await api.get<Page<Message>>("/api/messages/unread?limit=100", { token: user.token })).body.data.map((m) => m.id);

/**
 * What `user`'s counts in `threadId` must be with the watermark at `lastReadSeq`, recounted from the messages in the
 * database: people's messages after it that the user did not send, and of those the ones that mention them.
 */
async function recount(user: TestUser, threadId: string, lastReadSeq: number) {
  const [row] = await getPrisma().$queryRaw<{ unread: number; mentions: number }[]>`
    SELECT count(*)::int AS unread, (count(*) FILTER (WHERE ${user.id} = ANY (mention_ids)))::int AS mentions
    FROM messages WHERE thread_id = ${threadId} AND kind = 'text' AND sender_id <> ${user.id} AND seq > ${lastReadSeq}`;
  return { threadId, lastReadSeq, unreadCount: row!.unread, unreadMentionCount: row!.mentions };
}

const threadReads = (stream: Stream, threadId: string) =>
  stream.events.filter((e) => e.event === "thread.read" && (e.data as { threadId: string }).threadId === threadId);

/** A marker sent to `stream`'s user: once it arrived, every event recorded before it has been written to the stream. */
async function fence(stream: Stream, from: TestUser) {
  const direct = await createThread(from, stream.user);
  const marker = await send(from, direct, `marker ${Math.random()}`);
  await stream.waitFor((events) => events.some((e: SseEvent) => e.event === "message.created" && (e.data as { message: Message }).message.id === marker.id), "the marker");
}

describe("marking unread from a message", () => {
  it("moves the watermark to just before it and recounts unread messages and mentions (200 with the read state)", async () => {
    const { alice, bob, group } = await cast();
    const [m1, m2, m3, m4] = [
      await send(alice, group, "one"),
      await send(alice, group, `two ${at(bob)}`),
      await send(alice, group, "three"),
      await send(alice, group, `four ${at(bob)}`),
    ];
    expect((await markThreadRead(bob, group)).body).toEqual({ threadId: group, lastReadSeq: m4.seq, unreadCount: 0, unreadMentionCount: 0 });

    const res = await markUnread(bob, m2.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.body).toEqual({ threadId: group, lastReadSeq: m2.seq - 1, unreadCount: 3, unreadMentionCount: 2 });
    expect(await countsOf(bob, group)).toEqual({ lastReadSeq: m2.seq - 1, unreadCount: 3, unreadMentionCount: 2 });
    expect(await isReadOf(bob, group)).toMatchObject({ [m1.id]: true, [m2.id]: false, [m3.id]: false, [m4.id]: false });
    expect(await unreadList(bob)).toEqual([m4.id, m3.id, m2.id]);

    // The thread list revalidates to the new counts.
    const listTag = (await api.get("/api/threads", { token: bob.token })).headers.get("etag")!;
    expect((await api.get("/api/threads", { token: bob.token, headers: { "if-none-match": listTag } })).status).toBe(304);

    // Further back: one more.
    expect((await markUnread(bob, m1.id)).body).toEqual({ threadId: group, lastReadSeq: m1.seq - 1, unreadCount: 4, unreadMentionCount: 2 });
    const relisted = await api.get("/api/threads", { token: bob.token, headers: { "if-none-match": listTag } });
    expect(relisted.status).toBe(200);
    expect(relisted.body.data.find((t: { id: string }) => t.id === group)).toMatchObject({ unreadCount: 4, unreadMentionCount: 2 });
    // Nobody else's read state moved.
    expect(await countsOf(alice, group)).toEqual({ lastReadSeq: m4.seq, unreadCount: 0, unreadMentionCount: 0 });
  });

  it("from one's own message: the watermark moves, one's own messages stay read, the others' after it are unread", async () => {
    const { alice, bob, group } = await cast();
    const a1 = await send(alice, group, "alice one");
    const mine = await send(bob, group, "bob's own");
    const a2 = await send(alice, group, `alice two ${at(bob)}`);
    const mine2 = await send(bob, group, "bob's last word");

    expect((await markUnread(bob, mine2.id)).body).toEqual({ threadId: group, lastReadSeq: mine2.seq - 1, unreadCount: 0, unreadMentionCount: 0 });
    expect((await markUnread(bob, mine.id)).body).toEqual({ threadId: group, lastReadSeq: mine.seq - 1, unreadCount: 1, unreadMentionCount: 1 });
    expect(await isReadOf(bob, group)).toMatchObject({ [a1.id]: true, [mine.id]: true, [a2.id]: false, [mine2.id]: true });
  });

  it("changes nothing (200, no event) when the message is already unread, or after the watermark", async () => {
    const { alice, bob, group } = await cast();
    const [m1, m2, m3] = [await send(alice, group, "one"), await send(alice, group, "two"), await send(alice, group, `three ${at(bob)}`)];
    expect((await markRead(bob, m1.id)).status).toBe(200);
    const state = { threadId: group, lastReadSeq: m1.seq, unreadCount: 2, unreadMentionCount: 1 };
    const events = async () =>
      (await getPrisma().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM events WHERE thread_id = ${group} AND type = 'thread.read'`)[0]!.n;
    const before = { events: await events(), data: await dataSnapshot() };

    for (const m of [m2, m3, m2]) {
      const res = await markUnread(bob, m.id);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(state);
    }
    expect(await events()).toBe(before.events);
    expect(await dataSnapshot()).toBe(before.data);
    expect(await countsOf(bob, group)).toEqual({ lastReadSeq: m1.seq, unreadCount: 2, unreadMentionCount: 1 });
  });

  it("counts a group's system entry in the middle as read wherever the watermark is, and marks unread from an entry too", async () => {
    const { alice, bob, group } = await cast();
    const m1 = await send(alice, group, "before the rename");
    expect((await api.patch(`/api/threads/${group}`, { token: alice.token, body: { title: "Renamed" } })).status).toBe(200);
    const m2 = await send(alice, group, "after the rename");
    const entry = (await allMessages(bob, group)).find((m) => m.kind === "system" && m.seq > m1.seq)!;
    expect(entry.seq).toBe(m1.seq + 1);
    expect((await markThreadRead(bob, group)).status).toBe(200);

    expect((await markUnread(bob, entry.id)).body).toEqual({ threadId: group, lastReadSeq: m1.seq, unreadCount: 1, unreadMentionCount: 0 });
    expect(await isReadOf(bob, group)).toMatchObject({ [m1.id]: true, [entry.id]: true, [m2.id]: false });
    expect((await markUnread(bob, m1.id)).body).toEqual({ threadId: group, lastReadSeq: m1.seq - 1, unreadCount: 2, unreadMentionCount: 0 });
    // The first entry of the group (seq 1): the watermark goes to 0.
    const created = (await allMessages(bob, group)).find((m) => m.seq === 1)!;
    expect(created.kind).toBe("system");
    expect((await markUnread(bob, created.id)).body).toEqual({ threadId: group, lastReadSeq: 0, unreadCount: 2, unreadMentionCount: 0 });
    expect(await isReadOf(bob, group)).toMatchObject({ [created.id]: true, [entry.id]: true });
  });

  it("tells the caller with thread.read carrying the lower lastReadSeq and their counts, the others without counts, and nobody else", async () => {
    const { alice, bob, carol, dave, group } = await cast();
    const [m1, m2] = [await send(alice, group, "one"), await send(alice, group, `two ${at(bob)}`)];
    expect((await markThreadRead(bob, group)).status).toBe(200);
    const streams = await Promise.all([alice, bob, carol, dave].map((u) => openStream(getHub(), u)));
    const [as, bs, cs, ds] = streams as [Stream, Stream, Stream, Stream];

    expect((await markUnread(bob, m1.id)).status).toBe(200);
    const lowered = { threadId: group, userId: bob.id, lastReadSeq: m1.seq - 1 };
    const event = await bs.waitFor((events) => threadReads({ ...bs, events }, group)[0], "bob's thread.read");
    expect(event.data).toEqual({ ...lowered, unreadCount: 2, unreadMentionCount: 1 });
    for (const s of [as, cs]) {
      const seen = await s.waitFor((events) => threadReads({ ...s, events }, group)[0], "thread.read");
      expect(seen.data).toEqual(lowered);
      expect(seen.id).toBe(event.id);
    }
    await fence(ds, alice);
    expect(threadReads(ds, group)).toEqual([]);
    // Everyone sees Bob's read position where it now is ("seen" marks).
    for (const viewer of [alice, carol]) {
      expect((await threadAs(viewer, group)).participants.find((p) => p.id === bob.id)!.lastReadSeq).toBe(m1.seq - 1);
    }

    // Reading again moves it forward from there, and tells everyone the same way.
    expect((await markRead(bob, m1.id)).body).toEqual({ threadId: group, lastReadSeq: m1.seq, unreadCount: 1, unreadMentionCount: 1 });
    expect((await markThreadRead(bob, group)).body).toEqual({ threadId: group, lastReadSeq: m2.seq, unreadCount: 0, unreadMentionCount: 0 });
    await bs.waitFor((events) => threadReads({ ...bs, events }, group).length >= 3, "three thread.read events");
    expect(threadReads(bs, group).map((e) => e.data)).toEqual([
      { ...lowered, unreadCount: 2, unreadMentionCount: 1 },
      { threadId: group, userId: bob.id, lastReadSeq: m1.seq, unreadCount: 1, unreadMentionCount: 1 },
      { threadId: group, userId: bob.id, lastReadSeq: m2.seq, unreadCount: 0, unreadMentionCount: 0 },
    ]);
    await fence(as, carol);
    expect(threadReads(as, group).map((e) => (e.data as { lastReadSeq: number }).lastReadSeq)).toEqual([m1.seq - 1, m1.seq, m2.seq]);
    for (const s of streams) s.close();
  });
});

describe("who may mark unread", () => {
  it("answers a stranger, an unknown or deleted message and a removed member 404, an anonymous caller 401, changing nothing", async () => {
    const { alice, bob, carol, dave, group } = await cast();
    const [m1, gone] = [await send(alice, group, "one"), await send(alice, group, "gone")];
    expect((await del(alice, gone.id)).status).toBe(204);
    expect((await markThreadRead(carol, group)).status).toBe(200);
    expect((await removeMember(alice, group, carol)).status).toBe(204);
    const before = await dataSnapshot();

    const stranger = await markUnread(dave, m1.id);
    const unknown = await markUnread(bob, MISSING_ID);
    expectProblem(stranger, 404);
    expectProblem(unknown, 404);
    expect({ ...stranger.body, requestId: null }).toEqual({ ...unknown.body, requestId: null });
    expectProblem(await markUnread(bob, gone.id), 404);
    expectProblem(await markUnread(carol, m1.id), 404);
    expectProblem(await markUnread(bob, "x".repeat(65)), 404);
    expectProblem(await markUnread(null, m1.id), 401);
    expectProblem(await api.post(`/api/messages/${m1.id}/unread`, { token: `prly_${"A".repeat(43)}` }), 401);
    expect(await dataSnapshot()).toBe(before);
  });
});

describe("marking unread at the same time as other writes", () => {
  it("the same person marking read and unread at once, many rounds: each answer and the final counts match their watermark", async () => {
    const { alice, bob, carol, group } = await cast();
    const messages: Message[] = [];
    for (let i = 0; i < 12; i++) messages.push(await send(i % 3 === 2 ? carol : alice, group, i % 4 === 1 ? `m${i} ${at(bob)}` : `m${i}`));
    const newest = messages.at(-1)!.seq;
    const random = rng(1812);
    const pick = () => messages[Math.floor(random() * messages.length)]!;
    let lastEvent = (await getPrisma().$queryRaw<{ id: bigint }[]>`SELECT coalesce(max(id), 0) AS id FROM events`)[0]!.id;

    for (let round = 0; round < 20; round++) {
      const ops: (() => Promise<ApiResponse<ReadState>>)[] = Array.from({ length: 8 }, () => {
        const r = random();
        const m = pick();
        if (r < 0.5) return () => markUnread(bob, m.id);
        if (r < 0.85) return () => markRead(bob, m.id);
        return () => markThreadRead(bob, group);
      });
      const answers = await Promise.all(ops.map((op) => op()));
      for (const a of answers) {
        expect(a.status).toBe(200);
        // Each answer is a state that existed: its counts are what its watermark implies.
        expect(a.body).toEqual(await recount(bob, group, a.body.lastReadSeq));
        expect(a.body.lastReadSeq).toBeLessThanOrEqual(newest);
      }
      const now = await countsOf(bob, group);
      expect({ threadId: group, ...now }).toEqual(await recount(bob, group, now.lastReadSeq));
      await expectCountsInvariant([group]);
      // The last thread.read recorded for Bob names where his watermark ended.
      const events = await getPrisma().$queryRaw<{ id: bigint; payload: { lastReadSeq: number }; personal: Record<string, ReadState> }[]>`
        SELECT id, payload, personal FROM events WHERE thread_id = ${group} AND type = 'thread.read' AND id > ${lastEvent} ORDER BY id`;
      if (events.length) {
        const last = events.at(-1)!;
        expect(last.payload.lastReadSeq).toBe(now.lastReadSeq);
        expect(last.personal[bob.id]).toEqual({ unreadCount: now.unreadCount, unreadMentionCount: now.unreadMentionCount });
        lastEvent = last.id;
      }
    }
  });

  it("waits for a send in flight, and counts the new message (and its mention) once it committed", async () => {
    const { alice, bob, group } = await cast();
    const [m1, m2] = [await send(alice, group, "one"), await send(alice, group, "two")];
    expect((await markThreadRead(bob, group)).status).toBe(200);
    const sending = await holdOpen(
      Prisma.sql`SELECT outcome FROM parley_send_message(${group}, ${alice.id}, ${uuidv7()}, ${`three ${at(bob)}`}, ${null}, ${null})`,
    );
    const unread = markUnread(bob, m2.id);
    await until(async () => (await queuedBehind(sending.pid)) >= 1, "the mark-unread to wait for the send");
    await sending.commit();
    expect((await unread).body).toEqual({ threadId: group, lastReadSeq: m1.seq, unreadCount: 2, unreadMentionCount: 1 });
  });

  it("makes a deletion in flight wait, which then takes the message it marked unread off the counts", async () => {
    const { alice, bob, group } = await cast();
    const [m1, m2, m3] = [await send(alice, group, "one"), await send(alice, group, `two ${at(bob)}`), await send(alice, group, "three")];
    expect((await markThreadRead(bob, group)).status).toBe(200);
    const marking = await holdOpen(Prisma.sql`SELECT outcome FROM parley_mark_unread(${m1.id}, ${bob.id})`);
    const deletion = del(alice, m2.id);
    await until(async () => (await queuedBehind(marking.pid)) >= 1, "the deletion to wait for the mark-unread");
    await marking.commit();
    expect((await deletion).status).toBe(204);
    expect(await countsOf(bob, group)).toEqual({ lastReadSeq: m1.seq - 1, unreadCount: 2, unreadMentionCount: 0 });
    expect(await isReadOf(bob, group)).toMatchObject({ [m1.id]: false, [m3.id]: false });
  });

  it("with sends (with mentions) and deletions at once, many rounds: the counts stay exact", async () => {
    const { alice, bob, carol, group } = await cast();
    let messages: Message[] = [];
    for (let i = 0; i < 8; i++) messages.push(await send(alice, group, `seed ${i} ${i % 2 ? at(bob) : ""}`));
    const random = rng(77);
    for (let round = 0; round < 12; round++) {
      const ours = messages.filter((m) => m.sender.id === alice.id);
      const victim = ours[Math.floor(random() * ours.length)]!;
      const target = messages[Math.floor(random() * messages.length)]!;
      const ops: Promise<ApiResponse>[] = [
        markUnread(bob, target.id),
        markUnread(carol, messages[0]!.id),
        api.post(`/api/threads/${group}/messages`, { token: alice.token, body: { text: `r${round} ${at(bob)} ${at(carol)}` } }),
        api.post(`/api/threads/${group}/messages`, { token: carol.token, body: { text: `r${round} ${at(bob)}` } }),
        del(alice, victim.id),
        random() < 0.5 ? markThreadRead(bob, group) : markRead(bob, target.id),
      ];
      const answers = await Promise.all(ops);
      for (const r of answers) expect([200, 201, 204, 404], JSON.stringify(r.body)).toContain(r.status);
      // A 404 only when the message it named was deleted in the same round.
      const named = [target.id, messages[0]!.id, null, null, victim.id, target.id];
      answers.forEach((r, i) => {
        if (r.status === 404) expect(named[i], `answer ${i}: ${JSON.stringify(r.body)}`).toBe(victim.id);
      });
      await expectCountsInvariant([group]);
      for (const who of [bob, carol]) {
        const now = await countsOf(who, group);
        expect({ threadId: group, ...now }).toEqual(await recount(who, group, now.lastReadSeq));
      }
      messages = (await allMessages(alice, group)).filter((m) => m.kind === "text");
    }
  });
});
