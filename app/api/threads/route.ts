import { conditionalJson, json, withUser } from "@/lib/api/handler";
import { parseBody, parseQuery } from "@/lib/api/parse";
import { createThreadBody, listThreadsQuery } from "@/lib/schemas/threads";
import { createOrGetThread, listThreads } from "@/lib/server/threads";

/** The caller's threads, most recent activity first. */
export const GET = withUser(async ({ req, caller }) => conditionalJson(req, await listThreads(caller.userId, parseQuery(req, listThreadsQuery))));

/** Create-or-get: 201 with a new thread, 200 with the one that already exists for exactly these participants. */
export const POST = withUser(async ({ req, caller }) => {
  const { participantIds } = await parseBody(req, createThreadBody);
  const { thread, created } = await createOrGetThread(caller.userId, participantIds);
  return json(thread, created ? 201 : 200, { location: `/api/threads/${thread.id}` });
});
