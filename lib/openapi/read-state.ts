import { unreadMessagesQuery } from "../schemas/messages";
import { markReadBody, readState, unreadSummary } from "../schemas/threads";
import { messagePage, messageParams } from "./messages";
import { defineOperation } from "./operation";
import { threadParams } from "./threads";

export const markThreadRead = defineOperation({
  method: "POST",
  path: "/api/threads/{id}/read",
  operationId: "markThreadRead",
  summary: "Mark a thread read",
  description:
    "Moves your read position to `upToMessageId` (that message and every earlier one become read), or to the newest message when it is left out. It never moves backwards.",
  tag: "Read state",
  auth: "required",
  params: threadParams,
  body: markReadBody,
  ok: { 200: { description: "Your read position and unread counts in the thread afterwards.", schema: readState } },
  errors: { 404: "Also when `upToMessageId` is not a message of this thread." },
});

export const markMessageRead = defineOperation({
  method: "POST",
  path: "/api/messages/{id}/read",
  operationId: "markMessageRead",
  summary: "Mark a message read",
  description: "This message and every earlier one in its thread become read for you.",
  tag: "Read state",
  auth: "required",
  params: messageParams,
  ok: { 200: { description: "Your read position and unread counts in the message's thread afterwards.", schema: readState } },
});

export const markMessageUnread = defineOperation({
  method: "POST",
  path: "/api/messages/{id}/unread",
  operationId: "markMessageUnread",
  summary: "Mark unread from a message",
  description:
    "Moves your read position back to just before this message: it and every later message you did not send become unread again (the only way a read position moves back). Nothing changes when it is already unread. Your other tabs and clients, and the thread's other participants (their \"seen\" marks), are told with `thread.read`.",
  tag: "Read state",
  auth: "required",
  params: messageParams,
  ok: { 200: { description: "Your read position and unread counts in the message's thread afterwards.", schema: readState } },
});

export const listUnreadMessages = defineOperation({
  method: "GET",
  path: "/api/messages/unread",
  operationId: "listUnreadMessages",
  summary: "List your unread messages",
  description: "Across all your threads, newest first.",
  tag: "Read state",
  auth: "required",
  query: unreadMessagesQuery,
  ok: { 200: { description: "A page of unread messages.", schema: messagePage } },
  conditional: true,
});

export const getUnreadCounts = defineOperation({
  method: "GET",
  path: "/api/unread",
  operationId: "getUnreadCounts",
  summary: "Your unread counts",
  description:
    "The total and the count of each thread with unread messages (threads with none are left out), and of those the messages that mention you (`mentions`).",
  tag: "Read state",
  auth: "required",
  ok: { 200: { description: "Unread counts.", schema: unreadSummary } },
});
