import { z } from "zod";
import { cursor, id, limit, timestamp } from "./common";

export const createThreadBody = z.strictObject({
  participantIds: z.array(id).min(1, "Name at least one other participant.").max(1000),
});

export const listThreadsQuery = z.object({
  limit: limit(20),
  cursor,
  participant: id.optional(),
  /** Threads with another participant whose username or name contains this text (case-insensitive). */
  q: z.string().trim().min(1).max(64).optional(),
  unread: z.enum(["true", "false"]).optional().transform((v) => v === "true"),
});

export const markReadBody = z.strictObject({ upToMessageId: id.optional() });

export const participant = z.object({
  id,
  username: z.string(),
  name: z.string().nullable(),
  /** Sequence number of the newest message this participant has read (0: none). */
  lastReadSeq: z.number().int(),
});

export const lastMessage = z.object({
  id,
  /** The first 200 characters. */
  text: z.string(),
  senderId: id,
  createdAt: timestamp,
});

export const thread = z.object({
  id,
  createdAt: timestamp,
  /** Creation, or the newest message: what thread lists are ordered by. */
  lastActivityAt: timestamp,
  participants: z.array(participant),
  lastMessage: lastMessage.nullable(),
  /** Messages the caller has not read. */
  unreadCount: z.number().int(),
});

export const readState = z.object({ threadId: id, unreadCount: z.number().int() });

export const unreadSummary = z.object({
  total: z.number().int(),
  threads: z.array(z.object({ threadId: id, count: z.number().int() })),
});

export type Thread = z.infer<typeof thread>;
export type ReadState = z.infer<typeof readState>;
export type UnreadSummary = z.infer<typeof unreadSummary>;
export type ListThreadsQuery = z.infer<typeof listThreadsQuery>;
