import { json, withUser } from "@/lib/api/handler";
import { idParams } from "@/lib/schemas/common";
import { markMessageRead } from "@/lib/server/read-state";

/** Marks this message and every earlier one in its thread read → `{threadId, unreadCount}`. */
export const POST = withUser(async ({ params, caller }) => json(await markMessageRead(caller.userId, params.id)), {
  params: idParams,
});
