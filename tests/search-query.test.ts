/**
 * The search syntax's parser and the highlighter (lib/server/search-query.ts), without a database: what each kind of
 * token becomes, what is not a filter, and which pieces of a text are marked.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ELLIPSIS,
  estimateShare,
  hasCriteria,
  highlight,
  isLongWord,
  matchRanges,
  MAX_HIGHLIGHT_FRAGMENTS,
  parseSearchQuery,
  type ParsedSearch,
} from "@/lib/server/search-query";

const none: ParsedSearch = { words: [], phrases: [], from: [], in: [], before: null, after: null, hasLink: false };
const parsed = (over: Partial<ParsedSearch>): ParsedSearch => ({ ...none, ...over });

describe("parseSearchQuery", () => {
  it("splits words on white space, drops edge punctuation and repeats (ignoring case)", () => {
    expect(parseSearchQuery("  deploy   the\tserver\n")).toEqual(parsed({ words: ["deploy", "the", "server"] }));
    expect(parseSearchQuery("(deploy?) 'now'! ...")).toEqual(parsed({ words: ["deploy", "now"] }));
    expect(parseSearchQuery("node.js e-mail c++ #42")).toEqual(parsed({ words: ["node.js", "e-mail", "c", "42"] }));
    expect(parseSearchQuery("Deploy deploy DEPLOY")).toEqual(parsed({ words: ["Deploy"] }));
    expect(parseSearchQuery("&|!():*\\ -- ...")).toEqual(none);
  });

  it("reads quoted phrases, straight or typographic, an unclosed one to the end", () => {
    expect(parseSearchQuery('"release  notes" ready')).toEqual(parsed({ words: ["ready"], phrases: ["release notes"] }));
    expect(parseSearchQuery("“one two” „three four“ «пять шесть»")).toEqual(parsed({ phrases: ["one two", "three four", "пять шесть"] }));
    expect(parseSearchQuery('ready "release notes')).toEqual(parsed({ words: ["ready"], phrases: ["release notes"] }));
    expect(parseSearchQuery('word"phrase here"word2')).toEqual(parsed({ words: ["word", "word2"], phrases: ["phrase here"] }));
    expect(parseSearchQuery('"" " " "?!"')).toEqual(none);
    expect(parseSearchQuery('"A b" "a B"')).toEqual(parsed({ phrases: ["A b"] }));
  });

  it("reads from:, with or without @, lowercased; several", () => {
    expect(parseSearchQuery("from:@Ada_L from:bob from:@ada_l")).toEqual(parsed({ from: ["ada_l", "bob"] }));
    expect(parseSearchQuery("FROM:@bob")).toEqual(parsed({ from: ["bob"] }));
  });

  it("reads in: as any id", () => {
    expect(parseSearchQuery("in:01a2-b3 in:x")).toEqual(parsed({ in: ["01a2-b3", "x"] }));
  });

  it("reads after: (inclusive) and before: (exclusive) as 00:00 UTC, the narrowest when repeated", () => {
    expect(parseSearchQuery("after:2026-11-01 before:2026-12-01")).toEqual(
      parsed({ after: new Date("2026-11-01T00:00:00Z"), before: new Date("2026-12-01T00:00:00Z") }),
    );
    expect(parseSearchQuery("after:2026-01-01 after:2026-06-01 before:2026-12-01 before:2026-07-01")).toEqual(
      parsed({ after: new Date("2026-06-01T00:00:00Z"), before: new Date("2026-07-01T00:00:00Z") }),
    );
    expect(parseSearchQuery("before:2024-02-29").before).toEqual(new Date("2024-02-29T00:00:00Z"));
    expect(parseSearchQuery("before:0001-01-01").before?.toISOString()).toBe("0001-01-01T00:00:00.000Z");
  });

  it("reads has:link in any case", () => {
    expect(parseSearchQuery("has:LINK")).toEqual(parsed({ hasLink: true }));
  });

  it("takes a malformed filter as a word", () => {
    expect(parseSearchQuery("before:yesterday")).toEqual(parsed({ words: ["before:yesterday"] }));
    expect(parseSearchQuery("before:2025-02-29 after:2026-13-01 after:0000-01-01 before:2026-1-1")).toEqual(
      parsed({ words: ["before:2025-02-29", "after:2026-13-01", "after:0000-01-01", "before:2026-1-1"] }),
    );
    expect(parseSearchQuery("has:cats")).toEqual(parsed({ words: ["has:cats"] }));
    expect(parseSearchQuery("from:@ from:x from:a-b")).toEqual(parsed({ words: ["from", "from:x", "from:a-b"] }));
    expect(parseSearchQuery(`in:${"x".repeat(65)}`)).toEqual(parsed({ words: [`in:${"x".repeat(65)}`] }));
    expect(parseSearchQuery("to:bob https://example.com")).toEqual(parsed({ words: ["to:bob", "https://example.com"] }));
  });

  it("treats control characters as white space and normalises to NFC", () => {
    expect(parseSearchQuery("a\u0000b\u0007c")).toEqual(parsed({ words: ["a", "b", "c"] }));
    expect(parseSearchQuery("cafe\u0301")).toEqual(parsed({ words: ["café"] }));
    expect(parseSearchQuery("x\uD800y").words).toEqual(["x\uFFFDy"]);
  });

  it("never throws, whatever the text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 600 }), (q) => {
        const p = parseSearchQuery(q);
        for (const w of p.words) expect(w).toMatch(/^[\p{L}\p{N}]/u);
      }),
      { numRuns: 2000, seed: 18 },
    );
  });
});

describe("isLongWord and hasCriteria", () => {
  it("calls a word long when it has a run of 3 letters or digits", () => {
    expect(["dep", "привет", "a.bcd", "123"].map(isLongWord)).toEqual([true, true, true, true]);
    expect(["ok", "a", "a.b", "e-1", "ок"].map(isLongWord)).toEqual([false, false, false, false, false]);
  });

  it("says whether there is anything to search by", () => {
    expect(hasCriteria(parseSearchQuery("?!"))).toBe(false);
    for (const q of ["x", '"x y"', "from:bob", "in:t", "before:2026-01-01", "after:2026-01-01", "has:link"]) {
      expect(hasCriteria(parseSearchQuery(q)), q).toBe(true);
    }
  });
});

describe("estimateShare", () => {
  const common = new Map([
    ["deploy", 0.02],
    ["deployment", 0.015],
    ["the", 0.3],
    ["okay", 0.01],
    ["release", 0.05],
    ["notes", 0.04],
  ]);
  const share = (q: string) => estimateShare(parseSearchQuery(q), common);

  it("adds up the common lexemes a long word is inside of, and those a short word starts", () => {
    expect(share("ploy")).toBeCloseTo(0.035);
    expect(share("DEPLOYMENT")).toBeCloseTo(0.015);
    expect(share("ok")).toBeCloseTo(0.01);
    expect(share("he")).toBe(0);
    expect(share("xylophone")).toBe(0);
  });

  it("takes a phrase's rarest word, and the rarest of all the words and phrases", () => {
    expect(share('"release notes"')).toBeCloseTo(0.04);
    expect(share('"release xylophone"')).toBe(0);
    expect(share("the deploy")).toBeCloseTo(0.035);
  });

  it("gives 1 for filters alone", () => {
    expect(share("from:bob has:link")).toBe(1);
  });
});

describe("highlight", () => {
  const marks = (text: string, q: string) =>
    highlight(text, parseSearchQuery(q)).map((f) => f.map((s) => (s.match ? `[${s.text}]` : s.text)).join(""));

  it("marks long words anywhere, case-insensitively", () => {
    expect(marks("The Deployment, redeployed", "deplo")).toEqual(["The [Deplo]yment, re[deplo]yed"]);
    expect(marks("ПРИВЕТСТВУЮ всех", "иветст")).toEqual(["ПР[ИВЕТСТ]ВУЮ всех"]);
  });

  it("marks short words at the start of a word only", () => {
    expect(marks("okay book ok", "ok")).toEqual(["[ok]ay book [ok]"]);
  });

  it("marks phrases whole, across punctuation, not inside words", () => {
    expect(marks("Release, notes! release notes. releases notes", '"release notes"')).toEqual(["[Release, notes]! [release notes]. releases notes"]);
  });

  it("marks links for has:link, and overlapping matches once", () => {
    expect(marks("see https://example.com/x now", "has:link exam")).toEqual(["see [https://example.com/x] now"]);
    expect(matchRanges("abcdef", parseSearchQuery("abcd cdef"))).toEqual([[0, 6]]);
  });

  it("gives nothing when nothing visible matched (filters only)", () => {
    expect(highlight("anything", parseSearchQuery("from:bob"))).toEqual([]);
  });

  it("keeps HTML as plain text", () => {
    expect(highlight("<b>x</b> zither", parseSearchQuery("zither"))).toEqual([[
      { text: "<b>x</b> ", match: false },
      { text: "zither", match: true },
    ]]);
  });

  it("cuts long texts at white space around each match, with ellipses, at most 3 fragments", () => {
    const text = Array.from({ length: 10 }, (_, i) => `${"lorem ipsum ".repeat(12)}kazoo${i}`).join(" ");
    const fragments = highlight(text, parseSearchQuery("kazoo"));
    expect(fragments).toHaveLength(MAX_HIGHLIGHT_FRAGMENTS);
    for (const f of fragments) {
      const joined = f.map((s) => s.text).join("");
      expect(joined.startsWith(ELLIPSIS)).toBe(true);
      expect(joined.endsWith(ELLIPSIS)).toBe(true);
      // Cut at white space: the fragment starts with a whole word.
      expect(joined.slice(1)).toMatch(/^(lorem|ipsum) /);
    }
    expect(fragments[0]!.filter((s) => s.match).map((s) => s.text)).toEqual(["kazoo"]);
  });

  it("never cuts a surrogate pair", () => {
    const text = "😀".repeat(100) + "kazoo" + "😀".repeat(100);
    const [f] = highlight(text, parseSearchQuery("kazoo"));
    const joined = f!.map((s) => s.text).join("");
    expect(joined).toBe(joined.toWellFormed());
  });

  it("never throws and marks only what is in the text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), fc.string({ unit: "grapheme", maxLength: 40 }), (text, q) => {
        for (const fragment of highlight(text, parseSearchQuery(q))) {
          for (const s of fragment) if (s.match) expect(text).toContain(s.text);
        }
      }),
      { numRuns: 1000, seed: 18 },
    );
  });
});
