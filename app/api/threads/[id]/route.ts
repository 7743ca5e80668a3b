import { json, noContent, withUser } from "@/lib/api/handler";
import { idParams } from "@/lib/schemas/common";
import { deleteThread, getThread } from "@/lib/server/threads";

/** One of the caller's threads, with every participant's read position. */
export const GET = withUser(async ({ params, caller }) => json(await getThread(caller.userId, params.id)), {
  params: idParams,
});

/** Deletes the thread and its messages for everyone → 204. */
export const DELETE = withUser(
  async ({ params, caller }) => {
    await deleteThread(caller.userId, params.id);
    return noContent();
  },
  { params: idParams },
);
