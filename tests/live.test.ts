/**
 * Live events in one process, against this file's own PostgreSQL database: the event hub (lib/infra/live-hub.ts)
 * driven directly with `subscribe(userId, since, write, close)`, changes made through the route handlers.
 *
 * How these tests wait. Nothing sleeps: every wait polls a condition with a deadline (`vi.waitFor`). To assert that
 * something did NOT arrive, a test first waits for a later event that cannot arrive before it would have:
 *  - persisted events are released in id order (that is what the high-water mark is for), so once a stream has an
 *    event with id K, every event with a smaller id has already been written to every stream that should get it;
 *  - the hub's one listening connection receives notifications in commit order (PostgreSQL docs, NOTIFY: "it is
 *    guaranteed that notifications from different transactions will get delivered in the order in which the
 *    transactions committed"), and writes `typing` as soon as its notification arrives, so a `typing` sent after a
 *    commit proves that the commit's notification has been handled.
 */
import { readFile } from "node:fs/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getPrisma } from "@/lib/db";
import { eventPayloads, type EventType } from "@/lib/schemas/events";
import type { Message } from "@/lib/schemas/messages";
import { recordThreadEvent } from "@/lib/server/events";
import { TYPING_TTL_MS } from "@/lib/server/typing";
import { api } from "./helpers/api";
import { createThread, createUser, send, type TestUser } from "./helpers/fixtures";
import { eventId, SseParser, type SseEvent } from "./helpers/sse";
import { type OpenOptions as StreamOptions, openStream, type Stream, summary } from "./helpers/streams";

// The hub reads EVENTS_GAP_TIMEOUT_MS once, when its module is evaluated: set it before importing. A long gap timeout
// here, so that a transaction the ordering tests keep open is never given up on while they look; the rollback tests
// further down start a second hub with a short one (see `replaceHub`).
process.env.EVENTS_GAP_TIMEOUT_MS = "60000";
let { getHub, REPLAY_LIMIT } = await import("@/lib/infra/live-hub");
type Hub = ReturnType<typeof getHub>;

afterAll(async () => {
  await getHub().shutdown();
});

// ---------------------------------------------------------------------------------------------------------------------
// Streams

interface OpenOptions extends StreamOptions {
  hub?: Hub;
}

/** Subscribes `user` to the hub (this file's current one unless `hub`); resolves once the hub has written `ready`. */
const open = (user: TestUser, { hub = getHub(), ...options }: OpenOptions = {}): Promise<Stream> => openStream(hub, user, options);

/** The events after `ready` (what happened while connected). */
const live = (events: SseEvent[]) => events.slice(events.findIndex((e) => e.event === "ready") + 1);
const ofType = (events: SseEvent[], type: EventType) => events.filter((e) => e.event === type);
const threadIdOf = (e: SseEvent): string | undefined => {
  const data = e.data as { threadId?: string; message?: { threadId: string }; thread?: { id: string } };
  return data.threadId ?? data.message?.threadId ?? data.thread?.id;
};
const inThread = (events: SseEvent[], threadId: string) => events.filter((e) => threadIdOf(e) === threadId);
/** The fields `first` can match on; each event type has some of them. */
type Payload = { message: { id: string; threadId: string }; thread: { id: string } };
/** The first event of `type` whose payload matches `where`, for `waitFor`. */
const first = (type: EventType, where: (data: Payload) => boolean = () => true) => (events: SseEvent[]) =>
  events.find((e) => e.event === type && where(e.data as Payload));
const messageText = (e: SseEvent) => (e.data as { message?: { text: string } }).message?.text;
/** The events that came after `marker`. */
const after = (events: SseEvent[], marker: SseEvent) => events.slice(events.indexOf(marker) + 1);

function expectIncreasingIds(events: SseEvent[]) {
  const ids = events.map(eventId);
  expect(ids.every((id, i) => id > 0n && (i === 0 || id > ids[i - 1]!))).toBe(true);
}

// ---------------------------------------------------------------------------------------------------------------------
// Database helpers

async function newestEventId(): Promise<bigint> {
  const [row] = await getPrisma().$queryRaw<{ id: bigint | null }[]>`SELECT max(id) AS id FROM events`;
  return row?.id ?? 0n;
}

interface HeldEvent {
  /** The id the uncommitted event took. */
  id: bigint;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/**
 * Records a `message.updated` event for `threadId` (as an edit would) in a transaction that stays open until
 * `commit()` or `rollback()`: its id is taken, its NOTIFY waits for the commit.
 */
async function holdEvent(threadId: string, message: unknown): Promise<HeldEvent> {
  let decide!: (commit: boolean) => void;
  const decision = new Promise<boolean>((resolve) => (decide = resolve));
  let recorded!: (id: bigint) => void;
  const id = new Promise<bigint>((resolve) => (recorded = resolve));
  let rollingBack = false;
  const transaction = getPrisma().$transaction(
    async (tx) => {
      await recordThreadEvent(tx, threadId, "message.updated", { message });
      const [row] = await tx.$queryRaw<{ id: bigint }[]>`SELECT currval(pg_get_serial_sequence('events', 'id')) AS id`;
      recorded(row!.id);
      if (!(await decision)) throw new Error("rolled back on purpose");
    },
    { timeout: 120_000 },
  );
  const settled = transaction.then(
    () => undefined,
    (error: unknown) => {
      if (!rollingBack) throw error;
    },
  );
  const ended = transaction.then(() => Promise.reject(new Error("the held transaction ended early")));
  return {
    id: await Promise.race([id, ended]),
    async commit() {
      decide(true);
      await settled;
    },
    async rollback() {
      rollingBack = true;
      decide(false);
      await settled;
    },
  };
}

/** Three new people; tests put Alice and Bob in threads and keep Carol out of them. */
async function cast() {
  const [alice, bob, carol] = await Promise.all([createUser("alice"), createUser("bob"), createUser("carol")]);
  return { alice, bob, carol };
}

// ---------------------------------------------------------------------------------------------------------------------

describe("the SSE parser these tests read streams with", () => {
  it("returns events completed by each chunk, however the stream is cut, and skips comments and retry", () => {
    const text = "retry: 2000\r\n\r\n: keep-alive\n\nid: 7\r\nevent: message.created\r\ndata: {\"a\":1}\r\n\r\nevent: typing\rdata:x\rdata: y\r\r\n";
    const whole = new SseParser().push(text);
    expect(whole).toEqual([
      { id: "7", event: "message.created", data: { a: 1 } },
      { id: undefined, event: "typing", data: "x\ny" },
    ]);
    for (let size = 1; size <= 7; size++) {
      const parser = new SseParser();
      const events: SseEvent[] = [];
      for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)));
      expect(events).toEqual(whole);
      expect(parser.comments).toBe(1);
    }
  });

  it("waits for the blank line, and dispatches nothing for a frame without data", () => {
    const parser = new SseParser();
    expect(parser.push("event: ready\ndata: {}\n")).toEqual([]);
    expect(parser.push("\n")).toEqual([{ id: undefined, event: "ready", data: {} }]);
    expect(parser.push("id: 3\nevent: nothing\n\ndata: 1\n\n")).toEqual([{ id: undefined, event: "message", data: 1 }]);
  });
});

describe("a stream", () => {
  it("starts with ready, which carries the stream's position as its id", async () => {
    const { alice, bob } = await cast();
    await createThread(alice, bob);
    const stream = await open(bob);
    expect(stream.events[0]).toMatchObject({ event: "ready", data: {} });
    expect(stream.events[0]!.id).toMatch(/^\d+$/);
    expect(eventId(stream.events[0]!)).toBeLessThanOrEqual(await newestEventId());
    stream.close();
  });

  it("delivers a thread's events to its participants with their own read state and unread counts", async () => {
    const { alice, bob } = await cast();
    const [a, b] = await Promise.all([open(alice), open(bob)]);

    const threadId = await createThread(alice, bob);
    const m1 = await send(alice, threadId, "one");
    const m2 = await send(alice, threadId, "two");
    expect((await api.post(`/api/messages/${m1.id}/read`, { token: bob.token })).status).toBe(200);
    expect((await api.patch(`/api/messages/${m2.id}`, { token: alice.token, body: { text: "two, edited" } })).status).toBe(200);
    expect((await api.delete(`/api/messages/${m2.id}`, { token: alice.token })).status).toBe(204);

    const types = ["thread.created", "message.created", "message.created", "thread.read", "message.updated", "message.deleted"];
    await b.waitFor((events) => live(events).length >= types.length, "six events");
    await a.waitFor((events) => live(events).length >= types.length, "six events");
    for (const stream of [a, b]) {
      const events = live(stream.events);
      expect(events.map((e) => e.event)).toEqual(types);
      expectIncreasingIds(events);
      for (const e of events) expect(eventPayloads[e.event as EventType].safeParse(e.data).error).toBeUndefined();
      expect(inThread(events, threadId)).toHaveLength(types.length);
    }
    // Both see the same event ids: one stored event per change, personalised per recipient.
    expect(live(a.events).map((e) => e.id)).toEqual(live(b.events).map((e) => e.id));

    const [, bobCreated1, bobCreated2, bobRead, bobUpdated, bobDeleted] = live(b.events);
    const [, aliceCreated1, aliceCreated2, aliceRead, , aliceDeleted] = live(a.events);
    expect((live(b.events)[0]!.data as { thread: { id: string } }).thread.id).toBe(threadId);
    // New messages: unread for the recipient, with his count after each; read for the sender, who has none.
    expect(bobCreated1!.data).toEqual({ message: { ...m1, isRead: false }, unreadCount: 1, unreadMentionCount: 0 });
    expect(bobCreated2!.data).toEqual({ message: { ...m2, isRead: false }, unreadCount: 2, unreadMentionCount: 0 });
    expect(aliceCreated1!.data).toEqual({ message: { ...m1, isRead: true }, unreadCount: 0, unreadMentionCount: 0 });
    expect(aliceCreated2!.data).toEqual({ message: { ...m2, isRead: true }, unreadCount: 0, unreadMentionCount: 0 });
    // Bob read up to m1: he gets his new count, Alice only where Bob's read position is.
    expect(bobRead!.data).toEqual({ threadId, userId: bob.id, lastReadSeq: m1.seq, unreadCount: 1, unreadMentionCount: 0 });
    expect(aliceRead!.data).toEqual({ threadId, userId: bob.id, lastReadSeq: m1.seq });
    expect(bobUpdated!.data).toMatchObject({
      message: { id: m2.id, text: "two, edited", editedAt: expect.any(String) },
      unreadCount: 1,
      unreadMentionCount: 0,
    });
    // m2 was unread for Bob: deleting it takes his count down to 0.
    expect(bobDeleted!.data).toEqual({ threadId, messageId: m2.id, seq: m2.seq, unreadCount: 0, unreadMentionCount: 0 });
    expect(aliceDeleted!.data).toEqual({ threadId, messageId: m2.id, seq: m2.seq, unreadCount: 0, unreadMentionCount: 0 });
    a.close();
    b.close();
  });

  it("gives every recipient of an edited message their own isRead, as reading the message answers them", async () => {
    const { alice, bob, carol } = await cast();
    const threadId = await createThread(alice, bob, carol);
    const [a, b, c] = await Promise.all([open(alice), open(bob), open(carol)]);
    const m1 = await send(alice, threadId, "one");
    const m2 = await send(alice, threadId, "two");
    expect((await api.post(`/api/messages/${m1.id}/read`, { token: bob.token })).status).toBe(200);
    for (const m of [m1, m2]) {
      const edited = await api.patch(`/api/messages/${m.id}`, { token: alice.token, body: { text: `${m.text}, edited` } });
      expect(edited.status).toBe(200);
    }

    const edits = async (s: Stream) =>
      (await s.waitFor((events) => ofType(events, "message.updated").length >= 2 && ofType(events, "message.updated")))
        .map((e) => (e.data as { message: Message }).message);
    const [forAlice, forBob, forCarol] = await Promise.all([edits(a), edits(b), edits(c)]);
    expect(forAlice.map((m) => m.isRead)).toEqual([true, true]); // she sent them
    expect(forBob.map((m) => m.isRead)).toEqual([true, false]); // he has read up to m1
    expect(forCarol.map((m) => m.isRead)).toEqual([false, false]); // she has read nothing
    // Each event's message is the one GET /api/messages/{id} answers that recipient.
    for (const [user, received] of [[alice, forAlice], [bob, forBob], [carol, forCarol]] as const) {
      for (const [i, m] of [m1, m2].entries()) {
        const read = await api.get<Message>(`/api/messages/${m.id}`, { token: user.token });
        expect(received[i], user.username).toEqual(read.body);
      }
    }
    for (const s of [a, b, c]) s.close();
  });

  it("never delivers a thread's events to someone outside it", async () => {
    const { alice, bob, carol } = await cast();
    const c = await open(carol);
    const threadId = await createThread(alice, bob);
    const m = await send(alice, threadId, "between us");
    await api.post(`/api/threads/${threadId}/read`, { token: bob.token });
    await api.post(`/api/threads/${threadId}/typing`, { token: bob.token });
    await api.patch(`/api/messages/${m.id}`, { token: alice.token, body: { text: "edited" } });
    await api.delete(`/api/messages/${m.id}`, { token: alice.token });
    await api.delete(`/api/threads/${threadId}`, { token: bob.token });

    // Carol's own thread comes last: once its message reaches her, everything before it has been dispatched.
    const carolThread = await createThread(alice, carol);
    await send(alice, carolThread, "hi Carol");
    await c.waitFor(first("message.created", (d) => d.message.threadId === carolThread));
    expect(live(c.events).map((e) => [e.event, threadIdOf(e)])).toEqual([
      ["thread.created", carolThread],
      ["message.created", carolThread],
    ]);
    c.close();
  });

  it("sends typing to the other participants only, without an id", async () => {
    const { alice, bob, carol } = await cast();
    const threadId = await createThread(alice, bob);
    const [a, b, c] = await Promise.all([open(alice), open(bob), open(carol)]);

    expect((await api.post(`/api/threads/${threadId}/typing`, { token: bob.token })).status).toBe(204);
    const typing = await a.waitFor(first("typing"));
    expect(typing).toEqual({ id: undefined, event: "typing", data: { threadId, userId: bob.id, expiresInMs: TYPING_TTL_MS } });
    // Not a participant: 404, and nothing is sent.
    expect((await api.post(`/api/threads/${threadId}/typing`, { token: carol.token })).status).toBe(404);

    // Bob's message commits after his typing was notified: when it reaches him and Carol's own fence reaches her, any
    // typing for them would already have been written.
    await send(bob, threadId, "done typing");
    await b.waitFor(first("message.created"));
    const carolThread = await createThread(alice, carol);
    await c.waitFor(first("thread.created", (d) => d.thread.id === carolThread));
    expect(ofType(b.events, "typing")).toEqual([]);
    expect(ofType(c.events, "typing")).toEqual([]);
    expect(ofType(a.events, "typing")).toHaveLength(1);
    for (const s of [a, b, c]) s.close();
  });

  it("ends a deleted thread's events", async () => {
    const { alice, bob, carol } = await cast();
    const doomed = await createThread(alice, bob);
    const other = await createThread(alice, bob, carol);
    const [a, b] = await Promise.all([open(alice), open(bob)]);
    const m = await send(alice, doomed, "soon gone");
    const sent = await b.waitFor(first("message.created"));

    expect((await api.delete(`/api/threads/${doomed}`, { token: bob.token })).status).toBe(204);
    for (const s of [a, b]) {
      const deleted = await s.waitFor(first("thread.deleted"));
      expect(deleted.data).toEqual({ threadId: doomed });
      expect(deleted.id).toMatch(/^\d+$/);
    }
    expect((await api.post(`/api/threads/${doomed}/messages`, { token: alice.token, body: { text: "anyone?" } })).status).toBe(404);
    expect((await api.post(`/api/threads/${doomed}/typing`, { token: alice.token })).status).toBe(404);
    expect((await api.patch(`/api/messages/${m.id}`, { token: alice.token, body: { text: "edited" } })).status).toBe(404);
    expect((await api.post(`/api/threads/${doomed}/read`, { token: bob.token })).status).toBe(404);

    await send(alice, other, "still here");
    await b.waitFor(first("message.created", (d) => d.message.threadId === other));
    expect(after(b.events, sent).map((e) => [e.event, threadIdOf(e)])).toEqual([
      ["thread.deleted", doomed],
      ["message.created", other],
    ]);
    a.close();
    b.close();
  });

  it("sends no event of a thread after its thread.deleted, even for an edit racing the deletion", async () => {
    const { alice, bob } = await cast();
    const b = await open(bob);
    const threadId = await createThread(alice, bob);
    const m = await send(alice, threadId, "edit me");
    await b.waitFor(first("message.created"));
    const prisma = getPrisma();
    /** Backends of this database waiting for a lock. */
    const waitingForLocks = async () => {
      const [row] = await prisma.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
      return row?.n ?? 0;
    };
    const until = (done: () => Promise<boolean>, what: string) =>
      vi.waitFor(
        async () => {
          if (!(await done())) throw new Error(`still waiting: ${what}`);
        },
        { timeout: 10_000, interval: 10 },
      );

    // Hold the message row, so that the edit (which does not lock the thread) waits on it first, then the deletion
    // (which records thread.deleted before its cascade reaches the row) queues behind the edit.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = prisma.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM messages WHERE id = ${m.id} FOR UPDATE`;
        locked();
        await released;
      },
      { timeout: 60_000 },
    );
    await isLocked;
    const edit = api.patch(`/api/messages/${m.id}`, { token: alice.token, body: { text: "edited while deleting" } });
    await until(async () => (await waitingForLocks()) >= 1, "the edit to wait for the message row");
    let deletionDone = false;
    const deletion = api.delete(`/api/threads/${threadId}`, { token: bob.token }).finally(() => (deletionDone = true));
    await until(async () => deletionDone || (await waitingForLocks()) >= 2, "the deletion to wait or finish");
    release();
    await holder;
    const [edited, deleted] = await Promise.all([edit, deletion]);
    expect(deleted.status).toBe(204);

    // Whatever the outcome of the edit, Bob's last event of the thread is its deletion.
    const fence = await createThread(alice, bob);
    await b.waitFor(first("thread.created", (d) => d.thread.id === fence));
    const events = inThread(live(b.events), threadId);
    expect(events.at(-1)?.event, `edit answered ${edited.status}; Bob got ${summary(events)}`).toBe("thread.deleted");
    b.close();
  });
});

describe("resuming with Last-Event-ID", () => {
  it("replays events stored before the upgrade with each recipient's own isRead (migration events_personal_is_read)", async () => {
    const { alice, bob } = await cast();
    const threadId = await createThread(alice, bob);
    const m1 = await send(alice, threadId, "before the upgrade");
    const since = await newestEventId();
    const witness = await open(bob);
    // Events as the previous version stored them: the sender's view in the payload, no isRead in `personal`.
    const old = { ...m1, isRead: true };
    const recipients = [alice.id, bob.id].sort();
    await getPrisma().$queryRaw`
      WITH stored AS (
        INSERT INTO events (thread_id, type, payload, personal, recipients) VALUES
          (${threadId}, 'message.created', ${JSON.stringify({ message: old })}::jsonb,
           ${JSON.stringify({ [alice.id]: { unreadCount: 0 }, [bob.id]: { unreadCount: 1 } })}::jsonb, ${recipients}::text[]),
          (${threadId}, 'message.updated', ${JSON.stringify({ message: { ...old, text: "edited", editedAt: old.createdAt } })}::jsonb,
           '{}'::jsonb, ${recipients}::text[])
        RETURNING id
      )
      SELECT pg_notify('parley_events', id::text)::text FROM stored`;
    // Without the migration, Bob would be told that he has read both.
    const unmigrated = await witness.waitFor((events) => {
      const found = after(events, events.find((e) => e.event === "ready")!).filter((e) => eventId(e) > since);
      return found.length >= 2 && found;
    });
    expect(unmigrated.map((e) => (e.data as { message: Message }).message.isRead)).toEqual([true, true]);
    witness.close();

    const migration = new URL("../prisma/migrations/20261205002929_events_personal_is_read/migration.sql", import.meta.url);
    // The migration calls parley_is_read as it was then, before system entries (migration groups_functions) gave it
    // the message's kind: that function, for as long as the migration runs.
    const rerun = () =>
      getPrisma().$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`
          CREATE FUNCTION parley_is_read(p_sender_id text, p_seq int, p_viewer_id text, p_viewer_last_read_seq int)
          RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT p_sender_id = p_viewer_id OR p_seq <= p_viewer_last_read_seq $$`);
        await tx.$executeRawUnsafe(await readFile(migration, "utf8"));
        await tx.$executeRawUnsafe(`DROP FUNCTION parley_is_read(text, int, text, int)`);
      });
    await rerun();
    const replayed = async (user: TestUser) => {
      const stream = await open(user, { since });
      stream.close();
      return stream.events.slice(0, stream.events.findIndex((e) => e.event === "ready")).map((e) => e.data);
    };
    expect(await replayed(bob)).toEqual([
      { message: { ...m1, isRead: false }, unreadCount: 1, unreadMentionCount: 0 },
      { message: { ...m1, text: "edited", editedAt: m1.createdAt, isRead: false } },
    ]);
    expect(await replayed(alice)).toEqual([
      { message: { ...m1, isRead: true }, unreadCount: 0, unreadMentionCount: 0 },
      { message: { ...m1, text: "edited", editedAt: m1.createdAt, isRead: true } },
    ]);
    // Events the new functions wrote keep their fields: applying the migration again changes nothing.
    const before = await getPrisma().$queryRaw<{ personal: unknown }[]>`SELECT personal FROM events ORDER BY id`;
    await rerun();
    expect(await getPrisma().$queryRaw`SELECT personal FROM events ORDER BY id`).toEqual(before);
  });

  it("replays exactly the missed events in id order, then ready", async () => {
    const { alice, bob, carol } = await cast();
    const witness = await open(bob); // stays connected throughout
    const dropped = await open(bob);
    const threadId = await createThread(alice, bob);
    const one = await send(alice, threadId, "one");
    await dropped.waitFor((events) => events.some((e) => e.event === "message.created" && messageText(e) === "one"));
    dropped.close();
    const lastSeen = eventId(dropped.events.at(-1)!);

    // While Bob is away: his threads change, and so does a thread he is not in.
    const two = await send(alice, threadId, "two");
    await send(alice, threadId, "three");
    await api.post(`/api/messages/${two.id}/read`, { token: bob.token });
    await api.patch(`/api/messages/${one.id}`, { token: alice.token, body: { text: "one, edited" } });
    const notBobs = await createThread(alice, carol);
    await send(carol, notBobs, "not for Bob");
    const group = await createThread(alice, bob, carol);
    await send(carol, group, "last");
    await witness.waitFor((events) => events.some((e) => e.event === "message.created" && messageText(e) === "last"));

    const missed = live(witness.events).filter((e) => eventId(e) > lastSeen);
    expect(missed.map((e) => e.event)).toEqual([
      "message.created",
      "message.created",
      "thread.read",
      "message.updated",
      "thread.created",
      "message.created",
    ]);
    const resumed = await open(bob, { since: lastSeen });
    expect(resumed.events.slice(0, -1)).toEqual(missed);
    expect(resumed.events.at(-1)).toMatchObject({ event: "ready", data: {} });
    expect(eventId(resumed.events.at(-1)!)).toBeGreaterThanOrEqual(eventId(missed.at(-1)!));
    for (const s of [witness, resumed]) s.close();
  });

  it("resumes with nothing to replay when nothing was missed", async () => {
    const { alice, bob } = await cast();
    const before = await open(bob);
    const threadId = await createThread(alice, bob);
    await send(alice, threadId, "seen");
    await before.waitFor(first("message.created"));
    before.close();
    const again = await open(bob, { since: eventId(before.events.at(-1)!) });
    expect(again.events.map((e) => e.event)).toEqual(["ready"]);
    again.close();
  });

  it(`replays up to REPLAY_LIMIT (${REPLAY_LIMIT}) events and tells a client that missed more to resync`, async () => {
    const { alice, bob } = await cast();
    const threadId = await createThread(alice, bob);
    const m = await send(alice, threadId, "edited many times");
    const witness = await open(bob);
    const before = await newestEventId();

    await getPrisma().$transaction(async (tx) => {
      for (let i = 1; i <= REPLAY_LIMIT + 1; i++) {
        await recordThreadEvent(tx, threadId, "message.updated", { message: { ...m, text: `edit ${i}` } });
      }
    }, { timeout: 60_000 });
    const burst = await witness.waitFor((events) => {
      const updates = ofType(events, "message.updated");
      return updates.length === REPLAY_LIMIT + 1 && updates;
    }, `${REPLAY_LIMIT + 1} updates`);
    expect(eventId(burst[0]!)).toBeGreaterThan(before);

    const tooFar = await open(bob, { since: eventId(burst[0]!) - 1n });
    expect(tooFar.events.map((e) => e.event)).toEqual(["resync", "ready"]);
    expect(tooFar.events[0]!.data).toEqual({ reason: expect.any(String) });
    expect(tooFar.events[0]!.id).toMatch(/^\d+$/);
    expect(eventId(tooFar.events[1]!)).toBeGreaterThanOrEqual(eventId(burst.at(-1)!));

    const justEnough = await open(bob, { since: eventId(burst[0]!) });
    expect(justEnough.events.slice(0, -1)).toEqual(burst.slice(1));
    expect(justEnough.events.at(-1)!.event).toBe("ready");
    for (const s of [witness, tooFar, justEnough]) s.close();
  });

  it("tells a client whose Last-Event-ID is beyond the newest event to resync", async () => {
    const { alice, bob } = await cast();
    await createThread(alice, bob);
    const stream = await open(bob, { since: (await newestEventId()) + 1000n });
    expect(stream.events.map((e) => e.event)).toEqual(["resync", "ready"]);
    expect(stream.events[0]!.data).toEqual({ reason: expect.any(String) });
    stream.close();
  });

  it("replays exactly the rest of a 50-message burst to a client that dropped midway, each once", async () => {
    const { alice, bob } = await cast();
    const created = (events: SseEvent[]) => ofType(events, "message.created");
    const witness = await open(bob);
    const dropped = await open(bob, { dropAfter: (_, events) => created(events).length === 20 });
    const threadId = await createThread(alice, bob);

    const sent = await Promise.all(Array.from({ length: 50 }, (_, i) => send(alice, threadId, `burst ${i + 1}`)));
    sent.sort((x, y) => x.seq - y.seq);
    await witness.waitFor((events) => created(events).length === 50, "the 50 messages");
    const lastSeen = eventId(created(dropped.events).at(-1)!);

    const resumed = await open(bob, { since: lastSeen });
    // A message sent after the burst: once it arrives, anything else that was coming has come.
    const last = await send(alice, threadId, "after the burst");
    await resumed.waitFor(first("message.created", (d) => d.message.id === last.id));

    const ids = (events: SseEvent[]) => created(events).map((e) => (e.data as { message: { id: string } }).message.id);
    expect(ids(dropped.events)).toEqual(sent.slice(0, 20).map((s) => s.id));
    expect(ids(resumed.events)).toEqual([...sent.slice(20).map((s) => s.id), last.id]);
    expect(resumed.events.slice(0, 30)).toEqual(created(witness.events).slice(20, 50));
    expect(resumed.events[30]!.event).toBe("ready");
    expectIncreasingIds(resumed.events.filter((e) => e.event !== "ready"));
    for (const s of [witness, resumed]) s.close();
  });

  it("does not send an event again that it replayed while the event was still on its way to the streams", async () => {
    const { alice, bob } = await cast();
    const resumed: Promise<Stream>[] = [];
    let lastSeen = 0n;
    const witness = await open(bob, {
      // The typing below is notified after the 50 events; the hub writes it on arrival, when it has just started
      // loading and delivering those events (one query per notification, in order). A client resumes right then.
      dropAfter: (e) => {
        if (e.event === "typing" && resumed.length === 0) resumed.push(open(bob, { since: lastSeen }));
        return false;
      },
    });
    const threadId = await createThread(alice, bob);
    const m = await send(alice, threadId, "edited many times");
    lastSeen = eventId(await witness.waitFor(first("message.created")));

    // 50 events in 50 transactions, then a typing notification, all in one round trip (and without waiting for each
    // commit to be flushed), so that their notifications reach the hub together.
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      const literal = (value: unknown) => client.escapeLiteral(typeof value === "string" ? value : JSON.stringify(value));
      const recipients = `ARRAY[${[alice.id, bob.id].sort().map(literal).join(", ")}]`;
      const events = Array.from({ length: 50 }, (_, i) => {
        const payload = literal({ message: { ...m, text: `edit ${i + 1}` } });
        return `BEGIN; WITH e AS (INSERT INTO events (thread_id, type, payload, recipients)
          VALUES (${literal(threadId)}, 'message.updated', ${payload}::jsonb, ${recipients}) RETURNING id)
          SELECT pg_notify('parley_events', id::text) FROM e; COMMIT;`;
      });
      const typing = literal({ type: "typing", payload: { threadId, userId: alice.id, expiresInMs: 1 }, recipients: [bob.id] });
      await client.query(`SET synchronous_commit = off; ${events.join("\n")} SELECT pg_notify('parley_events', ${typing});`);
    } finally {
      await client.end();
    }
    await witness.waitFor((events) => ofType(events, "message.updated").length === 50, "the 50 updates");
    const stream = await witness.waitFor(() => resumed[0], "typing");
    const fence = await send(alice, threadId, "after");
    const resumedStream = await stream;
    await resumedStream.waitFor(first("message.created", (d) => d.message.id === fence.id));

    const updates = ofType(resumedStream.events, "message.updated").map((e) => e.id);
    const expected = ofType(witness.events, "message.updated").map((e) => e.id);
    expect(updates, `resumed stream: ${summary(resumedStream.events)}`).toEqual(expected);
    for (const s of [witness, resumedStream]) s.close();
  });

  it("tells a client to resync when the events it missed are no longer kept", async () => {
    const { alice, bob } = await cast();
    const [witness, stream] = await Promise.all([open(bob), open(bob)]);
    const threadId = await createThread(alice, bob);
    await send(alice, threadId, "one");
    await stream.waitFor(first("message.created"));
    stream.close();
    const lastSeen = eventId(stream.events.at(-1)!);
    const two = await send(alice, threadId, "two");
    await witness.waitFor(first("message.created", (d) => d.message.id === two.id));
    // As the retention prune does (EVENTS_RETENTION_HOURS): the oldest events go, including one Bob missed.
    await getPrisma().$executeRaw`DELETE FROM events WHERE id <= ${lastSeen + 1n}`;
    const resumed = await open(bob, { since: lastSeen });
    expect(resumed.events.map((e) => e.event)).toEqual(["resync", "ready"]);
    for (const s of [witness, resumed]) s.close();
  });
});

describe("ordering while an earlier event is uncommitted", () => {
  it("holds back a committed event until the earlier id commits, then delivers both in id order", async () => {
    const { alice, bob } = await cast();
    const b = await open(bob);
    const threadId = await createThread(alice, bob);
    const m = await send(alice, threadId, "before");
    const before = await b.waitFor(first("message.created"));

    const held = await holdEvent(threadId, m); // id N, not committed
    try {
      const next = await send(alice, threadId, "after"); // id N+1, committed
      expect(await newestEventId()).toBe(held.id + 1n);

      // Why "N+1 has not been delivered" can be asserted without a timed wait: Alice's typing commits after N+1, and
      // the hub's listening connection gets notifications in commit order and writes `typing` on arrival (it is not
      // held back with the persisted events). So once Bob has the typing, the hub has handled N+1's notification, and
      // from then on only N's notification or the gap timeout (60 s in this hub) can release N+1.
      expect((await api.post(`/api/threads/${threadId}/typing`, { token: alice.token })).status).toBe(204);
      await b.waitFor(first("typing"));
      expect(after(b.events, before).map((e) => e.event)).toEqual(["typing"]);
      // A hub that released N+1 at once would still load it asynchronously, so the check above could miss it by a
      // moment; this one cannot, because a subscription reads the released position synchronously. It is also the
      // case the high-water mark exists for: a client resuming now from N-1 must be told it is live at N-1 — had the
      // hub handed out N+1, that client would resume after N+1 and never see N.
      const resumed = await open(bob, { since: held.id - 1n });
      expect(resumed.events).toEqual([{ id: String(held.id - 1n), event: "ready", data: {} }]);

      await held.commit();
      for (const s of [b, resumed]) {
        const events = await s.waitFor((all) => {
          const persisted = live(all).filter((e) => eventId(e) >= held.id);
          return persisted.length >= 2 && persisted;
        }, "N and N+1");
        expect(events.map((e) => [e.id, e.event])).toEqual([
          [String(held.id), "message.updated"],
          [String(held.id + 1n), "message.created"],
        ]);
        expect((events[1]!.data as { message: { id: string } }).message.id).toBe(next.id);
      }
      resumed.close();
    } finally {
      await held.rollback().catch(() => undefined);
      b.close();
    }
  });
});

describe("with a short gap timeout", () => {
  let hub: Hub;
  let onOldHub: Stream;
  beforeAll(async () => {
    onOldHub = await open(await createUser("before"));
    hub = await replaceHub(300);
  });

  it("shutting a hub down ends its streams", () => {
    expect(onOldHub.closedByHub).toBe(true);
  });

  it("delivers the next event once an earlier id's transaction rolled back", async () => {
    const { alice, bob } = await cast();
    const b = await open(bob, { hub });
    const threadId = await createThread(alice, bob);
    const m = await send(alice, threadId, "before");
    const before = await b.waitFor(first("message.created"));
    const held = await holdEvent(threadId, m);
    try {
      const next = await send(alice, threadId, "after");
      await held.rollback();
      const created = await b.waitFor(first("message.created", (d) => d.message.id === next.id));
      expect(created.id).toBe(String(held.id + 1n));
      expect(after(b.events, before).map((e) => e.id)).toEqual([String(held.id + 1n)]);
    } finally {
      await held.rollback().catch(() => undefined);
      b.close();
    }
  });

  it("delivers an event whose transaction committed after the gap timeout when it arrives", async () => {
    const { alice, bob } = await cast();
    const b = await open(bob, { hub });
    const threadId = await createThread(alice, bob);
    const m = await send(alice, threadId, "before");
    const before = await b.waitFor(first("message.created"));
    const held = await holdEvent(threadId, m);
    try {
      const next = await send(alice, threadId, "after");
      await b.waitFor(first("message.created", (d) => d.message.id === next.id)); // N given up on
      await held.commit();
      await b.waitFor(first("message.updated"));
      expect(after(b.events, before).map((e) => e.id)).toEqual([String(held.id + 1n), String(held.id)]);
    } finally {
      await held.rollback().catch(() => undefined);
      b.close();
    }
  });
});

/**
 * Shuts this process's hub down and starts a new one with another gap timeout (read once, at module evaluation):
 * forgets the instance cached on `globalThis` and evaluates lib/infra/live-hub.ts again.
 */
async function replaceHub(gapTimeoutMs: number): Promise<Hub> {
  await getHub().shutdown();
  delete (globalThis as { parleyHub?: unknown }).parleyHub;
  process.env.EVENTS_GAP_TIMEOUT_MS = String(gapTimeoutMs);
  vi.resetModules();
  ({ getHub, REPLAY_LIMIT } = await import("@/lib/infra/live-hub"));
  return getHub();
}
