import { json, withUser } from "@/lib/api/handler";
import { parseQuery } from "@/lib/api/parse";
import { unreadMessagesQuery } from "@/lib/schemas/messages";
import { listUnreadMessages } from "@/lib/server/read-state";

/** The caller's unread messages across threads, newest first. */
export const GET = withUser(async ({ req, caller }) =>
  json(await listUnreadMessages(caller.userId, parseQuery(req, unreadMessagesQuery))),
);
