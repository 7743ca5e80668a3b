import { route } from "@/lib/api/handler";
import { resetUserPassword } from "@/lib/openapi/admin";
import * as admin from "@/lib/server/admin";

/** Sets a temporary password, answered once (audited). */
export const POST = route(resetUserPassword, async ({ params, body, caller }) => ({
  temporaryPassword: await admin.resetPassword(caller.userId, params.id, body.reason ?? null),
}));
