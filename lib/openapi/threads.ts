import { z } from "zod";
import { idParams, page } from "../schemas/common";
import { createThreadBody, listThreadsQuery, thread } from "../schemas/threads";
import { defineOperation } from "./operation";

/** `{id}` of a thread, as its operations take it. */
export const threadParams = z.object({ id: idParams.shape.id.meta({ description: "The thread's id." }) });

const threadPage = page(thread).meta({ id: "ThreadPage" });

export const listThreads = defineOperation({
  method: "GET",
  path: "/api/threads",
  operationId: "listThreads",
  summary: "List your threads",
  description: "Most recent activity first, each with its participants, last message and your unread count.",
  tag: "Threads",
  auth: "required",
  query: listThreadsQuery,
  ok: { 200: { description: "A page of threads.", schema: threadPage } },
  conditional: true,
});

export const createOrGetThread = defineOperation({
  method: "POST",
  path: "/api/threads",
  operationId: "createOrGetThread",
  summary: "Create a thread, or get the one that exists",
  description:
    "There is exactly one thread per set of participants: the caller and `participantIds`. The caller may be listed or not.",
  tag: "Threads",
  auth: "required",
  body: createThreadBody,
  ok: {
    200: { description: "The thread that already existed for exactly these participants.", schema: thread, location: true },
    201: { description: "A new thread.", schema: thread, location: true },
  },
  errors: { 404: "An id in `participantIds` names no user.", 409: "The thread changed while it was being created; try again." },
});

export const getThread = defineOperation({
  method: "GET",
  path: "/api/threads/{id}",
  operationId: "getThread",
  summary: "Get a thread",
  description: "With every participant's read position.",
  tag: "Threads",
  auth: "required",
  params: threadParams,
  ok: { 200: { description: "The thread.", schema: thread } },
});

export const deleteThread = defineOperation({
  method: "DELETE",
  path: "/api/threads/{id}",
  operationId: "deleteThread",
  summary: "Delete a thread",
  description: "Deletes the thread and its messages for every participant. Any participant may.",
  tag: "Threads",
  auth: "required",
  params: threadParams,
  ok: { 204: { description: "Deleted." } },
});
