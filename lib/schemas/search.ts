import { z } from "zod";
import { cursor, id, limit, page } from "./common";
import { message } from "./messages";

/** Longest `q` of a search, in characters (UTF-16 units, as zod counts them) after trimming. */
export const MAX_SEARCH_QUERY_LENGTH = 500;
/** Most words and phrases a search may combine (filters aside): each is one more condition every message must meet. */
export const MAX_SEARCH_TERMS = 16;

export const searchQuery = z.object({
  q: z
    .string()
    .trim()
    .min(1, "Type something to search for.")
    .max(MAX_SEARCH_QUERY_LENGTH, `Use at most ${MAX_SEARCH_QUERY_LENGTH} characters.`)
    .meta({
      description:
        "What to find. Words (all must appear; one of 3+ letters or digits matches anywhere inside a word, case-insensitively, so `deplo` and `ployme` find \"deployment\"; a shorter one matches the start of a word), `\"exact phrases\"`, and filters: `from:@username` (or `from:username`), `in:<conversation id>`, `after:YYYY-MM-DD` (that day 00:00 UTC, inclusive), `before:YYYY-MM-DD` (exclusive), `has:link`. A malformed filter is searched as a word. At most 16 words and phrases.",
      example: 'deplo "release notes" from:@ada after:2026-11-01',
    }),
  sort: z
    .enum(["recent", "relevance"])
    .default("recent")
    .meta({
      description:
        "`recent` (default): newest first. `relevance`: best match first (PostgreSQL's `ts_rank` of the whole words and word prefixes found; a match inside a word only counts as found), then newest first.",
    }),
  limit: limit(20),
  cursor,
});

export const highlightSegment = z
  .object({
    text: z.string(),
    match: z.boolean().meta({ description: "`true`: text the query matched (show it marked, e.g. as `<mark>`)." }),
  })
  .meta({ id: "HighlightSegment" });

export const searchThread = z
  .object({
    id,
    kind: z.enum(["direct", "group"]),
    title: z.string().nullable().meta({ description: "A group's title; `null` for a direct conversation." }),
    participantCount: z.number().int().min(1),
    others: z
      .array(z.object({ id, username: z.string(), name: z.string().nullable() }))
      .meta({ description: "The other participants, by username, at most 5: enough to name a direct conversation." }),
  })
  .meta({ id: "SearchThread" });

export const searchResult = z
  .object({
    message,
    thread: searchThread.meta({ description: "The conversation the message is in." }),
    highlights: z.array(z.array(highlightSegment)).meta({
      description:
        "Fragments of the message's text around what the query matched (at most 3, about 60 characters of context on each side), each a list of segments; a fragment cut from a longer text starts or ends with \"…\" in a non-match segment. Segments are plain text, never HTML. Empty when the query has filters only.",
    }),
  })
  .meta({ id: "SearchResult" });

export const searchPage = page(searchResult).meta({ id: "SearchPage" });

export type SearchQuery = z.infer<typeof searchQuery>;
export type SearchResult = z.infer<typeof searchResult>;
export type SearchThread = z.infer<typeof searchThread>;
