/**
 * Presence (lib/server/presence.ts, docs/realtime.md "Presence"): online while an event stream is open, announced
 * once per change to the people who share a thread, last seen otherwise, hidden on request.
 *
 * Time does not pass here: instead of waiting PRESENCE_TIMEOUT_MS, a test moves `last_seen_at` back and sweeps. To show
 * that something was NOT announced, a test then makes a later announcement to the same stream (a marker person
 * coming online): the hub's one listening connection gets notifications in commit order and delivers presence in the
 * order it gets them, so once the marker has arrived, an earlier announcement would have too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@/lib/db";
import { sweepPresence, touchPresence } from "@/lib/server/presence";
import { api } from "./helpers/api";
import { createThread, createUser, type TestUser } from "./helpers/fixtures";
import type { SseEvent } from "./helpers/sse";
import { openStream, type Stream } from "./helpers/streams";

// The hub's heartbeat would touch and sweep on its own every third of the timeout: a long one keeps it out of the way.
process.env.PRESENCE_TIMEOUT_MS = "3600000";
const { getHub } = await import("@/lib/infra/live-hub");

afterAll(async () => {
  await getHub().shutdown();
});

const open = (user: TestUser) => openStream(getHub(), user);

type PresencePayload = { userId: string; presence: { status: "online" | "offline"; lastSeenAt: string | null } };
const presenceOf = (events: SseEvent[], userId: string) =>
  events.filter((e) => e.event === "presence" && (e.data as PresencePayload).userId === userId).map((e) => (e.data as PresencePayload).presence);

/** Makes `user` look as if their last stream closed `minutes` ago. */
const seenAgo = (user: TestUser, minutes: number) =>
  getPrisma().$executeRaw`UPDATE users SET last_seen_at = clock_timestamp() - make_interval(mins => ${minutes}::int) WHERE id = ${user.id}`;

const profile = async (viewer: TestUser, of: TestUser) => {
  const res = await api.get(`/api/users/${of.id}`, { token: viewer.token });
  expect(res.status).toBe(200);
  return res.body.presence as PresencePayload["presence"];
};

/** A person sharing a thread with `watcher`, whose coming online is the marker described above. */
async function marker(watcher: TestUser): Promise<TestUser> {
  const m = await createUser("marker");
  await createThread(m, watcher);
  return m;
}

async function waitForMarker(stream: Stream, m: TestUser) {
  await touchPresence([m.id]);
  await stream.waitFor((events) => presenceOf(events, m.id).length > 0, "the marker's presence");
}

let alice: TestUser;
let bob: TestUser;
let stranger: TestUser;

beforeAll(async () => {
  [alice, bob, stranger] = await Promise.all([createUser("alice"), createUser("bob"), createUser("stranger")]);
  await createThread(alice, bob);
});

describe("presence", () => {
  it("is offline with no last-seen time for someone who never had the app open", async () => {
    const nobody = await createUser("nobody");
    expect(await profile(alice, nobody)).toEqual({ status: "offline", lastSeenAt: null });
  });

  it("turns online when a stream opens and tells those who share a thread, not strangers", async () => {
    const watching = await open(alice);
    const outsider = await open(stranger);
    const bobs = await open(bob);
    const [online] = await watching.waitFor((events) => presenceOf(events, bob.id).length > 0 && presenceOf(events, bob.id), "bob online");
    expect(online).toEqual({ status: "online", lastSeenAt: expect.any(String) });
    expect(await profile(alice, bob)).toMatchObject({ status: "online" });
    expect(await profile(stranger, bob)).toMatchObject({ status: "online" }); // the directory shows it; events do not

    // The stranger shares nothing with bob: the marker (who shares a thread with the stranger) arrives, bob's did not.
    await waitForMarker(outsider, await marker(stranger));
    expect(presenceOf(outsider.events, bob.id)).toEqual([]);
    for (const s of [watching, outsider, bobs]) s.close();
  });

  it("says nothing when a tab reconnects or the heartbeat runs while someone is online", async () => {
    const watching = await open(alice);
    const first = await open(bob);
    await touchPresence([bob.id]); // online now, whatever the tests before left
    first.close();
    const again = await open(bob); // a reconnect
    expect(await touchPresence([bob.id])).toBe(0); // a heartbeat: nobody came online
    await waitForMarker(watching, await marker(alice));
    expect(presenceOf(watching.events, bob.id)).toEqual([]);
    again.close();
    watching.close();
  });

  it("turns offline once the timeout has passed since the last stream closed, once, with the last-seen time", async () => {
    await touchPresence([bob.id]);
    const watching = await open(alice);
    await seenAgo(bob, 5);
    expect(await sweepPresence(60_000)).toBeGreaterThanOrEqual(1);
    const [offline] = await watching.waitFor((events) => presenceOf(events, bob.id).length > 0 && presenceOf(events, bob.id), "bob offline");
    expect(offline!.status).toBe("offline");
    const [row] = await getPrisma().$queryRaw<{ last_seen_at: Date }[]>`SELECT last_seen_at FROM users WHERE id = ${bob.id}`;
    expect(offline!.lastSeenAt).toBe(row!.last_seen_at.toISOString());
    expect(await profile(alice, bob)).toEqual({ status: "offline", lastSeenAt: row!.last_seen_at.toISOString() });

    // A second sweep finds nobody new: no second announcement.
    await sweepPresence(60_000);
    await waitForMarker(watching, await marker(alice));
    expect(presenceOf(watching.events, bob.id)).toHaveLength(1);
    watching.close();
  });

  it("keeps someone with a stream open online through a sweep, however long ago the stream opened", async () => {
    const bobs = await open(bob);
    await touchPresence([bob.id]); // the heartbeat, which runs every third of the timeout while the stream is open
    await sweepPresence(60_000);
    expect(await profile(alice, bob)).toMatchObject({ status: "online" });
    bobs.close();
  });

  it("hides the last-seen time of who asks, and shows them nobody's", async () => {
    const [carol, dave] = await Promise.all([createUser("carol"), createUser("dave")]);
    await createThread(carol, dave);
    for (const u of [carol, dave]) {
      await touchPresence([u.id]);
      await seenAgo(u, 10);
    }
    await sweepPresence(60_000);
    expect((await profile(dave, carol)).lastSeenAt).not.toBeNull();

    expect((await api.patch("/api/users/me", { token: carol.token, body: { hideLastSeen: true } })).status).toBe(200);
    expect(await profile(dave, carol)).toEqual({ status: "offline", lastSeenAt: null });
    expect(await profile(carol, dave)).toEqual({ status: "offline", lastSeenAt: null });
    expect((await profile(carol, carol)).lastSeenAt).not.toBeNull(); // one's own, always
    // In the thread list too.
    const list = await api.get("/api/threads", { token: dave.token });
    const them = list.body.data.flatMap((t: { participants: { id: string; presence: unknown }[] }) => t.participants).find((p: { id: string }) => p.id === carol.id);
    expect(them.presence).toEqual({ status: "offline", lastSeenAt: null });

    // Live: carol coming online reaches dave without her time; dave's reaches carol without his (she hides hers).
    const daves = await open(dave);
    const carols = await open(carol);
    const [carolOnline] = await daves.waitFor((events) => presenceOf(events, carol.id).length > 0 && presenceOf(events, carol.id), "carol online");
    expect(carolOnline).toEqual({ status: "online", lastSeenAt: null });
    await touchPresence([dave.id]);
    await seenAgo(dave, 10);
    daves.close();
    await sweepPresence(60_000);
    // (Carol may first hear of dave coming online: his stream's announcement can commit after hers opened.)
    const daveOffline = await carols.waitFor((events) => presenceOf(events, dave.id).find((p) => p.status === "offline"), "dave offline");
    expect(daveOffline).toEqual({ status: "offline", lastSeenAt: null });
    carols.close();
  });

  it("sweeps past a person whose row a heartbeat holds, instead of waiting for it (no deadlock between the two)", async () => {
    const [first, second] = (await Promise.all([createUser("sweep"), createUser("sweep")])).sort((a, b) => a.id.localeCompare(b.id));
    await touchPresence([first!.id, second!.id]);
    await seenAgo(first!, 10);
    await seenAgo(second!, 10);
    // A heartbeat in flight holds the second row (as touchPresence locks it), and does not commit until the sweep is
    // done: a sweep that waited for the row would never finish and fail this test on its timeout.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = getPrisma().$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM users WHERE id = ${second!.id} FOR NO KEY UPDATE`;
      locked();
      await held;
    });
    await isLocked;
    try {
      await sweepPresence(60_000);
      const rows = await getPrisma().$queryRaw<{ id: string; online: boolean }[]>`
        SELECT id, online FROM users WHERE id IN (${first!.id}, ${second!.id}) ORDER BY id`;
      expect(rows.map((r) => r.online)).toEqual([false, true]); // the held one is left for the next sweep
    } finally {
      release();
      await holder;
    }
    await sweepPresence(60_000);
    expect((await profile(alice, second!)).status).toBe("offline");
  });

  it("never marks a deleted account online", async () => {
    const ghost = await createUser("ghost");
    await getPrisma().$executeRaw`UPDATE users SET deleted_at = clock_timestamp() WHERE id = ${ghost.id}`;
    expect(await touchPresence([ghost.id])).toBe(0);
    expect(await profile(alice, ghost)).toEqual({ status: "offline", lastSeenAt: null });
  });
});
