import { route } from "@/lib/api/handler";
import { sendTyping } from "@/lib/openapi/live";
import * as typing from "@/lib/server/typing";

/** "I am typing" → 204; the other participants get a `typing` event that lasts a few seconds. */
export const POST = route(sendTyping, async ({ params, caller }) => {
  await typing.sendTyping(caller.userId, params.id);
});
