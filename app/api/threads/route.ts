import { json, route } from "@/lib/api/handler";
import { createOrGetThread, listThreads } from "@/lib/openapi/threads";
import * as threads from "@/lib/server/threads";

/** The caller's threads, most recent activity first. */
export const GET = route(listThreads, async ({ query, caller }) => threads.listThreads(caller.userId, query));

/** Create-or-get: 201 with a new thread, 200 with the one that already exists for exactly these participants. */
export const POST = route(createOrGetThread, async ({ body, caller }) => {
  const { thread, created } = await threads.createOrGetThread(caller.userId, body.participantIds);
  return json(thread, created ? 201 : 200, { location: `/api/threads/${thread.id}` });
});
