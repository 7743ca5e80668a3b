import { route } from "@/lib/api/handler";
import { listAdminUsers } from "@/lib/openapi/admin";
import * as admin from "@/lib/server/admin";

/** People, by username, for the admin area. */
export const GET = route(listAdminUsers, async ({ query }) => admin.listAdminUsers(query));
