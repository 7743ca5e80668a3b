import { route } from "@/lib/api/handler";
import { clientIp } from "@/lib/infra/rate-limit";
import { deleteAccount, getMe, updateMe } from "@/lib/openapi/accounts";
import * as account from "@/lib/server/account";
import * as users from "@/lib/server/users";

/** The caller's account. */
export const GET = route(getMe, async ({ caller }) => users.getMe(caller.userId));

/** Changes the caller's display name, "about" line or last-seen privacy. */
export const PATCH = route(updateMe, async ({ body, caller }) => users.updateMe(caller.userId, body));

/** Deletes the caller's account → 204: it becomes a tombstone ("Deleted user"), every credential ends. */
export const DELETE = route(deleteAccount, async ({ req, body, caller }) => {
  await account.deleteAccount(caller.userId, clientIp(req.headers), body.password);
});
