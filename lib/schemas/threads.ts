import { z } from "zod";
import { cursor, id, limit, timestamp } from "./common";

export const createThreadBody = z.strictObject({
  participantIds: z.array(id).min(1, "Name at least one other participant.").max(1000),
});

export const listThreadsQuery = z.object({
  limit: limit(20),
  cursor,
  participant: id.optional().meta({ description: "Only threads this user takes part in." }),
  q: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .optional()
    .meta({ description: "Threads with another participant whose username or name contains this text (case-insensitive)." }),
  unread: z
    .enum(["true", "false"])
    .optional()
    .transform((v) => v === "true")
    .meta({ description: "`true`: only threads with unread messages." }),
});

export const markReadBody = z.strictObject({ upToMessageId: id.optional() });

export const participant = z
  .object({
    id,
    username: z.string(),
    name: z.string().nullable(),
    lastReadSeq: z.number().int().min(0).meta({ description: "`seq` of the newest message this participant has read (0: none)." }),
  })
  .meta({ id: "Participant" });

/**
 * Length of a thread's last-message preview, in Unicode code points (PostgreSQL's `left(text, n)` counts characters,
 * which for UTF-8 databases are code points): the server cuts it, the web client cuts it the same way when an event
 * moves a thread.
 */
export const PREVIEW_LENGTH = 200;

export const lastMessage = z
  .object({
    id,
    text: z.string().meta({ description: `The first ${PREVIEW_LENGTH} characters (Unicode code points) of the message.` }),
    senderId: id,
    createdAt: timestamp,
  })
  .meta({ id: "LastMessage" });

export const thread = z
  .object({
    id,
    createdAt: timestamp,
    lastActivityAt: timestamp.meta({ description: "Creation, or the newest message: what thread lists are ordered by." }),
    participants: z.array(participant),
    lastMessage: lastMessage.nullable(),
    unreadCount: z.number().int().min(0).meta({ description: "Messages the caller has not read." }),
  })
  .meta({ id: "Thread" });

export const readState = z.object({ threadId: id, unreadCount: z.number().int().min(0) }).meta({ id: "ReadState" });

export const unreadSummary = z
  .object({
    total: z.number().int().min(0),
    threads: z.array(z.object({ threadId: id, count: z.number().int().min(1) })),
  })
  .meta({ id: "UnreadSummary" });

export type Thread = z.infer<typeof thread>;
export type ReadState = z.infer<typeof readState>;
export type UnreadSummary = z.infer<typeof unreadSummary>;
export type ListThreadsQuery = z.infer<typeof listThreadsQuery>;
