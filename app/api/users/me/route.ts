import { route } from "@/lib/api/handler";
import { getMe, updateMe } from "@/lib/openapi/accounts";
import * as users from "@/lib/server/users";

/** The caller's account. */
export const GET = route(getMe, async ({ caller }) => users.getMe(caller.userId));

/** Changes the caller's display name. */
export const PATCH = route(updateMe, async ({ body, caller }) => users.updateMe(caller.userId, body));
