/**
 * How the event hub loads what it releases (lib/infra/live-hub.ts, `release`): loads run one after another, and the
 * ids released while one is under way wait for the next, which loads them all in one query. Under a burst of sends
 * that keeps the hub's one delivery chain from falling behind for good (docs/realtime.md, "How far it goes").
 *
 * `loadEvents` is wrapped so that a test can hold a load open and see which ids each load asked for; the rest is the
 * real thing, against this file's own database. Nothing sleeps: to know that the hub has handled the notifications of
 * some commits, a test waits for a `typing` sent after them (the hub's one connection receives notifications in
 * commit order, and writes `typing` as soon as its notification arrives; see tests/live.test.ts).
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { api } from "./helpers/api";
import { createThread, createUser, send } from "./helpers/fixtures";
import { eventId } from "./helpers/sse";
import { openStream } from "./helpers/streams";

const held = vi.hoisted(() => ({
  /** The ids each call of `loadEvents` asked for, in call order. */
  loads: [] as bigint[][],
  /** While set, every load waits for it before querying. */
  gate: null as Promise<void> | null,
}));

vi.mock("@/lib/server/events", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/server/events")>();
  return {
    ...actual,
    loadEvents: async (ids: bigint[]) => {
      held.loads.push([...ids]);
      if (held.gate) await held.gate;
      return actual.loadEvents(ids);
    },
  };
});

const { getHub } = await import("@/lib/infra/live-hub");

afterAll(async () => {
  await getHub().shutdown();
});

describe("loading released events", () => {
  it("loads every id released while a load is under way with the next query, and delivers them all, in order", async () => {
    const [alice, bob] = await Promise.all([createUser("alice"), createUser("bob")]);
    const threadId = await createThread(alice, bob);
    const stream = await openStream(getHub(), bob);

    let openGate!: () => void;
    held.gate = new Promise((resolve) => (openGate = resolve));
    held.loads.length = 0;
    const texts = ["first", "second", "third", "fourth", "fifth", "sixth"];
    await send(alice, threadId, texts[0]!);
    // The first message's load has begun, and waits.
    await vi.waitFor(() => expect(held.loads).toHaveLength(1), { timeout: 10_000, interval: 5 });
    for (const text of texts.slice(1)) await send(alice, threadId, text);
    // Alice's typing reaches Bob once the hub has handled every notification before it: the five later messages are
    // released, behind the held load.
    expect((await api.post(`/api/threads/${threadId}/typing`, { token: alice.token })).status).toBe(204);
    await stream.waitFor((events) => events.some((e) => e.event === "typing"), "alice's typing");
    expect(held.loads).toHaveLength(1);

    held.gate = null;
    openGate();
    const created = await stream.waitFor((events) => {
      const messages = events.filter((e) => e.event === "message.created");
      return messages.length === texts.length && messages;
    }, "the six messages");

    expect(created.map((e) => (e.data as { message: { text: string } }).message.text)).toEqual(texts);
    const ids = created.map(eventId);
    expect(held.loads).toEqual([[ids[0]], ids.slice(1)]);
    stream.close();
  });
});
