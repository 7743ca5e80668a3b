import { searchPage, searchQuery } from "../schemas/search";
import { defineOperation } from "./operation";

export const searchMessages = defineOperation({
  method: "GET",
  path: "/api/search",
  operationId: "searchMessages",
  summary: "Search your messages",
  description: [
    "Finds people's text messages in the conversations you take part in now (not system entries, not messages a moderator removed; a conversation you left or were removed from is not searched).",
    "",
    "`q`: words, all of which must appear — one with a run of 3 or more letters or digits matches anywhere inside the text, case-insensitively (`deplo` and `ployme` both find \"deployment\"), a shorter one the start of a word (`ok` finds \"okay\"); punctuation around a word is dropped. `\"exact phrase\"`: these whole words, adjacent, in this order (`\"deploy\"` is the word, not \"deployment\"). Filters: `from:@username` (or `from:username`), `in:<conversation id>` (several `from:` or `in:`: any of them), `after:YYYY-MM-DD` (from 00:00 UTC that day, inclusive), `before:YYYY-MM-DD` (until 00:00 UTC that day, exclusive), `has:link` (`http://`, `https://` or `www.`). Filter names are case-insensitive; a malformed filter (`before:yesterday`, `has:cats`) is searched as a word. Filters alone are a search too (`from:@ada` lists Ada's messages). Any text is accepted: a `q` of punctuation only finds nothing; more than 16 words and phrases is a 400.",
    "",
    "`highlights` are plain-text segments, `match: true` on what the query matched: render those as `<mark>` with the segment's text as text, never as HTML.",
  ].join("\n"),
  tag: "Search",
  auth: "required",
  query: searchQuery,
  ok: { 200: { description: "A page of results, in the order `sort` asks for.", schema: searchPage } },
  errors: { 400: "Also for more than 16 words and phrases in `q`, or a `cursor` of the other `sort`." },
});
