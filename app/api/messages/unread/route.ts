import { route } from "@/lib/api/handler";
import { listUnreadMessages } from "@/lib/openapi/read-state";
import * as readState from "@/lib/server/read-state";

/** The caller's unread messages across threads, newest first. */
export const GET = route(listUnreadMessages, async ({ query, caller }) => readState.listUnreadMessages(caller.userId, query));
