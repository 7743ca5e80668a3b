import { conditionalJson, withUser } from "@/lib/api/handler";
import { parseQuery } from "@/lib/api/parse";
import { unreadMessagesQuery } from "@/lib/schemas/messages";
import { listUnreadMessages } from "@/lib/server/read-state";

/** The caller's unread messages across threads, newest first; `304` when `If-None-Match` names the page's `ETag`. */
export const GET = withUser(async ({ req, caller }) =>
  conditionalJson(req, await listUnreadMessages(caller.userId, parseQuery(req, unreadMessagesQuery))),
);
