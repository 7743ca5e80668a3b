import { json, route } from "@/lib/api/handler";
import { listMessages, sendMessage } from "@/lib/openapi/messages";
import * as messages from "@/lib/server/messages";

/** A page of the thread's messages: newest first, or with `after` oldest first from that message on. */
export const GET = route(listMessages, async ({ params, query, caller }) => messages.listMessages(caller.userId, params.id, query));

/** Sends a message → 201; a repeated clientMessageId → 200 with the original message. */
export const POST = route(sendMessage, async ({ params, body, caller }) => {
  const { message, created } = await messages.sendMessage(caller.userId, params.id, body);
  return json(message, created ? 201 : 200, { location: `/api/messages/${message.id}` });
});
