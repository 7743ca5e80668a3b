import { route } from "@/lib/api/handler";
import { listAdminThreadMessages } from "@/lib/openapi/admin";
import * as admin from "@/lib/server/admin";

/** A conversation's messages for an admin who gave a reason (each page audited). */
export const GET = route(listAdminThreadMessages, async ({ params, query, caller }) =>
  admin.adminThreadMessages(caller.userId, params.id, query),
);
