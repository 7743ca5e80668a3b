import { route } from "@/lib/api/handler";
import { getUser } from "@/lib/openapi/accounts";
import * as users from "@/lib/server/users";

/** One user. */
export const GET = route(getUser, async ({ params }) => users.getUser(params.id));
