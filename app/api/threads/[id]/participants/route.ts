import { route } from "@/lib/api/handler";
import { addParticipants } from "@/lib/openapi/threads";
import * as groups from "@/lib/server/groups";

/** Adds people to a group (admins) → the group. */
export const POST = route(addParticipants, async ({ params, body, caller }) =>
  groups.addParticipants(caller.userId, params.id, body.userIds),
);
