import { json, route } from "@/lib/api/handler";
import { createOrGetThread, listThreads } from "@/lib/openapi/threads";
import { createGroup } from "@/lib/server/groups";
import * as threads from "@/lib/server/threads";

/** The caller's threads, most recent activity first. */
export const GET = route(listThreads, async ({ query, caller }) => threads.listThreads(caller.userId, query));

/**
 * With a title: a new group → 201. Without: create-or-get, 201 with a new direct conversation, 200 with the one that
 * already exists for exactly these people.
 */
export const POST = route(createOrGetThread, async ({ body, caller }) => {
  if (body.title !== undefined) {
    const group = await createGroup(caller.userId, body.participantIds, body.title, body.description ?? null);
    return json(group, 201, { location: `/api/threads/${group.id}` });
  }
  const { thread, created } = await threads.createOrGetThread(caller.userId, body.participantIds);
  return json(thread, created ? 201 : 200, { location: `/api/threads/${thread.id}` });
});
