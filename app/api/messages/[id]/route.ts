import { route } from "@/lib/api/handler";
import { deleteMessage, editMessage, getMessage } from "@/lib/openapi/messages";
import * as messages from "@/lib/server/messages";

/** One message from one of the caller's threads. */
export const GET = route(getMessage, async ({ params, caller }) => messages.getMessage(caller.userId, params.id));

/** Edits the caller's own message (403 for others' messages). */
export const PATCH = route(editMessage, async ({ params, body, caller }) => messages.editMessage(caller.userId, params.id, body.text));

/** Deletes the caller's own message → 204 (403 for others' messages). */
export const DELETE = route(deleteMessage, async ({ params, caller }) => {
  await messages.deleteMessage(caller.userId, params.id);
});
