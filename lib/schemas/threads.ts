import { z } from "zod";
import { clearableText, cursor, id, limit, requiredText, timestamp } from "./common";
import { MAX_TITLE_LENGTH, PREVIEW_LENGTH } from "./constants";
import { presence } from "./presence";

export { MAX_TITLE_LENGTH, PREVIEW_LENGTH };
/** Longest group description, in Unicode code points after trimming (0 clears it). */
export const MAX_DESCRIPTION_LENGTH = 500;

export const groupTitle = requiredText(MAX_TITLE_LENGTH, "A group's title cannot be empty.").meta({
  description: `A group's title: 1 to ${MAX_TITLE_LENGTH} characters (Unicode code points) after trimming.`,
});

export const groupDescription = clearableText(MAX_DESCRIPTION_LENGTH);

export const createThreadBody = z
  .strictObject({
    participantIds: z.array(id).min(1, "Name at least one other participant.").max(1000),
    title: groupTitle.optional().meta({
      description: "With a title this creates a group (always a new one, you its admin); without, it creates or returns the direct conversation of exactly these people.",
    }),
    description: groupDescription.optional(),
  })
  .refine((b) => b.title !== undefined || b.description === undefined, {
    message: "Only a group (a thread with a title) has a description.",
    path: ["description"],
  });

export const updateThreadBody = z
  .strictObject({ title: groupTitle.optional(), description: groupDescription.optional() })
  .refine((b) => b.title !== undefined || b.description !== undefined, "Change `title`, `description` or both.");

/** A participant's role in a group. */
export const role = z.enum(["admin", "member"]).meta({
  description: "`admin`: manages the group (title, members, roles, deletion); `member`: takes part. Everyone in a direct conversation is a `member`.",
});

export const addParticipantsBody = z.strictObject({
  userIds: z.array(id).min(1, "Name at least one user to add.").max(1000),
});

export const participantParams = z.object({ id, userId: id });

export const updateParticipantBody = z.strictObject({ role });

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
    .meta({ description: "Threads with another participant whose username or name contains this text, or groups whose title does (case-insensitive)." }),
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
    role,
    joinedAt: timestamp.meta({ description: "When they joined: the thread's creation, or when they were added to the group." }),
    presence: presence.meta({ description: "As you may see it. In live events' threads `lastSeenAt` is null: `presence` events keep it current." }),
  })
  .meta({ id: "Participant" });

export const lastMessage = z
  .object({
    id,
    kind: z.enum(["text", "system", "removed"]).meta({
      description: "As the message's `kind`: a system entry's `text` is its English rendering; a removed message's is empty.",
    }),
    text: z.string().meta({ description: `The first ${PREVIEW_LENGTH} characters (Unicode code points) of the message.` }),
    senderId: id,
    createdAt: timestamp,
  })
  .meta({ id: "LastMessage" });

/** `direct`: untitled, its people fixed, one per exact set of people; `group`: titled, its members change. */
export const threadKind = z.enum(["direct", "group"]).meta({
  description: "`direct`: no title, its people fixed, one per exact set of people (create-or-get); `group`: a title, members added and removed by its admins, never merged with another.",
});

/** Of the caller's unread messages in a thread, those that mention them (`@username`): the `@` badge. */
const unreadMentionCount = z.number().int().min(0).meta({ description: "Of `unreadCount`, the messages that mention you." });

export const thread = z
  .object({
    id,
    kind: threadKind,
    title: z.string().nullable().meta({ description: "A group's title; `null` for a direct conversation." }),
    description: z.string().nullable().meta({ description: "A group's description, if it has one." }),
    createdAt: timestamp,
    lastActivityAt: timestamp.meta({ description: "Creation, or the newest message: what thread lists are ordered by." }),
    participants: z.array(participant),
    lastMessage: lastMessage.nullable(),
    unreadCount: z.number().int().min(0).meta({ description: "Messages the caller has not read." }),
    unreadMentionCount: unreadMentionCount,
  })
  .meta({ id: "Thread" });

export const readState = z
  .object({
    threadId: id,
    lastReadSeq: z.number().int().min(0).meta({ description: "Your read position afterwards: `seq` of the newest message you have read." }),
    unreadCount: z.number().int().min(0),
    unreadMentionCount: unreadMentionCount,
  })
  .meta({ id: "ReadState" });

export const unreadSummary = z
  .object({
    total: z.number().int().min(0),
    mentions: z.number().int().min(0).meta({ description: "Of `total`, the messages that mention you." }),
    threads: z.array(
      z.object({
        threadId: id,
        count: z.number().int().min(1),
        mentions: z.number().int().min(0).meta({ description: "Of `count`, the messages that mention you." }),
      }),
    ),
  })
  .meta({ id: "UnreadSummary" });

export type Thread = z.infer<typeof thread>;
export type Participant = z.infer<typeof participant>;
export type Role = z.infer<typeof role>;
export type CreateThreadInput = z.infer<typeof createThreadBody>;
export type UpdateThreadInput = z.infer<typeof updateThreadBody>;
export type ReadState = z.infer<typeof readState>;
export type UnreadSummary = z.infer<typeof unreadSummary>;
export type ListThreadsQuery = z.infer<typeof listThreadsQuery>;
