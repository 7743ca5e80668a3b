import { conditionalJson, json, withUser } from "@/lib/api/handler";
import { parseBody, parseQuery } from "@/lib/api/parse";
import { idParams } from "@/lib/schemas/common";
import { listMessagesQuery, sendMessageBody } from "@/lib/schemas/messages";
import { listMessages, sendMessage } from "@/lib/server/messages";

/** A page of the thread's messages: newest first, or with `after` oldest first from that message on. */
export const GET = withUser(
  async ({ req, params, caller }) => conditionalJson(req, await listMessages(caller.userId, params.id, parseQuery(req, listMessagesQuery))),
  { params: idParams },
);

/** Sends a message → 201; a repeated clientMessageId → 200 with the original message. */
export const POST = withUser(
  async ({ req, params, caller }) => {
    const input = await parseBody(req, sendMessageBody);
    const { message, created } = await sendMessage(caller.userId, params.id, input);
    return json(message, created ? 201 : 200, { location: `/api/messages/${message.id}` });
  },
  { params: idParams },
);
