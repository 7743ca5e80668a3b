import { z } from "zod";
import { codePointLength, cursor, id, limit, timestamp } from "./common";

/** Longest message, in Unicode code points, after trimming. */
export const MAX_MESSAGE_LENGTH = 4000;

export const messageText = z
  .string()
  .trim()
  .min(1, "A message cannot be empty.")
  .refine((s) => codePointLength(s) <= MAX_MESSAGE_LENGTH, `Use at most ${MAX_MESSAGE_LENGTH} characters.`)
  .meta({ description: `1 to ${MAX_MESSAGE_LENGTH} characters (Unicode code points) after trimming.` });

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
});

export const editMessageBody = z.strictObject({ text: messageText });

export const listMessagesQuery = z.object({
  limit: limit(50),
  cursor,
  after: id.optional().meta({ description: "Catch-up mode: the messages after this one, oldest first." }),
  sender: id.optional().meta({ description: "Only this user's messages." }),
});

export const unreadMessagesQuery = z.object({ limit: limit(50), cursor });

export const message = z
  .object({
    id,
    threadId: id,
    seq: z.number().int().min(1).meta({ description: "Per-thread sequence number: strictly increasing in send order." }),
    sender: z.object({ id, username: z.string(), name: z.string().nullable() }),
    text: z.string(),
    clientMessageId: z.string().nullable().meta({ description: "The sender's idempotency key, if one was sent." }),
    createdAt: timestamp,
    editedAt: timestamp.nullable(),
    isRead: z.boolean().meta({ description: "From the caller's point of view; always true for the caller's own messages." }),
  })
  .meta({ id: "Message" });

export type Message = z.infer<typeof message>;
export type SendMessageInput = z.infer<typeof sendMessageBody>;
export type ListMessagesQuery = z.infer<typeof listMessagesQuery>;
