import { json, noContent, withUser } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/parse";
import { idParams } from "@/lib/schemas/common";
import { editMessageBody } from "@/lib/schemas/messages";
import { deleteMessage, editMessage, getMessage } from "@/lib/server/messages";

/** One message from one of the caller's threads. */
export const GET = withUser(async ({ params, caller }) => json(await getMessage(caller.userId, params.id)), {
  params: idParams,
});

/** Edits the caller's own message (403 for others' messages). */
export const PATCH = withUser(
  async ({ req, params, caller }) => {
    const { text } = await parseBody(req, editMessageBody);
    return json(await editMessage(caller.userId, params.id, text));
  },
  { params: idParams },
);

/** Deletes the caller's own message → 204 (403 for others' messages). */
export const DELETE = withUser(
  async ({ params, caller }) => {
    await deleteMessage(caller.userId, params.id);
    return noContent();
  },
  { params: idParams },
);
