import { json, withUser } from "@/lib/api/handler";
import { parseQuery } from "@/lib/api/parse";
import { searchUsersQuery } from "@/lib/schemas/users";
import { searchUsers } from "@/lib/server/users";

/** Users whose username or name contains `q`, by username. */
export const GET = withUser(async ({ req }) => json(await searchUsers(parseQuery(req, searchUsersQuery))));
