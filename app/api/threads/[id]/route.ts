import { route } from "@/lib/api/handler";
import { deleteThread, getThread } from "@/lib/openapi/threads";
import * as threads from "@/lib/server/threads";

/** One of the caller's threads, with every participant's read position. */
export const GET = route(getThread, async ({ params, caller }) => threads.getThread(caller.userId, params.id));

/** Deletes the thread and its messages for everyone → 204. */
export const DELETE = route(deleteThread, async ({ params, caller }) => {
  await threads.deleteThread(caller.userId, params.id);
});
