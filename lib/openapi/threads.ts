import { z } from "zod";
import { idParams, page } from "../schemas/common";
import {
  addParticipantsBody,
  createThreadBody,
  listThreadsQuery,
  participant,
  participantParams as participantIds,
  thread,
  updateParticipantBody,
  updateThreadBody,
} from "../schemas/threads";
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
  summary: "Create a thread or a group, or get the direct conversation that exists",
  description:
    "Without `title`: the direct conversation of the caller and `participantIds` (the caller may be listed or not); there is exactly one per set of people, so an existing one is returned. With `title`: a new group, every time, the caller its first admin.",
  tag: "Threads",
  auth: "required",
  body: createThreadBody,
  ok: {
    200: { description: "The direct conversation that already existed for exactly these people.", schema: thread, location: true },
    201: { description: "A new direct conversation or group.", schema: thread, location: true },
  },
  errors: {
    403: "Someone in it blocked you: a new conversation or group with them cannot be started (the answer does not say who).",
    404: "An id in `participantIds` names no user.",
    409: "The thread changed while it was being created; try again.",
  },
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
  description:
    "Deletes the thread and its messages for every participant. Any participant of a direct conversation may; a group, only its admins (others can leave it).",
  tag: "Threads",
  auth: "required",
  params: threadParams,
  ok: { 204: { description: "Deleted." } },
  errors: { 403: "A group, and the caller is not one of its admins." },
});

export const updateThread = defineOperation({
  method: "PATCH",
  path: "/api/threads/{id}",
  operationId: "updateThread",
  summary: "Rename a group or change its description",
  description:
    "Group admins only. Each field that changes adds a system entry to the timeline; members get `thread.updated`. `description: null` (or empty) clears it.",
  tag: "Groups",
  auth: "required",
  params: threadParams,
  body: updateThreadBody,
  ok: { 200: { description: "The group.", schema: thread } },
  errors: { 403: "The caller is not one of the group's admins.", 409: "A direct conversation: it has no title." },
});

/** `{id, userId}` of a group member, as the member operations take it. */
const memberParams = z.object({
  id: participantIds.shape.id.meta({ description: "The group's id." }),
  userId: participantIds.shape.userId.meta({ description: "The member's user id." }),
});

export const addParticipants = defineOperation({
  method: "POST",
  path: "/api/threads/{id}/participants",
  operationId: "addParticipants",
  summary: "Add people to a group",
  description:
    "Group admins only. People already in the group are skipped. A new member starts with nothing unread and can read the earlier history. Adds a system entry; members, the new ones included, get `thread.updated`.",
  tag: "Groups",
  auth: "required",
  params: threadParams,
  body: addParticipantsBody,
  ok: { 200: { description: "The group with its members now.", schema: thread } },
  errors: {
    403: "The caller is not one of the group's admins, or someone to add blocked the caller.",
    404: "No such thread for the caller, or an id in `userIds` names no user.",
    409: "A direct conversation (its people are fixed), or the group would exceed the most members a thread can have.",
  },
});

export const removeParticipant = defineOperation({
  method: "DELETE",
  path: "/api/threads/{id}/participants/{userId}",
  operationId: "removeParticipant",
  summary: "Leave a group, or remove someone from it",
  description:
    "Your own id: you leave (anyone may). Someone else's: group admins only. The person gets `thread.removed` and nothing more of the group; their unread messages there leave their counts. When the last admin leaves, the longest-standing member becomes admin; when the last member leaves, the group is deleted.",
  tag: "Groups",
  auth: "required",
  params: memberParams,
  ok: { 204: { description: "Out of the group." } },
  errors: {
    403: "Removing someone else without being one of the group's admins.",
    404: "No such thread for the caller, or that user is not in it.",
    409: "A direct conversation: its people are fixed.",
  },
});

export const updateParticipant = defineOperation({
  method: "PATCH",
  path: "/api/threads/{id}/participants/{userId}",
  operationId: "updateParticipant",
  summary: "Make a group member an admin, or an admin a member",
  description: "Group admins only. Adds a system entry; members get `thread.updated`.",
  tag: "Groups",
  auth: "required",
  params: memberParams,
  body: updateParticipantBody,
  ok: { 200: { description: "The member with their role now.", schema: participant } },
  errors: {
    403: "The caller is not one of the group's admins.",
    404: "No such thread for the caller, or that user is not in it.",
    409: "A direct conversation, or the last admin stepping down.",
  },
});
