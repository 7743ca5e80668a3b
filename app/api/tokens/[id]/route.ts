import { route } from "@/lib/api/handler";
import { revokeToken } from "@/lib/openapi/accounts";
import * as tokens from "@/lib/server/tokens";

/** Revokes one of the caller's tokens → 204. */
export const DELETE = route(revokeToken, async ({ params, caller }) => {
  await tokens.revokeToken(caller.userId, params.id);
});
