import { route } from "@/lib/api/handler";
import { searchMessages } from "@/lib/openapi/search";
import * as search from "@/lib/server/search";

/** Searches the caller's messages: `q` (words, "phrases", from:, in:, before:, after:, has:link), newest first or by relevance. */
export const GET = route(searchMessages, async ({ query, caller }) => search.searchMessages(caller.userId, query));
