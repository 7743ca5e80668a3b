/**
 * Statement budgets of the hot operations (issue 5): how many SQL statements each sends, counted from Prisma's
 * query events rather than timed. A budget that holds whatever the page size rules out N+1 queries.
 */
process.env.PRISMA_QUERY_EVENTS = "1";

import { beforeAll, describe, expect, it } from "vitest";
import { getPrisma, onQuery } from "@/lib/db";
import { deleteMessage, editMessage, getMessage, listMessages, sendMessage } from "@/lib/server/messages";
import { getUnreadSummary, markMessageRead, markThreadRead } from "@/lib/server/read-state";
import { addParticipants, createGroup, removeParticipant, setRole, updateGroup } from "@/lib/server/groups";
import { getThread, listThreads } from "@/lib/server/threads";
import { getCredentialCache } from "@/lib/infra/credential-cache";
import { authenticateToken, createToken } from "@/lib/server/tokens";
import { api } from "./helpers/api";
import { createThread, createUser, send, type TestUser } from "./helpers/fixtures";

/** Runs `fn` and returns the statements it sent: `COMMIT`s counted apart (`BEGIN` is not reported). */
async function measure(fn: () => Promise<unknown>): Promise<{ statements: string[]; commits: number }> {
  const seen: string[] = [];
  const off = onQuery((sql) => seen.push(sql));
  try {
    await fn();
  } finally {
    off();
  }
  const commits = seen.filter((s) => /^\s*COMMIT\b/i.test(s)).length;
  return { statements: seen.filter((s) => !/^\s*(BEGIN|COMMIT|ROLLBACK)\b/i.test(s)), commits };
}

let me: TestUser;
let others: TestUser[];
let threadIds: string[];

beforeAll(async () => {
  // The token cache answers from memory once its listener is up: start it now so that counts do not depend on when.
  expect(await getCredentialCache().ready()).toBe(true);
  [me, ...others] = await Promise.all([createUser("me"), createUser("o1"), createUser("o2"), createUser("o3"), createUser("o4")]);
  // One thread per non-empty subset of the four others: 15 threads of 2 to 5 people, enough rows for an N+1 to show.
  threadIds = [];
  for (let mask = 1; mask < 16; mask++) {
    threadIds.push(await createThread(me, ...others.filter((_, i) => mask & (1 << i))));
  }
  for (const id of threadIds.slice(0, 10)) {
    const member = others.find((_, i) => (threadIds.indexOf(id) + 1) & (1 << i))!;
    await send(member, id, "hello");
    await send(me, id, "hi");
  }
  // And groups among them, with system entries as their newest messages: the list's budget holds with them too.
  for (let i = 0; i < 3; i++) threadIds.push((await createGroup(me.id, others.slice(0, i + 1).map((o) => o.id), `Group ${i}`, null)).id);
  expect(new Set(threadIds).size).toBe(18);
});

describe("statement budgets", () => {
  it("lists threads in one statement whatever the page size", async () => {
    for (const limit of [1, 20, 100]) {
      const { statements } = await measure(() => listThreads(me.id, { limit, unread: false }));
      expect(statements.length, `limit=${limit}`).toBe(1);
    }
    const filtered = await measure(() => listThreads(me.id, { limit: 100, unread: true, q: "o", participant: others[0]!.id }));
    expect(filtered.statements.length).toBe(1);
  });

  it("computes the unread total in one statement", async () => {
    const { statements, commits } = await measure(() => getUnreadSummary(me.id));
    expect(statements).toHaveLength(1);
    expect(commits).toBe(0);
  });

  it("sends a message in one statement, which is its own transaction", async () => {
    const threadId = threadIds[0]!;
    const plain = await measure(() => sendMessage(me.id, threadId, { text: "budget" }));
    expect(plain).toEqual({ statements: [expect.stringContaining("parley_send_message")], commits: 0 });
    const keyed = await measure(() => sendMessage(me.id, threadId, { text: "budget", clientMessageId: "budget-1" }));
    expect(keyed).toEqual({ statements: [expect.stringContaining("parley_send_message")], commits: 0 });
    const repeated = await measure(() => sendMessage(me.id, threadId, { text: "budget", clientMessageId: "budget-1" }));
    expect(repeated.statements).toHaveLength(1);
  });

  it("pages messages in one statement, reads one thread and one message in a constant number", async () => {
    for (const limit of [1, 50, 100]) {
      const { statements } = await measure(() => listMessages(me.id, threadIds[0]!, { limit }));
      expect(statements, `limit=${limit}`).toHaveLength(1);
    }
    const [oldest] = (await listMessages(me.id, threadIds[0]!, { limit: 100 })).parse().data.slice(-1);
    const catchUp = await measure(() => listMessages(me.id, threadIds[0]!, { limit: 50, after: oldest!.id, sender: me.id }));
    expect(catchUp.statements).toHaveLength(1);
    expect((await measure(() => getThread(me.id, threadIds[1]!))).statements.length).toBeLessThanOrEqual(2);
    const [m] = (await listMessages(me.id, threadIds[0]!, { limit: 1 })).parse().data;
    expect((await measure(() => getMessage(me.id, m!.id))).statements).toHaveLength(1);
  });

  it("marks a thread or a message read in one statement", async () => {
    // threadIds[0] is me with others[0], who has unread messages from me there.
    const sent = await sendMessage(me.id, threadIds[0]!, { text: "read me" });
    const more = await sendMessage(me.id, threadIds[0]!, { text: "and me" });
    const upTo = await measure(() => markThreadRead(others[0]!.id, threadIds[0]!, sent.message.id));
    expect(upTo).toEqual({ statements: [expect.stringContaining("parley_mark_read")], commits: 0 });
    expect((await measure(() => markMessageRead(others[0]!.id, more.message.id))).statements).toHaveLength(1);
    expect((await measure(() => markThreadRead(others[0]!.id, threadIds[0]!))).statements).toHaveLength(1);
  });

  it("edits and deletes a message in one statement each, which is its own transaction", async () => {
    const sent = await sendMessage(me.id, threadIds[0]!, { text: "edit, then delete" });
    const edit = await measure(() => editMessage(me.id, sent.message.id, "edited"));
    expect(edit).toEqual({ statements: [expect.stringContaining("parley_edit_message")], commits: 0 });
    const deletion = await measure(() => deleteMessage(me.id, sent.message.id));
    expect(deletion).toEqual({ statements: [expect.stringContaining("parley_delete_message")], commits: 0 });
  });

  it("authenticates a token with one lookup, then from the token cache with none", async () => {
    const { token } = await createToken(me.id, "budget", null);
    const first = await measure(() => authenticateToken(token));
    expect(first.statements).toHaveLength(2); // the lookup, and lastUsedAt written on first use
    expect((await measure(() => authenticateToken(token))).statements).toHaveLength(0);
    expect(await getPrisma().apiToken.count()).toBeGreaterThan(0);
  });

  it("changes a group in a number of statements that does not grow with its members or the people added", async () => {
    const [small, large] = [await measure(() => createGroup(me.id, [others[0]!.id], "Small", null)), await measure(() => createGroup(me.id, others.map((o) => o.id), "Large", "with everyone"))];
    expect(small.statements.length).toBe(large.statements.length);
    // 10: the block check (lib/server/blocks.ts, refuseIfBlockedBy) is one probe for all the people, whatever their
    // number; 11: an event carrying the whole thread gets the presence its recipients may not see (hideBlockedPresence,
    // lib/server/events.ts), one statement for all of them.
    expect(large.statements.length).toBeLessThanOrEqual(11);
    expect(large.commits).toBe(1);

    const group = (await createGroup(me.id, [others[0]!.id], "Budget", null)).id;
    const addOne = await measure(() => addParticipants(me.id, group, [others[1]!.id]));
    const addTwo = await measure(() => addParticipants(me.id, group, [others[2]!.id, others[3]!.id]));
    expect(addOne.statements.length).toBe(addTwo.statements.length);
    expect(addTwo.statements.length).toBeLessThanOrEqual(14); // 13: the block check, one probe for everyone added; 14: as above

    const promote = await measure(() => setRole(me.id, group, others[0]!.id, "admin"));
    expect(promote.statements.length).toBeLessThanOrEqual(13);
    const rename = await measure(() => updateGroup(me.id, group, { title: "Budgeted" }));
    expect(rename.statements.length).toBeLessThanOrEqual(11);
    const remove = await measure(() => removeParticipant(me.id, group, others[3]!.id));
    expect(remove.statements.length).toBeLessThanOrEqual(14);
    // The last admin leaving: the handover adds its own entry.
    await setRole(me.id, group, others[0]!.id, "member");
    const leave = await measure(() => removeParticipant(me.id, group, me.id));
    expect(leave.statements.length).toBeLessThanOrEqual(17);
    for (const m of [addOne, promote, rename, remove, leave]) expect(m.commits).toBe(1);
  });

  it("reports each request's statements in Server-Timing, counted apart", async () => {
    const tally = (res: { headers: Headers }) => {
      const header = res.headers.get("server-timing") ?? "";
      const read = (name: string) => Number(new RegExp(`${name};desc="(\\d+)"`).exec(header)?.[1] ?? NaN);
      return { statements: read("db-statements"), transactions: read("db-transactions") };
    };
    await authenticateToken(me.token); // cached from here on: authentication costs no statement
    const list = await api.get("/api/threads?limit=20", { token: me.token });
    const total = await api.get("/api/unread", { token: me.token });
    const sent = await api.post(`/api/threads/${threadIds[2]}/messages`, { token: me.token, body: { text: "tally" } });
    const page = await api.get(`/api/threads/${threadIds[0]}/messages?limit=50`, { token: me.token });
    expect([list.status, total.status, sent.status, page.status]).toEqual([200, 200, 201, 200]);
    // The operation's own budget, as measured above; a write also counts against the caller's rate limit (one upsert).
    expect(tally(list)).toEqual({ statements: 1, transactions: 0 });
    expect(tally(total)).toEqual({ statements: 1, transactions: 0 });
    expect(tally(sent)).toEqual({ statements: 2, transactions: 0 });
    expect(tally(page)).toEqual({ statements: 1, transactions: 0 });

    // At once, each response still carries only its own statements.
    const lists = await Promise.all(Array.from({ length: 6 }, () => api.get("/api/threads?limit=20", { token: me.token })));
    for (const res of lists) {
      expect(res.status).toBe(200);
      expect(tally(res)).toEqual({ statements: 1, transactions: 0 });
    }
  });
});
