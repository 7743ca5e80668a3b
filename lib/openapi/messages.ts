import { z } from "zod";
import { idParams, page } from "../schemas/common";
import { editMessageBody, listMessagesQuery, message, sendMessageBody } from "../schemas/messages";
import { MAX_REACTION_EMOJI, messageReactions, reactionParams } from "../schemas/reactions";
import { defineOperation } from "./operation";
import { threadParams } from "./threads";

/** `{id}` of a message, as its operations take it. */
export const messageParams = z.object({ id: idParams.shape.id.meta({ description: "The message's id." }) });

export const messagePage = page(message).meta({ id: "MessagePage" });

/** A page of one thread's messages: with `around` or in catch-up order, also a cursor the other way (`prevCursor`). */
export const threadMessagePage = page(message)
  .extend({
    prevCursor: z.string().nullable().optional().meta({
      description:
        "The other way from `nextCursor`, as `cursor`. With `around`: the messages after this window (oldest first, as with `after`), `null` when the window holds the newest message. In catch-up order (`after`, or a cursor from it): the messages at or before where this page began, newest first. Absent in the default order.",
    }),
  })
  .meta({ id: "ThreadMessagePage" });

export const listMessages = defineOperation({
  method: "GET",
  path: "/api/threads/{id}/messages",
  operationId: "listMessages",
  summary: "List a thread's messages",
  description:
    "Newest first; with `after`, the messages after that one, oldest first (to catch up); with `around`, the window around that message, newest first, with `prevCursor` for newer messages (for a jump to a search result or a quote).",
  tag: "Messages",
  auth: "required",
  params: threadParams,
  query: listMessagesQuery,
  ok: { 200: { description: "A page of messages.", schema: threadMessagePage } },
  errors: {
    400: "Also when `around` comes with `after` or `cursor`.",
    404: "Also when `after` or `around` is not a message of this thread.",
  },
  conditional: true,
});

export const sendMessage = defineOperation({
  method: "POST",
  path: "/api/threads/{id}/messages",
  operationId: "sendMessage",
  summary: "Send a message",
  description:
    "Text of 1–4,000 characters after trimming, kept as sent (the web client renders a Markdown subset of it). Sending marks the thread read for the sender and adds one to every other participant's unread count. `@username` of a participant mentions them: they gain an unread mention (`unreadMentionCount`). With `replyToId` it replies to that message, which it then quotes (`replyTo`).",
  tag: "Messages",
  auth: "required",
  params: threadParams,
  body: sendMessageBody,
  ok: {
    200: { description: "A repeated `clientMessageId`: the original message; nothing was sent.", schema: message, location: true },
    201: { description: "Sent.", schema: message, location: true },
  },
  errors: {
    400: "Also when `replyToId` is not a person's message of this thread (or was deleted).",
    403: "A direct conversation of two in which one of you blocked the other (the blocked one is not told why).",
    409: "This `clientMessageId` was already used for a message in another thread.",
  },
});

export const getMessage = defineOperation({
  method: "GET",
  path: "/api/messages/{id}",
  operationId: "getMessage",
  summary: "Get a message",
  tag: "Messages",
  auth: "required",
  params: messageParams,
  ok: { 200: { description: "The message.", schema: message } },
});

export const editMessage = defineOperation({
  method: "PATCH",
  path: "/api/messages/{id}",
  operationId: "editMessage",
  summary: "Edit your message",
  description: "Replaces the text and sets `editedAt`. Nobody's read state changes.",
  tag: "Messages",
  auth: "required",
  params: messageParams,
  body: editMessageBody,
  ok: { 200: { description: "The edited message.", schema: message } },
  errors: { 403: "Only the sender can edit a message." },
});

export const deleteMessage = defineOperation({
  method: "DELETE",
  path: "/api/messages/{id}",
  operationId: "deleteMessage",
  summary: "Delete your message",
  description: "Unread counts that included it go down by one.",
  tag: "Messages",
  auth: "required",
  params: messageParams,
  ok: { 204: { description: "Deleted." } },
  errors: { 403: "Only the sender can delete a message." },
});

/** What adding and taking back a reaction share: the resource, who may, the answer. */
const reactionResource = {
  path: "/api/messages/{id}/reactions/{emoji}",
  tag: "Messages",
  auth: "required",
  params: reactionParams,
  ok: { 200: { description: "The message's reactions afterwards.", schema: messageReactions } },
} as const;

export const addReaction = defineOperation({
  ...reactionResource,
  method: "PUT",
  operationId: "addReaction",
  summary: "React to a message",
  description:
    `Adds your reaction with this emoji (one emoji; you may react with several; a message takes at most ${MAX_REACTION_EMOJI} different ones). Idempotent: reacting again changes nothing. Everyone in the thread is told (\`reaction.added\`); nobody's read state changes.`,
  errors: {
    400: "`emoji` is not a single emoji.",
    403: "A system entry or a removed message; or a direct conversation of two in which one of you blocked the other.",
    409: `The message has ${MAX_REACTION_EMOJI} different emoji already, and not this one.`,
  },
});

export const removeReaction = defineOperation({
  ...reactionResource,
  method: "DELETE",
  operationId: "removeReaction",
  summary: "Take back your reaction",
  description:
    "Removes your reaction with this emoji, if you have it (idempotent), also where a block now stands. Everyone in the thread is told (`reaction.removed`).",
  errors: {
    400: "`emoji` is not a single emoji.",
    403: "A system entry or a removed message (they have no reactions).",
  },
});
