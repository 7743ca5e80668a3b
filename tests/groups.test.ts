/**
 * Groups (lib/server/groups.ts): titled threads whose members change. Creating them, renaming them, adding, removing
 * and leaving, roles, the system entries of their timelines, their live events, the races between membership changes
 * and the writes of the people concerned, and what deleting an account does to them — against this file's own
 * PostgreSQL database, through the route handlers.
 *
 * Races are provoked two ways. `Promise.all` over many rounds lets the requests interleave as they will; where an
 * order matters, a transaction holds the thread's row lock (`SELECT … FOR UPDATE`, the lock every write to a thread
 * takes first) while the requests queue behind it one after another, each seen waiting in `pg_stat_activity` before
 * the next starts. PostgreSQL grants a row lock to its waiters in the order they came (the first waiter holds the
 * tuple lock the others queue on), so releasing the hold runs them in that order. Nothing sleeps: every wait polls a
 * condition with a deadline.
 *
 * Live events are read as in tests/live.test.ts: streams subscribed to the hub directly, and "nothing more arrived"
 * shown by waiting for a later marker event (the hub releases events in id order, so once a stream has the marker,
 * everything recorded before it has been written to it).
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { config } from "@/lib/config";
import { getPrisma } from "@/lib/db";
import { getHub } from "@/lib/infra/live-hub";
import { leaveGroupsOfDeletedAccounts } from "@/lib/server/groups";
import type { Page } from "@/lib/schemas/common";
import { eventPayloads, type EventType } from "@/lib/schemas/events";
import type { Message } from "@/lib/schemas/messages";
import type { Participant, Thread, UnreadSummary } from "@/lib/schemas/threads";
import { api, type ApiResponse } from "./helpers/api";
import { allMessages, createGroup, createThread, createUser, send, uniqueName, type TestUser } from "./helpers/fixtures";
import type { SseEvent } from "./helpers/sse";
import { backendPid, queuedBehind } from "./helpers/locks";
import { openStream, type Stream, summary } from "./helpers/streams";

afterAll(async () => {
  await getHub().shutdown();
});

const MISSING_ID = "0190b8a0-0000-7000-8000-000000000000";

// ---------------------------------------------------------------------------------------------------------------------
// People and requests

/** `n` new users, registered at once. */
const users = (n: number, prefix = "u") => Promise.all(Array.from({ length: n }, (_, i) => createUser(`${prefix}${i}`)));

/** The usual cast: Alice makes the groups, Bob and Carol are in them, Dave is not (yet). */
async function cast() {
  const [alice, bob, carol, dave] = await Promise.all([createUser("alice"), createUser("bob"), createUser("carol"), createUser("dave")]);
  return { alice, bob, carol, dave };
}

const createBody = (others: TestUser[], extra: object = {}) => ({ participantIds: others.map((o) => o.id), ...extra });
const addPeople = (by: TestUser, threadId: string, ...people: (TestUser | string)[]) =>
  api.post<Thread>(`/api/threads/${threadId}/participants`, {
    token: by.token,
    body: { userIds: people.map((p) => (typeof p === "string" ? p : p.id)) },
  });
const removePerson = (by: TestUser, threadId: string, person: TestUser | string) =>
  api.delete(`/api/threads/${threadId}/participants/${typeof person === "string" ? person : person.id}`, { token: by.token });
const setRole = (by: TestUser, threadId: string, person: TestUser, role: "admin" | "member") =>
  api.patch<Participant>(`/api/threads/${threadId}/participants/${person.id}`, { token: by.token, body: { role } });
const updateGroup = (by: TestUser, threadId: string, body: object) =>
  api.patch<Thread>(`/api/threads/${threadId}`, { token: by.token, body });
const trySend = (from: TestUser, threadId: string, text: string) =>
  api.post<Message>(`/api/threads/${threadId}/messages`, { token: from.token, body: { text } });

function expectProblem(res: ApiResponse, status: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
}

/** The per-field `errors` of a problem answer (RFC 9457). */
const errorsOf = (res: ApiResponse<unknown>) => (res.body as { errors?: { pointer?: string; detail: string }[] }).errors;

/** The group as `user` sees it (GET /api/threads/{id}, which must answer 200). */
async function threadAs(user: TestUser, threadId: string): Promise<Thread> {
  const res = await api.get<Thread>(`/api/threads/${threadId}`, { token: user.token });
  expect(res.status, `${user.username} GET thread`).toBe(200);
  return res.body;
}

/** `user`'s read position and unread count in a thread. */
async function stateOf(user: TestUser, threadId: string) {
  const thread = await threadAs(user, threadId);
  return { lastReadSeq: thread.participants.find((p) => p.id === user.id)!.lastReadSeq, unreadCount: thread.unreadCount };
}

/** Every message of a thread as `user` sees it, oldest first. */
const timeline = async (user: TestUser, threadId: string): Promise<Message[]> => (await allMessages(user, threadId)).reverse();

const systemEntries = (messages: Message[]) => messages.filter((m) => m.kind === "system");

async function unreadOf(user: TestUser): Promise<UnreadSummary> {
  const res = await api.get<UnreadSummary>("/api/unread", { token: user.token });
  expect(res.status).toBe(200);
  return res.body;
}

// ---------------------------------------------------------------------------------------------------------------------
// The database, read directly (what the API no longer shows someone who left)

type Row = {
  seq: number;
  kind: "text" | "system";
  sender_id: string;
  action: string | null;
  user_ids: string[] | null;
  role: string | null;
};

/** A thread's messages as stored, in seq order. */
const storedMessages = (threadId: string) =>
  getPrisma().$queryRaw<Row[]>`
    SELECT seq, kind, sender_id, system->>'action' AS action,
           ARRAY(SELECT jsonb_array_elements_text(system->'userIds')) AS user_ids, system->>'role' AS role
    FROM messages WHERE thread_id = ${threadId} ORDER BY seq`;

/** A thread's members as stored: user id → role. */
async function storedMembers(threadId: string): Promise<Map<string, string>> {
  const rows = await getPrisma().$queryRaw<{ user_id: string; role: string }[]>`
    SELECT user_id, role FROM participants WHERE thread_id = ${threadId}`;
  return new Map(rows.map((r) => [r.user_id, r.role]));
}

async function threadExists(threadId: string): Promise<boolean> {
  const rows = await getPrisma().$queryRaw<{ id: string }[]>`SELECT id FROM threads WHERE id = ${threadId}`;
  return rows.length === 1;
}

async function threadCount(): Promise<number> {
  const [row] = await getPrisma().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM threads`;
  return row!.n;
}

/**
 * `userId`'s unread count in a thread computed from its stored timeline alone, not from any watermark or counter:
 * the text messages others sent after the later of when the person last joined (the group's creation or the entry
 * that added them) and their own last message (sending reads the thread for the sender). For people who never marked
 * anything read.
 */
function expectedUnread(rows: Row[], userId: string): number {
  let since = 0;
  for (const r of rows) {
    if (r.kind === "system" && r.action === "participants_added" && r.user_ids?.includes(userId)) since = r.seq;
    if (r.kind === "text" && r.sender_id === userId) since = r.seq;
  }
  return rows.filter((r) => r.kind === "text" && r.sender_id !== userId && r.seq > since).length;
}

/**
 * Holds `user`'s unread count in a thread, the `isRead` flags they see and their /api/unread entry to
 * {@link expectedUnread}: the same text messages, counted three ways.
 */
async function expectCountsFromTimeline(user: TestUser, threadId: string, rows: Row[]) {
  const expected = expectedUnread(rows, user.id);
  expect((await stateOf(user, threadId)).unreadCount, `${user.username}'s unreadCount`).toBe(expected);
  const notRead = (await timeline(user, threadId)).filter((m) => !m.isRead);
  expect(notRead.every((m) => m.kind === "text"), `${user.username}: a system entry unread`).toBe(true);
  expect(notRead, `${user.username}'s unread messages`).toHaveLength(expected);
  const entry = (await unreadOf(user)).threads.find((t) => t.threadId === threadId);
  expect(entry?.count ?? 0, `${user.username}'s /api/unread`).toBe(expected);
}

/** Users created straight in the database (no password, no token): enough to be added to a group. */
async function bareUsers(n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => crypto.randomUUID());
  await getPrisma().$executeRaw`
    INSERT INTO users (id, username, password_hash)
    SELECT id, ${uniqueName("bare")} || '_' || n, '!' FROM unnest(${ids}::text[]) WITH ORDINALITY AS u(id, n)`;
  return ids;
}

// ---------------------------------------------------------------------------------------------------------------------
// Locks

const until = (done: () => Promise<boolean>, what: string) =>
  vi.waitFor(
    async () => {
      if (!(await done())) throw new Error(`still waiting: ${what}`);
    },
    { timeout: 10_000, interval: 5 },
  );

/**
 * Holds the thread's row lock (`FOR UPDATE`) in a transaction until `release()`. While held, every write to the thread
 * waits for it; {@link queueBehind} lines requests up behind it.
 */
async function holdThreadLock(threadId: string) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  let holderPid = 0;
  const holder = getPrisma().$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT id FROM threads WHERE id = ${threadId} FOR UPDATE`;
      holderPid = await backendPid(tx);
      locked();
      await released;
    },
    { timeout: 60_000 },
  );
  await Promise.race([isLocked, holder]);
  let queued = 0;
  return {
    /**
     * Starts `request` and waits until it is blocked on a lock, behind the ones queued before it.
     * @returns the request's answer, to await after `release()` (wrapped: an async function would wait for it).
     */
    async queueBehind<T>(request: () => Promise<T>, what: string): Promise<{ answer: Promise<T> }> {
      const answer = request();
      queued++;
      const expected = queued;
      let settled = false;
      void answer.finally(() => (settled = true)).catch(() => {});
      await until(async () => !settled && (await queuedBehind(holderPid)) >= expected, `${what} to wait for the thread's lock`);
      return { answer };
    },
    async release() {
      release();
      await holder;
    },
  };
}

/** Starts `a` and `b` at once, `b` first when `bFirst`, and answers `[a's, b's]`. */
function together<A, B>(a: () => Promise<A>, b: () => Promise<B>, bFirst: boolean): Promise<[A, B]> {
  if (!bFirst) return Promise.all([a(), b()]);
  const second = b();
  return Promise.all([a(), second]);
}

// ---------------------------------------------------------------------------------------------------------------------
// Streams (as tests/live.test.ts reads them)

/** Subscribes `user` to the hub; resolves once the hub has written `ready`. */
const open = (user: TestUser): Promise<Stream> => openStream(getHub(), user);

const threadIdOf = (e: SseEvent): string | undefined => {
  const data = e.data as { threadId?: string; message?: { threadId: string }; thread?: { id: string } };
  return data.threadId ?? data.message?.threadId ?? data.thread?.id;
};
const inThread = (events: SseEvent[], threadId: string) => events.filter((e) => e.event !== "typing" && threadIdOf(e) === threadId);
type Payload = { message: Message; thread: Thread; threadId: string; reason: string; unreadCount: number };
const data = (e: SseEvent) => e.data as Payload;
/** The first event of `type` whose payload matches `where`, for `waitFor`. */
const first =
  (type: EventType, where: (d: Payload) => boolean = () => true) =>
  (events: SseEvent[]) =>
    events.find((e) => e.event === type && where(data(e)));

/**
 * Sends a marker message to the stream's user in a direct conversation and waits for it on the stream: every event
 * recorded before it has then been written to the stream. (A stream can also get events recorded just before it
 * opened, which the hub had not released yet.)
 * @returns the marker's index in `stream.events`.
 */
async function fence(stream: Stream, from: TestUser): Promise<number> {
  const direct = await createThread(from, stream.user);
  const marker = await send(from, direct, `marker ${uniqueName("m")}`);
  const received = await stream.waitFor(first("message.created", (d) => d.message.id === marker.id), "the marker");
  return stream.events.indexOf(received);
}

// =====================================================================================================================

describe("creating a group", () => {
  it("creates a new group every time (201), distinct from the direct conversation of the same people", async () => {
    const { alice, bob, carol } = await cast();
    const create = (extra: object) => api.post<Thread>("/api/threads", { token: alice.token, body: createBody([bob, carol], extra) });
    const first = await create({ title: "Launch", description: "Ship it" });
    const second = await create({ title: "Launch" });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.headers.get("location")).toBe(`/api/threads/${first.body.id}`);
    expect(second.body.id).not.toBe(first.body.id);

    expect(first.body).toMatchObject({ kind: "group", title: "Launch", description: "Ship it", unreadCount: 0 });
    expect(second.body).toMatchObject({ kind: "group", title: "Launch", description: null });
    const roles = Object.fromEntries(first.body.participants.map((p) => [p.id, p.role]));
    expect(roles).toEqual({ [alice.id]: "admin", [bob.id]: "member", [carol.id]: "member" });

    const direct = await api.post<Thread>("/api/threads", { token: alice.token, body: createBody([bob, carol]) });
    expect(direct.status).toBe(201);
    expect(direct.body).toMatchObject({ kind: "direct", title: null, description: null });
    expect(direct.body.participants.every((p) => p.role === "member")).toBe(true);
    expect([first.body.id, second.body.id]).not.toContain(direct.body.id);
    const again = await api.post<Thread>("/api/threads", { token: bob.token, body: createBody([alice, carol]) });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(direct.body.id);

    const listed = (await api.get<Page<Thread>>("/api/threads", { token: carol.token })).body.data.map((t) => t.id);
    expect(listed.sort()).toEqual([first.body.id, second.body.id, direct.body.id].sort());
  });

  it("starts the timeline with a group_created entry that is read by everyone and counts for no one", async () => {
    const { alice, bob, carol } = await cast();
    const threadId = await createGroup(alice, "Launch", bob, carol);
    for (const user of [alice, bob, carol]) {
      const messages = await timeline(user, threadId);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({
        seq: 1,
        kind: "system",
        sender: { id: alice.id, username: alice.username },
        system: { action: "group_created", users: [], title: "Launch", role: null },
        isRead: true,
        editedAt: null,
      });
      expect(messages[0]!.text).toContain("Launch");
      const thread = await threadAs(user, threadId);
      expect(thread.unreadCount).toBe(0);
      expect(thread.lastMessage).toMatchObject({ id: messages[0]!.id, kind: "system" });
      expect(await unreadOf(user)).toEqual({ total: 0, mentions: 0, threads: [] });
    }
  });

  it("rejects a bad title, a description without a title or an unknown field with 400, creating nothing", async () => {
    const { alice, bob } = await cast();
    const before = await threadCount();
    const bodies = [
      { title: "" },
      { title: "   \t " },
      { title: "x".repeat(101) },
      { title: "🎉".repeat(101) },
      { title: "ok", description: "d".repeat(501) },
      { description: "a description, but no title" },
      { title: "Launch", colour: "red" },
    ];
    for (const extra of bodies) {
      const res = await api.post("/api/threads", { token: alice.token, body: createBody([bob], extra) });
      expectProblem(res, 400);
    }
    expectProblem(await api.post("/api/threads", { token: alice.token, body: createBody([bob, bob], { title: "Twice" }) }), 400);
    expect(await threadCount()).toBe(before);

    // The limit is in code points: a hundred emoji (two UTF-16 units each) fit, and so do a hundred letters.
    for (const title of ["🎉".repeat(100), "x".repeat(100)]) {
      const res = await api.post<Thread>("/api/threads", { token: alice.token, body: createBody([bob], { title }) });
      expect(res.status).toBe(201);
      expect(res.body.title).toBe(title);
    }
    // Trimmed, as every text field.
    const trimmed = await api.post<Thread>("/api/threads", { token: alice.token, body: createBody([bob], { title: "  Padded  " }) });
    expect(trimmed.body.title).toBe("Padded");
  });

  it("answers 404 for an unknown user id, creating nothing", async () => {
    const { alice, bob } = await cast();
    const before = await threadCount();
    const res = await api.post("/api/threads", { token: alice.token, body: { participantIds: [bob.id, MISSING_ID], title: "Ghosts" } });
    expectProblem(res, 404);
    expect(errorsOf(res)).toEqual([expect.objectContaining({ pointer: "#/participantIds" })]);
    expect(await threadCount()).toBe(before);
  });
});

describe("renaming a group and changing its description", () => {
  it("lets an admin rename it: 200, a title_changed entry, and every member sees the new title", async () => {
    const { alice, bob, carol } = await cast();
    const threadId = await createGroup(alice, "Launch", bob, carol);
    const res = await updateGroup(alice, threadId, { title: "Liftoff" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: threadId, kind: "group", title: "Liftoff" });

    const entries = systemEntries(await timeline(bob, threadId));
    expect(entries.map((m) => m.system!.action)).toEqual(["group_created", "title_changed"]);
    expect(entries[1]).toMatchObject({ sender: { id: alice.id }, system: { title: "Liftoff", users: [] }, isRead: true });
    for (const user of [alice, bob, carol]) {
      const thread = await threadAs(user, threadId);
      expect(thread).toMatchObject({ title: "Liftoff", unreadCount: 0 });
    }
    const search = await api.get<Page<Thread>>("/api/threads?q=liftoff", { token: carol.token });
    expect(search.body.data.map((t) => t.id)).toEqual([threadId]);
  });

  it("forbids members (403), hides the group from outsiders (404) and refuses direct conversations (409)", async () => {
    const { alice, bob, dave } = await cast();
    const threadId = await createGroup(alice, "Launch", bob);
    const direct = await createThread(alice, bob);

    expectProblem(await updateGroup(bob, threadId, { title: "Mine now" }), 403);
    expectProblem(await updateGroup(dave, threadId, { title: "Outsider" }), 404);
    expectProblem(await updateGroup(alice, MISSING_ID, { title: "Nowhere" }), 404);
    expectProblem(await updateGroup(alice, direct, { title: "Direct" }), 409);
    expectProblem(await updateGroup(alice, threadId, {}), 400);
    expectProblem(await updateGroup(alice, threadId, { title: "" }), 400);

    expect((await threadAs(alice, threadId)).title).toBe("Launch");
    expect(systemEntries(await timeline(alice, threadId))).toHaveLength(1);
    expect(await timeline(alice, direct)).toEqual([]);
    expect((await threadAs(alice, direct)).title).toBeNull();
  });

  it("records nothing when the title is set to what it already is", async () => {
    const { alice, bob } = await cast();
    const threadId = await createGroup(alice, "Launch", bob);
    const before = await timeline(alice, threadId);
    const res = await updateGroup(alice, threadId, { title: "  Launch " });
    expect(res.status).toBe(200);
    expect(res.body.title).toBe("Launch");
    expect(await timeline(alice, threadId)).toEqual(before);
  });

  it("sets the description and clears it with null or an empty string, one entry per change", async () => {
    const { alice, bob } = await cast();
    const threadId = await createGroup(alice, "Launch", bob);

    const set = await updateGroup(alice, threadId, { description: "Ship on Friday" });
    expect(set.status).toBe(200);
    expect(set.body.description).toBe("Ship on Friday");
    const cleared = await updateGroup(alice, threadId, { description: null });
    expect(cleared.body.description).toBeNull();
    await updateGroup(alice, threadId, { description: "Ship on Monday" });
    const emptied = await updateGroup(alice, threadId, { description: "" });
    expect(emptied.body.description).toBeNull();
    // Already clear: nothing to record.
    expect((await updateGroup(alice, threadId, { description: null })).status).toBe(200);
    expect((await threadAs(bob, threadId)).description).toBeNull();

    // Both at once: one entry each.
    const both = await updateGroup(alice, threadId, { title: "Liftoff", description: "Countdown" });
    expect(both.body).toMatchObject({ title: "Liftoff", description: "Countdown" });

    const actions = systemEntries(await timeline(bob, threadId)).map((m) => m.system!.action);
    expect(actions).toEqual([
      "group_created",
      "description_changed",
      "description_changed",
      "description_changed",
      "description_changed",
      "title_changed",
      "description_changed",
    ]);
    expectProblem(await updateGroup(alice, threadId, { description: "d".repeat(501) }), 400);
  });
});

describe("adding people to a group", () => {
  it("adds them (200) with nothing unread and their watermark at the newest message before the entry", async () => {
    const { alice, bob, carol } = await cast();
    const threadId = await createGroup(alice, "Launch", bob);
    const old = [await send(alice, threadId, "one"), await send(bob, threadId, "two"), await send(alice, threadId, "three")];
    const newestBefore = old.at(-1)!.seq;

    const res = await addPeople(alice, threadId, carol);
    expect(res.status).toBe(200);
    expect(res.body.participants.find((p) => p.id === carol.id)).toMatchObject({ role: "member", lastReadSeq: newestBefore });
    expect(await stateOf(carol, threadId)).toEqual({ lastReadSeq: newestBefore, unreadCount: 0 });
    expect(await unreadOf(carol)).toEqual({ total: 0, mentions: 0, threads: [] });

    // The whole history is hers to read, already read.
    const seen = await timeline(carol, threadId);
    expect(seen.map((m) => m.text).filter((_, i) => seen[i]!.kind === "text")).toEqual(["one", "two", "three"]);
    expect(seen.every((m) => m.isRead)).toBe(true);
    const entry = seen.at(-1)!;
    expect(entry).toMatchObject({
      seq: newestBefore + 1,
      kind: "system",
      sender: { id: alice.id },
      system: { action: "participants_added", users: [{ id: carol.id, username: carol.username }] },
    });
    expect((await api.get<Message>(`/api/messages/${old[0]!.id}`, { token: carol.token })).body.isRead).toBe(true);

    // What comes after counts for her.
    await send(bob, threadId, "welcome");
    await send(alice, threadId, "hi carol");
    expect(await stateOf(carol, threadId)).toEqual({ lastReadSeq: newestBefore, unreadCount: 2 });
    expect(await unreadOf(carol)).toEqual({ total: 2, mentions: 0, threads: [{ threadId, count: 2, mentions: 0 }] });
  });

  it("skips people already in the group, and records nothing when nobody is new", async () => {
    const { alice, bob, carol } = await cast();
    const threadId = await createGroup(alice, "Launch", bob);
    const nobodyNew = await addPeople(alice, threadId, bob, alice);
    expect(nobodyNew.status).toBe(200);
    expect(systemEntries(await timeline(alice, threadId))).toHaveLength(1);

    const some = await addPeople(alice, threadId, bob, carol);
    expect(some.status).toBe(200);
    expect(some.body.participants.map((p) => p.id).sort()).toEqual([alice.id, bob.id, carol.id].sort());
    const entries = systemEntries(await timeline(alice, threadId));
    expect(entries.map((m) => m.system!.action)).toEqual(["group_created", "participants_added"]);
    expect(entries[1]!.system!.users.map((u) => u.id)).toEqual([carol.id]);
  });

  it("lets only admins add people (403 for a member) and refuses direct conversations (409)", async () => {
    const { alice, bob, carol, dave } = await cast();
    const threadId = await createGroup(alice, "Launch", bob);
    const direct = await createThread(alice, bob);
    expectProblem(await addPeople(bob, threadId, carol), 403);
    expectProblem(await addPeople(dave, threadId, carol), 404);
    expectProblem(await addPeople(alice, direct, carol), 409);
    expect((await storedMembers(threadId)).size).toBe(2);
    expect((await storedMembers(direct)).size).toBe(2);
  });

  it(`refuses to grow a group past MAX_PARTICIPANTS (${config().MAX_PARTICIPANTS}) with 409, changing nothing`, async () => {
    const max = config().MAX_PARTICIPANTS;
    const { alice } = await cast();
    const ids = await bareUsers(max + 1);
    // Creating one that large is refused up front (400, as for a direct conversation).
    const create = (participantIds: string[], title: string) =>
      api.post<Thread>("/api/threads", { token: alice.token, body: { participantIds, title } });
    expectProblem(await create(ids.slice(0, max), "Too many"), 400);
    const res = await create(ids.slice(0, max - 2), "Crowd");
    expect(res.status).toBe(201);
    const threadId = res.body.id;
    expect((await storedMembers(threadId)).size).toBe(max - 1);
    const entriesBefore = (await storedMessages(threadId)).length;

    expectProblem(await addPeople(alice, threadId, ids[max - 2]!, ids[max - 1]!), 409);
    expect((await storedMembers(threadId)).size).toBe(max - 1);
    expect((await storedMessages(threadId)).length).toBe(entriesBefore);

    expect((await addPeople(alice, threadId, ids[max - 2]!)).status).toBe(200);
    expect((await storedMembers(threadId)).size).toBe(max);
    expectProblem(await addPeople(alice, threadId, ids[max]!), 409);
    expect((await storedMembers(threadId)).size).toBe(max);
    expect((await storedMessages(threadId)).length).toBe(entriesBefore + 1);
  });

  it("answers 404 for an unknown or deleted user and 400 for duplicates, adding nobody", async () => {
    const { alice, bob, carol, dave } = await cast();
    const threadId = await createGroup(alice, "Launch", bob);
    expect((await api.delete("/api/users/me", { token: dave.token, body: { password: dave.password } })).status).toBe(204);

    const unknown = await addPeople(alice, threadId, carol, MISSING_ID);
    expectProblem(unknown, 404);
    expect(errorsOf(unknown)).toEqual([expect.objectContaining({ pointer: "#/userIds" })]);
    expectProblem(await addPeople(alice, threadId, dave), 404);
    expectProblem(await addPeople(alice, threadId, carol, carol), 400);
    expectProblem(await api.post(`/api/threads/${threadId}/participants`, { token: alice.token, body: { userIds: [] } }), 400);

    expect([...(await storedMembers(threadId)).keys()].sort()).toEqual([alice.id, bob.id].sort());
    expect(systemEntries(await timeline(alice, threadId))).toHaveLength(1);
    expectProblem(await api.get(`/api/threads/${threadId}`, { token: carol.token }), 404);
  });
});

describe("removing people and leaving", () => {
  it("removes a member (204): the group is then 404 for them everywhere and leaves their unread total", async () => {
    const { alice, bob, carol } = await cast();
    const threadId = await createGroup(alice, "Launch", bob, carol);
    const direct = await createThread(alice, bob);
    const m1 = await send(alice, threadId, "one");
    await send(carol, threadId, "two");
    await send(alice, direct, "elsewhere");
    const before = await unreadOf(bob);
    expect(before.total).toBe(3);

    expect((await removePerson(alice, threadId, bob)).status).toBe(204);

    expectProblem(await api.get(`/api/threads/${threadId}`, { token: bob.token }), 404);
    expectProblem(await api.get(`/api/threads/${threadId}/messages`, { token: bob.token }), 404);
    expectProblem(await trySend(bob, threadId, "still here?"), 404);
    expectProblem(await api.post(`/api/threads/${threadId}/typing`, { token: bob.token }), 404);
    expectProblem(await api.get(`/api/messages/${m1.id}`, { token: bob.token }), 404);
    expectProblem(await api.post(`/api/threads/${threadId}/read`, { token: bob.token }), 404);
    expectProblem(await api.post(`/api/messages/${m1.id}/read`, { token: bob.token }), 404);
    expect(await unreadOf(bob)).toEqual({ total: 1, mentions: 0, threads: [{ threadId: direct, count: 1, mentions: 0 }] });
    const listed = (await api.get<Page<Thread>>("/api/threads", { token: bob.token })).body.data.map((t) => t.id);
    expect(listed).toEqual([direct]);

    const entry = (await timeline(alice, threadId)).at(-1)!;
    expect(entry).toMatchObject({
      kind: "system",
      sender: { id: alice.id },
      system: { action: "participant_removed", users: [{ id: bob.id }] },
    });
    expect((await threadAs(carol, threadId)).participants.map((p) => p.id).sort()).toEqual([alice.id, carol.id].sort());
    expect(await stateOf(carol, threadId)).toEqual({ lastReadSeq: 3, unreadCount: 0 });
  });

  it("lets anyone leave with their own id (204), but not remove others (403); removing a non-member is 404", async () => {
    const { alice, bob, carol, dave } = await cast();
    const threadId = await createGroup(alice, "Launch", bob, carol);

    expectProblem(await removePerson(carol, threadId, bob), 403);
    expectProblem(await removePerson(carol, threadId, alice), 403);
    expectProblem(await removePerson(alice, threadId, dave), 404);
    expectProblem(await removePerson(alice, threadId, MISSING_ID), 404);
    expectProblem(await removePerson(dave, threadId, dave), 404);
    expect((await storedMembers(threadId)).size).toBe(3);

    expect((await removePerson(bob, threadId, bob)).status).toBe(204);
    const entry = (await timeline(alice, threadId)).at(-1)!;
    expect(entry).toMatchObject({ kind: "system", sender: { id: bob.id }, system: { action: "participant_left", users: [] } });
    expectProblem(await removePerson(alice, threadId, bob), 404);
    expectProblem(await removePerson(bob, threadId, bob), 404);
    expect([...(await storedMembers(threadId)).keys()].sort()).toEqual([alice.id, carol.id].sort());

    const direct = await createThread(alice, bob);
    expectProblem(await removePerson(alice, direct, alice), 409);
    expectProblem(await removePerson(alice, direct, bob), 409);
    expect((await storedMembers(direct)).size).toBe(2);
  });

  it("makes the longest-standing member admin, with a role_changed entry, when the last admin leaves", async () => {
    // Carol registers first, so her id sorts before Bob's: only the time they joined can pick Bob.
    const carol = await createUser("carol");
    const [alice, bob] = await Promise.all([createUser("alice"), createUser("bob")]);
    expect(carol.id < bob.id).toBe(true);
    const threadId = await createGroup(alice, "Launch", bob);
    await addPeople(alice, threadId, carol);

    expect((await removePerson(alice, threadId, alice)).status).toBe(204);
    expect(Object.fromEntries(await storedMembers(threadId))).toEqual({ [bob.id]: "admin", [carol.id]: "member" });
    const entries = systemEntries(await timeline(carol, threadId)).slice(-2);
    expect(entries.map((m) => m.system)).toEqual([
      expect.objectContaining({ action: "participant_left", users: [] }),
      expect.objectContaining({ action: "role_changed", users: [expect.objectContaining({ id: bob.id })], role: "admin" }),
    ]);
    // The leaving entry is the leaver's; the handover is in the heir's own name (nobody chose them).
    expect(entries.map((m) => m.sender.id)).toEqual([alice.id, bob.id]);
    // Bob can act as one now.
    expect((await updateGroup(bob, threadId, { title: "Bob's" })).status).toBe(200);
  });

  it("keeps the admins when one of several leaves: no role_changed entry", async () => {
    const { alice, bob, carol } = await cast();
    const threadId = await createGroup(alice, "Launch", bob, carol);
    expect((await setRole(alice, threadId, carol, "admin")).status).toBe(200);
    expect((await removePerson(alice, threadId, alice)).status).toBe(204);
    expect(Object.fromEntries(await storedMembers(threadId))).toEqual({ [bob.id]: "member", [carol.id]: "admin" });
    expect(systemEntries(await timeline(bob, threadId)).at(-1)!.system!.action).toBe("participant_left");
  });

  it("deletes the group when its last member leaves", async () => {
    const { alice, bob } = await cast();
    const threadId = await createGroup(alice, "Launch", bob);
    const m = await send(bob, threadId, "bye");
    expect((await removePerson(bob, threadId, bob)).status).toBe(204);
    expect(await threadExists(threadId)).toBe(true);
    expect((await removePerson(alice, threadId, alice)).status).toBe(204);

    expect(await threadExists(threadId)).toBe(false);
    expect(await storedMessages(threadId)).toEqual([]);
    for (const user of [alice, bob]) {
      expectProblem(await api.get(`/api/threads/${threadId}`, { token: user.token }), 404);
      expectProblem(await api.get(`/api/messages/${m.id}`, { token: user.token }), 404);
    }
  });

  it("lets only admins delete a group: 403 for a member, 204 for an admin", async () => {
    const { alice, bob, carol } = await cast();
    const threadId = await createGroup(alice, "Launch", bob, carol);
    expectProblem(await api.delete(`/api/threads/${threadId}`, { token: bob.token }), 403);
    expect(await threadExists(threadId)).toBe(true);
    expect((await api.delete(`/api/threads/${threadId}`, { token: alice.token })).status).toBe(204);
    expect(await threadExists(threadId)).toBe(false);
    for (const user of [alice, bob, carol]) expectProblem(await api.get(`/api/threads/${threadId}`, { token: user.token }), 404);
  });
});

describe("roles", () => {
  it("lets an admin promote and demote (200 with the participant), one role_changed entry each", async () => {
    const { alice, bob, carol } = await cast();
    const threadId = await createGroup(alice, "Launch", bob, carol);

    const promoted = await setRole(alice, threadId, bob, "admin");
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ id: bob.id, username: bob.username, role: "admin" });
    // Bob, now an admin, demotes Alice.
    const demoted = await setRole(bob, threadId, alice, "member");
    expect(demoted.status).toBe(200);
    expect(demoted.body).toMatchObject({ id: alice.id, role: "member" });
    // The same role again changes nothing.
    expect((await setRole(bob, threadId, carol, "member")).body).toMatchObject({ id: carol.id, role: "member" });

    expect(Object.fromEntries(await storedMembers(threadId))).toEqual({ [alice.id]: "member", [bob.id]: "admin", [carol.id]: "member" });
    const entries = systemEntries(await timeline(carol, threadId)).slice(1);
    expect(entries.map((m) => [m.sender.id, m.system!.action, m.system!.users.map((u) => u.id), m.system!.role])).toEqual([
      [alice.id, "role_changed", [bob.id], "admin"],
      [bob.id, "role_changed", [alice.id], "member"],
    ]);
    expectProblem(await setRole(alice, threadId, carol, "admin"), 403);
  });

  it("refuses to let the last admin step down (409), changing nothing", async () => {
    const { alice, bob } = await cast();
    const threadId = await createGroup(alice, "Launch", bob);
    const res = await setRole(alice, threadId, alice, "member");
    expectProblem(res, 409);
    expect(errorsOf(res)).toEqual([expect.objectContaining({ pointer: "#/role" })]);
    expect(Object.fromEntries(await storedMembers(threadId))).toEqual({ [alice.id]: "admin", [bob.id]: "member" });
    expect(systemEntries(await timeline(alice, threadId))).toHaveLength(1);
  });

  it("forbids members to change roles (403), and answers 404 for a non-member and 409 in a direct conversation", async () => {
    const { alice, bob, carol, dave } = await cast();
    const threadId = await createGroup(alice, "Launch", bob, carol);
    expectProblem(await setRole(bob, threadId, bob, "admin"), 403);
    expectProblem(await setRole(bob, threadId, alice, "member"), 403);
    expectProblem(await setRole(alice, threadId, dave, "admin"), 404);
    expectProblem(await setRole(dave, threadId, bob, "admin"), 404);
    const direct = await createThread(alice, bob);
    expectProblem(await setRole(alice, direct, bob, "admin"), 409);
    expect(Object.fromEntries(await storedMembers(threadId))).toEqual({ [alice.id]: "admin", [bob.id]: "member", [carol.id]: "member" });
  });
});

describe("system entries", () => {
  it("cannot be edited or deleted (403), not even by the person who caused them", async () => {
    const { alice, bob } = await cast();
    const threadId = await createGroup(alice, "Launch", bob);
    await updateGroup(alice, threadId, { title: "Liftoff" });
    const entries = systemEntries(await timeline(alice, threadId));
    expect(entries).toHaveLength(2);
    for (const entry of entries) {
      for (const user of [alice, bob]) {
        expectProblem(await api.patch(`/api/messages/${entry.id}`, { token: user.token, body: { text: "rewritten" } }), 403);
        expectProblem(await api.delete(`/api/messages/${entry.id}`, { token: user.token }), 403);
      }
    }
    expect(systemEntries(await timeline(bob, threadId))).toEqual(entries);
  });

  it("never count as unread: after a burst of changes every count is the number of unread text messages", async () => {
    const { alice, bob, carol, dave } = await cast();
    const threadId = await createGroup(alice, "Launch", bob, carol);
    const direct = await createThread(bob, carol);
    await send(carol, direct, "a direct message, counted separately");
    const steps: (() => Promise<unknown>)[] = [
      () => send(alice, threadId, "one"),
      () => updateGroup(alice, threadId, { title: "Liftoff" }),
      () => addPeople(alice, threadId, dave),
      () => send(bob, threadId, "two"),
      () => setRole(alice, threadId, bob, "admin"),
      () => updateGroup(bob, threadId, { description: "Countdown" }),
      () => send(dave, threadId, "three"),
      () => removePerson(bob, threadId, carol),
      () => addPeople(bob, threadId, carol),
      () => send(alice, threadId, "four"),
      () => setRole(bob, threadId, alice, "member"),
      () => removePerson(dave, threadId, dave),
      () => updateGroup(bob, threadId, { title: "Landed", description: null }),
    ];
    for (const step of steps) await step();

    const rows = await storedMessages(threadId);
    expect(rows.filter((r) => r.kind === "system").length).toBeGreaterThan(rows.filter((r) => r.kind === "text").length);
    for (const user of [alice, bob, carol]) {
      await expectCountsFromTimeline(user, threadId, rows);
      const elsewhere = user === bob ? 1 : 0; // Carol's direct message
      expect((await unreadOf(user)).total, user.username).toBe(expectedUnread(rows, user.id) + elsewhere);
    }
    // The counts are not all zero (or the check above could not fail): Carol came back after "three".
    expect(expectedUnread(rows, carol.id)).toBe(1);
    expect(expectedUnread(rows, bob.id)).toBe(2);
  });

  it("does not stop mark-read: a watermark moves to or past a system entry", async () => {
    const { alice, bob } = await cast();
    const threadId = await createGroup(alice, "Launch", bob);
    const one = await send(alice, threadId, "one");
    await updateGroup(alice, threadId, { title: "Liftoff" });
    const two = await send(alice, threadId, "two");
    await updateGroup(alice, threadId, { description: "last word is a system entry" });
    const [, renamed, , described] = (await timeline(bob, threadId)).slice(1);
    expect([renamed!.kind, described!.kind]).toEqual(["system", "system"]);
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: 0, unreadCount: 2 });

    // Up to the entry after "one": "one" is read, "two" is not.
    const upToEntry = await api.post(`/api/messages/${renamed!.id}/read`, { token: bob.token });
    expect(upToEntry.status).toBe(200);
    expect(upToEntry.body).toEqual({ threadId, lastReadSeq: renamed!.seq, unreadCount: 1, unreadMentionCount: 0 });
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: renamed!.seq, unreadCount: 1 });
    expect((await api.get<Message>(`/api/messages/${one.id}`, { token: bob.token })).body.isRead).toBe(true);
    expect((await api.get<Message>(`/api/messages/${two.id}`, { token: bob.token })).body.isRead).toBe(false);

    // The whole thread, whose newest message is an entry.
    const all = await api.post(`/api/threads/${threadId}/read`, { token: bob.token });
    expect(all.body).toEqual({ threadId, lastReadSeq: described!.seq, unreadCount: 0, unreadMentionCount: 0 });
    expect(await stateOf(bob, threadId)).toEqual({ lastReadSeq: described!.seq, unreadCount: 0 });
    expect(await unreadOf(bob)).toEqual({ total: 0, mentions: 0, threads: [] });
  });
});

describe("live events of a group", () => {
  it("gives an added member thread.updated with the group and their own unread count", async () => {
    const { alice, bob, carol } = await cast();
    const threadId = await createGroup(alice, "Launch", bob);
    await send(bob, threadId, "one");
    await send(bob, threadId, "two"); // Alice has 2 unread, Carol will have none.
    const [a, c] = await Promise.all([open(alice), open(carol)]);

    expect((await addPeople(alice, threadId, carol)).status).toBe(200);
    const forCarol = await c.waitFor(first("thread.updated", (d) => d.thread.id === threadId), "thread.updated");
    const forAlice = await a.waitFor(first("thread.updated", (d) => d.thread.id === threadId), "thread.updated");
    for (const e of [forCarol, forAlice]) expect(eventPayloads["thread.updated"].safeParse(e.data).error).toBeUndefined();
    expect(data(forCarol).thread).toMatchObject({ id: threadId, kind: "group", title: "Launch", unreadCount: 0 });
    expect(data(forCarol).thread.participants.map((p) => p.id).sort()).toEqual([alice.id, bob.id, carol.id].sort());
    expect(data(forCarol).thread.lastMessage).toMatchObject({ kind: "system" });
    expect(data(forAlice).thread.unreadCount).toBe(2);
    // She gets the entry of her addition too, read, and nothing of the group from before it.
    const entry = await c.waitFor(first("message.created", (d) => d.message.threadId === threadId), "the entry");
    expect(data(entry)).toMatchObject({
      unreadCount: 0,
      message: { kind: "system", isRead: true, system: { action: "participants_added" } },
    });
    expect(inThread(c.events, threadId).map((e) => e.event).sort()).toEqual(["message.created", "thread.updated"]);

    // From then on the group's messages reach her.
    const m = await send(bob, threadId, "welcome");
    const created = await c.waitFor(first("message.created", (d) => d.message.id === m.id), "Bob's message");
    expect(data(created)).toMatchObject({ unreadCount: 1, message: { isRead: false } });
    a.close();
    c.close();
  });

  it("gives a removed member one final thread.removed {reason: removed}, then nothing of the group", async () => {
    const { alice, bob, carol } = await cast();
    const threadId = await createGroup(alice, "Launch", bob, carol);
    const [b, c] = await Promise.all([open(bob), open(carol)]);
    const before = await send(alice, threadId, "before");
    await b.waitFor(first("message.created", (d) => d.message.id === before.id));

    expect((await removePerson(alice, threadId, bob)).status).toBe(204);
    const after = await send(alice, threadId, "after");
    await updateGroup(alice, threadId, { title: "Without Bob" });
    await addPeople(alice, threadId, (await createUser("erin")).id);
    await c.waitFor(first("message.created", (d) => d.message.id === after.id), "the message after the removal");
    await fence(b, alice);

    const events = inThread(b.events, threadId);
    const removed = events.filter((e) => e.event === "thread.removed");
    expect(removed, summary(events)).toHaveLength(1);
    expect(removed[0]!.data).toEqual({ threadId, reason: "removed" });
    expect(events.at(-1), summary(events)).toBe(removed[0]);
    // Carol, still in it, got everything.
    expect(inThread(c.events, threadId).some((e) => e.event === "message.created" && data(e).message.id === after.id)).toBe(true);
    b.close();
    c.close();
  });

  it("tells someone who left thread.removed {reason: left}, on every stream of theirs", async () => {
    const { alice, bob } = await cast();
    const threadId = await createGroup(alice, "Launch", bob);
    const [b1, b2] = await Promise.all([open(bob), open(bob)]);
    expect((await removePerson(bob, threadId, bob)).status).toBe(204);
    await send(alice, threadId, "after");
    for (const s of [b1, b2]) {
      await fence(s, alice);
      const events = inThread(s.events, threadId);
      const removed = events.filter((e) => e.event === "thread.removed");
      expect(removed.map((e) => e.data), summary(events)).toEqual([{ threadId, reason: "left" }]);
      expect(events.at(-1), summary(events)).toBe(removed[0]);
      s.close();
    }
  });

  it("delivers system entries to members as message.created, read and counting for nobody", async () => {
    const { alice, bob, carol } = await cast();
    const threadId = await createGroup(alice, "Launch", bob);
    await send(alice, threadId, "unread for Bob");
    const b = await open(bob);
    // What was recorded before the stream opened may still be on its way to it: count from a marker on.
    const start = (await fence(b, alice)) + 1;
    await updateGroup(alice, threadId, { title: "Liftoff" });
    await addPeople(alice, threadId, carol);
    await setRole(alice, threadId, carol, "admin");
    await removePerson(carol, threadId, carol);

    const entries = await b.waitFor((events) => {
      const found = inThread(events.slice(start), threadId).filter(
        (e) => e.event === "message.created" && data(e).message.kind === "system",
      );
      return found.length === 4 && found;
    }, "four system entries");
    expect(entries.map((e) => data(e).message.system!.action)).toEqual([
      "title_changed",
      "participants_added",
      "role_changed",
      "participant_left",
    ]);
    for (const e of entries) {
      expect(eventPayloads["message.created"].safeParse(e.data).error).toBeUndefined();
      expect(data(e)).toMatchObject({ unreadCount: 1, message: { threadId, isRead: true } });
    }
    b.close();
  });
});

describe("races", () => {
  it("(a) two admins removing each other at once: exactly one succeeds and one of them stays, an admin", async () => {
    const carol = await createUser("carol");
    // Round 0 queues the two behind a held lock (Alice's first); the others let them race.
    const pairs = await Promise.all(Array.from({ length: 8 }, () => Promise.all([createUser("alice"), createUser("bob")])));
    for (const [round, [alice, bob]] of pairs.entries()) {
      const threadId = await createGroup(alice, `Duel ${round}`, bob, carol);
      expect((await setRole(alice, threadId, bob, "admin")).status).toBe(200);

      let results: ApiResponse[];
      if (round === 0) {
        const hold = await holdThreadLock(threadId);
        const first = await hold.queueBehind(() => removePerson(alice, threadId, bob), "Alice removing Bob");
        const second = await hold.queueBehind(() => removePerson(bob, threadId, alice), "Bob removing Alice");
        await hold.release();
        results = await Promise.all([first.answer, second.answer]);
        expect(results.map((r) => r.status)).toEqual([204, 404]);
      } else {
        const [x, y] = round % 2 ? [alice, bob] : [bob, alice];
        results = await Promise.all([removePerson(x, threadId, y), removePerson(y, threadId, x)]);
      }
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 204), JSON.stringify(statuses)).toHaveLength(1);
      expect([403, 404]).toContain(statuses.find((s) => s !== 204));

      const members = await storedMembers(threadId);
      expect([members.has(alice.id), members.has(bob.id)].filter(Boolean)).toHaveLength(1);
      expect([...members.values()]).toContain("admin");
      expect((await storedMessages(threadId)).filter((r) => r.action === "participant_removed")).toHaveLength(1);
    }
  });

  it("(b) adding and removing the same person concurrently: membership, entries and counts agree", async () => {
    const { alice, bob, carol } = await cast();
    const threadId = await createGroup(alice, "Revolving door", bob);
    const [admin2] = await users(1, "admin");
    await addPeople(alice, threadId, admin2!);
    await setRole(alice, threadId, admin2!, "admin");
    const answers: number[][] = [];
    for (let round = 0; round < 24; round++) {
      const requests = [
        () => addPeople(round % 2 ? alice : admin2!, threadId, carol),
        () => removePerson(round % 2 ? admin2! : alice, threadId, carol),
        () => trySend(bob, threadId, `round ${round}`),
      ];
      const order = round % 3 === 0 ? requests : round % 3 === 1 ? [...requests].reverse() : [requests[1]!, requests[2]!, requests[0]!];
      const results = await Promise.all(order.map((r) => r()));
      answers.push(results.map((r) => r.status));
      for (const r of results) expect([200, 201, 204, 404]).toContain(r.status);
    }
    // The last round in a set order, so that she ends in the group and her counts can be read: out of it, then a send
    // and her addition queued behind the thread's lock, then another send once both have answered. She joins between
    // the two sends. (A third request queued behind them did not always keep its place: each send updates the thread
    // row, the requests still waiting then go after its new version, and PostgreSQL does not promise they keep their
    // order there; once, in CI, the second send overtook her addition.)
    const out = await removePerson(alice, threadId, carol);
    answers.push([out.status]);
    const hold = await holdThreadLock(threadId);
    const queued = [
      await hold.queueBehind(() => trySend(bob, threadId, "before she joins"), "a send"),
      await hold.queueBehind(() => addPeople(admin2!, threadId, carol), "her addition"),
    ];
    await hold.release();
    expect((await Promise.all(queued.map((q) => q.answer))).map((r) => r.status)).toEqual([201, 200]);
    expect((await trySend(alice, threadId, "after she joined")).status).toBe(201);

    // Replaying the entries in seq order: each addition finds her out and each removal finds her in.
    const rows = await storedMessages(threadId);
    let member = false;
    for (const r of rows) {
      if (r.action === "participants_added" && r.user_ids!.includes(carol.id)) {
        expect(member, `seq ${r.seq}: added while in`).toBe(false);
        member = true;
      } else if (r.action === "participant_removed" && r.user_ids!.includes(carol.id)) {
        expect(member, `seq ${r.seq}: removed while out`).toBe(true);
        member = false;
      }
    }
    const members = await storedMembers(threadId);
    expect(members.has(carol.id)).toBe(member);
    // The answers agree with the entries: one 204 per removal entry.
    const removals = rows.filter((r) => r.action === "participant_removed").length;
    expect(answers.flat().filter((s) => s === 204)).toHaveLength(removals);
    expect(rows.filter((r) => r.kind === "text")).toHaveLength(26);
    expect(member).toBe(true);
    expect(expectedUnread(rows, carol.id)).toBe(1);

    const thread = await threadAs(alice, threadId);
    expect(thread.participants.map((p) => p.id).sort()).toEqual([...members.keys()].sort());
    for (const user of [alice, bob, carol]) await expectCountsFromTimeline(user, threadId, rows);
  });

  it("(c) a send racing the sender's removal: sent before the removal, or refused (404); never after it", async () => {
    const { alice, bob } = await cast();
    const threadId = await createGroup(alice, "Kick", bob);
    const outcomes: string[] = [];
    for (let round = 0; round < 20; round++) {
      if (round > 0) expect((await addPeople(alice, threadId, bob)).status).toBe(200);
      const [sent, removed] = await together(
        () => trySend(bob, threadId, `round ${round}`),
        () => removePerson(alice, threadId, bob),
        round % 2 === 0,
      );
      expect(removed.status).toBe(204);
      const rows = await storedMessages(threadId);
      const removal = rows.filter((r) => r.action === "participant_removed").at(-1)!;
      if (sent.status === 201) {
        expect(sent.body.seq).toBeLessThan(removal.seq);
        expect(rows.some((r) => r.seq === sent.body.seq && r.kind === "text" && r.sender_id === bob.id)).toBe(true);
        outcomes.push("before");
      } else {
        expectProblem(sent, 404);
        outcomes.push("refused");
      }
    }
    // Over the whole timeline: no message of Bob's while he was out.
    let member = true;
    for (const r of await storedMessages(threadId)) {
      if (r.action === "participants_added" && r.user_ids!.includes(bob.id)) member = true;
      if (r.action === "participant_removed" && r.user_ids!.includes(bob.id)) member = false;
      if (r.kind === "text" && r.sender_id === bob.id) expect(member, `seq ${r.seq} sent while out (${outcomes})`).toBe(true);
    }
  });

  it("(d) someone else's send racing a removal reaches the removed person only if it came before the removal", async () => {
    const { alice, bob, carol } = await cast();
    const threadId = await createGroup(alice, "Overheard", bob, carol);
    const b = await open(bob);
    const sentIds: string[] = [];
    for (let round = 0; round < 15; round++) {
      if (round > 0) expect((await addPeople(alice, threadId, bob)).status).toBe(200);
      const text = `round ${round}`;
      const [sent, removed] = await together(
        () => trySend(carol, threadId, text),
        () => removePerson(alice, threadId, bob),
        round % 2 === 0,
      );
      expect([sent.status, removed.status]).toEqual([201, 204]);
      sentIds.push(sent.body.id);
    }
    await fence(b, alice);

    const rows = await storedMessages(threadId);
    const seqOf = new Map((await timeline(alice, threadId)).map((m) => [m.id, m.seq]));
    /** Whether Bob was in the group when the message with this seq was written. */
    const memberAt = (seq: number) => {
      let member = true;
      for (const r of rows) {
        if (r.seq >= seq) break;
        if (r.action === "participants_added" && r.user_ids!.includes(bob.id)) member = true;
        if (r.action === "participant_removed" && r.user_ids!.includes(bob.id)) member = false;
      }
      return member;
    };
    const received = new Set(inThread(b.events, threadId).filter((e) => e.event === "message.created").map((e) => data(e).message.id));
    for (const id of sentIds) expect(received.has(id), `message seq ${seqOf.get(id)}`).toBe(memberAt(seqOf.get(id)!));
    // Each round's removal reached him once.
    expect(inThread(b.events, threadId).filter((e) => e.event === "thread.removed")).toHaveLength(15);
    b.close();
  });

  it("(e) a send queued behind its sender's removal is refused once the removal commits", async () => {
    const { alice, bob, carol } = await cast();
    const threadId = await createGroup(alice, "Queue", bob, carol);
    const c = await open(carol);
    const hold = await holdThreadLock(threadId);
    // Both statements start while Bob is still in the group, the removal first.
    const removal = await hold.queueBehind(() => removePerson(alice, threadId, bob), "the removal");
    const sending = await hold.queueBehind(() => trySend(bob, threadId, "sneaking in"), "the send");
    await hold.release();
    const [removed, sent] = await Promise.all([removal.answer, sending.answer]);

    expect(removed.status).toBe(204);
    expectProblem(sent, 404);
    const rows = await storedMessages(threadId);
    expect(rows.filter((r) => r.kind === "text")).toEqual([]);
    expect(rows.at(-1)).toMatchObject({ action: "participant_removed" });
    expect(Object.fromEntries(await storedMembers(threadId))).toEqual({ [alice.id]: "admin", [carol.id]: "member" });
    expect(await stateOf(carol, threadId)).toEqual({ lastReadSeq: 0, unreadCount: 0 });
    await fence(c, alice);
    const entries = inThread(c.events, threadId).filter((e) => e.event === "message.created").map((e) => data(e).message);
    expect(entries.filter((m) => m.kind === "text")).toEqual([]);
    expect(entries.at(-1)!.system!.action).toBe("participant_removed");
    c.close();
  });

  it("(e') a mark-read, an edit and a deletion queued behind their author's removal are refused too", async () => {
    const { alice, bob, carol } = await cast();
    const threadId = await createGroup(alice, "Queue", bob, carol);
    const mine = await send(bob, threadId, "mine");
    const doomed = await send(bob, threadId, "also mine");
    await send(carol, threadId, "unread for Bob");
    const hold = await holdThreadLock(threadId);
    const removal = await hold.queueBehind(() => removePerson(alice, threadId, bob), "the removal");
    const read = await hold.queueBehind(() => api.post(`/api/threads/${threadId}/read`, { token: bob.token }), "the mark-read");
    const edit = await hold.queueBehind(
      () => api.patch(`/api/messages/${mine.id}`, { token: bob.token, body: { text: "edited" } }),
      "the edit",
    );
    const deletion = await hold.queueBehind(() => api.delete(`/api/messages/${doomed.id}`, { token: bob.token }), "the deletion");
    await hold.release();
    const [removed, ...refused] = await Promise.all([removal.answer, read.answer, edit.answer, deletion.answer]);

    expect(removed.status).toBe(204);
    for (const r of refused) expectProblem(r, 404);
    const messages = await timeline(carol, threadId);
    expect(messages.filter((m) => m.kind === "text").map((m) => [m.text, m.editedAt])).toEqual([
      ["mine", null],
      ["also mine", null],
      ["unread for Bob", null],
    ]);
  });

  it("(f) a group deletion queued behind its admin's removal or demotion is refused", async () => {
    const { alice, bob, carol } = await cast();
    for (const change of ["removal", "demotion"] as const) {
      const threadId = await createGroup(alice, `Doomed ${change}`, bob, carol);
      expect((await setRole(alice, threadId, bob, "admin")).status).toBe(200);
      const hold = await holdThreadLock(threadId);
      const first = await hold.queueBehind(
        () => (change === "removal" ? removePerson(alice, threadId, bob) : setRole(alice, threadId, bob, "member")),
        `the ${change}`,
      );
      const deletion = await hold.queueBehind(() => api.delete(`/api/threads/${threadId}`, { token: bob.token }), "Bob's deletion");
      await hold.release();
      const [changed, deleted] = await Promise.all([first.answer, deletion.answer]);

      expect(changed.status).toBe(change === "removal" ? 204 : 200);
      expectProblem(deleted, change === "removal" ? 404 : 403);
      expect(await threadExists(threadId)).toBe(true);
      expect((await threadAs(carol, threadId)).title).toBe(`Doomed ${change}`);
    }
  });

  it("(g) two admins demoting each other at once leave one admin", async () => {
    const pairs = await Promise.all(Array.from({ length: 6 }, () => Promise.all([createUser("alice"), createUser("bob")])));
    for (const [round, [alice, bob]] of pairs.entries()) {
      const threadId = await createGroup(alice, `Demotion ${round}`, bob);
      await setRole(alice, threadId, bob, "admin");
      const results = await Promise.all([setRole(alice, threadId, bob, "member"), setRole(bob, threadId, alice, "member")]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 403].sort());
      expect([...(await storedMembers(threadId)).values()].sort()).toEqual(["admin", "member"]);
    }
  });
});

describe("deleting an account", () => {
  it("takes the person out of their groups (a new admin, or the group gone); direct conversations keep them", async () => {
    const { alice, bob, carol } = await cast();
    const led = await createGroup(alice, "Led by Alice", bob);
    await addPeople(alice, led, carol); // later than Bob: Bob is the longest-standing member after Alice
    const joined = await createGroup(bob, "Bob's", alice, carol);
    const alone = await createGroup(alice, "Alone", bob);
    expect((await removePerson(bob, alone, bob)).status).toBe(204);
    const direct = await createThread(alice, bob);
    await send(alice, direct, "before I go");
    await send(alice, led, "in the group");

    expect((await api.delete("/api/users/me", { token: alice.token, body: { password: alice.password } })).status).toBe(204);

    expect(Object.fromEntries(await storedMembers(led))).toEqual({ [bob.id]: "admin", [carol.id]: "member" });
    const ledEntries = systemEntries(await timeline(bob, led)).slice(-2);
    expect(ledEntries.map((m) => [m.sender.id, m.system!.action])).toEqual([
      [alice.id, "participant_left"],
      [bob.id, "role_changed"],
    ]);
    expect(ledEntries[0]!.sender.name).toBe("Deleted user");
    expect(Object.fromEntries(await storedMembers(joined))).toEqual({ [bob.id]: "admin", [carol.id]: "member" });
    expect(systemEntries(await timeline(carol, joined)).at(-1)!.system!.action).toBe("participant_left");
    expect(await threadExists(alone)).toBe(false);

    const kept = await threadAs(bob, direct);
    expect(kept.participants.map((p) => p.id).sort()).toEqual([alice.id, bob.id].sort());
    expect(kept.participants.find((p) => p.id === alice.id)!.name).toBe("Deleted user");
    // The message she sent to the group stays, and so do the counts.
    expect((await timeline(carol, led)).some((m) => m.text === "in the group")).toBe(true);
    expect((await stateOf(carol, led)).unreadCount).toBe(1);
  });
});

describe("deleted accounts left behind in groups", () => {
  it("are taken out by the periodic clean-up, and never made admin while someone else is left", async () => {
    const { alice, bob, carol } = await cast();
    // Bob joined before Carol, so he would be next in line by seniority; then his account is deleted, but (as when the
    // server stops right after the tombstone commits) he is still in the group.
    const threadId = await createGroup(alice, "Stranded", bob);
    await addPeople(alice, threadId, carol);
    await getPrisma().$executeRaw`UPDATE users SET deleted_at = clock_timestamp() WHERE id = ${bob.id}`;

    // Alice leaves: Carol becomes admin, not the tombstone.
    expect((await removePerson(alice, threadId, alice)).status).toBe(204);
    expect(Object.fromEntries(await storedMembers(threadId))).toEqual({ [bob.id]: "member", [carol.id]: "admin" });

    expect(await leaveGroupsOfDeletedAccounts()).toBeGreaterThanOrEqual(1);
    expect(Object.fromEntries(await storedMembers(threadId))).toEqual({ [carol.id]: "admin" });
    expect(systemEntries(await timeline(carol, threadId)).at(-1)!.system!.action).toBe("participant_left");
    // Nothing left to do for that account now.
    await leaveGroupsOfDeletedAccounts();
    expect(Object.fromEntries(await storedMembers(threadId))).toEqual({ [carol.id]: "admin" });
  });
});
