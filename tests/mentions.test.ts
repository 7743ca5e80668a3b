/**
 * Mentions (issue 18): `@username` of a participant in a message's text (prisma/sql/functions/parley_mentions.sql)
 * lands in the message's `mentions` and in that person's unread mention count (`unreadMentionCount` of the thread,
 * `mentions` of /api/unread), which every write that keeps unread counts keeps beside them: sending, editing (the
 * mentions are parsed again), deleting, a moderator's removal, mark read and mark unread.
 *
 * After every test, and after every round of the race, the read-state invariant is checked in the database
 * (tests/helpers/conversation.ts, expectCountsInvariant): for each participant, `unread_mention_count` is the number of
 * people's messages after their watermark, not theirs, whose `mention_ids` name them.
 */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { getPrisma } from "@/lib/db";
import { MENTION_PATTERN, type Message } from "@/lib/schemas/messages";
import type { ReadState } from "@/lib/schemas/threads";
import { api, type ApiResponse } from "./helpers/api";
import {
  addMembers,
  countsOf,
  del,
  edit,
  expectCountsInvariant,
  markRead,
  markThreadRead,
  markUnread,
  messageAs,
  removeByModerator,
  removeMember,
  rng,
  unreadOf,
} from "./helpers/conversation";
import { allMessages, createGroup, createThread, quickAdmin, quickUser, send, type TestUser } from "./helpers/fixtures";
import { openStream } from "./helpers/streams";

const { getHub } = await import("@/lib/infra/live-hub");

afterAll(async () => {
  await getHub().shutdown();
});

afterEach(async () => {
  expect(await expectCountsInvariant()).toBeGreaterThan(0);
});

/** Alice, Bob and Carol in a group (Alice its admin); Dave in none of it. */
async function cast() {
  const [alice, bob, carol, dave] = await Promise.all([quickUser("alice"), quickUser("bob"), quickUser("carol"), quickUser("dave")]);
  const group = await createGroup(alice, "Mentions", bob, carol);
  return { alice, bob, carol, dave, group };
}

const at = (u: TestUser) => `@${u.username}`;
const mentionCount = async (u: TestUser, threadId: string) => (await countsOf(u, threadId)).unreadMentionCount;

describe("who a message mentions", () => {
  it("mentions a participant named with @: their id in mentions, one unread mention in the thread, the list and /api/unread", async () => {
    const { alice, bob, carol, group } = await cast();
    const stream = await openStream(getHub(), bob);
    const m = await send(alice, group, `${at(bob)} can you look at this?`);
    expect(m.mentions).toEqual([bob.id]);
    for (const viewer of [alice, bob, carol]) expect((await messageAs(viewer, m.id)).mentions).toEqual([bob.id]);
    expect((await allMessages(carol, group)).find((x) => x.id === m.id)!.mentions).toEqual([bob.id]);

    expect(await countsOf(bob, group)).toMatchObject({ unreadCount: 1, unreadMentionCount: 1 });
    expect(await countsOf(carol, group)).toMatchObject({ unreadCount: 1, unreadMentionCount: 0 });
    expect(await countsOf(alice, group)).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });
    expect(await unreadOf(bob)).toEqual({ total: 1, mentions: 1, threads: [{ threadId: group, count: 1, mentions: 1 }] });

    const event = await stream.waitFor((events) =>
      events.find((e) => e.event === "message.created" && (e.data as { message: Message }).message.id === m.id),
    );
    expect(event.data).toEqual({ message: { ...m, isRead: false }, unreadCount: 1, unreadMentionCount: 1 });
    stream.close();

    // Totals over threads: a mention in a direct conversation too.
    const direct = await createThread(carol, bob);
    await send(carol, direct, `hey ${at(bob)}`);
    await send(carol, direct, "no mention here");
    const summary = await unreadOf(bob);
    expect(summary.total).toBe(3);
    expect(summary.mentions).toBe(2);
    expect(summary.threads.find((t) => t.threadId === direct)).toEqual({ threadId: direct, count: 2, mentions: 1 });
  });

  it("matches the username whatever its case, and counts a person once however often they are named", async () => {
    const { alice, bob, carol, group } = await cast();
    const upper = await send(alice, group, `${at(bob).toUpperCase()} and ${at(carol).replace(/^@(.)/, (_, c: string) => "@" + c.toUpperCase())}`);
    expect([...upper.mentions].sort()).toEqual([bob.id, carol.id].sort());
    const twice = await send(alice, group, `${at(bob)} ${at(bob)}, ${at(bob)}!`);
    expect(twice.mentions).toEqual([bob.id]);
    expect(await countsOf(bob, group)).toMatchObject({ unreadCount: 2, unreadMentionCount: 2 });
    expect(await countsOf(carol, group)).toMatchObject({ unreadCount: 2, unreadMentionCount: 1 });
  });

  it("mentions nobody for an outsider, the sender, an e-mail address, @@name, a longer name, or a name inside a word", async () => {
    const { alice, bob, carol, dave, group } = await cast();
    const texts = [
      `${at(dave)} is not in this group`,
      `note to self: ${at(alice)}`,
      `write to ${bob.username}@example.com`,
      `@${at(bob)}`,
      `${at(bob)}by is someone else`,
      `${at(bob)}_x neither`,
      `x${at(bob)} inside a word`,
      `@${bob.username.slice(0, -1)} is a shorter name`,
      `@ ${bob.username}`,
    ];
    for (const text of texts) {
      const m = await send(alice, group, text);
      expect(m.mentions, text).toEqual([]);
    }
    expect(await countsOf(bob, group)).toMatchObject({ unreadCount: texts.length, unreadMentionCount: 0 });
    expect(await countsOf(carol, group)).toMatchObject({ unreadCount: texts.length, unreadMentionCount: 0 });
    // The sender may name themself: no mention, and their own message is never unread.
    const own = await send(bob, group, `${at(bob)} reminder`);
    expect(own.mentions).toEqual([]);
    expect(await countsOf(bob, group)).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });
    expect(await unreadOf(dave)).toEqual({ total: 0, mentions: 0, threads: [] });
  });

  it("mentions a name next to punctuation, at the start or the end of a line", async () => {
    const { alice, bob, carol, group } = await cast();
    // Markdown is not read: a mention in code still counts (docs/data-model.md).
    for (const text of [`(${at(bob)})`, `${at(bob)}.`, `${at(bob)}, ${at(carol)}: hi`, `line one\n${at(bob)}`, `"${at(bob)}"`, `é${at(bob)}`, `\`${at(bob)}\``, `**${at(bob)}**`]) {
      const m = await send(alice, group, text);
      expect(m.mentions.includes(bob.id), text).toBe(true);
    }
  });
});

describe("the web client's copy of the mention syntax", () => {
  it("finds the same people as the server (MENTION_PATTERN and parley_mentions agree)", async () => {
    const { alice, bob, carol, dave, group } = await cast();
    const names = [alice, bob, carol, dave].map((u) => u.username);
    const pieces = [...names.map((n) => `@${n}`), ...names.map((n) => `@${n.toUpperCase()}`), "@", "@@", "x", "_", " ", "\n", ".", "é", "😀", "-", "`", "@x"];
    const random = rng(4242);
    const texts = Array.from({ length: 60 }, () =>
      Array.from({ length: 1 + Math.floor(random() * 6) }, () => pieces[Math.floor(random() * pieces.length)]).join(""),
    ).filter((t) => t.trim() !== "");
    const ids = new Map([alice, bob, carol].map((u) => [u.username, u.id]));
    for (const text of texts) {
      const m = await send(alice, group, text);
      const client = [...text.matchAll(MENTION_PATTERN)]
        .map((x) => ids.get(x[1]!.toLowerCase()))
        .filter((id): id is string => id !== undefined && id !== alice.id);
      expect([...m.mentions].sort(), JSON.stringify(text)).toEqual([...new Set(client)].sort());
    }
  });
});

describe("what moves the unread mention count", () => {
  it("reading clears it; reading up to a message before the mention keeps it; sending reads everything for the sender", async () => {
    const { alice, bob, group } = await cast();
    const before = await send(alice, group, "before");
    const mention = await send(alice, group, `${at(bob)} look`);
    const after = await send(alice, group, "after");

    const upToBefore = await markRead(bob, before.id);
    expect(upToBefore.body).toEqual({ threadId: group, lastReadSeq: before.seq, unreadCount: 2, unreadMentionCount: 1 });
    const upToMention = await markRead(bob, mention.id);
    expect(upToMention.body).toEqual({ threadId: group, lastReadSeq: mention.seq, unreadCount: 1, unreadMentionCount: 0 });
    expect(await countsOf(bob, group)).toEqual({ lastReadSeq: mention.seq, unreadCount: 1, unreadMentionCount: 0 });

    // A new mention, then Bob sends: his watermark moves to his message, and everything before it is read.
    await send(alice, group, `${at(bob)} again`);
    expect(await mentionCount(bob, group)).toBe(1);
    await send(bob, group, "I'm here");
    expect(await countsOf(bob, group)).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });
    expect((await markThreadRead(bob, group)).body).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });
    expect(after.mentions).toEqual([]);
  });

  it("an edit that adds a mention adds one for whoever has not read the message, not for who has; removing it takes it away", async () => {
    const { alice, bob, carol, group } = await cast();
    const m = await send(alice, group, "plain at first");
    expect((await markThreadRead(carol, group)).status).toBe(200);
    const streams = await Promise.all([openStream(getHub(), bob), openStream(getHub(), carol)]);

    const added = await edit(alice, m.id, `now for ${at(bob)} and ${at(carol)}`);
    expect(added.status).toBe(200);
    expect([...added.body.mentions].sort()).toEqual([bob.id, carol.id].sort());
    expect(await countsOf(bob, group)).toMatchObject({ unreadCount: 1, unreadMentionCount: 1 });
    // Carol had read it: it mentions her, but it is not unread, so it is no unread mention.
    expect(await countsOf(carol, group)).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });
    // The message.updated event carries each recipient's counts.
    const updated = await Promise.all(
      streams.map((s) => s.waitFor((events) => events.find((e) => e.event === "message.updated" && (e.data as { message: Message }).message.id === m.id))),
    );
    expect(updated.map((e) => [(e.data as ReadState).unreadCount, (e.data as ReadState).unreadMentionCount])).toEqual([
      [1, 1],
      [0, 0],
    ]);
    for (const s of streams) s.close();

    // Editing again with the same mentions changes no count; dropping Bob takes his away.
    expect((await edit(alice, m.id, `still for ${at(carol)} and ${at(bob)}, reworded`)).status).toBe(200);
    expect(await mentionCount(bob, group)).toBe(1);
    const dropped = await edit(alice, m.id, `only ${at(carol)} now`);
    expect(dropped.body.mentions).toEqual([carol.id]);
    expect(await countsOf(bob, group)).toMatchObject({ unreadCount: 1, unreadMentionCount: 0 });
    expect(await countsOf(carol, group)).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });

    // Carol marks it unread again: now the stored mention counts for her.
    expect((await markUnread(carol, m.id)).body).toMatchObject({ unreadCount: 1, unreadMentionCount: 1 });
    expect((await edit(alice, m.id, "nobody at all")).body.mentions).toEqual([]);
    expect(await countsOf(carol, group)).toMatchObject({ unreadCount: 1, unreadMentionCount: 0 });
  });

  it("deleting or removing an unread mention takes it away; a read one changes nothing", async () => {
    const { alice, bob, carol, group } = await cast();
    const root = await quickAdmin("root");
    const [deleted, removed, readThenDeleted] = [
      await send(alice, group, `${at(bob)} one`),
      await send(alice, group, `${at(bob)} ${at(carol)} two`),
      await send(carol, group, `${at(bob)} three`),
    ];
    expect(await countsOf(bob, group)).toMatchObject({ unreadCount: 3, unreadMentionCount: 3 });
    expect(await countsOf(carol, group)).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });
    expect((await markUnread(carol, deleted.id)).status).toBe(200);
    expect(await countsOf(carol, group)).toMatchObject({ unreadCount: 2, unreadMentionCount: 1 });

    expect((await del(alice, deleted.id)).status).toBe(204);
    expect(await countsOf(bob, group)).toMatchObject({ unreadCount: 2, unreadMentionCount: 2 });
    expect(await countsOf(carol, group)).toMatchObject({ unreadCount: 1, unreadMentionCount: 1 });

    expect((await removeByModerator(root, removed.id)).status).toBe(204);
    expect(await countsOf(bob, group)).toMatchObject({ unreadCount: 1, unreadMentionCount: 1 });
    expect(await countsOf(carol, group)).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });
    expect((await messageAs(bob, removed.id)).mentions).toEqual([]);

    expect((await markRead(bob, readThenDeleted.id)).status).toBe(200);
    expect((await del(carol, readThenDeleted.id)).status).toBe(204);
    expect(await countsOf(bob, group)).toEqual({ lastReadSeq: readThenDeleted.seq, unreadCount: 0, unreadMentionCount: 0 });
    expect(await unreadOf(bob)).toEqual({ total: 0, mentions: 0, threads: [] });
  });

  it("a member removed from a group loses its counts, is not mentioned while out, and comes back with none", async () => {
    const { alice, bob, carol, group } = await cast();
    await send(alice, group, `${at(carol)} before`);
    expect(await unreadOf(carol)).toEqual({ total: 1, mentions: 1, threads: [{ threadId: group, count: 1, mentions: 1 }] });

    expect((await removeMember(alice, group, carol)).status).toBe(204);
    expect(await unreadOf(carol)).toEqual({ total: 0, mentions: 0, threads: [] });
    const whileOut = await send(bob, group, `${at(carol)} are you there?`);
    expect(whileOut.mentions).toEqual([]);
    const edited = await send(alice, group, "to be edited");
    expect((await edit(alice, edited.id, `${at(carol)} added later`)).body.mentions).toEqual([]);

    expect((await addMembers(alice, group, carol)).status).toBe(200);
    expect(await countsOf(carol, group)).toMatchObject({ unreadCount: 0, unreadMentionCount: 0 });
    // Her watermark is the group's newest message: nothing of before counts, even marked unread from there.
    expect((await markUnread(carol, whileOut.id)).body).toMatchObject({ unreadCount: 2, unreadMentionCount: 0 });
    const now = await send(bob, group, `welcome back ${at(carol)}`);
    expect(now.mentions).toEqual([carol.id]);
    expect(await countsOf(carol, group)).toMatchObject({ unreadCount: 3, unreadMentionCount: 1 });
  });
});

describe("mentions at the same time", () => {
  it("keeps every participant's mention count exact under concurrent sends with mentions, edits, deletes, mark-read and mark-unread", async () => {
    const people = await Promise.all(Array.from({ length: 5 }, (_, i) => quickUser(`m${i}`)));
    const group = await createGroup(people[0]!, "Busy", ...people.slice(1));
    const random = rng(2018);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const mentionsText = () => {
      const named = people.filter(() => random() < 0.4);
      return `${named.map(at).join(" ")} ${random() < 0.2 ? at(pick(named.length ? named : people)) : ""} #${random().toString(36).slice(2, 6)}`.trim() || "quiet";
    };
    let messages: Message[] = [];
    for (let i = 0; i < 10; i++) messages.push(await send(pick(people), group, mentionsText()));

    for (let round = 0; round < 12; round++) {
      const ops: (() => Promise<ApiResponse>)[] = [];
      for (let i = 0; i < 16; i++) {
        const who = pick(people);
        const kind = random();
        const target = pick(messages);
        const owner = people.find((p) => p.id === target.sender.id)!;
        if (kind < 0.3) ops.push(() => api.post(`/api/threads/${group}/messages`, { token: who.token, body: { text: mentionsText() } }));
        else if (kind < 0.45) ops.push(() => edit(owner, target.id, mentionsText()));
        else if (kind < 0.55) ops.push(() => del(owner, target.id));
        else if (kind < 0.7) ops.push(() => markRead(who, target.id));
        else if (kind < 0.8) ops.push(() => markThreadRead(who, group));
        else ops.push(() => markUnread(who, target.id));
      }
      const answers = await Promise.all(ops.map((op) => op()));
      for (const r of answers) expect([200, 201, 204, 404], JSON.stringify(r.body)).toContain(r.status);
      await expectCountsInvariant([group]);
      // What each person sees agrees with the database.
      for (const p of people) {
        const seen = await countsOf(p, group);
        const [stored] = await getPrisma().$queryRaw<{ unread_count: number; unread_mention_count: number }[]>`
          SELECT unread_count, unread_mention_count FROM participants WHERE thread_id = ${group} AND user_id = ${p.id}`;
        expect({ unreadCount: seen.unreadCount, unreadMentionCount: seen.unreadMentionCount }).toEqual({
          unreadCount: stored!.unread_count,
          unreadMentionCount: stored!.unread_mention_count,
        });
      }
      messages = (await allMessages(people[0]!, group)).filter((m) => m.kind === "text");
    }
    // The race did make mentions to count.
    const [mentioning] = await getPrisma().$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM messages WHERE thread_id = ${group} AND cardinality(mention_ids) > 0`;
    expect(mentioning!.n).toBeGreaterThan(0);
  });
});
