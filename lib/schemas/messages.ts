import { z } from "zod";
import { codePointLength, cursor, id, limit, timestamp } from "./common";

/** Longest message, in Unicode code points, after trimming. */
export const MAX_MESSAGE_LENGTH = 4000;

export const messageText = z
  .string()
  .trim()
  .min(1, "A message cannot be empty.")
  .refine((s) => codePointLength(s) <= MAX_MESSAGE_LENGTH, `Use at most ${MAX_MESSAGE_LENGTH} characters.`);

export const sendMessageBody = z.strictObject({
  text: messageText,
  /** The sender's idempotency key: a retry with the same key returns the original message. */
  clientMessageId: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\x21-\x7e]+$/, "Use printable ASCII without spaces.")
    .optional(),
});

export const editMessageBody = z.strictObject({ text: messageText });

export const listMessagesQuery = z.object({
  limit: limit(50),
  cursor,
  /** Catch-up mode: messages newer than this one, oldest first. */
  after: id.optional(),
  sender: id.optional(),
});

export const unreadMessagesQuery = z.object({ limit: limit(50), cursor });

export const message = z.object({
  id,
  threadId: id,
  /** Per-thread sequence number: strictly increasing in send order. */
  seq: z.number().int(),
  sender: z.object({ id, username: z.string(), name: z.string().nullable() }),
  text: z.string(),
  clientMessageId: z.string().nullable(),
  createdAt: timestamp,
  editedAt: timestamp.nullable(),
  /** From the caller's point of view; always true for the caller's own messages. */
  isRead: z.boolean(),
});

export type Message = z.infer<typeof message>;
export type SendMessageInput = z.infer<typeof sendMessageBody>;
export type ListMessagesQuery = z.infer<typeof listMessagesQuery>;
