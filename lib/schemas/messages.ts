import { z } from "zod";
import { cursor, id, limit, requiredText, timestamp } from "./common";
import { MAX_MESSAGE_LENGTH, MENTION_PATTERN } from "./constants";

export { MAX_MESSAGE_LENGTH, MENTION_PATTERN };

export const messageText = requiredText(MAX_MESSAGE_LENGTH, "A message cannot be empty.");

export const sendMessageBody = z.strictObject({
  text: messageText,
  clientMessageId: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\x21-\x7e]+$/, "Use printable ASCII without spaces.")
    .optional()
    .meta({
      description:
        "Idempotency key, unique per sender: a retry with the same key answers 200 with the original message and sends nothing.",
    }),
  replyToId: id.optional().meta({
    description: "Reply to this message: a person's message (not a system entry or a removed one) of the same thread.",
  }),
});

export const editMessageBody = z.strictObject({ text: messageText });

export const listMessagesQuery = z
  .object({
    limit: limit(50),
    cursor,
    after: id.optional().meta({ description: "Catch-up mode: the messages after this one, oldest first." }),
    around: id.optional().meta({
      description:
        "A window around this message (a jump to it), newest first: it and the messages before it, and up to half the page after it (more when there are fewer before). `nextCursor` goes on to older messages, `prevCursor` to newer ones. Not with `after` or `cursor`.",
    }),
    sender: id.optional().meta({ description: "Only this user's messages." }),
  })
  .refine((q) => q.around === undefined || (q.after === undefined && q.cursor === undefined), {
    message: "`around` cannot be combined with `after` or `cursor`.",
    path: ["around"],
  });

export const unreadMessagesQuery = z.object({ limit: limit(50), cursor });

const userRef = z.object({ id, username: z.string(), name: z.string().nullable() });

/** The message a reply quotes, as `replyTo` carries it. */
export const replyTo = z
  .object({
    seq: z.number().int().min(1).meta({ description: "The original's `seq` in the thread." }),
    message: z
      .object({
        id,
        kind: z.enum(["text", "removed"]).meta({ description: "`removed`: a moderator removed it (its `text` is empty)." }),
        sender: userRef,
        text: z.string().meta({ description: "The original's first 200 characters (Unicode code points), as it is now." }),
      })
      .nullable()
      .meta({ description: "`null` once the original was deleted (show \"original deleted\")." }),
  })
  .meta({ id: "ReplyTo" });

/** One emoji's reactions to a message. */
export const reaction = z
  .object({
    emoji: z.string().meta({ description: "A single emoji, as sent (fully qualified: ❤️, not ❤)." }),
    count: z.number().int().min(1),
    userIds: z.array(id).meta({ description: "Who reacted with it, in the order they did (you reacted: your id is here)." }),
  })
  .meta({ id: "Reaction" });

/** What a system entry records. */
export const systemAction = z.enum([
  "group_created",
  "participants_added",
  "participant_removed",
  "participant_left",
  "role_changed",
  "title_changed",
  "description_changed",
]);

/** A system entry of a group's timeline, structured: its `sender` did it, `users` are who it happened to. */
export const systemEntry = z
  .object({
    action: systemAction.meta({
      description:
        "`group_created` (title), `participants_added` (users), `participant_removed` (users: the one removed), `participant_left` (the sender left), `role_changed` (users, role), `title_changed` (title), `description_changed`.",
    }),
    users: z.array(userRef).meta({ description: "The people it concerns (as they are named now)." }),
    role: z.enum(["admin", "member"]).nullable(),
    title: z.string().nullable().meta({ description: "The group's title it set (`group_created`, `title_changed`)." }),
  })
  .meta({ id: "SystemEntry" });

export const message = z
  .object({
    id,
    threadId: id,
    seq: z.number().int().min(1).meta({ description: "Per-thread sequence number: strictly increasing in send order." }),
    kind: z.enum(["text", "system", "removed"]).meta({
      description:
        "`text`: a person's message; `system`: a group's timeline entry (\"alice added bob\"); `removed`: a message a moderator removed (its `text` is empty). The last two are never unread, edited or deleted.",
    }),
    sender: userRef.meta({ description: "Who sent it; for a system entry, who caused it." }),
    text: z.string().meta({ description: "The message; for a system entry, an English rendering of it; empty once removed." }),
    system: systemEntry.nullable().meta({ description: "A system entry's structured form; `null` for text." }),
    clientMessageId: z.string().nullable().meta({ description: "The sender's idempotency key, if one was sent." }),
    createdAt: timestamp,
    editedAt: timestamp.nullable(),
    replyTo: replyTo.nullable().meta({ description: "The message this one replies to; `null` when it is not a reply." }),
    mentions: z.array(id).meta({
      description: "The participants it mentions (`@username` in its text, when it was sent or last edited), never its sender.",
    }),
    reactions: z.array(reaction).meta({ description: "Its reactions, each emoji in the order it was first used." }),
    isRead: z.boolean().meta({ description: "From the caller's point of view; always true for the caller's own messages." }),
  })
  .meta({ id: "Message" });

export type Message = z.infer<typeof message>;
export type ReplyTo = z.infer<typeof replyTo>;
export type Reaction = z.infer<typeof reaction>;
export type SystemEntry = z.infer<typeof systemEntry>;
export type SendMessageInput = z.infer<typeof sendMessageBody>;
export type ListMessagesQuery = z.infer<typeof listMessagesQuery>;
