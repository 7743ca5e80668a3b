import { noContent, withUser } from "@/lib/api/handler";
import { idParams } from "@/lib/schemas/common";
import { revokeToken } from "@/lib/server/tokens";

/** Revokes one of the caller's tokens → 204. */
export const DELETE = withUser(
  async ({ params, caller }) => {
    await revokeToken(caller.userId, params.id);
    return noContent();
  },
  { params: idParams },
);
