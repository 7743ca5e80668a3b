/**
 * Reactions (issue 18): `PUT` and `DELETE /api/messages/{id}/reactions/{emoji}` (lib/server/reactions.ts,
 * prisma/sql/functions/parley_react.sql). Adding and taking back are idempotent; a message's reactions are
 * `[{emoji, count, userIds}]`, emoji in the order each was first used and people in the order they reacted, kept as a
 * copy on the message row (`messages.reactions`) next to the `message_reactions` rows; who may react; the live events;
 * that reactions change nobody's read state; and races, each checked against the database.
 *
 * Live events are read as in tests/live.test.ts: streams subscribed to the hub directly; "nothing arrived" is shown by
 * waiting for a later marker event first (persisted events are released in id order). Nothing sleeps.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { getPrisma } from "@/lib/db";
import { eventPayloads } from "@/lib/schemas/events";
import type { Page } from "@/lib/schemas/common";
import type { Message } from "@/lib/schemas/messages";
import { MAX_REACTION_EMOJI } from "@/lib/schemas/reactions";
import { Prisma } from "@/lib/server/sql";
import { api } from "./helpers/api";
import {
  addMembers,
  afterLatestReaction,
  block,
  countsOf,
  del,
  expectCountsInvariant,
  expectProblem,
  expectReactionCopiesExact,
  messageAs,
  react,
  removeByModerator,
  removeMember,
  rng,
  storedEvents,
  unblock,
  unreact,
  until,
} from "./helpers/conversation";
import { allMessages, createGroup, createThread, quickAdmin, quickUser, send, type TestUser } from "./helpers/fixtures";
import { holdOpen, queuedBehind } from "./helpers/locks";
import { dataSnapshot } from "./helpers/snapshot";
import { openStream, type Stream } from "./helpers/streams";

const { getHub } = await import("@/lib/infra/live-hub");

afterAll(async () => {
  await getHub().shutdown();
});

// Whatever a test did, the copies on the messages name exactly the reaction rows, and reactions moved no count.
afterEach(async () => {
  await expectReactionCopiesExact();
  await expectCountsInvariant();
});

const MISSING_ID = "0190b8a0-0000-7000-8000-000000000000";
const THUMBS = "👍";
const HEART = "❤️";
const PARTY = "🎉";

async function cast() {
  const [alice, bob, carol, dave] = await Promise.all([quickUser("alice"), quickUser("bob"), quickUser("carol"), quickUser("dave")]);
  return { alice, bob, carol, dave };
}

/** The message's reactions as `user` reads them: one message, the thread's pages, and (if unread) the unread list. */
async function reactionsSeenBy(user: TestUser, message: Message) {
  const seen = await messageAs(user, message.id);
  const listed = (await allMessages(user, message.threadId)).find((m) => m.id === message.id)!.reactions;
  expect(listed).toEqual(seen.reactions);
  if (!seen.isRead) {
    const unread = await api.get<Page<Message>>("/api/messages/unread?limit=100", { token: user.token });
    expect(unread.body.data.find((m) => m.id === message.id)!.reactions).toEqual(seen.reactions);
  }
  return seen.reactions;
}

async function rowsOf(messageId: string) {
  return getPrisma().$queryRaw<{ user_id: string; emoji: string }[]>`
    SELECT user_id, emoji FROM message_reactions WHERE message_id = ${messageId} ORDER BY created_at, user_id, emoji`;
}

const reactionEventCount = async (messageId: string) =>
  (await storedEvents("reaction.added", messageId)).length + (await storedEvents("reaction.removed", messageId)).length;

// ---------------------------------------------------------------------------------------------------------------------

describe("adding and taking back a reaction", () => {
  it("adds a reaction once however often it is put (200 each time, one row, count 1), and takes it back the same way", async () => {
    const { alice, bob } = await cast();
    const threadId = await createThread(alice, bob);
    const m = await send(alice, threadId, "react to this");
    const once = { messageId: m.id, threadId, reactions: [{ emoji: THUMBS, count: 1, userIds: [bob.id] }] };

    for (let i = 0; i < 2; i++) {
      const res = await react(bob, m.id, THUMBS);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toEqual(once);
    }
    expect(await rowsOf(m.id)).toEqual([{ user_id: bob.id, emoji: THUMBS }]);
    expect(await reactionsSeenBy(alice, m)).toEqual(once.reactions);
    expect(await storedEvents("reaction.added", m.id)).toHaveLength(1);

    for (let i = 0; i < 2; i++) {
      const res = await unreact(bob, m.id, THUMBS);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toEqual({ messageId: m.id, threadId, reactions: [] });
    }
    expect(await rowsOf(m.id)).toEqual([]);
    expect(await reactionsSeenBy(bob, m)).toEqual([]);
    expect(await storedEvents("reaction.removed", m.id)).toHaveLength(1);

    // Taking back what one never added is the same: nothing changes, nothing is announced.
    expect((await unreact(alice, m.id, PARTY)).body).toEqual({ messageId: m.id, threadId, reactions: [] });
    expect(await reactionEventCount(m.id)).toBe(2);
  });

  it("keeps several emoji and people: emoji in the order each was first used, people in the order they reacted", async () => {
    const { alice, bob, carol, dave } = await cast();
    const group = await createGroup(alice, "Reactions", bob, carol, dave);
    const m = await send(alice, group, "so many feelings");
    const put = async (who: TestUser, emoji: string) => {
      await afterLatestReaction(m.id);
      const res = await react(who, m.id, emoji);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.reactions;
    };
    const take = async (who: TestUser, emoji: string) => {
      const res = await unreact(who, m.id, emoji);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.reactions;
    };

    await put(carol, PARTY);
    await put(bob, THUMBS);
    await put(alice, THUMBS); // one's own message too
    await put(dave, PARTY);
    await put(bob, PARTY);
    const all = await put(carol, HEART);
    expect(all).toEqual([
      { emoji: PARTY, count: 3, userIds: [carol.id, dave.id, bob.id] },
      { emoji: THUMBS, count: 2, userIds: [bob.id, alice.id] },
      { emoji: HEART, count: 1, userIds: [carol.id] },
    ]);
    for (const viewer of [alice, bob, carol, dave]) expect(await reactionsSeenBy(viewer, m)).toEqual(all);

    // Taking one back leaves the others in their places.
    expect(await take(bob, THUMBS)).toEqual([
      { emoji: PARTY, count: 3, userIds: [carol.id, dave.id, bob.id] },
      { emoji: THUMBS, count: 1, userIds: [alice.id] },
      { emoji: HEART, count: 1, userIds: [carol.id] },
    ]);
    // Reacting again puts that person last among that emoji's people.
    await take(dave, PARTY);
    expect(await put(dave, PARTY)).toEqual([
      { emoji: PARTY, count: 3, userIds: [carol.id, bob.id, dave.id] },
      { emoji: THUMBS, count: 1, userIds: [alice.id] },
      { emoji: HEART, count: 1, userIds: [carol.id] },
    ]);
    // An emoji nobody has any more goes; used again, it is the newest one.
    expect(await take(alice, THUMBS)).toEqual([
      { emoji: PARTY, count: 3, userIds: [carol.id, bob.id, dave.id] },
      { emoji: HEART, count: 1, userIds: [carol.id] },
    ]);
    expect(await put(bob, THUMBS)).toEqual([
      { emoji: PARTY, count: 3, userIds: [carol.id, bob.id, dave.id] },
      { emoji: HEART, count: 1, userIds: [carol.id] },
      { emoji: THUMBS, count: 1, userIds: [bob.id] },
    ]);
    // The first user of an emoji taking theirs back: the emoji keeps its place while someone still has it.
    expect(await take(carol, PARTY)).toEqual([
      { emoji: PARTY, count: 2, userIds: [bob.id, dave.id] },
      { emoji: HEART, count: 1, userIds: [carol.id] },
      { emoji: THUMBS, count: 1, userIds: [bob.id] },
    ]);
    expect(await reactionsSeenBy(dave, m)).toEqual(await take(carol, PARTY));
  });

  it("takes ❤ without its variation selector as ❤️, the same reaction, and any single emoji as its own", async () => {
    const { alice, bob } = await cast();
    const threadId = await createThread(alice, bob);
    const m = await send(alice, threadId, "love it");

    const bare = await react(bob, m.id, "\u2764");
    expect(bare.status, JSON.stringify(bare.body)).toBe(200);
    expect(bare.body.reactions).toEqual([{ emoji: "\u2764\ufe0f", count: 1, userIds: [bob.id] }]);
    expect((await react(bob, m.id, "\u2764\ufe0f")).body.reactions).toEqual([{ emoji: HEART, count: 1, userIds: [bob.id] }]);
    expect(await rowsOf(m.id)).toEqual([{ user_id: bob.id, emoji: "\u2764\ufe0f" }]);
    const [added] = await storedEvents("reaction.added", m.id);
    expect(added!.payload.emoji).toBe("\u2764\ufe0f");
    // Someone else's ❤ joins the same reaction.
    await afterLatestReaction(m.id);
    expect((await react(alice, m.id, "\u2764")).body.reactions).toEqual([{ emoji: HEART, count: 2, userIds: [bob.id, alice.id] }]);
    // A redundant variation selector names the same reaction too.
    expect((await react(alice, m.id, "\u2764\ufe0f\ufe0f")).body.reactions).toEqual([{ emoji: HEART, count: 2, userIds: [bob.id, alice.id] }]);
    expect((await react(bob, m.id, "\u{1f44d}\ufe0f")).body.reactions).toEqual([
      { emoji: HEART, count: 2, userIds: [bob.id, alice.id] },
      { emoji: "\u{1f44d}", count: 1, userIds: [bob.id] },
    ]);
    expect((await unreact(bob, m.id, "\u{1f44d}")).body.reactions).toEqual([{ emoji: HEART, count: 2, userIds: [bob.id, alice.id] }]);
    // Taken back by either spelling.
    expect((await unreact(bob, m.id, "\u2764")).body.reactions).toEqual([{ emoji: HEART, count: 1, userIds: [alice.id] }]);
    expect((await unreact(alice, m.id, HEART)).body.reactions).toEqual([]);
    expect(await rowsOf(m.id)).toEqual([]);

    // Skin tones, ZWJ sequences, flags, keycaps and tag sequences are single emoji, each a reaction of its own.
    const singles = ["👍", "👍🏽", "👨‍👩‍👧", "🇫🇷", "1️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🫠", "\u263a"];
    for (const emoji of singles) {
      await afterLatestReaction(m.id);
      const res = await react(alice, m.id, emoji);
      expect(res.status, `${emoji}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    expect((await messageAs(bob, m.id)).reactions.map((r) => r.emoji)).toEqual(["👍", "👍🏽", "👨‍👩‍👧", "🇫🇷", "1️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🫠", "\u263a\ufe0f"]);
  });

  it(`takes at most ${MAX_REACTION_EMOJI} different emoji on a message (409 for another, nothing changed), while more people may add to those`, async () => {
    const { alice, bob } = await cast();
    const threadId = await createThread(alice, bob);
    const m = await send(alice, threadId, "react away");
    const emoji = ["😀", "😁", "😂", "🤣", "😃", "😄", "😅", "😆", "😉", "😊", "😋", "😎", "😍", "😘", "🥰", "😗", "😙", "😚", "🙂", "🤗", "🤩"];
    for (const e of emoji.slice(0, MAX_REACTION_EMOJI)) expect((await react(bob, m.id, e)).status).toBe(200);
    const before = await dataSnapshot();
    const refused = await react(alice, m.id, emoji[MAX_REACTION_EMOJI]!);
    expectProblem(refused, 409);
    expect(await dataSnapshot()).toBe(before);
    // One of the emoji already there: fine; and once one is taken back, a new one fits.
    expect((await react(alice, m.id, emoji[0]!)).body.reactions[0]).toEqual({ emoji: emoji[0], count: 2, userIds: [bob.id, alice.id] });
    expect((await unreact(bob, m.id, emoji[1]!)).status).toBe(200);
    expect((await react(alice, m.id, emoji[MAX_REACTION_EMOJI]!)).body.reactions).toHaveLength(MAX_REACTION_EMOJI);
  });

  it("refuses what is not one emoji with 400 naming the emoji parameter, for adding and taking back, and changes nothing", async () => {
    const { alice, bob } = await cast();
    const threadId = await createThread(alice, bob);
    const m = await send(alice, threadId, "only emoji, please");
    expect((await react(bob, m.id, THUMBS)).status).toBe(200);
    const before = await dataSnapshot();

    const refused: [what: string, segment: string][] = [
      ["two emoji", encodeURIComponent("👍👍")],
      ["an emoji and a space", encodeURIComponent("👍 ")],
      ["an emoji after text", encodeURIComponent("a👍")],
      ["text", "ok"],
      ["a digit (an emoji only as a keycap)", "1"],
      ["a space", "%20"],
      ["a lone zero-width joiner", encodeURIComponent("\u200d")],
      ["a lone variation selector", encodeURIComponent("\ufe0f")],
      ["a lone regional indicator", encodeURIComponent("🇫")],
      ["❤ with three variation selectors", encodeURIComponent("\u2764\ufe0f\ufe0f\ufe0f")],
      ["65 bytes of text", "a".repeat(65)],
      ["17 emoji (68 bytes)", encodeURIComponent("👍".repeat(17))],
      ["a percent sign", "%25"],
      ["percent junk", "%25zz%25"],
      ["an emoji's escape as text", encodeURIComponent("\\u{1f44d}")],
      ["an emoji percent-encoded twice", encodeURIComponent(encodeURIComponent(THUMBS))],
    ];
    for (const [what, segment] of refused) {
      for (const request of [react, unreact]) {
        const res = await request(bob, m.id, segment, { raw: true });
        expectProblem(res, 400);
        expect(res.body.errors, `${what}: ${JSON.stringify(res.body)}`).toEqual([{ parameter: "emoji", detail: expect.any(String) }]);
      }
    }
    // NUL in a path parameter names nothing, as everywhere (lib/api/handler.ts): 404, not 500.
    expectProblem(await react(bob, m.id, "%00", { raw: true }), 404);
    expectProblem(await react(bob, m.id, `${encodeURIComponent(THUMBS)}%00`, { raw: true }), 404);
    expect(await dataSnapshot()).toBe(before);
    expect(await reactionsSeenBy(alice, m)).toEqual([{ emoji: THUMBS, count: 1, userIds: [bob.id] }]);
  });
});

describe("who may react", () => {
  it("answers a stranger and an unknown id 404 alike, an anonymous caller 401, and changes nothing", async () => {
    const { alice, bob, dave } = await cast();
    const threadId = await createThread(alice, bob);
    const m = await send(alice, threadId, "between us");
    expect((await react(bob, m.id, THUMBS)).status).toBe(200);
    const before = await dataSnapshot();

    for (const request of [react, unreact]) {
      const stranger = await request(dave, m.id, THUMBS);
      const unknown = await request(bob, MISSING_ID, THUMBS);
      expectProblem(stranger, 404);
      expectProblem(unknown, 404);
      expect({ ...stranger.body, requestId: null }).toEqual({ ...unknown.body, requestId: null });
      expectProblem(await request(null, m.id, THUMBS), 401);
      expectProblem(await api.put(`/api/messages/${m.id}/reactions/${encodeURIComponent(THUMBS)}`, { token: `prly_${"A".repeat(43)}` }), 401);
      // An id that cannot be one names nothing either.
      expectProblem(await request(bob, "x".repeat(65), THUMBS), 404);
    }
    expect(await dataSnapshot()).toBe(before);
  });

  it("answers a member removed from the group 404: they can neither add nor take back, and their reaction stays", async () => {
    const { alice, bob, carol } = await cast();
    const group = await createGroup(alice, "Members only", bob, carol);
    const m = await send(alice, group, "before carol left");
    expect((await react(carol, m.id, THUMBS)).status).toBe(200);
    expect((await removeMember(alice, group, carol)).status).toBe(204);
    const before = await dataSnapshot();

    expectProblem(await react(carol, m.id, PARTY), 404);
    expectProblem(await unreact(carol, m.id, THUMBS), 404);
    expect(await dataSnapshot()).toBe(before);
    expect(await reactionsSeenBy(bob, m)).toEqual([{ emoji: THUMBS, count: 1, userIds: [carol.id] }]);

    // Back in the group, she may again.
    expect((await addMembers(alice, group, carol)).status).toBe(200);
    expect((await unreact(carol, m.id, THUMBS)).body.reactions).toEqual([]);
  });

  it("refuses reactions to a group's system entry and to a message a moderator removed with 403, changing nothing", async () => {
    const { alice, bob } = await cast();
    const root = await quickAdmin("root");
    const group = await createGroup(alice, "Entries", bob);
    const [entry] = (await allMessages(bob, group)).filter((x) => x.kind === "system");
    expect(entry).toBeDefined();
    const m = await send(alice, group, "about to be removed");
    expect((await react(bob, m.id, THUMBS)).status).toBe(200);
    expect((await removeByModerator(root, m.id)).status).toBe(204);
    const before = await dataSnapshot();

    for (const request of [react, unreact]) {
      for (const who of [alice, bob]) {
        expectProblem(await request(who, entry!.id, THUMBS), 403);
        expectProblem(await request(who, m.id, THUMBS), 403);
        expectProblem(await request(who, m.id, PARTY), 403);
      }
    }
    expect(await dataSnapshot()).toBe(before);
    // A removed message shows no reactions to anyone.
    expect(await reactionsSeenBy(alice, m)).toEqual([]);
    expect(await reactionsSeenBy(bob, entry!)).toEqual([]);
  });

  it("refuses reactions both ways in a direct conversation of two with a block (403), not in a group or a larger direct conversation they share", async () => {
    const { alice, bob, carol } = await cast();
    const direct = await createThread(alice, bob);
    const three = await createThread(alice, bob, carol);
    const group = await createGroup(alice, "Shared", bob, carol);
    const [fromAlice, fromBob] = [await send(alice, direct, "from alice"), await send(bob, direct, "from bob")];
    const [inThree, inGroup] = [await send(alice, three, "three of us"), await send(alice, group, "group")];
    expect((await react(bob, fromAlice.id, THUMBS)).status).toBe(200);
    expect((await block(alice, bob)).status).toBe(204);
    const before = await dataSnapshot();

    // The blocked one and the blocker, on each other's messages and their own.
    for (const [who, message] of [
      [bob, fromAlice],
      [bob, fromBob],
      [alice, fromBob],
      [alice, fromAlice],
    ] as const) {
      expectProblem(await react(who, message.id, PARTY), 403);
    }
    expect(await dataSnapshot()).toBe(before);
    // Taking one's own reaction back stays possible.
    expect((await unreact(bob, fromAlice.id, THUMBS)).body.reactions).toEqual([]);
    expect((await react(bob, fromAlice.id, THUMBS)).status).toBe(403);

    // Blocks do not reach a group or a direct conversation of three.
    expect((await react(bob, inGroup.id, THUMBS)).status).toBe(200);
    expect((await react(bob, inThree.id, THUMBS)).status).toBe(200);
    expect((await react(alice, inThree.id, PARTY)).status).toBe(200);

    // Blocked by the other side only: the same.
    expect((await unblock(alice, bob)).status).toBe(204);
    expect((await block(bob, alice)).status).toBe(204);
    expectProblem(await react(alice, fromBob.id, PARTY), 403);
    expectProblem(await react(bob, fromAlice.id, PARTY), 403);

    // Unblocked, the conversation takes reactions again.
    expect((await unblock(bob, alice)).status).toBe(204);
    expect((await unreact(bob, fromAlice.id, THUMBS)).body.reactions).toEqual([]);
    expect((await react(alice, fromBob.id, PARTY)).status).toBe(200);
  });
});

describe("where reactions show", () => {
  /** The events of `type` about `messageId` in `stream`. */
  const reactionEvents = (stream: Stream, messageId: string, type?: string) =>
    stream.events.filter((e) => e.event.startsWith("reaction.") && (!type || e.event === type) && (e.data as { messageId: string }).messageId === messageId);
  /** A marker sent to `stream`'s user: once it arrived, every event recorded before it has been written to the stream. */
  async function fence(stream: Stream, from: TestUser) {
    const direct = await createThread(from, stream.user);
    const marker = await send(from, direct, `marker ${Math.random()}`);
    await stream.waitFor((events) => events.some((e) => e.event === "message.created" && (e.data as { message: Message }).message.id === marker.id), "the marker");
  }

  it("tells every participant with reaction.added and reaction.removed (the message's reactions afterwards), and nobody else", async () => {
    const { alice, bob, carol, dave } = await cast();
    const group = await createGroup(alice, "Live", bob, carol);
    const m = await send(alice, group, "watch this");
    const streams = await Promise.all([alice, bob, carol, dave].map((u) => openStream(getHub(), u)));
    const members = streams.slice(0, 3);
    const outsider = streams[3]!;

    expect((await react(bob, m.id, THUMBS)).status).toBe(200);
    expect((await react(bob, m.id, THUMBS)).status).toBe(200); // changes nothing: no second event
    expect((await react(carol, m.id, "\u2764")).status).toBe(200);
    expect((await unreact(bob, m.id, THUMBS)).status).toBe(200);
    expect((await unreact(bob, m.id, THUMBS)).status).toBe(200); // nothing to take back: no event
    const expected = [
      {
        event: "reaction.added",
        data: { threadId: group, messageId: m.id, seq: m.seq, emoji: THUMBS, userId: bob.id, reactions: [{ emoji: THUMBS, count: 1, userIds: [bob.id] }] },
      },
      {
        event: "reaction.added",
        data: {
          threadId: group,
          messageId: m.id,
          seq: m.seq,
          emoji: HEART,
          userId: carol.id,
          reactions: [
            { emoji: THUMBS, count: 1, userIds: [bob.id] },
            { emoji: HEART, count: 1, userIds: [carol.id] },
          ],
        },
      },
      {
        event: "reaction.removed",
        data: { threadId: group, messageId: m.id, seq: m.seq, emoji: THUMBS, userId: bob.id, reactions: [{ emoji: HEART, count: 1, userIds: [carol.id] }] },
      },
    ];
    for (const stream of members) {
      await stream.waitFor((events) => reactionEvents({ ...stream, events }, m.id).length >= 3, "three reaction events");
      await fence(stream, dave);
      const got = reactionEvents(stream, m.id);
      expect(got.map((e) => ({ event: e.event, data: e.data }))).toEqual(expected);
      for (const e of got) {
        expect(e.id).toMatch(/^\d+$/);
        expect(eventPayloads[e.event as "reaction.added"].safeParse(e.data).error).toBeUndefined();
      }
    }
    await fence(outsider, alice);
    expect(reactionEvents(outsider, m.id)).toEqual([]);
    for (const s of streams) s.close();
  });

  it("changes nobody's unread counts or isRead, whoever reacts to whatever", async () => {
    const { alice, bob, carol } = await cast();
    const group = await createGroup(alice, "Unread", bob, carol);
    const sent = [await send(alice, group, "one"), await send(bob, group, "two @" + carol.username), await send(alice, group, "three")];
    expect((await api.post(`/api/messages/${sent[0]!.id}/read`, { token: bob.token })).status).toBe(200);
    const state = async () =>
      Promise.all(
        [alice, bob, carol].map(async (u) => ({
          counts: await countsOf(u, group),
          isRead: (await allMessages(u, group)).map((x) => [x.id, x.isRead]),
          unreadList: (await api.get(`/api/messages/unread?limit=100`, { token: u.token })).body.data.map((x: Message) => x.id),
        })),
      );
    const before = await state();
    expect(before.map((s) => s.counts.unreadCount)).toEqual([0, 1, 3]);
    expect(before[2]!.counts.unreadMentionCount).toBe(1);

    for (const who of [alice, bob, carol]) {
      for (const message of sent) {
        expect((await react(who, message.id, THUMBS)).status).toBe(200);
      }
    }
    expect((await unreact(carol, sent[1]!.id, THUMBS)).status).toBe(200);
    expect(await state()).toEqual(before);
    // And the events carried no counts and no isRead.
    for (const message of sent) {
      for (const e of [...(await storedEvents("reaction.added", message.id)), ...(await storedEvents("reaction.removed", message.id))]) {
        expect(e.personal).toEqual({});
        expect(Object.keys(e.payload).sort()).toEqual(["emoji", "messageId", "reactions", "seq", "threadId", "userId"]);
      }
    }
  });

  it("gives the message page a new ETag, so that a client revalidating it sees the reaction", async () => {
    const { alice, bob } = await cast();
    const threadId = await createThread(alice, bob);
    const m = await send(alice, threadId, "cached");
    const path = `/api/threads/${threadId}/messages`;
    const before = (await api.get(path, { token: alice.token })).headers.get("etag")!;
    expect((await api.get(path, { token: alice.token, headers: { "if-none-match": before } })).status).toBe(304);
    expect((await react(bob, m.id, THUMBS)).status).toBe(200);
    const after = await api.get(path, { token: alice.token, headers: { "if-none-match": before } });
    expect(after.status).toBe(200);
    expect(after.body.data[0].reactions).toEqual([{ emoji: THUMBS, count: 1, userIds: [bob.id] }]);
  });

  it("goes with the message: deleting it, or its thread, deletes its reactions", async () => {
    const { alice, bob, carol } = await cast();
    const threadId = await createThread(alice, bob, carol);
    const [doomed, kept] = [await send(alice, threadId, "doomed"), await send(alice, threadId, "kept")];
    for (const who of [alice, bob, carol]) {
      expect((await react(who, doomed.id, THUMBS)).status).toBe(200);
      expect((await react(who, kept.id, PARTY)).status).toBe(200);
    }
    expect((await del(alice, doomed.id)).status).toBe(204);
    expect(await rowsOf(doomed.id)).toEqual([]);
    expect(await rowsOf(kept.id)).toHaveLength(3);

    expect((await api.delete(`/api/threads/${threadId}`, { token: bob.token })).status).toBe(204);
    expect(await rowsOf(kept.id)).toEqual([]);
  });
});

describe("reactions at the same time", () => {
  it("20 PUTs of the same emoji by the same person at once make one reaction, and 20 DELETEs take it back once", async () => {
    const { alice, bob } = await cast();
    const threadId = await createThread(alice, bob);
    for (let round = 0; round < 3; round++) {
      const m = await send(alice, threadId, `round ${round}`);
      const puts = await Promise.all(Array.from({ length: 20 }, () => react(bob, m.id, THUMBS)));
      expect(puts.map((r) => r.status)).toEqual(Array<number>(20).fill(200));
      for (const r of puts) expect(r.body.reactions).toEqual([{ emoji: THUMBS, count: 1, userIds: [bob.id] }]);
      expect(await rowsOf(m.id)).toEqual([{ user_id: bob.id, emoji: THUMBS }]);
      expect(await storedEvents("reaction.added", m.id)).toHaveLength(1);

      const deletes = await Promise.all(Array.from({ length: 20 }, () => unreact(bob, m.id, THUMBS)));
      expect(deletes.map((r) => r.status)).toEqual(Array<number>(20).fill(200));
      for (const r of deletes) expect(r.body.reactions).toEqual([]);
      expect(await rowsOf(m.id)).toEqual([]);
      expect(await storedEvents("reaction.removed", m.id)).toHaveLength(1);
      expect((await messageAs(alice, m.id)).reactions).toEqual([]);
    }
  });

  it("many people reacting to one message at once: the copy equals the rows, with exact counts", async () => {
    const alice = await quickUser("alice");
    const people = await Promise.all(Array.from({ length: 24 }, (_, i) => quickUser(`p${i}`)));
    const group = await createGroup(alice, "Crowd", ...people);
    const emoji = [THUMBS, HEART, PARTY, "🔥"];
    const random = rng(18);
    for (let round = 0; round < 3; round++) {
      const m = await send(alice, group, `crowd ${round}`);
      // Each person reacts with one to three emoji, all at once.
      const wanted = people.flatMap((p) => emoji.filter(() => random() < 0.5).map((e) => [p, e] as const));
      const answers = await Promise.all(wanted.map(([p, e]) => react(p, m.id, e)));
      expect(answers.map((r) => r.status)).toEqual(Array<number>(wanted.length).fill(200));

      expect(await expectReactionCopiesExact([m.id])).toBe(wanted.length);
      const final = await messageAs(alice, m.id);
      for (const e of emoji) {
        const who = wanted.filter(([, x]) => x === e).map(([p]) => p.id);
        const entry = final.reactions.find((r) => r.emoji === e);
        if (who.length === 0) expect(entry).toBeUndefined();
        else expect({ count: entry!.count, people: [...entry!.userIds].sort() }).toEqual({ count: who.length, people: who.sort() });
      }
      // Each answer saw its own reaction; the events, one per reaction, end with the final reactions.
      for (const [i, [p, e]] of wanted.entries()) expect(answers[i]!.body.reactions.find((r: { emoji: string }) => r.emoji === e).userIds).toContain(p.id);
      const added = await storedEvents("reaction.added", m.id);
      expect(added).toHaveLength(wanted.length);
      expect(added.at(-1)!.payload.reactions).toEqual(final.reactions);
      // Every event's reactions has exactly one more reaction than the one before it: none was built on a stale copy.
      expect(added.map((e) => e.payload.reactions.reduce((n: number, r: { count: number }) => n + r.count, 0))).toEqual(
        wanted.map((_, i) => i + 1),
      );
    }
  });

  it("adding and taking back at once, in any interleaving, ends consistent: rows, copy and events agree", async () => {
    const alice = await quickUser("alice");
    const people = await Promise.all(Array.from({ length: 8 }, (_, i) => quickUser(`q${i}`)));
    const group = await createGroup(alice, "Churn", ...people);
    const emoji = [THUMBS, HEART];
    const random = rng(1818);
    for (let round = 0; round < 6; round++) {
      const m = await send(alice, group, `churn ${round}`);
      // Some start with reactions.
      const initially = new Set<string>();
      for (const p of people) {
        for (const e of emoji) {
          if (random() < 0.5) {
            expect((await react(p, m.id, e)).status).toBe(200);
            initially.add(`${p.id} ${e}`);
          }
        }
      }
      const eventsBefore = Number((await storedEvents("reaction.added", m.id)).at(-1)?.id ?? 0n);
      // Then everyone adds and takes back, several times each, all at once in a random order.
      const ops = people.flatMap((p) => emoji.flatMap((e) => Array.from({ length: 1 + Math.floor(random() * 4) }, () => [p, e, random() < 0.5] as const)));
      const shuffled = ops.map((op) => [random(), op] as const).sort(([a], [b]) => a - b).map(([, op]) => op);
      const answers = await Promise.all(shuffled.map(([p, e, add]) => (add ? react(p, m.id, e) : unreact(p, m.id, e))));
      expect(answers.map((r) => r.status)).toEqual(Array<number>(shuffled.length).fill(200));

      await expectReactionCopiesExact([m.id]);
      const rows = new Set((await rowsOf(m.id)).map((r) => `${r.user_id} ${r.emoji}`));
      const events = [...(await storedEvents("reaction.added", m.id)), ...(await storedEvents("reaction.removed", m.id))]
        .filter((e) => Number(e.id) > eventsBefore)
        .sort((a, b) => Number(a.id - b.id));
      // Per person and emoji the events alternate, starting from how it was, and end where the rows are.
      for (const p of people) {
        for (const e of emoji) {
          const key = `${p.id} ${e}`;
          let has = initially.has(key);
          for (const ev of events.filter((x) => x.payload.userId === p.id && x.payload.emoji === e)) {
            const added = ev.payload.reactions.some((r: { emoji: string; userIds: string[] }) => r.emoji === e && r.userIds.includes(p.id));
            expect(added, `${key}: an event that changes nothing`).toBe(!has);
            has = added;
          }
          expect(has, key).toBe(rows.has(key));
        }
      }
      if (events.length) expect(events.at(-1)!.payload.reactions).toEqual((await messageAs(alice, m.id)).reactions);
    }
  });

  it("a reaction meeting the message's deletion: refused (404) after it, deleted with the message before it", async () => {
    const { alice, bob } = await cast();
    const threadId = await createThread(alice, bob);

    // The deletion holds the thread's lock (uncommitted); the reaction queues behind it and then finds no message.
    const first = await send(alice, threadId, "deleted while bob reacts");
    const deletion = await holdOpen(Prisma.sql`SELECT outcome FROM parley_delete_message(${first.id}, ${alice.id})`);
    const late = react(bob, first.id, THUMBS);
    await until(async () => (await queuedBehind(deletion.pid)) >= 1, "the reaction to wait for the deletion");
    await deletion.commit();
    expectProblem(await late, 404);
    expect(await rowsOf(first.id)).toEqual([]);

    // The reaction holds the message's row (uncommitted); the deletion waits for it, then takes the reaction along.
    const second = await send(alice, threadId, "reacted to while alice deletes");
    const reaction = await holdOpen(Prisma.sql`SELECT outcome FROM parley_react(${second.id}, ${bob.id}, ${THUMBS}, true, ${MAX_REACTION_EMOJI}::int)`);
    const deleting = del(alice, second.id);
    await until(async () => (await queuedBehind(reaction.pid)) >= 1, "the deletion to wait for the reaction");
    await reaction.commit();
    expect((await deleting).status).toBe(204);
    expect(await rowsOf(second.id)).toEqual([]);
  });
});

