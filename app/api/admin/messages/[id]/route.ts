import { route } from "@/lib/api/handler";
import { removeMessage } from "@/lib/openapi/admin";
import * as moderation from "@/lib/server/moderation";

/** Removes a message as a moderator (audited) → 204. */
export const DELETE = route(removeMessage, async ({ params, body, caller }) => {
  await moderation.removeMessage(caller.userId, params.id, body.reason);
});
