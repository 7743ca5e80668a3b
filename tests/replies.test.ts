/**
 * Replies (issue 18): `replyToId` on `POST /api/threads/{id}/messages` and the `replyTo` every message carries
 * (prisma/sql/functions/parley_send_message.sql, parley_reply_json.sql): the quote is the original as it is now — its
 * first 200 code points, its edits, `message: null` once deleted, empty and `removed` once a moderator removed it (in
 * old events too) — what may be replied to, idempotent retries, and a reply racing its original's deletion.
 */
import { type InfiniteData, QueryClient } from "@tanstack/react-query";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { applyEvent } from "@/lib/client/live/cache-updates";
import { parseEvent } from "@/lib/client/live/events";
import { queryKeys } from "@/lib/client/query-keys";
import { getPrisma } from "@/lib/db";
import type { Page } from "@/lib/schemas/common";
import type { Message } from "@/lib/schemas/messages";
import { eventsSince, personalize } from "@/lib/server/events";
import { Prisma } from "@/lib/server/sql";
import { api } from "./helpers/api";
import {
  block,
  del,
  edit,
  expectCountsInvariant,
  expectProblem,
  messageAs,
  post,
  removeByModerator,
  sent,
  until,
} from "./helpers/conversation";
import { allMessages, createGroup, createThread, quickAdmin, quickUser, send, type TestUser } from "./helpers/fixtures";
import { holdOpen, queuedBehind } from "./helpers/locks";
import { dataSnapshot } from "./helpers/snapshot";
import { openStream } from "./helpers/streams";

const { getHub } = await import("@/lib/infra/live-hub");

afterAll(async () => {
  await getHub().shutdown();
});

afterEach(async () => {
  await expectCountsInvariant();
});

const MISSING_ID = "0190b8a0-0000-7000-8000-000000000000";

async function cast() {
  const [alice, bob, carol] = await Promise.all([quickUser("alice"), quickUser("bob"), quickUser("carol")]);
  return { alice, bob, carol };
}

/** The quote of `original` as a reply carries it, its text as given. */
const quoteOf = (original: Message, text = original.text) => ({
  seq: original.seq,
  message: { id: original.id, kind: "text", sender: original.sender, text },
});

/** `reply` as `user` sees it everywhere: GET, the thread's pages and (when unread for them) the unread list. */
async function everywhere(user: TestUser, reply: Message): Promise<Message> {
  const one = await messageAs(user, reply.id);
  const listed = (await allMessages(user, reply.threadId)).find((m) => m.id === reply.id);
  expect(listed).toEqual(one);
  const unread = await api.get<Page<Message>>("/api/messages/unread?limit=100", { token: user.token });
  const inUnread = unread.body.data.find((m) => m.id === reply.id);
  if (!one.isRead) expect(inUnread).toEqual(one);
  return one;
}

const lastSeq = async (threadId: string) =>
  (await getPrisma().$queryRaw<{ last_seq: number }[]>`SELECT last_seq FROM threads WHERE id = ${threadId}`)[0]!.last_seq;

describe("a reply", () => {
  it("carries replyTo — the original's seq and a quote — in its answer, GET, the pages, the unread list and message.created", async () => {
    const { alice, bob } = await cast();
    const threadId = await createThread(alice, bob);
    const original = await send(alice, threadId, "what do you think?");
    expect(original.replyTo).toBeNull();
    const stream = await openStream(getHub(), alice);

    const reply = await sent(bob, threadId, "I agree", { replyToId: original.id });
    expect(reply).toMatchObject({ text: "I agree", seq: original.seq + 1, isRead: true });
    expect(reply.replyTo).toEqual({
      seq: original.seq,
      message: { id: original.id, kind: "text", sender: { id: alice.id, username: alice.username, name: null }, text: "what do you think?" },
    });
    expect(await everywhere(alice, reply)).toEqual({ ...reply, isRead: false });
    expect(await everywhere(bob, reply)).toEqual(reply);
    // The original itself is not changed by being replied to.
    expect((await messageAs(bob, original.id)).replyTo).toBeNull();

    const event = await stream.waitFor((events) =>
      events.find((e) => e.event === "message.created" && (e.data as { message: Message }).message.id === reply.id),
    );
    expect(event.data).toEqual({ message: { ...reply, isRead: false }, unreadCount: 1, unreadMentionCount: 0 });
    stream.close();
  });

  it("may answer one's own message, or a reply (quoting the reply itself, not what it answered)", async () => {
    const { alice, bob, carol } = await cast();
    const group = await createGroup(alice, "Threads of thought", bob, carol);
    const first = await send(alice, group, "first thought");
    const own = await sent(alice, group, "and a second one", { replyToId: first.id });
    expect(own.replyTo).toEqual(quoteOf(first));
    const nested = await sent(carol, group, "replying to the reply", { replyToId: own.id });
    expect(nested.replyTo).toEqual(quoteOf(own));
    expect(Object.keys(nested.replyTo!.message!).sort()).toEqual(["id", "kind", "sender", "text"]);
    expect(await everywhere(bob, nested)).toEqual({ ...nested, isRead: false });
  });

  it("quotes the first 200 code points of the original: astral characters count once, combining marks apart", async () => {
    const { alice, bob } = await cast();
    const threadId = await createThread(alice, bob);
    const cases: [text: string, quote: string][] = [
      ["a".repeat(199) + "😀" + "b".repeat(50), "a".repeat(199) + "😀"],
      ["😀".repeat(300), "😀".repeat(200)],
      ["e\u0301".repeat(150), "e\u0301".repeat(100)],
      ["x".repeat(200), "x".repeat(200)],
      ["line one\nline two\n" + "z".repeat(300), ("line one\nline two\n" + "z".repeat(300)).slice(0, 200)],
      ["short", "short"],
    ];
    for (const [text, quote] of cases) {
      const original = await send(alice, threadId, text);
      const reply = await sent(bob, threadId, "re", { replyToId: original.id });
      expect(reply.replyTo!.message!.text).toBe(quote);
      expect([...reply.replyTo!.message!.text].length).toBe(Math.min(200, [...text].length));
      expect((await everywhere(alice, reply)).replyTo).toEqual(reply.replyTo);
    }
  });

  it("shows the original as it is now: edited, its new text; deleted, message null with its seq kept; removed, empty and removed", async () => {
    const { alice, bob, carol } = await cast();
    const root = await quickAdmin("root");
    const group = await createGroup(alice, "Now", bob, carol);
    const [edited, deleted, removed] = [
      await send(alice, group, "first version"),
      await send(alice, group, "to be deleted"),
      await send(alice, group, "to be removed"),
    ];
    const replies = [
      await sent(bob, group, "re edited", { replyToId: edited.id }),
      await sent(bob, group, "re deleted", { replyToId: deleted.id }),
      await sent(bob, group, "re removed", { replyToId: removed.id }),
    ];

    expect((await edit(alice, edited.id, "second version, " + "y".repeat(250))).status).toBe(200);
    expect((await del(alice, deleted.id)).status).toBe(204);
    expect((await removeByModerator(root, removed.id)).status).toBe(204);

    for (const viewer of [alice, bob, carol]) {
      const [re1, re2, re3] = await Promise.all(replies.map((r) => everywhere(viewer, r)));
      expect(re1!.replyTo).toEqual(quoteOf(edited, ("second version, " + "y".repeat(250)).slice(0, 200)));
      expect(re2!.replyTo).toEqual({ seq: deleted.seq, message: null });
      expect(re3!.replyTo).toEqual({ seq: removed.seq, message: { id: removed.id, kind: "removed", sender: removed.sender, text: "" } });
      expect(JSON.stringify(await allMessages(viewer, group))).not.toContain("to be removed");
    }
  });

  it("does not give back a removed original's text in old events replayed after the removal, its edits' texts included", async () => {
    const { alice, bob } = await cast();
    const root = await quickAdmin("root");
    const threadId = await createThread(alice, bob);
    const original = await send(alice, threadId, "secret first wording");
    const reply = await sent(bob, threadId, "quoting it", { replyToId: original.id });
    expect((await edit(alice, original.id, "secret second wording")).status).toBe(200);
    const later = await sent(bob, threadId, "quoting the new wording", { replyToId: original.id });
    expect((await edit(bob, later.id, "quoting the new wording, edited")).status).toBe(200);
    const [before] = await getPrisma().$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM events WHERE payload::text LIKE '%secret % wording%'`;
    expect(before!.n).toBeGreaterThanOrEqual(4);

    expect((await removeByModerator(root, original.id)).status).toBe(204);
    const [after] = await getPrisma().$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM events WHERE payload::text LIKE '%secret % wording%'`;
    expect(after!.n).toBe(0);

    for (const viewer of [alice, bob]) {
      const replay = await openStream(getHub(), viewer, { since: 0n });
      await replay.waitFor((events) => events.some((e) => e.event === "ready"), "ready");
      replay.close();
      const replayed = replay.events.filter((e) => e.event.startsWith("message."));
      expect(JSON.stringify(replayed)).not.toContain("secret");
      const quoting = replayed
        .map((e) => (e.data as { message?: Message }).message)
        .filter((m): m is Message => m?.replyTo?.message?.id === original.id);
      // The replies' creations and the later reply's edit.
      expect(quoting.length).toBe(3);
      for (const m of quoting) expect(m.replyTo).toEqual({ seq: original.seq, message: { id: original.id, kind: "removed", sender: original.sender, text: "" } });
      expect(quoting.map((m) => m.id).sort()).toEqual([reply.id, later.id, later.id].sort());
    }
  });
});

describe("what may be replied to", () => {
  it("refuses a message of another thread, a system entry, a removed or deleted message and an unknown id: 400 at #/replyToId, nothing sent", async () => {
    const { alice, bob, carol } = await cast();
    const root = await quickAdmin("root");
    const threadId = await createThread(alice, bob);
    const group = await createGroup(alice, "Elsewhere", bob);
    const strangers = await createThread(carol, await quickUser("dave"));
    const elsewhere = await send(alice, group, "in the group");
    const [entry] = (await allMessages(alice, group)).filter((m) => m.kind === "system");
    const theirs = await send(carol, strangers, "not yours to see");
    const removed = await send(alice, threadId, "removed");
    expect((await removeByModerator(root, removed.id)).status).toBe(204);
    const deleted = await send(alice, threadId, "deleted");
    expect((await del(alice, deleted.id)).status).toBe(204);
    const before = await dataSnapshot();
    const seqBefore = await lastSeq(threadId);

    const refused: [what: string, replyToId: string][] = [
      ["a message of another of the sender's threads", elsewhere.id],
      ["a group's system entry", entry!.id],
      ["a message of a thread the sender is not in", theirs.id],
      ["a removed message", removed.id],
      ["a deleted message", deleted.id],
      ["an unknown id", MISSING_ID],
    ];
    const details = new Set<string>();
    for (const [what, replyToId] of refused) {
      const res = await post(bob, threadId, `reply to ${what}`, { replyToId, clientMessageId: `refused-${replyToId}` });
      expectProblem(res, 400);
      expect(res.body.errors, what).toEqual([{ pointer: "#/replyToId", detail: expect.any(String) }]);
      details.add(JSON.stringify({ ...(res.body as object), requestId: null }));
    }
    // A stranger's message is refused exactly like an unknown id: nothing tells that it exists.
    expect(details.size).toBe(1);
    // Not an id at all: the body's shape.
    for (const replyToId of ["", "x".repeat(65), 42, null]) {
      const res = await api.post(`/api/threads/${threadId}/messages`, { token: bob.token, body: { text: "bad", replyToId } });
      expectProblem(res, 400);
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(["#/replyToId"]);
    }
    // A thread one is not in is unknown whatever the reply.
    expectProblem(await post(carol, threadId, "not my thread", { replyToId: removed.id }), 404);
    expect(await dataSnapshot()).toBe(before);
    expect(await lastSeq(threadId)).toBe(seqBefore);
  });

  it("answers a retry with the same clientMessageId with the first reply (200), whatever its replyToId, even once the original is gone", async () => {
    const { alice, bob } = await cast();
    const threadId = await createThread(alice, bob);
    const [original, other] = [await send(alice, threadId, "answer me"), await send(alice, threadId, "or me")];

    const first = await post(bob, threadId, "answered", { replyToId: original.id, clientMessageId: "retry-1" });
    expect(first.status).toBe(201);
    const again = await post(bob, threadId, "answered", { replyToId: original.id, clientMessageId: "retry-1" });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const changed = await post(bob, threadId, "answered differently", { replyToId: other.id, clientMessageId: "retry-1" });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual(first.body);

    expect((await del(alice, original.id)).status).toBe(204);
    const afterDeletion = await post(bob, threadId, "answered", { replyToId: original.id, clientMessageId: "retry-1" });
    expect(afterDeletion.status).toBe(200);
    expect(afterDeletion.body).toEqual({ ...first.body, replyTo: { seq: original.seq, message: null } });
    expect((await allMessages(bob, threadId)).filter((m) => m.clientMessageId === "retry-1")).toHaveLength(1);

    // A send refused for its reply stored nothing under its key: the retry with a good reply is the first.
    expectProblem(await post(bob, threadId, "second try", { replyToId: original.id, clientMessageId: "retry-2" }), 400);
    const retried = await post(bob, threadId, "second try", { replyToId: other.id, clientMessageId: "retry-2" });
    expect(retried.status).toBe(201);
    expect(retried.body.replyTo).toEqual(quoteOf(other));
  });

  it("sends one reply for ten retries at once with the same key", async () => {
    const { alice, bob } = await cast();
    const threadId = await createThread(alice, bob);
    for (let round = 0; round < 3; round++) {
      const original = await send(alice, threadId, `original ${round}`);
      const key = `burst-${round}`;
      const answers = await Promise.all(Array.from({ length: 10 }, () => post(bob, threadId, "once", { replyToId: original.id, clientMessageId: key })));
      expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
      for (const r of answers) expect(r.body).toEqual(answers[0]!.body);
      expect(answers[0]!.body.replyTo).toEqual(quoteOf(original));
      expect((await allMessages(alice, threadId)).filter((m) => m.clientMessageId === key)).toHaveLength(1);
    }
  });

  it("refuses a reply in a direct conversation of two with a block (403) before looking at what it answers", async () => {
    const { alice, bob } = await cast();
    const threadId = await createThread(alice, bob);
    const original = await send(alice, threadId, "before the block");
    expect((await block(alice, bob)).status).toBe(204);
    expectProblem(await post(bob, threadId, "re", { replyToId: original.id }), 403);
    expectProblem(await post(bob, threadId, "re", { replyToId: MISSING_ID }), 403);
  });
});

describe("a reply meeting its original's deletion", () => {
  it("waits for a deletion in flight and is then refused (400), sending nothing", async () => {
    const { alice, bob } = await cast();
    const threadId = await createThread(alice, bob);
    const original = await send(alice, threadId, "going away");
    const seqBefore = await lastSeq(threadId);
    const deletion = await holdOpen(Prisma.sql`SELECT outcome FROM parley_delete_message(${original.id}, ${alice.id})`);
    const reply = post(bob, threadId, "too late", { replyToId: original.id });
    await until(async () => (await queuedBehind(deletion.pid)) >= 1, "the reply to wait for the deletion");
    await deletion.commit();
    const res = await reply;
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ pointer: "#/replyToId", detail: expect.any(String) }]);
    expect(await lastSeq(threadId)).toBe(seqBefore);
  });

  it("at the same time, over many rounds: either sent quoting it (then message null) or refused, never a reply to nothing", async () => {
    const { alice, bob } = await cast();
    const threadId = await createThread(alice, bob);
    const outcomes = new Set<number>();
    for (let round = 0; round < 15; round++) {
      const original = await send(alice, threadId, `round ${round}`);
      const [reply, deletion] = await Promise.all([post(bob, threadId, `re ${round}`, { replyToId: original.id }), del(alice, original.id)]);
      expect(deletion.status).toBe(204);
      outcomes.add(reply.status);
      if (reply.status === 201) {
        expect(reply.body.replyTo!.seq).toBe(original.seq);
        expect((await messageAs(alice, reply.body.id)).replyTo).toEqual({ seq: original.seq, message: null });
      } else {
        expect(reply.status).toBe(400);
      }
    }
    expect([...outcomes].every((s) => s === 201 || s === 400)).toBe(true);
    // No stored reply points at a seq that is not earlier in its thread (the schema's check says so too).
    const [bad] = await getPrisma().$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM messages WHERE reply_to_seq IS NOT NULL AND reply_to_seq >= seq`;
    expect(bad!.n).toBe(0);
  });
});


describe("an open conversation in the browser (lib/client/live/cache-updates.ts)", () => {
  /**
   * Bob's browser with the thread's messages cached as the API gave them, then the live events recorded since `after`
   * applied as his stream would deliver them: his cached copy of `reply`.
   */
  async function cachedReplyAfterEvents(bob: TestUser, threadId: string, reply: Message, change: () => Promise<void>) {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity } } });
    const page = await api.get<Page<Message>>(`/api/threads/${threadId}/messages?limit=100`, { token: bob.token });
    client.setQueryData<InfiniteData<Page<Message>, string | null>>(queryKeys.messages(threadId), { pages: [page.body], pageParams: [null] });
    const [newest] = await getPrisma().$queryRaw<{ max: bigint }[]>`SELECT coalesce(max(id), 0) AS max FROM events`;
    await change();
    for (const stored of await eventsSince(bob.id, newest!.max, 2n ** 62n, 1000)) {
      const event = parseEvent(stored.type, JSON.stringify(personalize(stored, bob.id)));
      expect(event, stored.type).not.toBeNull();
      applyEvent(client, bob.id, event!);
    }
    const cached = client.getQueryData<InfiniteData<Page<Message>>>(queryKeys.messages(threadId))!;
    const found = cached.pages.flatMap((p) => p.data).find((m) => m.id === reply.id)!;
    // What a refetch would bring: the server's answer.
    return { cached: found, fresh: await messageAs(bob, reply.id) };
  }

  // A cached reply must not keep the quote it was sent with: a conversation left open would show a removed message's
  // text in the replies quoting it until it refetched — what the removal takes pains to prevent in stored events (above).
  it("blanks the quote in cached replies when a moderator removes the original", async () => {
    const { alice, bob } = await cast();
    const root = await quickAdmin("root");
    const threadId = await createThread(alice, bob);
    const original = await send(alice, threadId, "something to remove");
    const reply = await sent(alice, threadId, "as I said", { replyToId: original.id });
    const { cached, fresh } = await cachedReplyAfterEvents(bob, threadId, reply, async () => {
      expect((await removeByModerator(root, original.id)).status).toBe(204);
    });
    expect(fresh.replyTo).toEqual({ seq: original.seq, message: { id: original.id, kind: "removed", sender: original.sender, text: "" } });
    expect(cached.replyTo).toEqual(fresh.replyTo);
  });

  it("shows the original deleted in cached replies when its sender deletes it", async () => {
    const { alice, bob } = await cast();
    const threadId = await createThread(alice, bob);
    const original = await send(alice, threadId, "something to delete");
    const reply = await sent(alice, threadId, "as I said", { replyToId: original.id });
    const { cached, fresh } = await cachedReplyAfterEvents(bob, threadId, reply, async () => {
      expect((await del(alice, original.id)).status).toBe(204);
    });
    expect(fresh.replyTo).toEqual({ seq: original.seq, message: null });
    expect(cached.replyTo).toEqual(fresh.replyTo);
  });

  it("shows the original's new text in cached replies when it is edited", async () => {
    const { alice, bob } = await cast();
    const threadId = await createThread(alice, bob);
    const original = await send(alice, threadId, "first wording");
    const reply = await sent(alice, threadId, "as I said", { replyToId: original.id });
    const { cached, fresh } = await cachedReplyAfterEvents(bob, threadId, reply, async () => {
      expect((await edit(alice, original.id, "second wording")).status).toBe(200);
    });
    expect(fresh.replyTo!.message!.text).toBe("second wording");
    expect(cached.replyTo).toEqual(fresh.replyTo);
  });
});
