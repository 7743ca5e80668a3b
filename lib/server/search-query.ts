/**
 * The search syntax of `GET /api/search` (issue 18), and the highlighting of what it matched: pure functions, no
 * database and no `server-only`, so that tests/search-query.test.ts can call them directly. lib/server/search.ts turns
 * a {@link ParsedSearch} into SQL; the two agree on what a word matches (see {@link isLongWord}).
 *
 * Syntax (any input is valid; nothing is an error except too many words, which lib/server/search.ts refuses):
 * - `deploy` — a word. Every word must appear in the message (AND). A word with a run of 3 or more letters or digits
 *   matches anywhere inside the text, case-insensitively (`deplo` and `ployme` both find "deployment": pg_trgm); a
 *   shorter one (`ok`, `5`, `c#` → `c`) matches the start of a word (`ok` finds "okay", not "book"). Punctuation
 *   around a word is dropped (`deploy?` → `deploy`); a word of punctuation only is ignored.
 * - `"exact phrase"` — these words, whole, adjacent and in this order (punctuation between them does not matter;
 *   `"deploy"` finds the word deploy but not "deployment"). Straight and typographic quotes both work (`"…"`, `“…”`,
 *   `„…“`, `«…»`); an unclosed quote runs to the end of `q`.
 * - `from:@username` or `from:username` — sent by this person (several: by any of them).
 * - `in:<conversation id>` — in this conversation (several: in any of them).
 * - `after:YYYY-MM-DD` — sent on or after that day (00:00 UTC, inclusive); `before:YYYY-MM-DD` — sent before that
 *   day (00:00 UTC, exclusive). Both: the days from `after` up to, not including, `before`. Repeated: the narrowest.
 * - `has:link` — contains a link (`http://`, `https://` or `www.` followed by something).
 * Filter names are case-insensitive. A filter whose value is malformed (`before:yesterday`, `from:@`, `has:cats`) is
 * not an error: it is searched as a word, as any other text is.
 */

/** What a query asks for. Words and phrases are as typed (case is ignored when matching). */
export interface ParsedSearch {
  /** Words, each of which must appear (edge punctuation dropped, duplicates ignoring case removed). */
  words: string[];
  /** Quoted phrases (white space collapsed), each of which must appear. */
  phrases: string[];
  /** Usernames (lowercase, no `@`): sent by any of them. */
  from: string[];
  /** Conversation ids: in any of them. */
  in: string[];
  /** Sent before this instant (exclusive): 00:00 UTC of the `before:` day. */
  before: Date | null;
  /** Sent at or after this instant (inclusive): 00:00 UTC of the `after:` day. */
  after: Date | null;
  /** Contains a link. */
  hasLink: boolean;
}

/** Characters that open or close a phrase. */
const QUOTES = new Set(['"', "“", "”", "„", "«", "»"]);
/** A username as `from:` takes it: the rule of registration (`[a-z0-9_]{3,32}`), any case, an optional `@`. */
const FROM = /^@?([A-Za-z0-9_]{3,32})$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const FILTER = /^(from|in|before|after|has):(.+)$/i;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
/** Leading characters that are not letters or digits; trailing ones that are not letters, digits or combining marks. */
const EDGE_PUNCTUATION = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}\p{M}]+$/gu;
const LONG_RUN = /[\p{L}\p{N}]{3}/u;

/**
 * Whether `word` matches anywhere inside the text (it has a run of at least 3 letters or digits, which pg_trgm's
 * trigram index can look up), or only at the start of a word (shorter ones: a fragment of one or two characters would
 * match nearly every message, and no trigram index can find it).
 */
export const isLongWord = (word: string): boolean => LONG_RUN.test(word);

/** A calendar day `YYYY-MM-DD` (year 0001–9999) as 00:00 UTC, or null when it is not a real day. */
function parseDay(value: string): Date | null {
  const m = DAY.exec(value);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  // 2026-02-30 rolls over into March: not a real day.
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? date : null;
}

/**
 * Parses the `q` of a search. Never throws: anything that is not a valid filter is text.
 * Control characters count as white space; the text is normalised to NFC (as typed text nearly always is).
 */
export function parseSearchQuery(q: string): ParsedSearch {
  const text = q
    .toWellFormed()
    .normalize("NFC")
    .replace(/\p{Cc}/gu, " ");
  const out: ParsedSearch = { words: [], phrases: [], from: [], in: [], before: null, after: null, hasLink: false };
  const seenWords = new Set<string>();
  const seenPhrases = new Set<string>();
  const addWord = (raw: string) => {
    const word = raw.replace(EDGE_PUNCTUATION, "");
    const key = word.toLowerCase();
    if (word && !seenWords.has(key)) {
      seenWords.add(key);
      out.words.push(word);
    }
  };
  const chars = [...text];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    if (/\s/u.test(c)) {
      i++;
    } else if (QUOTES.has(c)) {
      let j = i + 1;
      while (j < chars.length && !QUOTES.has(chars[j]!)) j++;
      const phrase = chars.slice(i + 1, j).join("").trim().replace(/\s+/gu, " ");
      const key = phrase.toLowerCase();
      if (LETTER_OR_DIGIT.test(phrase) && !seenPhrases.has(key)) {
        seenPhrases.add(key);
        out.phrases.push(phrase);
      }
      i = j + 1;
    } else {
      let j = i;
      while (j < chars.length && !/\s/u.test(chars[j]!) && !QUOTES.has(chars[j]!)) j++;
      const token = chars.slice(i, j).join("");
      i = j;
      if (!applyFilter(out, token)) addWord(token);
    }
  }
  return out;
}

/** Applies `token` when it is a well-formed filter; false when it is text. */
function applyFilter(out: ParsedSearch, token: string): boolean {
  const m = FILTER.exec(token);
  if (!m) return false;
  const name = m[1]!.toLowerCase();
  const value = m[2]!;
  switch (name) {
    case "from": {
      const user = FROM.exec(value);
      if (!user) return false;
      const username = user[1]!.toLowerCase();
      if (!out.from.includes(username)) out.from.push(username);
      return true;
    }
    case "in":
      if ([...value].length > 64) return false;
      if (!out.in.includes(value)) out.in.push(value);
      return true;
    case "before": {
      const day = parseDay(value);
      if (!day) return false;
      if (!out.before || day < out.before) out.before = day;
      return true;
    }
    case "after": {
      const day = parseDay(value);
      if (!day) return false;
      if (!out.after || day > out.after) out.after = day;
      return true;
    }
    default:
      if (value.toLowerCase() !== "link") return false;
      out.hasLink = true;
      return true;
  }
}

/**
 * The most common lexemes of the messages' `to_tsvector('simple', text)` and the share of text messages holding each
 * (PostgreSQL's statistics of the full-text index: `pg_stats.most_common_elems`), lowercase.
 */
export type CommonLexemes = ReadonlyMap<string, number>;

/**
 * About which share of text messages (0–1) can match the query's words and phrases, from the statistics' common
 * lexemes: a long word, the lexemes that contain it; a short one, those that start with it; a phrase, its rarest word;
 * all together, the rarest of them. A word found in no common lexeme is taken as rare (0), so the share is an
 * estimate from below for words inside many rare ones. Filters alone: 1 (the probe is the cheap way to list them).
 */
export function estimateShare(p: ParsedSearch, common: CommonLexemes): number {
  const shares: number[] = [];
  const sum = (test: (lexeme: string) => boolean) => {
    let total = 0;
    for (const [lexeme, share] of common) if (test(lexeme)) total += share;
    return Math.min(1, total);
  };
  for (const word of p.words) {
    const w = word.toLowerCase();
    shares.push(isLongWord(word) ? sum((l) => l.includes(w)) : sum((l) => l.startsWith(w)));
  }
  for (const phrase of p.phrases) {
    const words = phrase.toLowerCase().split(/[^\p{L}\p{N}\p{M}]+/u).filter(Boolean);
    shares.push(Math.min(...words.map((w) => common.get(w) ?? 0)));
  }
  return shares.length ? Math.min(...shares) : 1;
}

/** Whether the query has anything to search by: a word, a phrase or a filter. */
export const hasCriteria = (p: ParsedSearch): boolean =>
  p.words.length > 0 || p.phrases.length > 0 || p.from.length > 0 || p.in.length > 0 || p.before !== null ||
  p.after !== null || p.hasLink;

// ---------------------------------------------------------------------------------------------------------------------
// Highlights
// ---------------------------------------------------------------------------------------------------------------------

/** A piece of a highlight fragment: text, and whether it is what the query matched. Render `match` pieces as <mark>. */
export interface HighlightSegment {
  text: string;
  match: boolean;
}

/** One fragment of a message: its pieces in order. */
export type HighlightFragment = HighlightSegment[];

/** Characters of context kept on each side of a match. */
export const HIGHLIGHT_CONTEXT = 60;
/** Most fragments given per message. */
export const MAX_HIGHLIGHT_FRAGMENTS = 3;
/** Marks the place where a fragment was cut from a longer text. */
export const ELLIPSIS = "…";

/** A link, as `has:link` means it (PostgreSQL's `~*` pattern in lib/server/search.ts says the same). */
export const LINK_REGEX_SOURCE = String.raw`(?:https?://|www\.)\S+`;

/** Escapes what a `u`-flag regular expression treats as syntax (only those: `u` refuses other escapes). */
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const NOT_WORD_BEFORE = String.raw`(?<![\p{L}\p{N}\p{M}])`;
const NOT_WORD_AFTER = String.raw`(?![\p{L}\p{N}\p{M}])`;

/** The regular expressions that find, in a message's text, what each part of the query matched. */
function matchers(p: ParsedSearch): RegExp[] {
  const out: RegExp[] = [];
  for (const word of p.words) {
    // A long word anywhere; a short one at the start of a word, as lib/server/search.ts matches them.
    out.push(new RegExp((isLongWord(word) ? "" : NOT_WORD_BEFORE) + escapeRegExp(word), "giu"));
  }
  for (const phrase of p.phrases) {
    const words = phrase.split(/[^\p{L}\p{N}\p{M}]+/u).filter(Boolean);
    if (words.length === 0) continue;
    out.push(new RegExp(NOT_WORD_BEFORE + words.map(escapeRegExp).join(String.raw`[^\p{L}\p{N}\p{M}]+`) + NOT_WORD_AFTER, "giu"));
  }
  if (p.hasLink) out.push(new RegExp(LINK_REGEX_SOURCE, "giu"));
  return out;
}

/** The ranges `[start, end)` (UTF-16 offsets) of `text` that the query matched, sorted and merged. */
export function matchRanges(text: string, p: ParsedSearch): [number, number][] {
  const ranges: [number, number][] = [];
  for (const re of matchers(p)) {
    for (const m of text.matchAll(re)) {
      if (m[0].length > 0) ranges.push([m.index, m.index + m[0].length]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * Where a fragment's edge may go near `at`: at white space within a few characters (towards the match, so as not to
 * cut a word), else at `at` itself, moved off the middle of a surrogate pair.
 */
function edge(text: string, at: number, towards: number): number {
  if (at <= 0) return 0;
  if (at >= text.length) return text.length;
  const step = towards > at ? 1 : -1;
  for (let k = at, n = 0; n < 15 && k !== towards; k += step, n++) {
    if (/\s/u.test(text[k]!)) return step > 0 ? k + 1 : k;
  }
  return isHighSurrogate(text.charCodeAt(at - 1)) ? at + 1 : at;
}

/**
 * The fragments of `text` to show for a result: each match with up to {@link HIGHLIGHT_CONTEXT} characters of context
 * on either side (cut at white space when there is some near), overlapping ones merged, at most
 * {@link MAX_HIGHLIGHT_FRAGMENTS} in text order. A fragment that starts or ends inside the text has an
 * {@link ELLIPSIS} there, in a non-match segment. Nothing is HTML: a client renders `match` segments as `<mark>`
 * elements with the segment's text as text.
 * @returns `[]` when the query matched nothing visible in the text (a filters-only query such as `from:@bob`).
 */
export function highlight(text: string, p: ParsedSearch): HighlightFragment[] {
  const ranges = matchRanges(text, p);
  const windows: { start: number; end: number; ranges: [number, number][] }[] = [];
  for (const r of ranges) {
    const start = edge(text, r[0] - HIGHLIGHT_CONTEXT, r[0]);
    const end = edge(text, r[1] + HIGHLIGHT_CONTEXT, r[1]);
    const last = windows[windows.length - 1];
    if (last && start <= last.end) {
      last.end = Math.max(last.end, end);
      last.ranges.push(r);
    } else {
      if (windows.length === MAX_HIGHLIGHT_FRAGMENTS) break;
      windows.push({ start, end, ranges: [r] });
    }
  }
  return windows.map((w) => {
    const segments: HighlightSegment[] = [];
    const plain = (s: string) => {
      if (!s) return;
      const last = segments[segments.length - 1];
      if (last && !last.match) last.text += s;
      else segments.push({ text: s, match: false });
    };
    if (w.start > 0) plain(ELLIPSIS);
    let at = w.start;
    for (const [s, e] of w.ranges) {
      plain(text.slice(at, s));
      segments.push({ text: text.slice(s, e), match: true });
      at = e;
    }
    plain(text.slice(at, w.end));
    if (w.end < text.length) plain(ELLIPSIS);
    return segments;
  });
}
