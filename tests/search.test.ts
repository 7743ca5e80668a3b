/**
 * Message search (issue 18, `GET /api/search`): each part of the syntax (words, parts of words, short words, phrases,
 * filters), text in Latin and Cyrillic, both orders and the exactness of their paging (also with the newest-first
 * probe forced one way or the other, lib/server/search.ts), highlights, and what is never found: another person's
 * conversation, a group one was removed from, a deleted message, a message a moderator removed, system entries. And
 * random search text never answers 5xx.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@/lib/db";
import type { Page } from "@/lib/schemas/common";
import type { SearchResult } from "@/lib/schemas/search";
import { searchMessages, type SearchStrategy } from "@/lib/server/search";
import { api, type ApiResponse } from "./helpers/api";
import { createGroup, createThread, createUser, makeAdmin, quickUser, send, type TestUser } from "./helpers/fixtures";

type Params = Record<string, string | number | undefined>;
/** A page of results, or (on an error) the problem's field errors. */
type SearchAnswer = Page<SearchResult> & { errors?: { parameter?: string; detail: string }[] };

function search(user: TestUser | null, params: Params): Promise<ApiResponse<SearchAnswer>> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  return api.get<SearchAnswer>(`/api/search?${q}`, user ? { token: user.token } : {});
}

/** The texts found for `q`, in order (every page, `limit` at a time). */
async function texts(user: TestUser, q: string, params: Params = {}): Promise<string[]> {
  return (await all(user, { q, ...params })).map((r) => r.message.text);
}

/** Every result of a search, following `nextCursor`. */
async function all(user: TestUser, params: Params): Promise<SearchResult[]> {
  const out: SearchResult[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 500; i++) {
    const res = await search(user, { limit: 100, ...params, cursor });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    out.push(...res.body.data);
    if (res.body.nextCursor === null) return out;
    cursor = res.body.nextCursor;
  }
  throw new Error("paging did not end");
}

/** Sets a message's time (and keeps its thread's activity at or after it, as sends do). */
async function backdate(messageId: string, at: string) {
  await getPrisma().$executeRaw`UPDATE messages SET created_at = ${new Date(at)} WHERE id = ${messageId}`;
}

const sorted = (xs: string[]) => [...xs].sort();

describe("words", () => {
  let ada: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    [ada, bob] = await Promise.all([createUser("ada"), createUser("bob")]);
    const t = await createThread(ada, bob);
    for (const text of [
      "The deployment went fine",
      "DEPLOY it tomorrow",
      "redeploying the server",
      "okay then",
      "a book about dogs",
      "Привет, мир! Как дела?",
      "ПРИВЕТСТВУЮ всех",
      "use foo_bar here",
      "fooXbar is different",
      "100% sure",
      "deploy? maybe.",
    ]) {
      await send(ada, t, text);
    }
  });

  it("finds a whole word, case-insensitively", async () => {
    expect(sorted(await texts(bob, "deployment"))).toEqual(["The deployment went fine"]);
    expect(sorted(await texts(bob, "DePlOyMeNt"))).toEqual(["The deployment went fine"]);
  });

  it("finds a prefix and a part inside a word", async () => {
    expect(sorted(await texts(bob, "deplo"))).toEqual(sorted(["The deployment went fine", "DEPLOY it tomorrow", "redeploying the server", "deploy? maybe."]));
    expect(await texts(bob, "ployme")).toEqual(["The deployment went fine"]);
    expect(await texts(bob, "eploying")).toEqual(["redeploying the server"]);
  });

  it("needs every word", async () => {
    expect(await texts(bob, "deploy tomorrow")).toEqual(["DEPLOY it tomorrow"]);
    expect(await texts(bob, "deploy dogs")).toEqual([]);
  });

  it("matches a word of one or two characters at the start of a word only", async () => {
    expect(await texts(bob, "ok")).toEqual(["okay then"]);
    expect(await texts(bob, "bo")).toEqual(["a book about dogs"]);
    // "ok" is inside "book" but does not start a word there.
    expect(await texts(bob, "oo")).toEqual([]);
  });

  it("finds Cyrillic words, prefixes and parts, in any case", async () => {
    expect(await texts(bob, "привет")).toEqual(["ПРИВЕТСТВУЮ всех", "Привет, мир! Как дела?"]);
    expect(await texts(bob, "ПРИВ мир")).toEqual(["Привет, мир! Как дела?"]);
    expect(await texts(bob, "иветст")).toEqual(["ПРИВЕТСТВУЮ всех"]);
    expect(await texts(bob, "ка")).toEqual(["Привет, мир! Как дела?"]);
  });

  it("drops punctuation around a word and takes LIKE's wildcards literally", async () => {
    expect(await texts(bob, "(deployment?)")).toEqual(["The deployment went fine"]);
    expect(await texts(bob, "foo_bar")).toEqual(["use foo_bar here"]);
    expect(await texts(bob, "100%")).toEqual(["100% sure"]);
    expect(await texts(bob, "f%r")).toEqual([]);
  });

  it("finds nothing for punctuation only, and says nothing is wrong", async () => {
    const res = await search(bob, { q: "?! ... ;" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [], nextCursor: null });
  });
});

describe("phrases", () => {
  let ada: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    [ada, bob] = await Promise.all([createUser("ada"), createUser("bob")]);
    const t = await createThread(ada, bob);
    for (const text of ["release notes are ready", "notes on the release", "Release, notes!", "the releases noted", "deploy now"]) {
      await send(ada, t, text);
    }
  });

  it("finds the words adjacent and in order, whatever the punctuation between them", async () => {
    expect(sorted(await texts(bob, '"release notes"'))).toEqual(sorted(["release notes are ready", "Release, notes!"]));
    expect(await texts(bob, '"notes release"')).toEqual([]);
  });

  it("takes a quoted word whole, not as a prefix", async () => {
    expect(await texts(bob, '"deploy"')).toEqual(["deploy now"]);
    expect(await texts(bob, '"release"')).not.toContain("the releases noted");
    expect(await texts(bob, '"dep"')).toEqual([]);
  });

  it("accepts typographic quotes and an unclosed quote", async () => {
    expect(sorted(await texts(bob, "“release notes”"))).toEqual(sorted(["release notes are ready", "Release, notes!"]));
    expect(sorted(await texts(bob, "«release notes»"))).toEqual(sorted(["release notes are ready", "Release, notes!"]));
    expect(await texts(bob, '"notes are')).toEqual(["release notes are ready"]);
  });

  it("combines phrases and words", async () => {
    expect(await texts(bob, 'ready "release notes"')).toEqual(["release notes are ready"]);
  });
});

describe("filters", () => {
  let ada: TestUser;
  let bob: TestUser;
  let cid: TestUser;
  let direct: string;
  let group: string;
  beforeAll(async () => {
    [ada, bob, cid] = await Promise.all([createUser("ada"), createUser("bob"), createUser("cid")]);
    direct = await createThread(ada, bob);
    group = await createGroup(ada, "Planning", bob, cid);
    const m1 = await send(ada, direct, "plan A on monday");
    const m2 = await send(bob, direct, "plan B, see https://example.com/b");
    const m3 = await send(cid, group, "plan C at www.example.org");
    const m4 = await send(bob, group, "plan D");
    await backdate(m1.id, "2026-11-01T10:00:00Z");
    await backdate(m2.id, "2026-11-02T00:00:00Z");
    await backdate(m3.id, "2026-11-02T23:59:59.999Z");
    await backdate(m4.id, "2026-11-03T00:00:00Z");
  });

  it("from: finds a person's messages, with or without @, any case; several: any of them", async () => {
    expect(await texts(ada, `plan from:@${bob.username}`)).toEqual(["plan D", "plan B, see https://example.com/b"]);
    expect(await texts(ada, `plan from:${bob.username.toUpperCase()}`)).toEqual(["plan D", "plan B, see https://example.com/b"]);
    expect(await texts(ada, `from:@${cid.username} from:@${ada.username}`)).toEqual(["plan C at www.example.org", "plan A on monday"]);
    expect(await texts(ada, "plan from:@nobody_here")).toEqual([]);
  });

  it("in: keeps to one conversation", async () => {
    expect(await texts(ada, `plan in:${direct}`)).toEqual(["plan B, see https://example.com/b", "plan A on monday"]);
    expect(await texts(ada, `in:${group}`)).toEqual(["plan D", "plan C at www.example.org"]);
  });

  it("after: is inclusive and before: exclusive, both at 00:00 UTC", async () => {
    expect(await texts(ada, "plan after:2026-11-02")).toEqual(["plan D", "plan C at www.example.org", "plan B, see https://example.com/b"]);
    expect(await texts(ada, "plan before:2026-11-02")).toEqual(["plan A on monday"]);
    expect(await texts(ada, "plan after:2026-11-02 before:2026-11-03")).toEqual(["plan C at www.example.org", "plan B, see https://example.com/b"]);
    // Repeated: the narrowest.
    expect(await texts(ada, "plan after:2026-10-01 after:2026-11-03")).toEqual(["plan D"]);
  });

  it("has:link finds messages with a link, and highlights it", async () => {
    const found = await all(ada, { q: "has:link" });
    expect(found.map((r) => r.message.text)).toEqual(["plan C at www.example.org", "plan B, see https://example.com/b"]);
    expect(found[1]!.highlights).toEqual([[{ text: "plan B, see ", match: false }, { text: "https://example.com/b", match: true }]]);
  });

  it("filters alone list those messages, without highlights", async () => {
    const found = await all(ada, { q: `FROM:@${bob.username}` });
    expect(found.map((r) => r.message.text)).toEqual(["plan D", "plan B, see https://example.com/b"]);
    expect(found.every((r) => r.highlights.length === 0)).toBe(true);
  });

  it("searches a malformed filter as a word instead of failing", async () => {
    const t = await createThread(ada, bob);
    await send(ada, t, "meet before:yesterday and has:cats");
    for (const q of ["before:yesterday", "has:cats", "after:2026-02-30", "before:2026-13-01"]) {
      const res = await search(ada, { q });
      expect(res.status).toBe(200);
    }
    expect(await texts(ada, "before:yesterday")).toEqual(["meet before:yesterday and has:cats"]);
    expect(await texts(ada, "has:cats")).toEqual(["meet before:yesterday and has:cats"]);
  });

  it("names the conversation of each result", async () => {
    const [inGroup] = await all(ada, { q: '"plan D"' });
    expect(inGroup!.thread).toEqual({
      id: group,
      kind: "group",
      title: "Planning",
      participantCount: 3,
      others: [bob, cid].sort((a, b) => (a.username < b.username ? -1 : 1)).map((u) => ({ id: u.id, username: u.username, name: null })),
    });
    const [inDirect] = await all(ada, { q: '"plan A"' });
    expect(inDirect!.thread).toEqual({ id: direct, kind: "direct", title: null, participantCount: 2, others: [{ id: bob.id, username: bob.username, name: null }] });
  });

  it("gives each message as the caller sees it in the thread", async () => {
    const [found] = await all(bob, { q: "plan A" });
    const res = await api.get(`/api/messages/${found!.message.id}`, { token: bob.token });
    expect(found!.message).toEqual(res.body);
  });
});

describe("what is never found", () => {
  it("another person's conversation, nor one named with in:", async () => {
    const [ada, bob, eve] = await Promise.all([createUser("ada"), createUser("bob"), createUser("eve")]);
    const t = await createThread(ada, bob);
    await send(ada, t, "the secret plan xylophone");
    expect(await texts(bob, "xylophone")).toEqual(["the secret plan xylophone"]);
    expect(await texts(eve, "xylophone")).toEqual([]);
    expect(await texts(eve, `in:${t}`)).toEqual([]);
    expect(await texts(eve, `in:${t} xylophone`)).toEqual([]);
    expect(await texts(eve, `from:@${ada.username}`)).toEqual([]);
  });

  it("a group someone was removed from, from then on", async () => {
    const [ada, bob, cid] = await Promise.all([createUser("ada"), createUser("bob"), createUser("cid")]);
    const group = await createGroup(ada, "Club", bob, cid);
    await send(ada, group, "marimba practice at six");
    expect(await texts(cid, "marimba")).toEqual(["marimba practice at six"]);
    const removed = await api.delete(`/api/threads/${group}/participants/${cid.id}`, { token: ada.token });
    expect(removed.status).toBe(204);
    expect(await texts(cid, "marimba")).toEqual([]);
    expect(await texts(cid, `in:${group}`)).toEqual([]);
    expect(await texts(bob, "marimba")).toEqual(["marimba practice at six"]);
  });

  it("a deleted message", async () => {
    const [ada, bob] = await Promise.all([createUser("ada"), createUser("bob")]);
    const t = await createThread(ada, bob);
    const m = await send(ada, t, "ocarina lessons");
    expect(await texts(bob, "ocarina")).toEqual(["ocarina lessons"]);
    expect((await api.delete(`/api/messages/${m.id}`, { token: ada.token })).status).toBe(204);
    expect(await texts(bob, "ocarina")).toEqual([]);
    expect(await texts(ada, "ocarina")).toEqual([]);
  });

  it("a message a moderator removed", async () => {
    const [ada, bob, root] = await Promise.all([createUser("ada"), createUser("bob"), createUser("root").then(makeAdmin)]);
    const t = await createThread(ada, bob);
    const m = await send(ada, t, "bassoon insults");
    const res = await api.delete(`/api/admin/messages/${m.id}`, { token: root.token, body: { reason: "Harassment" } });
    expect(res.status).toBe(204);
    expect(await texts(bob, "bassoon")).toEqual([]);
    expect(await texts(ada, "bassoon")).toEqual([]);
  });

  it("a group's system entries", async () => {
    const [ada, bob] = await Promise.all([createUser("ada"), createUser("bob")]);
    const group = await createGroup(ada, "Harpsichord fans", bob);
    const entries = await getPrisma().$queryRaw<{ text: string }[]>`SELECT text FROM messages WHERE thread_id = ${group} AND kind = 'system'`;
    expect(entries.map((e) => e.text).join(" ")).toContain("Harpsichord");
    expect(await texts(bob, "harpsichord")).toEqual([]);
    expect(await texts(bob, `in:${group}`)).toEqual([]);
    expect(await texts(bob, "created")).toEqual([]);
  });

  it("anything for an anonymous caller (401)", async () => {
    const res = await search(null, { q: "anything" });
    expect(res.status).toBe(401);
  });
});

describe("input", () => {
  let ada: TestUser;
  beforeAll(async () => {
    ada = await createUser("ada");
  });

  it("refuses an empty q, a missing one, one of white space or one over 500 characters (400)", async () => {
    for (const params of [{ q: "" }, {}, { q: "   " }, { q: "x".repeat(501) }]) {
      const res = await search(ada, params);
      expect(res.status, JSON.stringify(params)).toBe(400);
      expect(res.body.errors?.[0]?.parameter).toBe("q");
    }
    expect((await search(ada, { q: "x".repeat(500) })).status).toBe(200);
  });

  it("refuses more than 16 words and phrases, naming q", async () => {
    const many = Array.from({ length: 17 }, (_, i) => `w${i}x`).join(" ");
    const res = await search(ada, { q: many });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ parameter: "q", detail: expect.stringContaining("16") }]);
    expect((await search(ada, { q: Array.from({ length: 16 }, (_, i) => `w${i}x`).join(" ") })).status).toBe(200);
  });

  it("refuses a malformed cursor, an unknown sort and a cursor of the other sort (400)", async () => {
    const [bob] = await Promise.all([createUser("bob")]);
    const t = await createThread(ada, bob);
    await send(ada, t, "tuba one");
    await send(ada, t, "tuba two");
    const recent = await search(ada, { q: "tuba", limit: 1 });
    const relevant = await search(ada, { q: "tuba", limit: 1, sort: "relevance" });
    expect(recent.body.nextCursor).not.toBeNull();
    expect(relevant.body.nextCursor).not.toBeNull();
    expect((await search(ada, { q: "tuba", cursor: "nonsense" })).status).toBe(400);
    expect((await search(ada, { q: "tuba", sort: "best" })).status).toBe(400);
    expect((await search(ada, { q: "tuba", sort: "relevance", cursor: recent.body.nextCursor! })).status).toBe(400);
    expect((await search(ada, { q: "tuba", cursor: relevant.body.nextCursor! })).status).toBe(400);
  });

  it("never answers 5xx, whatever q holds", async () => {
    const [bob] = await Promise.all([createUser("bob")]);
    const t = await createThread(ada, bob);
    await send(ada, t, "some text: with \"quotes\", 'apostrophes', back\\slashes & (parens) | pipes ! and *stars*");
    const pieces = ['"', "'", "“", "»", ":", "@", "&", "|", "!", "(", ")", ":*", "*", "\\", "%", "_", "-", " ", "  ", "\t", "\n",
      "from:", "in:", "before:", "after:", "has:", "link", "@bob", "2026-12-01", "9999-99-99", "0000-01-01", "<->", "<2>",
      "привет", "Ёж", "é", "e\u0301", "😀", "👩‍👩‍👧", "\u200b", "\u202e", "\uFEFF", "\u0007", "ß", "İ", "ﬁ", "中文", "عربى", "½", "²",
      "'':*", "a:*", "!!", "&&", "((", "))", "x".repeat(50)];
    const texts = fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 40 }).map((a) => a.join(""));
    const unicode = fc.string({ unit: "grapheme", minLength: 1, maxLength: 200 });
    await fc.assert(
      fc.asyncProperty(fc.oneof(texts, unicode), fc.constantFrom("recent", "relevance"), fc.integer({ min: 1, max: 100 }), async (q, sort, limit) => {
        const res = await search(ada, { q, sort, limit });
        expect(res.status, `q=${JSON.stringify(q)}`).toBeLessThan(500);
        if (q.trim() !== "" && q.trim().length <= 500 && !q.includes("\u0000")) expect([200, 400]).toContain(res.status);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: 20261218 },
    );
    // Very long: over the limit is a 400, at it a 200.
    const long = pieces.join(" ").repeat(20);
    expect((await search(ada, { q: long })).status).toBe(400);
    expect((await search(ada, { q: long.slice(0, 500) })).status).toBeLessThan(500);
  });
});

describe("highlights", () => {
  let ada: TestUser;
  let bob: TestUser;
  let t: string;
  beforeAll(async () => {
    [ada, bob] = await Promise.all([createUser("ada"), createUser("bob")]);
    t = await createThread(ada, bob);
  });

  it("marks whole words, prefixes, parts inside words and phrases", async () => {
    await send(ada, t, "Redeployment of the Release Notes, okay");
    const [r] = await all(bob, { q: 'ployme ok "release notes"' });
    expect(r!.highlights).toEqual([
      [
        { text: "Rede", match: false },
        { text: "ployme", match: true },
        { text: "nt of the ", match: false },
        { text: "Release Notes", match: true },
        { text: ", ", match: false },
        { text: "ok", match: true },
        { text: "ay", match: false },
      ],
    ]);
  });

  it("keeps HTML as text, in segments a client renders as text", async () => {
    await send(ada, t, '<img src=x onerror="alert(1)"> <b>zither</b>');
    const [r] = await all(bob, { q: "zither" });
    expect(r!.highlights).toEqual([
      [
        { text: '<img src=x onerror="alert(1)"> <b>', match: false },
        { text: "zither", match: true },
        { text: "</b>", match: false },
      ],
    ]);
  });

  it("cuts a long text into fragments around the matches, with ellipses", async () => {
    const filler = (word: string, n: number) => Array.from({ length: n }, () => word).join(" ");
    await send(ada, t, `${filler("lorem", 40)} kazoo ${filler("ipsum", 40)} kazoo ${filler("dolor", 40)}`);
    const [r] = await all(bob, { q: "kazoo" });
    expect(r!.highlights).toHaveLength(2);
    for (const fragment of r!.highlights) {
      expect(fragment[0]!.text.startsWith("…")).toBe(true);
      expect(fragment[fragment.length - 1]!.text.endsWith("…")).toBe(true);
      expect(fragment.filter((s) => s.match).map((s) => s.text)).toEqual(["kazoo"]);
      expect(fragment.map((s) => s.text).join("").length).toBeLessThan(150);
    }
  });
});

describe("order and paging", () => {
  let ada: TestUser;
  let bob: TestUser;
  const ids: string[] = [];
  beforeAll(async () => {
    [ada, bob] = await Promise.all([createUser("ada"), createUser("bob")]);
    const t1 = await createThread(ada, bob);
    const t2 = await createGroup(ada, "Band", bob);
    // Seven matches in two threads, three of them at the same millisecond (ties across threads and within one).
    const times = ["2026-11-01T00:00:01Z", "2026-11-01T00:00:02Z", "2026-11-01T00:00:03Z", "2026-11-01T00:00:03Z", "2026-11-01T00:00:03Z", "2026-11-01T00:00:04Z", "2026-11-01T00:00:05Z"];
    const texts = ["banjo", "banjo banjo banjo", "a banjo and a guitar and a drum", "banjo!", "the banjos", "banjo solo", "no match here"];
    for (const [i, text] of texts.entries()) {
      const m = await send(i % 2 ? ada : bob, i < 4 ? t1 : t2, text);
      await backdate(m.id, times[i]!);
      ids.push(m.id);
    }
  });

  it("recent: newest first (time, then conversation, then sequence, all descending), every page size alike", async () => {
    const everything = await all(ada, { q: "banjo", limit: 100 });
    expect(everything).toHaveLength(6);
    const keys = everything.map((r) => [r.message.createdAt, r.message.threadId, r.message.seq] as const);
    const expected = [...keys].sort((a, b) => (a[0] !== b[0] ? (a[0] < b[0] ? 1 : -1) : a[1] !== b[1] ? (a[1] < b[1] ? 1 : -1) : b[2] - a[2]));
    expect(keys).toEqual(expected);
    for (const limit of [1, 2, 3, 5]) {
      expect((await all(ada, { q: "banjo", limit })).map((r) => r.message.id)).toEqual(everything.map((r) => r.message.id));
    }
  });

  it("relevance: the best match first, the same on every page size, each message once", async () => {
    const everything = await all(ada, { q: "banjo", sort: "relevance", limit: 100 });
    expect(everything.map((r) => r.message.text)).toHaveLength(6);
    // Three times beats once; a whole word or prefix beats nothing; ties fall back to newest first.
    expect(everything[0]!.message.text).toBe("banjo banjo banjo");
    for (const limit of [1, 2, 4]) {
      expect((await all(ada, { q: "banjo", sort: "relevance", limit })).map((r) => r.message.id)).toEqual(everything.map((r) => r.message.id));
    }
  });

  it("relevance ranks a part inside a word below whole words", async () => {
    const [cid] = await Promise.all([createUser("cid")]);
    const t = await createThread(bob, cid);
    await send(bob, t, "refactoring day");
    await send(bob, t, "factor it in");
    expect(await texts(cid, "factor", { sort: "relevance" })).toEqual(["factor it in", "refactoring day"]);
    expect(await texts(cid, "factor")).toEqual(["factor it in", "refactoring day"]);
  });

  it("relevance with filters only is newest first", async () => {
    expect((await all(ada, { q: `from:@${bob.username}`, sort: "relevance", limit: 1 })).map((r) => r.message.id)).toEqual(
      (await all(ada, { q: `from:@${bob.username}` })).map((r) => r.message.id),
    );
  });
});

/**
 * The newest-first probe and its ways on (lib/server/search.ts; this database is never analyzed, so `auto` probes as
 * `probe` does): more threads than it reads, messages interleaved across
 * them in time with ties, a thread whose newest dozen share one millisecond (the probe cannot read past them: the
 * second walk continues below), common and rare words. Every way must give the same pages.
 */
describe("newest first, every way of finding it", () => {
  let me: TestUser;
  const threads: string[] = [];
  beforeAll(async () => {
    me = await quickUser("me");
    const others = await Promise.all(Array.from({ length: 24 }, () => quickUser("o")));
    for (const other of others) threads.push(await createThread(me, other));
    const vocabulary = ["common", "common", "common", "word", "other", "filler", "rare"];
    const base = Date.parse("2026-11-20T12:00:00Z");
    let n = 0;
    // Thread k: 5 + (k * 7) % 60 messages, 3 s apart, the newest k × 2 s before the base (so many times are shared
    // across threads); thread 0's newest 12 all at the base, and all "common". Times grow with seq within a thread,
    // and each thread's activity is its newest message's time, as sends keep them.
    for (const [k, threadId] of threads.entries()) {
      const count = 5 + ((k * 7) % 60);
      const rows = Array.from({ length: count }, (_, i) => {
        const seq = i + 1;
        n++;
        const clump = k === 0 && seq > count - 12;
        const word = clump ? "common" : n % 37 === 0 ? "rare" : vocabulary[(n * 31 + k) % vocabulary.length]!;
        const at = new Date(clump ? base : base - k * 2000 - (count - seq) * 3000);
        return { seq, text: `${word} ${k}-${seq}`, at, sender: seq % 2 ? me.id : others[k]!.id };
      });
      await getPrisma().$executeRaw`
        INSERT INTO messages (id, thread_id, seq, sender_id, text, created_at)
        SELECT gen_random_uuid()::text, ${threadId}, r.seq, r.sender, r.text, r.at
        FROM unnest(${rows.map((r) => r.seq)}::int[], ${rows.map((r) => r.sender)}::text[], ${rows.map((r) => r.text)}::text[],
                    ${rows.map((r) => r.at)}::timestamptz[]) AS r(seq, sender, text, at)`;
      await getPrisma().$executeRaw`UPDATE threads SET last_seq = ${count} WHERE id = ${threadId}`;
      await getPrisma().$executeRaw`UPDATE participants SET last_activity_at = ${rows[rows.length - 1]!.at} WHERE thread_id = ${threadId}`;
    }
  });

  async function pages(q: string, limit: number, strategy: SearchStrategy): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 1000; i++) {
      const page = await searchMessages(me.id, { q, limit, sort: "recent", cursor }, strategy);
      out.push(...page.data.map((r) => r.message.id));
      if (!page.nextCursor) return out;
      cursor = page.nextCursor;
    }
    throw new Error("paging did not end");
  }

  it.each([
    ["common", [1, 3, 20, 100]],
    ["word", [5, 20]],
    ["rare", [2, 20]],
    ["comm", [7]],
    ["from:@ME", [5, 30]],
    ["filler after:2026-11-20", [4]],
    ["other before:2026-11-21", [4]],
  ] as [string, number[]][])("gives the same pages for %s whichever way it is found", async (q, limits) => {
    const query = q.replace("@ME", `@${me.username}`);
    const expected = await pages(query, 100, "index");
    expect(new Set(expected).size).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(0);
    for (const limit of limits) {
      for (const strategy of ["auto", "probe", "walk", "index"] as const) {
        expect(await pages(query, limit, strategy), `${strategy} limit=${limit}`).toEqual(expected);
      }
    }
  });

  it("finds them in the order the messages' times say", async () => {
    const found = await pages("common", 100, "auto");
    const rows = await getPrisma().$queryRaw<{ id: string }[]>`
      SELECT m.id FROM messages m JOIN participants p ON p.thread_id = m.thread_id AND p.user_id = ${me.id}
      WHERE m.kind = 'text' AND m.text ILIKE '%common%'
      ORDER BY m.created_at DESC, m.thread_id DESC, m.seq DESC`;
    expect(found).toEqual(rows.map((r) => r.id));
    expect(found.length).toBeGreaterThan(100);
  });
});

describe("forged cursors", () => {
  it("answers a cursor whose time PostgreSQL cannot hold (year 0) 400, here and in the unread list, never 500", async () => {
    const user = await quickUser("forger");
    const forged = (fields: Record<string, unknown>) => Buffer.from(JSON.stringify(fields), "utf8").toString("base64url");
    const place = { t: "0000-01-01T00:00:00.000Z", th: "x", s: 1 };
    for (const path of [
      `/api/search?q=hello&cursor=${forged(place)}`,
      `/api/search?q=hello&sort=relevance&cursor=${forged({ r: 0.1, ...place })}`,
      `/api/messages/unread?cursor=${forged(place)}`,
    ]) {
      const res = await api.get(path, { token: user.token });
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(400);
    }
  });
});
