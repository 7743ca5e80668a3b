import { route } from "@/lib/api/handler";
import { markThreadRead } from "@/lib/openapi/read-state";
import * as readState from "@/lib/server/read-state";

/** Marks the thread read, entirely or up to a message → `{threadId, unreadCount}`. */
export const POST = route(markThreadRead, async ({ params, body, caller }) =>
  readState.markThreadRead(caller.userId, params.id, body.upToMessageId),
);
