import { route } from "@/lib/api/handler";
import { deleteAdminUser, getAdminUser, updateAdminUser } from "@/lib/openapi/admin";
import * as admin from "@/lib/server/admin";

/** One person's page in the admin area. */
export const GET = route(getAdminUser, async ({ params }) => admin.getAdminUser(params.id));

/** Grants or revokes admin, suspends or unsuspends (audited). */
export const PATCH = route(updateAdminUser, async ({ params, body, caller }) => admin.updateAdminUser(caller.userId, params.id, body));

/** Deletes the account as its owner could (audited) → 204. */
export const DELETE = route(deleteAdminUser, async ({ params, body, caller }) => {
  await admin.deleteUserAsAdmin(caller.userId, params.id, body.reason);
});
