import "server-only";
import { z } from "zod";
import { AppError } from "../errors";
import type { Page } from "../schemas/common";
import type { Message } from "../schemas/messages";
import { MAX_SEARCH_TERMS, type SearchQuery, type SearchResult, type SearchThread } from "../schemas/search";
import { cursorSeq, cursorTime, decodeCursor, encodeCursor } from "./cursor";
import {
  type CommonLexemes,
  estimateShare,
  hasCriteria,
  highlight,
  isLongWord,
  type ParsedSearch,
  parseSearchQuery,
} from "./search-query";
import { escapeLike, getPrisma, Prisma } from "./sql";

// Message search (issue 18; docs/data-model.md, "Search"). Two partial GIN indexes over the text of people's
// messages (`kind = 'text'`), both from migration `search`: `to_tsvector('simple', text)` for whole words, word
// prefixes and phrases (and ts_rank), and pg_trgm's `gin_trgm_ops` for words found anywhere inside the text (ILIKE).
// Every query is scoped by the caller's participant rows, read in the same statement: a thread the caller left, or
// was removed from, is not searched any more; a deleted message is gone; system entries and removed messages are not
// `kind = 'text'`.

/** Threads the newest-first probe looks at: the caller's most recently active ones. */
const PROBE_THREADS = 16;
/**
 * The share of text messages (estimated from the statistics, {@link estimateShare}) from which the probe is tried
 * first. It reads `32 × (limit + 1)` messages and needs `limit + 1` matches among them: about 3% of them.
 */
const PROBE_MIN_SHARE = 0.02;
/** How long an instance keeps the statistics' common lexemes (autovacuum's ANALYZE renews them now and then). */
const COMMON_LEXEMES_TTL_MS = 10 * 60_000;

/** Recent order's cursor: the last result's `{t: createdAt, th: threadId, s: seq}`. */
const recentCursor = z.strictObject({ t: cursorTime, th: z.string().min(1).max(64), s: cursorSeq });
/** Relevance order's cursor: `{r: rank}` besides the recent cursor's fields. */
const relevanceCursor = z.strictObject({
  r: z.number().min(0).max(1e9),
  t: cursorTime,
  th: z.string().min(1).max(64),
  s: cursorSeq,
});

/** A found message's place in the order: what the candidate statements return. */
interface Key {
  id: string;
  thread_id: string;
  seq: number;
  created_at: Date;
  rank?: number;
}

/**
 * How newest-first results are found. `auto`: the indexes for words the statistics call rare, else the probe (which
 * falls back on the indexes); `probe`: the probe whatever the statistics; `walk`: every thread read newest first, no
 * index; `index`: the indexes alone. All but `auto` are for tests and benchmarks: every way gives the same pages.
 */
export type SearchStrategy = "auto" | "probe" | "walk" | "index";

const globalForSearch = globalThis as unknown as { parleyCommonLexemes?: { at: number; value: Promise<CommonLexemes | null> } };

/**
 * The common lexemes of the full-text index's statistics (`pg_stats` of `messages_search_tsv_idx`: ANALYZE samples
 * the indexed expression), kept {@link COMMON_LEXEMES_TTL_MS} per instance. `null` when there are none yet (a
 * database never analyzed) or they cannot be read: then the probe decides alone.
 */
function commonLexemes(): Promise<CommonLexemes | null> {
  const cached = globalForSearch.parleyCommonLexemes;
  if (cached && Date.now() - cached.at < COMMON_LEXEMES_TTL_MS) return cached.value;
  const value = getPrisma()
    .$queryRaw<{ lexeme: string; share: number }[]>`
      SELECT e.lexeme, e.share FROM pg_stats s
      CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(lexeme, share)
      WHERE s.schemaname = 'public' AND s.tablename = 'messages_search_tsv_idx' AND e.lexeme IS NOT NULL`
    .then((rows) => (rows.length ? new Map(rows.map((r) => [r.lexeme, r.share])) : null))
    .catch(() => null);
  globalForSearch.parleyCommonLexemes = { at: Date.now(), value };
  return value;
}

/**
 * `tsquery` text for "a word starting with `word`", for `to_tsquery('simple', …)`: the word quoted as one operand
 * (quotes doubled, backslashes escaped, so nothing in it is tsquery syntax) with the prefix mark. to_tsquery then
 * splits and lowercases it with the same parser as the messages' `to_tsvector('simple', …)`.
 */
const prefixOperand = (word: string) => `'${word.replace(/\\/g, "\\\\").replace(/'/g, "''")}':*`;

/** PostgreSQL's form of a link for `has:link` (lib/server/search-query.ts, LINK_REGEX_SOURCE, is the same). */
const LINK_PATTERN = "(https?://|www\\.)[^[:space:]]";

/**
 * The condition a message `m` must meet, cheap parts first (they run in this order where the probe evaluates it).
 * Long words: `text ILIKE '%word%'` (the trigram index); short words and phrases: the `to_tsvector('simple', text)`
 * expression of the full-text index, written exactly as the index is (or PostgreSQL would not use it).
 */
function matchSql(p: ParsedSearch): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`m.kind = 'text'`];
  // An array (not IN (…)): an index condition, so that the sender indexes can narrow the thread's bitmap.
  if (p.from.length) parts.push(Prisma.sql`m.sender_id = ANY(ARRAY(SELECT u.id FROM users u WHERE u.username = ANY(${p.from}::text[])))`);
  if (p.after) parts.push(Prisma.sql`m.created_at >= ${p.after}::timestamptz`);
  if (p.before) parts.push(Prisma.sql`m.created_at < ${p.before}::timestamptz`);
  for (const word of p.words.filter(isLongWord)) parts.push(Prisma.sql`m.text ILIKE ${`%${escapeLike(word)}%`}`);
  if (p.hasLink) parts.push(Prisma.sql`m.text ~* ${LINK_PATTERN}`);
  for (const word of p.words.filter((w) => !isLongWord(w))) {
    parts.push(Prisma.sql`to_tsvector('simple', m.text) @@ to_tsquery('simple', ${prefixOperand(word)})`);
  }
  for (const phrase of p.phrases) parts.push(Prisma.sql`to_tsvector('simple', m.text) @@ phraseto_tsquery('simple', ${phrase})`);
  return Prisma.join(parts, " AND ");
}

/** The relevance of `m` (ts_rank of every word as a prefix, and every phrase), or null when there is nothing to rank by. */
function rankSql(p: ParsedSearch): Prisma.Sql | null {
  const queries = [
    ...p.words.map((w) => Prisma.sql`to_tsquery('simple', ${prefixOperand(w)})`),
    ...p.phrases.map((ph) => Prisma.sql`phraseto_tsquery('simple', ${ph})`),
  ];
  if (queries.length === 0) return null;
  return Prisma.sql`ts_rank(to_tsvector('simple', m.text), ${Prisma.join(queries, " || ")})`;
}

/**
 * Searches the text messages of the caller's conversations (`GET /api/search`).
 *
 * `q` is parsed by {@link parseSearchQuery} (lib/server/search-query.ts has the syntax). Scope: the threads the caller
 * takes part in now. Order: `recent` (default) is `createdAt`, then thread id, then `seq`, all descending — within a
 * thread `seq` order is `createdAt` order (a message's time is taken under the thread's lock, as in
 * lib/server/read-state.ts), so each thread's newest messages come from its `(thread_id, seq)` index; `relevance` is
 * the rank (PostgreSQL's `ts_rank` over `to_tsvector('simple', text)`: words as prefixes, and phrases) first, then the
 * same. With filters only there is nothing to rank, and `relevance` is `recent`. Cursors hold the last result's
 * place in its order, so paging is exact: each message appears once, however the pages are cut.
 *
 * Newest first is found in one of two ways (docs/data-model.md, "Search"): a probe reads the newest few dozen
 * messages of the caller's 16 most recently active threads; when those hold a full page and every other thread's
 * newer messages are covered (a second walk bounded by the page's oldest time), that is the answer — the cheap way for
 * common words. Otherwise one statement over the indexes of all the caller's threads decides: at once for words
 * that PostgreSQL's statistics say are rare (under 2% of messages), after the probe came up short for the rest.
 *
 * @param strategy `auto`; `walk` or `index` force one way (tests compare them; benchmarks time them).
 * @returns a page of `{message, thread, highlights}`: `message` as `parley_message_json` gives it to the caller,
 *   `thread` `{id, kind, title, participantCount, others}` (others: up to 5 other participants by username),
 *   `highlights` from {@link highlight}. An empty page when `q` holds nothing to search by (punctuation only).
 * @throws AppError `validation` (400) for more than {@link MAX_SEARCH_TERMS} words and phrases, or a cursor that is
 *   malformed or of the other sort order.
 */
export async function searchMessages(
  userId: string,
  query: SearchQuery,
  strategy: SearchStrategy = "auto",
): Promise<Page<SearchResult>> {
  const parsed = parseSearchQuery(query.q);
  if (parsed.words.length + parsed.phrases.length > MAX_SEARCH_TERMS) {
    throw new AppError("validation", "The search has too many words.", [
      { parameter: "q", detail: `Use at most ${MAX_SEARCH_TERMS} words and phrases.` },
    ]);
  }
  const rank = rankSql(parsed);
  const byRelevance = query.sort === "relevance" && rank !== null;
  const limit = query.limit;
  let keys: Key[];
  if (byRelevance) {
    const after = decodeCursor(query.cursor, relevanceCursor);
    const bound = after
      ? Prisma.sql`WHERE (r.rank, r.created_at, r.thread_id, r.seq) < (${after.r}::real, ${after.t}::timestamptz, ${after.th}, ${after.s}::int)`
      : Prisma.empty;
    keys = await getPrisma().$queryRaw<Key[]>`
      SELECT r.id, r.thread_id, r.seq, r.created_at, r.rank FROM (
        SELECT m.id, m.thread_id, m.seq, m.created_at, ${rank} AS rank
        FROM messages m
        WHERE m.thread_id = ANY(${scopeArray(userId, parsed)}) AND ${matchSql(parsed)}
        OFFSET 0 -- computes each rank once (not again for the cursor's comparison)
      ) r
      ${bound}
      ORDER BY r.rank DESC, r.created_at DESC, r.thread_id DESC, r.seq DESC
      LIMIT ${limit + 1}`;
  } else {
    const after = decodeCursor(query.cursor, recentCursor);
    if (!hasCriteria(parsed)) return { data: [], nextCursor: null };
    const bound = after
      ? Prisma.sql`AND (m.created_at, m.thread_id, m.seq) < (${after.t}::timestamptz, ${after.th}, ${after.s}::int)`
      : Prisma.empty;
    keys = await newestFirst(userId, parsed, bound, limit, strategy);
  }
  const data = await page(userId, parsed, keys.slice(0, limit));
  const last = keys[limit - 1];
  let nextCursor: string | null = null;
  if (keys.length > limit && last) {
    const place = { t: last.created_at.toISOString(), th: last.thread_id, s: last.seq };
    nextCursor = encodeCursor(byRelevance ? { r: last.rank ?? 0, ...place } : place);
  }
  return { data, nextCursor };
}

/** `ARRAY(…)` of the caller's thread ids (narrowed by `in:`): the scope every statement searches. */
function scopeArray(userId: string, p: ParsedSearch): Prisma.Sql {
  return Prisma.sql`ARRAY(SELECT me.thread_id FROM participants me WHERE me.user_id = ${userId} ${inScope(p)})`;
}

const inScope = (p: ParsedSearch) => (p.in.length ? Prisma.sql`AND me.thread_id = ANY(${p.in}::text[])` : Prisma.empty);

/** One statement over the indexes of the caller's threads, newest first: exact whatever the words. */
function indexed(userId: string, p: ParsedSearch, bound: Prisma.Sql, limit: number): Promise<Key[]> {
  return getPrisma().$queryRaw<Key[]>`
    SELECT m.id, m.thread_id, m.seq, m.created_at
    FROM messages m
    WHERE m.thread_id = ANY(${scopeArray(userId, p)}) AND ${matchSql(p)} ${bound}
    ORDER BY m.created_at DESC, m.thread_id DESC, m.seq DESC
    LIMIT ${limit + 1}`;
}

interface ProbeRow {
  row: "thread" | "next" | "hit";
  thread_id: string;
  /** `thread`, `next`: the thread's `last_activity_at`; `hit`: the message's `created_at`. */
  at: Date;
  /** `thread`: messages read (up to the probe's per-thread limit). */
  n: number | null;
  /** `thread`: the oldest `seq` read; `hit`: the message's. */
  seq: number | null;
  /** `thread`: the oldest `created_at` read. */
  oldest_at: Date | null;
  id: string | null;
}

/**
 * The first `limit + 1` matches newest first (one more than a page, to know whether another follows), found as
 * `strategy` says.
 *
 * The probe reads the newest `2 × (limit + 1)` messages (matching or not) of each of the caller's
 * {@link PROBE_THREADS} most recently active threads, and the activity time of the next thread. A thread's
 * `last_activity_at` is at or after its newest message's `createdAt` (docs/data-model.md, "Activity order"), and older
 * messages of a thread have older times; so once the probe has `limit + 1` matches, the only other messages that could
 * come before the last of them are in threads active since its time, and in probed threads that had more messages
 * than were read, older than the ones read but not older than that time. A second walk reads exactly those, each
 * thread from its newest message down to that time. When the probe finds fewer matches (a rare word), the indexes
 * answer instead.
 */
async function newestFirst(userId: string, p: ParsedSearch, bound: Prisma.Sql, limit: number, strategy: SearchStrategy): Promise<Key[]> {
  if (strategy === "index") return indexed(userId, p, bound, limit);
  if (strategy === "auto") {
    // A rare word would leave the probe short of a page: go to the indexes at once.
    const common = await commonLexemes();
    if (common && estimateShare(p, common) < PROBE_MIN_SHARE) return indexed(userId, p, bound, limit);
  }
  const perThread = 2 * (limit + 1);
  // A walk over every thread when forced: the probe then reads them all, each to its first message.
  const threads = strategy === "walk" ? 2_147_483_647 : PROBE_THREADS;
  const reads = strategy === "walk" ? 2_147_483_647 : perThread;
  const rows = await getPrisma().$queryRaw<ProbeRow[]>`
    WITH scope AS MATERIALIZED (
      SELECT me.thread_id, me.last_activity_at FROM participants me
      WHERE me.user_id = ${userId} ${inScope(p)}
      ORDER BY me.last_activity_at DESC, me.thread_id DESC
      LIMIT ${threads}::bigint + 1
    ),
    probe AS (SELECT * FROM scope ORDER BY last_activity_at DESC, thread_id DESC LIMIT ${threads}),
    scanned AS MATERIALIZED (
      SELECT pr.thread_id, s.id, s.seq, s.created_at, s.hit
      FROM probe pr CROSS JOIN LATERAL (
        SELECT m.id, m.seq, m.created_at, (${matchSql(p)} ${bound}) AS hit
        FROM messages m WHERE m.thread_id = pr.thread_id
        ORDER BY m.seq DESC LIMIT ${reads}
      ) s
    )
    SELECT 'thread' AS row, pr.thread_id, pr.last_activity_at AS at, coalesce(c.n, 0) AS n, c.oldest_seq AS seq, c.oldest_at, NULL AS id
    FROM probe pr
    LEFT JOIN (
      SELECT thread_id, count(*)::int AS n, min(seq) AS oldest_seq, min(created_at) AS oldest_at FROM scanned GROUP BY thread_id
    ) c ON c.thread_id = pr.thread_id
    UNION ALL
    (SELECT 'next', thread_id, last_activity_at, NULL, NULL, NULL, NULL FROM scope
     ORDER BY last_activity_at DESC, thread_id DESC OFFSET ${threads} LIMIT 1)
    UNION ALL
    (SELECT 'hit', thread_id, created_at, NULL, seq, NULL, id FROM scanned WHERE hit
     ORDER BY created_at DESC, thread_id DESC, seq DESC LIMIT ${limit + 1})`;
  const probed = rows.filter((r) => r.row === "thread");
  const next = rows.find((r) => r.row === "next");
  const hits: Key[] = rows.filter((r) => r.row === "hit").map((r) => ({ id: r.id!, thread_id: r.thread_id, seq: r.seq!, created_at: r.at }));
  // Probed threads with messages older than the ones read.
  const cut = probed.filter((t) => (t.n ?? 0) >= reads);
  if (hits.length <= limit) {
    // Fewer than a page (and one): done if nothing was left unread; else the indexes answer.
    return !next && cut.length === 0 ? hits : indexed(userId, p, bound, limit);
  }
  const floor = hits[limit]!.created_at;
  const rest = cut.filter((t) => t.oldest_at! >= floor);
  if (rest.length === 0 && !(next && next.at >= floor)) return hits;
  // The second walk: threads active since `floor` that the probe did not read, and the unread rest of probed ones,
  // each from its newest unread message down to `floor`; merged with the probe's matches in one order.
  return getPrisma().$queryRaw<Key[]>`
    WITH walk AS (
      SELECT me.thread_id, NULL::int AS below FROM participants me
      WHERE me.user_id = ${userId} ${inScope(p)} AND me.last_activity_at >= ${floor}::timestamptz
        AND me.thread_id <> ALL(${probed.map((t) => t.thread_id)}::text[])
      UNION ALL
      SELECT x.thread_id, x.below FROM unnest(${rest.map((t) => t.thread_id)}::text[], ${rest.map((t) => t.seq!)}::int[]) AS x(thread_id, below)
    ),
    found AS (
      SELECT h.id, h.thread_id, h.seq, h.created_at FROM walk w CROSS JOIN LATERAL (
        SELECT m.id, m.thread_id, m.seq, m.created_at FROM messages m
        WHERE m.thread_id = w.thread_id AND m.seq < coalesce(w.below, 2147483647)
          -- Down to floor: above the newest older message (a thread's times grow with seq), found in its seq index.
          AND m.seq > coalesce((SELECT o.seq FROM messages o WHERE o.thread_id = w.thread_id AND o.created_at < ${floor}::timestamptz
                                ORDER BY o.seq DESC LIMIT 1), 0)
          AND ${matchSql(p)} ${bound}
        ORDER BY m.seq DESC LIMIT ${limit + 1}
      ) h
      UNION
      SELECT * FROM unnest(${hits.map((h) => h.id)}::text[], ${hits.map((h) => h.thread_id)}::text[], ${hits.map((h) => h.seq)}::int[],
                           ${hits.map((h) => h.created_at)}::timestamptz[])
    )
    SELECT id, thread_id, seq, created_at FROM found
    ORDER BY created_at DESC, thread_id DESC, seq DESC
    LIMIT ${limit + 1}`;
}

interface PageRow {
  message: Message;
  thread_id: string;
  title: string | null;
  participant_count: number;
  others: SearchThread["others"];
}

/**
 * The results for `keys`, in their order: each message as the caller sees it (`parley_message_json`), its thread's
 * summary, and highlights. A message deleted (or a thread left) since it was found is left out.
 */
async function page(userId: string, p: ParsedSearch, keys: Key[]): Promise<SearchResult[]> {
  if (keys.length === 0) return [];
  const rows = await getPrisma().$queryRaw<PageRow[]>`
    SELECT parley_message_json(m, u, me.user_id, me.last_read_seq) AS message, t.id AS thread_id, t.title,
           (SELECT count(*)::int FROM participants a WHERE a.thread_id = t.id) AS participant_count,
           (SELECT coalesce(json_agg(json_build_object('id', o.id, 'username', o.username, 'name', o.name) ORDER BY o.username), '[]')
            FROM (SELECT ou.id, ou.username, ou.name FROM participants op JOIN users ou ON ou.id = op.user_id
                  WHERE op.thread_id = t.id AND op.user_id <> me.user_id ORDER BY ou.username LIMIT 5) o) AS others
    FROM unnest(${keys.map((k) => k.id)}::text[]) WITH ORDINALITY AS found(id, ord)
    JOIN messages m ON m.id = found.id AND m.kind = 'text'
    JOIN participants me ON me.thread_id = m.thread_id AND me.user_id = ${userId}
    JOIN users u ON u.id = m.sender_id
    JOIN threads t ON t.id = m.thread_id
    ORDER BY found.ord`;
  return rows.map((r) => ({
    message: r.message,
    thread: {
      id: r.thread_id,
      kind: r.title === null ? "direct" : "group",
      title: r.title,
      participantCount: r.participant_count,
      others: r.others,
    },
    highlights: highlight(r.message.text, p),
  }));
}
