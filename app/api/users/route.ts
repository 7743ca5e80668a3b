import { route } from "@/lib/api/handler";
import { searchUsers } from "@/lib/openapi/accounts";
import * as users from "@/lib/server/users";

/** Users whose username or name contains `q`, by username. */
export const GET = route(searchUsers, async ({ query }) => users.searchUsers(query));
