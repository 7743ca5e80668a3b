import { z } from "zod";
import { cursor, idParams, limit, page } from "../schemas/common";
import { blockedUser, blockParams, filedReport, reportMessageBody } from "../schemas/moderation";
import { defineOperation } from "./operation";

const messageParams = z.object({ id: idParams.shape.id.meta({ description: "The message's id." }) });

export const reportMessage = defineOperation({
  method: "POST",
  path: "/api/messages/{id}/reports",
  operationId: "reportMessage",
  summary: "Report a message to the admins",
  description:
    "A message you can see, sent by someone else. The admins see it in their queue at once; its text is kept with the report even if its sender deletes it. You can report a message once.",
  tag: "Moderation",
  auth: "required",
  params: messageParams,
  body: reportMessageBody,
  ok: { 201: { description: "Reported.", schema: filedReport } },
  errors: {
    403: "Your own message, or a group's system entry.",
    409: "You reported it already, or a moderator removed it.",
  },
});

export const listBlocks = defineOperation({
  method: "GET",
  path: "/api/users/me/blocks",
  operationId: "listBlocks",
  summary: "People you blocked",
  description: "Most recently blocked first.",
  tag: "Moderation",
  auth: "required",
  query: z.object({ limit: limit(50), cursor }),
  ok: { 200: { description: "A page of the people you blocked.", schema: page(blockedUser).meta({ id: "BlockedUserPage" }) } },
});

export const blockUser = defineOperation({
  method: "PUT",
  path: "/api/users/me/blocks/{userId}",
  operationId: "blockUser",
  summary: "Block a person",
  description:
    "They can no longer start a conversation with you, add you to a group, or write in your direct conversation (nor can you, until you unblock them); neither of you sees the other's typing or presence. Groups you share are otherwise unaffected. They are not told. Blocking someone already blocked changes nothing.",
  tag: "Moderation",
  auth: "required",
  params: blockParams,
  ok: { 204: { description: "Blocked." } },
  errors: { 400: "That is you." },
});

export const unblockUser = defineOperation({
  method: "DELETE",
  path: "/api/users/me/blocks/{userId}",
  operationId: "unblockUser",
  summary: "Unblock a person",
  description: "Unblocking someone who is not blocked changes nothing.",
  tag: "Moderation",
  auth: "required",
  params: blockParams,
  ok: { 204: { description: "Not blocked." } },
});
