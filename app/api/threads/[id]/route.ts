import { route } from "@/lib/api/handler";
import { deleteThread, getThread, updateThread } from "@/lib/openapi/threads";
import { updateGroup } from "@/lib/server/groups";
import * as threads from "@/lib/server/threads";

/** One of the caller's threads, with every participant's read position. */
export const GET = route(getThread, async ({ params, caller }) => threads.getThread(caller.userId, params.id));

/** Renames a group or changes its description (admins). */
export const PATCH = route(updateThread, async ({ params, body, caller }) => updateGroup(caller.userId, params.id, body));

/** Deletes the thread and its messages for everyone → 204. */
export const DELETE = route(deleteThread, async ({ params, caller }) => {
  await threads.deleteThread(caller.userId, params.id);
});
