import { noContent, withUser } from "@/lib/api/handler";
import { idParams } from "@/lib/schemas/common";
import { sendTyping } from "@/lib/server/typing";

/** "I am typing" → 204; the other participants get a `typing` event that lasts a few seconds. */
export const POST = withUser(
  async ({ params, caller }) => {
    await sendTyping(caller.userId, params.id);
    return noContent();
  },
  { params: idParams },
);
