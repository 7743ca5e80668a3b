import { route } from "@/lib/api/handler";
import { getUser } from "@/lib/openapi/accounts";
import * as users from "@/lib/server/users";

/** One user's profile card, with their presence as the caller may see it. */
export const GET = route(getUser, async ({ params, caller }) => users.getUser(caller.userId, params.id));
