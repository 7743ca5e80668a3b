/**
 * Moderation (lib/server/{moderation,blocks}.ts, prisma/sql/functions/parley_remove_message.sql): removing a message,
 * reporting one and working the reports queue, and blocking a person — against this file's own PostgreSQL database,
 * through the route handlers. Who reaches the admin operations at all is tests/admin.test.ts's.
 *
 * Live events are read as in tests/live.test.ts and tests/groups.test.ts: streams subscribed to the hub directly, and
 * "nothing arrived" shown by waiting for a later marker (persisted events are released in id order; ephemeral ones,
 * typing and presence, in the order their notifications committed). Races are provoked with `Promise.all` over several
 * rounds; each round checks what must hold whatever the order. Nothing sleeps or times anything.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { getPrisma } from "@/lib/db";
import type { AdminReport, AuditEntry } from "@/lib/schemas/admin";
import type { Page } from "@/lib/schemas/common";
import type { EventType } from "@/lib/schemas/events";
import type { Message } from "@/lib/schemas/messages";
import type { Thread, UnreadSummary } from "@/lib/schemas/threads";
import { touchPresence } from "@/lib/server/presence";
import { TYPING_TTL_MS } from "@/lib/server/typing";
import { api, type ApiResponse } from "./helpers/api";
import { allMessages, createGroup, createThread, quickAdmin, quickUser, send, type TestUser } from "./helpers/fixtures";
import type { SseEvent } from "./helpers/sse";
import { backendPid, queuedBehind } from "./helpers/locks";
import { openStream, type Stream } from "./helpers/streams";
import { dataSnapshot } from "./helpers/snapshot";

// The hub's heartbeat would touch and sweep presence on its own every third of the timeout: a long one keeps it out of
// the way of the presence tests below (tests/presence.test.ts does the same).
process.env.PRESENCE_TIMEOUT_MS = "3600000";
const { getHub } = await import("@/lib/infra/live-hub");

afterAll(async () => {
  await getHub().shutdown();
});

const MISSING_ID = "0190b8a0-0000-7000-8000-000000000000";

// ---------------------------------------------------------------------------------------------------------------------
// People and requests

/** Alice, Bob and Carol (members), Dave (in none of their conversations) and Root (an admin). */
async function cast() {
  const [alice, bob, carol, dave, root] = await Promise.all([
    quickUser("alice"),
    quickUser("bob"),
    quickUser("carol"),
    quickUser("dave"),
    quickAdmin("root"),
  ]);
  return { alice, bob, carol, dave, root };
}

const remove = (by: TestUser, messageId: string, reason = "Harassment") =>
  api.delete(`/api/admin/messages/${messageId}`, { token: by.token, body: { reason } });
const reportOf = (by: TestUser, messageId: string, body: object = { reason: "harassment" }) =>
  api.post(`/api/messages/${messageId}/reports`, { token: by.token, body });
const resolve = (by: TestUser, reportId: string, action: "remove_message" | "suspend_sender" | "dismiss", reason = "Reviewed") =>
  api.post<AdminReport>(`/api/admin/reports/${reportId}/resolution`, { token: by.token, body: { action, reason } });
const trySend = (from: TestUser, threadId: string, text: string, clientMessageId?: string) =>
  api.post<Message>(`/api/threads/${threadId}/messages`, { token: from.token, body: { text, ...(clientMessageId ? { clientMessageId } : {}) } });
const block = (by: TestUser, whom: TestUser | string) => api.put(`/api/users/me/blocks/${typeof whom === "string" ? whom : whom.id}`, { token: by.token });
const unblock = (by: TestUser, whom: TestUser) => api.delete(`/api/users/me/blocks/${whom.id}`, { token: by.token });
const startDirect = (by: TestUser, other: TestUser) => api.post<Thread>("/api/threads", { token: by.token, body: { participantIds: [other.id] } });

/** A report of `messageId` by `by`, which must be filed (201): its id. */
async function reported(by: TestUser, messageId: string, reason = "harassment"): Promise<string> {
  const res = await reportOf(by, messageId, { reason });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function getReport(by: TestUser, reportId: string): Promise<AdminReport> {
  const res = await api.get<AdminReport>(`/api/admin/reports/${reportId}`, { token: by.token });
  expect(res.status).toBe(200);
  return res.body;
}

async function auditAbout(by: TestUser, targetId: string): Promise<AuditEntry[]> {
  const res = await api.get<Page<AuditEntry>>(`/api/admin/audit-log?targetId=${targetId}&limit=100`, { token: by.token });
  expect(res.status).toBe(200);
  return res.body.data;
}

/** The `detail` of a problem answer, whatever the operation's success type. */
const detailOf = (res: ApiResponse<unknown>) => (res.body as { detail: string }).detail;

function expectProblem(res: ApiResponse<unknown>, status: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
}

async function unreadOf(user: TestUser): Promise<UnreadSummary> {
  const res = await api.get<UnreadSummary>("/api/unread", { token: user.token });
  expect(res.status).toBe(200);
  return {
    total: res.body.total,
    mentions: res.body.mentions,
    threads: [...res.body.threads].sort((a, b) => a.threadId.localeCompare(b.threadId)),
  };
}
const summaryOf = (counts: Record<string, number>): UnreadSummary => ({
  total: Object.values(counts).reduce((a, b) => a + b, 0),
  mentions: 0,
  threads: Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([threadId, count]) => ({ threadId, count, mentions: 0 }))
    .sort((a, b) => a.threadId.localeCompare(b.threadId)),
});

async function threadAs(user: TestUser, threadId: string): Promise<Thread> {
  const res = await api.get<Thread>(`/api/threads/${threadId}`, { token: user.token });
  expect(res.status).toBe(200);
  return res.body;
}

async function messageAs(user: TestUser, messageId: string): Promise<Message> {
  const res = await api.get<Message>(`/api/messages/${messageId}`, { token: user.token });
  expect(res.status).toBe(200);
  return res.body;
}

// ---------------------------------------------------------------------------------------------------------------------
// The database, read directly

/**
 * Each participant's stored unread count next to a recount from the thread's messages (parley_is_read, the one
 * definition of read state): they must agree.
 */
async function expectCountsExact(threadId: string) {
  const rows = await getPrisma().$queryRaw<{ user_id: string; stored: number; recount: number }[]>`
    SELECT p.user_id, p.unread_count AS stored,
           (SELECT count(*)::int FROM messages m
            WHERE m.thread_id = p.thread_id AND NOT parley_is_read(m.kind, m.sender_id, m.seq, p.user_id, p.last_read_seq)) AS recount
    FROM participants p WHERE p.thread_id = ${threadId}`;
  expect(rows.length).toBeGreaterThan(0);
  for (const r of rows) expect(r.stored, `participant ${r.user_id}`).toBe(r.recount);
}

const until = (done: () => Promise<boolean>, what: string) =>
  vi.waitFor(
    async () => {
      if (!(await done())) throw new Error(`still waiting: ${what}`);
    },
    { timeout: 10_000, interval: 5 },
  );

// ---------------------------------------------------------------------------------------------------------------------
// Streams

const open = (user: TestUser): Promise<Stream> => openStream(getHub(), user);
type Payload = {
  message: Message;
  unreadCount: number;
  reportId: string;
  reportIds: string[];
  threadId: string;
  userId: string;
  presence: { status: string; lastSeenAt: string | null };
};
const data = (e: SseEvent) => e.data as Payload;
const first =
  (type: EventType, where: (d: Payload) => boolean = () => true) =>
  (events: SseEvent[]) =>
    events.find((e) => e.event === type && where(data(e)));

/**
 * Sends a marker message to the stream's user from `from` (a new direct conversation) and waits for it: every event
 * recorded before it has then been written to the stream.
 */
async function fence(stream: Stream, from: TestUser): Promise<void> {
  const direct = await createThread(from, stream.user);
  const marker = await send(from, direct, `marker ${Math.random()}`);
  await stream.waitFor(first("message.created", (d) => d.message.id === marker.id), "the marker");
}

// =====================================================================================================================

describe("removing a message", () => {
  it("shows it to everyone in its thread as removed, without its text, live; whoever had not read it loses it from their counts", async () => {
    const { alice, bob, carol, root } = await cast();
    const group = await createGroup(alice, "Removal", bob, carol);
    const kept = await send(alice, group, "a fine message");
    const offending = await send(alice, group, "the offending message");
    const elsewhere = await createThread(alice, bob);
    await send(alice, elsewhere, "unrelated");
    expect((await api.post(`/api/threads/${group}/read`, { token: carol.token })).status).toBe(200);
    expect(await unreadOf(bob)).toEqual(summaryOf({ [group]: 2, [elsewhere]: 1 }));
    expect(await unreadOf(carol)).toEqual(summaryOf({}));

    const [as, bs, cs] = await Promise.all([open(alice), open(bob), open(carol)]);
    const res = await remove(root, offending.id, "Harassment");
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();

    // The event, with each recipient's own count: Bob had not read it, Carol had, Alice sent it.
    for (const [stream, unreadCount] of [
      [bs, 1],
      [cs, 0],
      [as, 0],
    ] as const) {
      const event = await stream.waitFor(first("message.removed", (d) => d.message.id === offending.id), "message.removed");
      expect(event.data).toEqual({
        message: { ...offending, kind: "removed", text: "", isRead: true },
        unreadCount,
        unreadMentionCount: 0,
      });
      expect(event.id).toMatch(/^\d+$/);
    }
    for (const s of [as, bs, cs]) s.close();

    // Counts: Bob's group count and total lose it; Carol's, who had read it, do not change.
    expect(await unreadOf(bob)).toEqual(summaryOf({ [group]: 1, [elsewhere]: 1 }));
    expect(await unreadOf(carol)).toEqual(summaryOf({}));
    expect((await threadAs(bob, group)).unreadCount).toBe(1);
    await expectCountsExact(group);

    for (const viewer of [alice, bob, carol]) {
      const seen = await messageAs(viewer, offending.id);
      expect(seen).toMatchObject({ id: offending.id, kind: "removed", text: "", isRead: true, editedAt: null, system: null });
      const thread = await threadAs(viewer, group);
      expect(thread.lastMessage).toMatchObject({ id: offending.id, kind: "removed", text: "" });
      const list = await allMessages(viewer, group);
      expect(list.find((m) => m.id === offending.id)).toEqual(seen);
      expect(list.find((m) => m.id === kept.id)).toMatchObject({ kind: "text", text: "a fine message" });
      expect(JSON.stringify(list)).not.toContain("offending");
    }
    const listed = await api.get<Page<Thread>>("/api/threads", { token: bob.token });
    expect(listed.body.data.find((t) => t.id === group)?.lastMessage).toMatchObject({ kind: "removed", text: "" });
    const unread = await api.get<Page<Message>>("/api/messages/unread?limit=100", { token: bob.token });
    expect(unread.body.data.map((m) => m.id).sort()).toEqual([kept.id, (await allMessages(bob, elsewhere))[0]!.id].sort());

    // Nor does a replay: a client reconnecting with an old Last-Event-ID gets the message's creation without its text.
    const replay = await openStream(getHub(), bob, { since: 0n });
    const created = await replay.waitFor(first("message.created", (d) => d.message.id === offending.id), "the replayed creation");
    expect(data(created).message).toMatchObject({ kind: "removed", text: "" });
    replay.close();
    const [stored] = await getPrisma().$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM events WHERE payload::text LIKE '%the offending message%'`;
    expect(stored!.n).toBe(0);

    // The admin area keeps its text (an audited reading), and the audit log the removal with its reason.
    const admin = await api.get(`/api/admin/threads/${group}/messages?reason=${encodeURIComponent("Checking the removal")}`, { token: root.token });
    expect(admin.body.data[0]).toMatchObject({ id: offending.id, kind: "removed", text: "the offending message", removedAt: expect.any(String) });
    const entries = await auditAbout(root, offending.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: "message.removed", actor: { id: root.id }, targetType: "message", reason: "Harassment" });
  });

  it("leaves the sender unable to edit or delete it (403); removing twice or a system entry is 409; unknown 404; a reason is required", async () => {
    const { alice, bob, root } = await cast();
    const group = await createGroup(alice, "Rules", bob);
    const m = await send(alice, group, "soon removed");
    expect((await remove(root, m.id)).status).toBe(204);

    const before = await dataSnapshot();
    expectProblem(await api.patch(`/api/messages/${m.id}`, { token: alice.token, body: { text: "sneaky edit" } }), 403);
    expectProblem(await api.delete(`/api/messages/${m.id}`, { token: alice.token }), 403);
    expectProblem(await api.delete(`/api/messages/${m.id}`, { token: bob.token }), 403);
    const twice = await remove(root, m.id);
    expectProblem(twice, 409);
    const entry = (await allMessages(alice, group)).find((x) => x.kind === "system")!;
    expectProblem(await remove(root, entry.id), 409);
    expectProblem(await remove(root, MISSING_ID), 404);
    const fresh = await send(bob, group, "not removed");
    const after = await dataSnapshot();
    expectProblem(await api.delete(`/api/admin/messages/${fresh.id}`, { token: root.token }), 400);
    expectProblem(await api.delete(`/api/admin/messages/${fresh.id}`, { token: root.token, body: { reason: "  " } }), 400);
    expectProblem(await api.delete(`/api/admin/messages/${fresh.id}`, { token: root.token, body: { reason: "x".repeat(501) } }), 400);
    expect(await dataSnapshot()).toBe(after);
    expect(before).not.toBe(after); // the fresh message
    expect((await messageAs(alice, fresh.id)).kind).toBe("text");
    // Reporting a removed message: already dealt with.
    expectProblem(await reportOf(bob, m.id), 409);
  });

  it("races the sender's deletion: exactly one of the two wins, the counts stay exact (several rounds)", async () => {
    const { alice, bob, carol, root } = await cast();
    const group = await createGroup(alice, "Race", bob, carol);
    const keeper = await send(alice, group, "stays unread for Bob");
    let removals = 0;
    for (let round = 0; round < 8; round++) {
      const m = await send(alice, group, `round ${round}`);
      if (round % 2) await api.post(`/api/threads/${group}/read`, { token: carol.token });
      const [deleted, removed] = await Promise.all([api.delete(`/api/messages/${m.id}`, { token: alice.token }), remove(root, m.id)]);
      const outcome = `${deleted.status} ${removed.status}`;
      // The sender first: the moderator finds nothing. The moderator first: the sender may not delete it any more.
      expect(["204 404", "403 204"], `round ${round}: ${JSON.stringify([deleted.body, removed.body])}`).toContain(outcome);
      if (outcome === "403 204") removals++;
      await expectCountsExact(group);
    }
    const kinds = (await allMessages(bob, group)).filter((m) => m.kind !== "system");
    expect(kinds.filter((m) => m.kind === "removed")).toHaveLength(removals);
    expect(kinds.filter((m) => m.kind === "text").map((m) => m.id)).toEqual([keeper.id]);
    expect((await threadAs(bob, group)).unreadCount).toBe(1);
    expect(await unreadOf(bob)).toEqual(summaryOf({ [group]: 1 }));
  });
});

// =====================================================================================================================

describe("reports", () => {
  it("files a report (201) that reaches the admins' streams at once, not the reporter's nor the sender's", async () => {
    const { alice, bob, root } = await cast();
    const other = await quickAdmin("other");
    const thread = await createThread(alice, bob);
    const m = await send(alice, thread, "you will regret this");
    const [rs, os, as, bs] = await Promise.all([open(root), open(other), open(alice), open(bob)]);

    const res = await reportOf(bob, m.id, { reason: "harassment", details: "  Threatening me  " });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), messageId: m.id, reason: "harassment", details: "Threatening me", createdAt: expect.any(String) });
    for (const s of [rs, os]) {
      const event = await s.waitFor(first("report.created", (d) => d.reportId === res.body.id), "report.created");
      expect(event.data).toEqual({ reportId: res.body.id });
    }
    await fence(as, bob);
    await fence(bs, alice);
    expect(as.events.filter((e) => e.event.startsWith("report."))).toEqual([]);
    expect(bs.events.filter((e) => e.event.startsWith("report."))).toEqual([]);
    for (const s of [rs, os, as, bs]) s.close();

    const report = await getReport(root, res.body.id);
    expect(report).toMatchObject({
      id: res.body.id,
      reason: "harassment",
      details: "Threatening me",
      reporter: { id: bob.id, username: bob.username },
      sender: { id: alice.id, role: "member", suspendedAt: null },
      threadId: thread,
      message: { id: m.id, text: "you will regret this", state: "visible" },
      resolution: null,
      resolvedAt: null,
      resolvedBy: null,
    });
    // The message in context, oldest first (the fences above wrote two markers after it into the same conversation).
    expect(report.context.map((c) => c.id)).toEqual([m.id, ...(await allMessages(alice, thread)).slice(0, 2).map((x) => x.id).reverse()]);
    expect(report.context[0]).toMatchObject({ kind: "text", text: "you will regret this", sender: { id: alice.id }, removedAt: null });
    // An empty `details` is none.
    const again = await reportOf(alice, (await send(bob, thread, "and you")).id, { reason: "other", details: "" });
    expect(again.body.details).toBeNull();
  });

  it("refuses one's own message (403), a system entry (403), a message one cannot see (404), bad input (400), changing nothing", async () => {
    const { alice, bob, carol, dave } = await cast();
    const group = await createGroup(alice, "Reports", bob, carol);
    const m = await send(alice, group, "hello all");
    const entry = (await allMessages(bob, group)).find((x) => x.kind === "system")!;
    const before = await dataSnapshot();
    expectProblem(await reportOf(alice, m.id), 403);
    expectProblem(await reportOf(bob, entry.id), 403);
    expectProblem(await reportOf(alice, entry.id), 403);
    expectProblem(await reportOf(dave, m.id), 404);
    expectProblem(await reportOf(dave, MISSING_ID), 404);
    expectProblem(await reportOf(bob, m.id, { reason: "rude" }), 400);
    expectProblem(await reportOf(bob, m.id, {}), 400);
    expectProblem(await reportOf(bob, m.id, { reason: "spam", details: "x".repeat(501) }), 400);
    expectProblem(await reportOf(bob, m.id, { reason: "spam", extra: 1 }), 400);
    expect(await dataSnapshot()).toBe(before);
  });

  it("takes one report per person and message: twice is 409; five at once, exactly one is filed", async () => {
    const { alice, bob, carol } = await cast();
    const group = await createGroup(alice, "Once", bob, carol);
    const m = await send(alice, group, "report me once");
    await reported(bob, m.id);
    expectProblem(await reportOf(bob, m.id, { reason: "spam" }), 409);

    for (let round = 0; round < 4; round++) {
      const target = await send(alice, group, `round ${round}`);
      const answers = await Promise.all(Array.from({ length: 5 }, () => reportOf(carol, target.id)));
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses, JSON.stringify(answers.map((r) => r.body))).toEqual([201, 409, 409, 409, 409]);
      const { n } = (await getPrisma().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM reports WHERE message_id = ${target.id}`)[0]!;
      expect(n).toBe(1);
    }
    // Another person may report the same message.
    await reported(carol, m.id);
  });

  it("keeps the reported text when the sender deletes the message (state deleted)", async () => {
    const { alice, bob, root } = await cast();
    const thread = await createThread(alice, bob);
    const m = await send(alice, thread, "the evidence");
    const id = await reported(bob, m.id);
    expect((await api.delete(`/api/messages/${m.id}`, { token: alice.token })).status).toBe(204);
    const report = await getReport(root, id);
    expect(report.message).toEqual({ id: null, text: "the evidence", state: "deleted" });
    expect(report.context).toEqual([]);
    expect(report).toMatchObject({ sender: { id: alice.id }, threadId: thread, resolution: null });
    // Resolving it by removal still resolves it: there is nothing left to remove.
    const resolved = await resolve(root, id, "remove_message");
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ resolution: "message_removed", message: { id: null, state: "deleted", text: "the evidence" } });
  });

  it("queues open reports oldest first and resolved ones newest first, a page at a time", async () => {
    const { alice, bob, carol, root } = await cast();
    const group = await createGroup(alice, "Queue", bob, carol);
    const mine: string[] = [];
    for (let i = 0; i < 5; i++) {
      const m = await send(alice, group, `queued ${i}`);
      mine.push(await reported(i % 2 ? bob : carol, m.id, ["spam", "hate", "violence", "sexual", "other"][i]));
    }
    /** Every report of `status`, page by page with `limit`. */
    const all = async (status: "open" | "resolved", limit: number) => {
      const out: AdminReport[] = [];
      let cursor: string | null = null;
      do {
        const q = new URLSearchParams({ status, limit: String(limit), ...(cursor ? { cursor } : {}) });
        const res: ApiResponse<Page<AdminReport>> = await api.get(`/api/admin/reports?${q}`, { token: root.token });
        expect(res.status).toBe(200);
        out.push(...res.body.data);
        cursor = res.body.nextCursor;
      } while (cursor);
      return out;
    };
    const open1 = await all("open", 100);
    expect(open1.filter((r) => mine.includes(r.id)).map((r) => r.id)).toEqual(mine);
    expect(open1.every((r) => r.resolution === null)).toBe(true);
    const created = open1.map((r) => Date.parse(r.createdAt));
    expect(created).toEqual([...created].sort((a, b) => a - b));
    expect((await all("open", 2)).map((r) => r.id)).toEqual(open1.map((r) => r.id));
    // The default is the open queue.
    const dflt = await api.get<Page<AdminReport>>("/api/admin/reports?limit=100", { token: root.token });
    expect(dflt.body.data.map((r) => r.id)).toEqual(open1.map((r) => r.id));

    for (const i of [2, 0, 4]) expect((await resolve(root, mine[i]!, "dismiss")).status).toBe(200);
    const resolved = await all("resolved", 100);
    const order = resolved.map((r) => [Date.parse(r.resolvedAt!), r.id] as const);
    expect(order).toEqual([...order].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : -1)));
    const times = Object.fromEntries(resolved.map((r) => [r.id, Date.parse(r.resolvedAt!)]));
    expect(times[mine[4]!]).toBeGreaterThanOrEqual(times[mine[0]!]!);
    expect(times[mine[0]!]).toBeGreaterThanOrEqual(times[mine[2]!]!);
    expect((await all("resolved", 1)).map((r) => r.id)).toEqual(resolved.map((r) => r.id));
    expect((await all("open", 100)).filter((r) => mine.includes(r.id)).map((r) => r.id)).toEqual([mine[1], mine[3]]);
    expectProblem(await api.get("/api/admin/reports?status=all", { token: root.token }), 400);
    expectProblem(await api.get("/api/admin/reports?cursor=abc", { token: root.token }), 400);
  });

  it("resolving by removal removes the message and resolves every open report of it; announced to admins; audited", async () => {
    const { alice, bob, carol, dave, root } = await cast();
    const group = await createGroup(alice, "Remove", bob, carol, dave);
    const m = await send(alice, group, "nasty words");
    const other = await send(alice, group, "a different message");
    const [byBob, byCarol, unrelated] = [await reported(bob, m.id), await reported(carol, m.id), await reported(dave, other.id)];
    const rs = await open(root);

    const res = await resolve(root, byBob, "remove_message", "Hate speech");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: byBob,
      resolution: "message_removed",
      resolvedAt: expect.any(String),
      resolvedBy: { id: root.id },
      message: { id: m.id, state: "removed", text: "nasty words" },
    });
    expect(res.body.context.find((c) => c.id === m.id)).toMatchObject({ kind: "removed", text: "nasty words" });
    expect(await getReport(root, byCarol)).toMatchObject({ resolution: "message_removed", resolvedBy: { id: root.id } });
    expect(await getReport(root, unrelated)).toMatchObject({ resolution: null });
    expect(await messageAs(bob, m.id)).toMatchObject({ kind: "removed", text: "" });
    expect(await messageAs(bob, other.id)).toMatchObject({ kind: "text" });

    const event = await rs.waitFor(first("report.resolved", (d) => d.reportIds.includes(byBob)), "report.resolved");
    expect([...data(event).reportIds].sort()).toEqual([byBob, byCarol].sort());
    rs.close();

    expect((await auditAbout(root, byBob)).map((e) => [e.action, e.reason, e.actor?.id])).toEqual([["report.message_removed", "Hate speech", root.id]]);
    const removal = await auditAbout(root, m.id);
    expect(removal).toHaveLength(1);
    expect(removal[0]).toMatchObject({ action: "message.removed", reason: "Hate speech", details: { reportId: byBob } });
    // Resolved already (by the same removal): 409 whatever the action.
    for (const action of ["remove_message", "suspend_sender", "dismiss"] as const) expectProblem(await resolve(root, byCarol, action), 409);
  });

  it("names every report a resolution resolved in its audit entry, by removal as by dismissal", async () => {
    const { alice, bob, carol, root } = await cast();
    const group = await createGroup(alice, "Audit details", bob, carol);
    const entryFor = async (action: "remove_message" | "dismiss") => {
      const m = await send(alice, group, `reported twice (${action})`);
      const [first, second] = [await reported(bob, m.id), await reported(carol, m.id)];
      expect((await resolve(root, first, action)).status).toBe(200);
      expect((await getReport(root, second)).resolution).toBe(action === "dismiss" ? "dismissed" : "message_removed");
      const [entry] = await auditAbout(root, first);
      return { entry: entry!, m, reports: [first, second].sort() };
    };
    const dismissed = await entryFor("dismiss");
    expect({ ...dismissed.entry.details, reports: [...(dismissed.entry.details.reports as string[])].sort() }).toEqual({
      reports: dismissed.reports,
      messageId: dismissed.m.id,
    });
    const removed = await entryFor("remove_message");
    expect({ ...removed.entry.details, reports: [...(removed.entry.details.reports as string[])].sort() }).toEqual({
      reports: removed.reports,
      messageId: removed.m.id,
    });
  });

  it("resolving by suspension suspends the sender (their credentials end), the message stays; audited", async () => {
    const { alice, bob, root } = await cast();
    const thread = await createThread(alice, bob);
    const m = await send(alice, thread, "spam spam spam");
    const id = await reported(bob, m.id, "spam");
    const res = await resolve(root, id, "suspend_sender", "Spam account");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      resolution: "sender_suspended",
      sender: { id: alice.id, suspendedAt: expect.any(String), suspensionReason: "Spam account" },
      message: { state: "visible" },
    });
    expect((await api.get("/api/users/me", { token: alice.token })).status).toBe(401);
    expect(await messageAs(bob, m.id)).toMatchObject({ kind: "text", text: "spam spam spam" });
    const signIn = await api.post("/api/tokens", { body: { username: alice.username, password: alice.password } });
    expectProblem(signIn, 403);
    expect(detailOf(signIn)).toContain("Spam account");
    expect((await auditAbout(root, id)).map((e) => e.action)).toEqual(["report.sender_suspended"]);
    expect(await auditAbout(root, alice.id)).toMatchObject([{ action: "user.suspended", reason: "Spam account", details: { reportId: id } }]);
  });

  it("dismissing changes nothing else; an unknown report 404, bad input 400; resolving twice 409", async () => {
    const { alice, bob, root } = await cast();
    const thread = await createThread(alice, bob);
    const m = await send(alice, thread, "borderline");
    const id = await reported(bob, m.id, "other");
    const before = await dataSnapshot();
    expectProblem(await resolve(root, MISSING_ID, "dismiss"), 404);
    expectProblem(await api.post(`/api/admin/reports/${id}/resolution`, { token: root.token, body: { action: "ban", reason: "x" } }), 400);
    expectProblem(await api.post(`/api/admin/reports/${id}/resolution`, { token: root.token, body: { action: "dismiss" } }), 400);
    expectProblem(await api.post(`/api/admin/reports/${id}/resolution`, { token: root.token, body: { action: "dismiss", reason: "" } }), 400);
    expectProblem(await api.get(`/api/admin/reports/${MISSING_ID}`, { token: root.token }), 404);
    expect(await dataSnapshot()).toBe(before);

    const res = await resolve(root, id, "dismiss", "Not against the rules");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ resolution: "dismissed", resolvedBy: { id: root.id }, sender: { suspendedAt: null }, message: { state: "visible" } });
    expect(await messageAs(bob, m.id)).toMatchObject({ kind: "text", text: "borderline" });
    expect((await api.get("/api/users/me", { token: alice.token })).status).toBe(200);
    expect((await auditAbout(root, id)).map((e) => [e.action, e.reason])).toEqual([["report.dismissed", "Not against the rules"]]);
    expectProblem(await resolve(root, id, "dismiss"), 409);
    expectProblem(await resolve(root, id, "remove_message"), 409);
    expect(await messageAs(bob, m.id)).toMatchObject({ kind: "text" });
  });

  it("a report filed while its message is being removed is refused (409) or resolved with the removal, never left open", async () => {
    // The interleaving, held in place: Bob's report has read the message (still text) and waits to insert its row
    // (behind an uncommitted report row of his for the same message, which the unique index makes it wait for); the
    // removal runs meanwhile. Only once it has answered, or is itself waiting, does the held row roll back and let
    // Bob's report go on.
    const { alice, bob, root } = await cast();
    const thread = await createThread(alice, bob);
    const m = await send(alice, thread, "reported as it is removed");
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const isInserted = new Promise<void>((r) => (inserted = r));
    let holderPid = 0;
    const holder = getPrisma()
      .$transaction(
        async (tx) => {
          await tx.$executeRaw`
            INSERT INTO reports (id, message_id, thread_id, reporter_id, sender_id, reason, message_text)
            VALUES (${crypto.randomUUID()}, ${m.id}, ${thread}, ${bob.id}, ${alice.id}, 'spam', 'held')`;
          holderPid = await backendPid(tx);
          inserted();
          await released;
          throw new Error("roll back");
        },
        { timeout: 60_000 },
      )
      .catch(() => {});
    await isInserted;
    const filed = reportOf(bob, m.id);
    await until(async () => (await queuedBehind(holderPid)) >= 1, "the report to wait for the held row");
    let removalAnswered = false;
    const removed = remove(root, m.id).finally(() => (removalAnswered = true));
    await until(async () => removalAnswered || (await queuedBehind(holderPid)) >= 2, "the removal to answer or wait");
    release();
    await holder;
    const [f, r] = await Promise.all([filed, removed]);
    expect(r.status).toBe(204);
    expect([201, 409]).toContain(f.status);
    if (f.status === 201) {
      expect(await getReport(root, f.body.id), "a report of a removed message left open").toMatchObject({
        message: { state: "removed" },
        resolution: "message_removed",
      });
    }
  });

  it("two admins resolving one report at once: one 200, the other 409, and only the winner's action happens (several rounds)", async () => {
    const { alice, bob, root } = await cast();
    const other = await quickAdmin("other");
    const thread = await createThread(alice, bob);
    for (let round = 0; round < 6; round++) {
      const m = await send(alice, thread, `round ${round}`);
      const id = await reported(bob, m.id);
      const [a, b] = await Promise.all([resolve(root, id, "dismiss"), resolve(other, id, "remove_message")]);
      expect([a.status, b.status].sort(), JSON.stringify([a.body, b.body])).toEqual([200, 409]);
      const report = await getReport(root, id);
      const removedWon = b.status === 200;
      expect(report).toMatchObject({
        resolution: removedWon ? "message_removed" : "dismissed",
        resolvedBy: { id: removedWon ? other.id : root.id },
      });
      expect((await messageAs(bob, m.id)).kind).toBe(removedWon ? "removed" : "text");
      expect((await auditAbout(root, id)).map((e) => e.action)).toEqual([removedWon ? "report.message_removed" : "report.dismissed"]);
      await expectCountsExact(thread);
    }
  });

  it("two reports of one message resolved by two admins, one removing while the thread is busy: no deadlock, none left open", async () => {
    // Here the thread is held while the removal starts, the dismissal comes while the removal waits, and then the
    // thread is let go. Had either locked the reports before the thread (as the removal once did, the report first),
    // the two would wait for each other and PostgreSQL would kill one: a 500. Both take the thread first now, so they
    // queue there: the removal, first in line, resolves both reports, and the dismissal finds them resolved.
    const { alice, bob, carol, root } = await cast();
    const other = await quickAdmin("other");
    const thread = await createThread(alice, bob, carol);
    const m = await send(alice, thread, "twice reported");
    const [first, second] = [await reported(bob, m.id), await reported(carol, m.id)];
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let held!: () => void;
    const isHeld = new Promise<void>((r) => (held = r));
    let holderPid = 0;
    const holder = getPrisma()
      .$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT 1 FROM threads WHERE id = ${thread} FOR UPDATE`;
          holderPid = await backendPid(tx);
          held();
          await released;
        },
        { timeout: 60_000 },
      )
      .catch(() => {});
    await isHeld;
    const removal = resolve(root, first, "remove_message");
    await until(async () => (await queuedBehind(holderPid)) >= 1, "the removal to wait for the thread");
    let dismissalAnswered = false;
    const dismissal = resolve(other, second, "dismiss").finally(() => (dismissalAnswered = true));
    await until(async () => dismissalAnswered || (await queuedBehind(holderPid)) >= 2, "the dismissal to answer or wait");
    release();
    await holder;
    const [r, d] = await Promise.all([removal, dismissal]);
    expect([r.status, d.status], JSON.stringify([r.body, d.body])).toEqual([200, 409]);
    const [a, b] = await Promise.all([getReport(root, first), getReport(root, second)]);
    expect(a.resolution).toBe("message_removed");
    expect(b.resolution).toBe("message_removed");
    await expectCountsExact(thread);
  });
});

// =====================================================================================================================

describe("blocking", () => {
  it("is idempotent (PUT twice: 204, one row; DELETE twice: 204); refuses oneself (400) and an unknown or deleted person (404)", async () => {
    const { alice, bob, carol, root } = await cast();
    expect((await block(alice, bob)).status).toBe(204);
    expect((await block(alice, bob)).status).toBe(204);
    const rows = () => getPrisma().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM blocks WHERE blocker_id = ${alice.id}`;
    expect((await rows())[0]!.n).toBe(1);

    expect((await api.delete(`/api/admin/users/${carol.id}`, { token: root.token, body: { reason: "gone" } })).status).toBe(204);
    const before = await dataSnapshot();
    const self = await block(alice, alice);
    expectProblem(self, 400);
    expectProblem(await block(alice, MISSING_ID), 404);
    expectProblem(await block(alice, carol), 404);
    expectProblem(await block({ ...alice, token: "prly_nope" }, bob), 401);
    expect(await dataSnapshot()).toBe(before);

    expect((await unblock(alice, bob)).status).toBe(204);
    expect((await unblock(alice, bob)).status).toBe(204);
    expect((await rows())[0]!.n).toBe(0);
  });

  it("keeps the blocked person from starting a direct conversation with the blocker (403, without saying why)", async () => {
    const { alice, bob } = await cast();
    expect((await block(alice, bob)).status).toBe(204);
    const before = await dataSnapshot();
    const res = await startDirect(bob, alice);
    expectProblem(res, 403);
    expect(detailOf(res)).not.toMatch(/block/i);
    expect(await dataSnapshot()).toBe(before);
  });

  it("keeps both from writing in their direct conversation: the blocked one is told only that they cannot, the blocker to unblock", async () => {
    const { alice, bob } = await cast();
    const direct = await createThread(alice, bob);
    await send(bob, direct, "before the block");
    expect((await block(alice, bob)).status).toBe(204);
    const before = await dataSnapshot();

    const blocked = await trySend(bob, direct, "hello?");
    expectProblem(blocked, 403);
    expect(detailOf(blocked)).not.toMatch(/block/i);
    const blocker = await trySend(alice, direct, "I blocked you");
    expectProblem(blocker, 403);
    expect(detailOf(blocker)).toMatch(/unblock/i);
    // The conversation exists: asking for it again answers it (200), as before.
    expect((await startDirect(bob, alice)).status).toBe(200);
    expect(await dataSnapshot()).toBe(before);

    // Unblocking lets both write again.
    expect((await unblock(alice, bob)).status).toBe(204);
    expect((await trySend(bob, direct, "thanks")).status).toBe(201);
    expect((await trySend(alice, direct, "sure")).status).toBe(201);
  });

  it("still answers a send retried with a clientMessageId acknowledged before the block as sent, with the same message", async () => {
    const { alice, bob } = await cast();
    const direct = await createThread(alice, bob);
    const first = await trySend(bob, direct, "sent just before", "retry-key-1");
    expect(first.status).toBe(201);
    expect((await block(alice, bob)).status).toBe(204);
    const retried = await trySend(bob, direct, "sent just before", "retry-key-1");
    expect([200, 201]).toContain(retried.status);
    expect(retried.body).toEqual(first.body);
    expectProblem(await trySend(bob, direct, "sent just after", "retry-key-2"), 403);
  });

  it("leaves the groups they share, and direct conversations of more than two, as they were", async () => {
    const { alice, bob, carol } = await cast();
    const group = await createGroup(carol, "Shared", alice, bob);
    const three = await createThread(carol, alice, bob);
    expect((await block(alice, bob)).status).toBe(204);
    for (const thread of [group, three]) {
      expect((await trySend(bob, thread, "still here")).status).toBe(201);
      expect((await trySend(alice, thread, "me too")).status).toBe(201);
    }
    // Someone else may add the blocked person to a group of the blocker's.
    const mine = await createGroup(alice, "Alice's", carol);
    expect((await api.post(`/api/threads/${mine}/participants`, { token: alice.token, body: { userIds: [bob.id] } })).status).toBe(200);
  });

  it("keeps the blocked person from creating a group with the blocker or adding them to one (403, without saying why)", async () => {
    const { alice, bob, carol } = await cast();
    const bobs = await createGroup(bob, "Bob's", carol);
    expect((await block(alice, bob)).status).toBe(204);
    const before = await dataSnapshot();
    const create = await api.post("/api/threads", { token: bob.token, body: { participantIds: [alice.id, carol.id], title: "Sneaky" } });
    expectProblem(create, 403);
    expect(detailOf(create)).not.toMatch(/block/i);
    const three = await api.post("/api/threads", { token: bob.token, body: { participantIds: [alice.id, carol.id] } });
    expectProblem(three, 403);
    const add = await api.post(`/api/threads/${bobs}/participants`, { token: bob.token, body: { userIds: [alice.id] } });
    expectProblem(add, 403);
    expect(detailOf(add)).not.toMatch(/block/i);
    expect(await dataSnapshot()).toBe(before);
  });

  it("keeps the blocked person's typing from the blocker; the others still get it", async () => {
    const { alice, bob, carol } = await cast();
    const group = await createGroup(carol, "Typing", alice, bob);
    expect((await block(alice, bob)).status).toBe(204);
    const [as, cs] = await Promise.all([open(alice), open(carol)]);
    expect((await api.post(`/api/threads/${group}/typing`, { token: bob.token })).status).toBe(204);
    await cs.waitFor(first("typing", (d) => d.userId === bob.id), "Bob's typing");
    // Carol types after Bob: her notification commits after his, so once it reaches Alice, his would have too.
    expect((await api.post(`/api/threads/${group}/typing`, { token: carol.token })).status).toBe(204);
    const marker = await as.waitFor(first("typing", (d) => d.userId === carol.id), "Carol's typing");
    expect(marker.data).toEqual({ threadId: group, userId: carol.id, expiresInMs: TYPING_TTL_MS });
    expect(as.events.filter((e) => e.event === "typing" && data(e).userId === bob.id)).toEqual([]);
    for (const s of [as, cs]) s.close();
  });

  it("keeps the blocker's typing from the blocked person too (neither sees the other's typing)", async () => {
    const { alice, bob, carol } = await cast();
    const group = await createGroup(carol, "Typing back", alice, bob);
    expect((await block(alice, bob)).status).toBe(204);
    const [bs, cs] = await Promise.all([open(bob), open(carol)]);
    expect((await api.post(`/api/threads/${group}/typing`, { token: alice.token })).status).toBe(204);
    await cs.waitFor(first("typing", (d) => d.userId === alice.id), "Alice's typing");
    expect((await api.post(`/api/threads/${group}/typing`, { token: carol.token })).status).toBe(204);
    await bs.waitFor(first("typing", (d) => d.userId === carol.id), "Carol's typing");
    expect(bs.events.filter((e) => e.event === "typing" && data(e).userId === alice.id)).toEqual([]);
    for (const s of [bs, cs]) s.close();
  });

  it("hides each one's presence from the other: profiles, thread participants, and live presence events", async () => {
    const { alice, bob, carol } = await cast();
    const group = await createGroup(carol, "Presence", alice, bob);
    await getPrisma().$executeRaw`
      UPDATE users SET online = true, last_seen_at = now() WHERE id IN (${alice.id}, ${bob.id})`;
    const profile = async (viewer: TestUser, of: TestUser) => (await api.get(`/api/users/${of.id}`, { token: viewer.token })).body;
    const seenIn = async (viewer: TestUser, of: TestUser) => (await threadAs(viewer, group)).participants.find((p) => p.id === of.id)!.presence;
    // Before the block, each sees the other online.
    expect((await profile(alice, bob)).presence).toMatchObject({ status: "online", lastSeenAt: expect.any(String) });
    expect(await seenIn(bob, alice)).toMatchObject({ status: "online" });

    expect((await block(alice, bob)).status).toBe(204);
    const hidden = { status: "offline", lastSeenAt: null };
    expect(await profile(alice, bob)).toMatchObject({ presence: hidden, blocked: true });
    expect(await profile(bob, alice)).toMatchObject({ presence: hidden, blocked: false });
    expect(await seenIn(alice, bob)).toEqual(hidden);
    expect(await seenIn(bob, alice)).toEqual(hidden);
    // Everyone else still sees them, and they see themselves.
    expect((await profile(carol, bob)).presence).toMatchObject({ status: "online", lastSeenAt: expect.any(String) });
    expect(await seenIn(carol, alice)).toMatchObject({ status: "online" });
    expect(await seenIn(alice, alice)).toMatchObject({ status: "online" });

    // Live: Bob comes online (he was offline); Carol is told, Alice is not. A marker person who shares a thread with
    // Alice comes online after him: once Alice has the marker, Bob's announcement would have reached her before.
    await getPrisma().$executeRaw`UPDATE users SET online = false WHERE id = ${bob.id}`;
    const [as, cs] = await Promise.all([open(alice), open(carol)]);
    await touchPresence([bob.id]);
    await cs.waitFor(first("presence", (d) => d.userId === bob.id), "Bob online, to Carol");
    const marker = await quickUser("marker");
    await createThread(marker, alice);
    await touchPresence([marker.id]);
    await as.waitFor(first("presence", (d) => d.userId === marker.id), "the marker");
    expect(as.events.filter((e) => e.event === "presence" && data(e).userId === bob.id)).toEqual([]);
    for (const s of [as, cs]) s.close();
  });

  it("hides the blocked person's presence in the live thread events the blocker receives (a group renamed)", async () => {
    const { alice, bob, carol } = await cast();
    const group = await createGroup(carol, "Renamed", alice, bob);
    expect((await block(alice, bob)).status).toBe(204);
    await getPrisma().$executeRaw`UPDATE users SET online = true, last_seen_at = now() WHERE id = ${bob.id}`;
    const as = await open(alice);
    expect((await api.patch(`/api/threads/${group}`, { token: carol.token, body: { title: "Renamed again" } })).status).toBe(200);
    const event = await as.waitFor(first("thread.updated", (d) => (d as unknown as { thread: Thread }).thread.id === group), "thread.updated");
    const participants = (event.data as { thread: Thread }).thread.participants;
    // What GET /api/threads/{id} shows Alice, the event must not contradict.
    expect((await threadAs(alice, group)).participants.find((p) => p.id === bob.id)!.presence).toEqual({ status: "offline", lastSeenAt: null });
    expect(participants.find((p) => p.id === bob.id)!.presence).toEqual({ status: "offline", lastSeenAt: null });
    as.close();
  });

  it("lists the people one blocked, newest first, a page at a time; says blocked on their profile; unblocking undoes it", async () => {
    const { alice, bob, carol, dave } = await cast();
    for (const u of [bob, carol, dave]) expect((await block(alice, u)).status).toBe(204);
    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const q = new URLSearchParams({ limit: "2", ...(cursor ? { cursor } : {}) });
      const res: ApiResponse = await api.get(`/api/users/me/blocks?${q}`, { token: alice.token });
      expect(res.status).toBe(200);
      pages.push(...res.body.data.map((b: { user: { id: string } }) => b.user.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    const all = await api.get("/api/users/me/blocks", { token: alice.token });
    expect(all.body.data.map((b: { user: { id: string } }) => b.user.id)).toEqual(pages);
    expect(new Set(pages)).toEqual(new Set([bob.id, carol.id, dave.id]));
    const times = all.body.data.map((b: { blockedAt: string }) => Date.parse(b.blockedAt));
    expect(times).toEqual([...times].sort((a: number, b: number) => b - a));
    expect(all.body.data.find((b: { user: { id: string } }) => b.user.id === bob.id)).toEqual({
      user: { id: bob.id, username: bob.username, name: null, createdAt: expect.any(String) },
      blockedAt: expect.any(String),
    });
    expect((await api.get("/api/users/me/blocks", { token: bob.token })).body.data).toEqual([]);
    expect((await api.get(`/api/users/${bob.id}`, { token: alice.token })).body.blocked).toBe(true);

    expect((await unblock(alice, bob)).status).toBe(204);
    expect((await api.get(`/api/users/${bob.id}`, { token: alice.token })).body.blocked).toBe(false);
    const after = await api.get("/api/users/me/blocks", { token: alice.token });
    expect(after.body.data.map((b: { user: { id: string } }) => b.user.id).sort()).toEqual([carol.id, dave.id].sort());
    expect((await startDirect(bob, alice)).status).toBe(201);
  });

  it("races sending: once the PUT has answered, every later send is refused (many rounds)", async () => {
    const { alice, bob } = await cast();
    const direct = await createThread(alice, bob);
    let accepted = 0;
    for (let round = 0; round < 12; round++) {
      expect((await unblock(alice, bob)).status).toBe(204);
      let later: ApiResponse | undefined;
      let blockersLater: ApiResponse | undefined;
      const [put, during] = await Promise.all([
        block(alice, bob).then(async (res) => {
          [later, blockersLater] = await Promise.all([trySend(bob, direct, `after ${round}`), trySend(alice, direct, `mine ${round}`)]);
          return res;
        }),
        trySend(bob, direct, `during ${round}`),
      ]);
      expect(put.status).toBe(204);
      expect(later!.status, `round ${round}`).toBe(403);
      expect(blockersLater!.status, `round ${round}`).toBe(403);
      expect([201, 403], `round ${round}`).toContain(during.status);
      if (during.status === 201) accepted++;
    }
    const { n } = (await getPrisma().$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM messages WHERE thread_id = ${direct} AND sender_id = ${bob.id}`)[0]!;
    expect(n).toBe(accepted);
    await expectCountsExact(direct);
  });
});
