import { route } from "@/lib/api/handler";
import { markMessageRead } from "@/lib/openapi/read-state";
import * as readState from "@/lib/server/read-state";

/** Marks this message and every earlier one in its thread read → `{threadId, unreadCount}`. */
export const POST = route(markMessageRead, async ({ params, caller }) => readState.markMessageRead(caller.userId, params.id));
