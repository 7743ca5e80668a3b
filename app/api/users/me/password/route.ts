import { route } from "@/lib/api/handler";
import { clientIp } from "@/lib/infra/rate-limit";
import { changePassword } from "@/lib/openapi/accounts";
import * as account from "@/lib/server/account";

/** Changes the caller's password → 204; the caller's other browser sessions end. */
export const POST = route(changePassword, async ({ req, body, caller }) => {
  await account.changePassword(caller.userId, clientIp(req.headers), caller.credential, body);
});
