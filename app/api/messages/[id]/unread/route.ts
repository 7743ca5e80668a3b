import { route } from "@/lib/api/handler";
import { markMessageUnread } from "@/lib/openapi/read-state";
import * as readState from "@/lib/server/read-state";

/** Moves the caller's read position back to just before this message → `{threadId, lastReadSeq, unreadCount, …}`. */
export const POST = route(markMessageUnread, async ({ params, caller }) => readState.markUnread(caller.userId, params.id));
