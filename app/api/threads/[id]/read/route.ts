import { json, withUser } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/parse";
import { idParams } from "@/lib/schemas/common";
import { markReadBody } from "@/lib/schemas/threads";
import { markThreadRead } from "@/lib/server/read-state";

/** Marks the thread read, entirely or up to a message → `{threadId, unreadCount}`. */
export const POST = withUser(
  async ({ req, params, caller }) => {
    const { upToMessageId } = await parseBody(req, markReadBody);
    return json(await markThreadRead(caller.userId, params.id, upToMessageId));
  },
  { params: idParams },
);
