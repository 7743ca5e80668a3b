import { route } from "@/lib/api/handler";
import { removeParticipant, updateParticipant } from "@/lib/openapi/threads";
import * as groups from "@/lib/server/groups";

/** Leaves a group (your own id) or removes someone from it (admins) → 204. */
export const DELETE = route(removeParticipant, async ({ params, caller }) => {
  await groups.removeParticipant(caller.userId, params.id, params.userId);
});

/** Changes a member's role (admins) → the member. */
export const PATCH = route(updateParticipant, async ({ params, body, caller }) =>
  groups.setRole(caller.userId, params.id, params.userId, body.role),
);
