import { z } from "zod";
import { cursor, id, limit, requiredText, timestamp } from "./common";
import { REPORT_REASONS, reportReason } from "./moderation";
import { publicUser } from "./users";

/**
 * The admin area's API contract (`/api/admin/*`, tag Admin; docs/data-model.md, "Moderation"). Only active admins
 * reach these operations; anyone else is answered 404, as if they did not exist.
 */

/** A person's role in the whole instance (a group's admins are another thing: lib/schemas/threads.ts). */
export const userRole = z.enum(["member", "admin"]).meta({ description: "`admin`: runs the admin area; `member`: everyone else." });
export type UserRole = z.infer<typeof userRole>;

/** Longest reason an admin gives, in code points after trimming. */
export const MAX_REASON_LENGTH = 500;

/** The reason an admin gives for an action, kept in the audit log (and, for a suspension, shown to the person). */
export const reason = requiredText(MAX_REASON_LENGTH, "Give a reason.");

/** A person as the admin area lists them. */
export const adminUser = publicUser
  .extend({
    role: userRole,
    suspendedAt: timestamp.nullable(),
    suspensionReason: z.string().nullable().meta({ description: "What the person is told when they try to sign in." }),
    deletedAt: timestamp.nullable().meta({ description: "Set for a deleted account (a tombstone that keeps its messages' sender)." }),
    lastSeenAt: timestamp.nullable().meta({ description: "When they last had the app open (an event stream)." }),
    lastSignInAt: timestamp.nullable(),
  })
  .meta({ id: "AdminUser" });
export type AdminUser = z.infer<typeof adminUser>;

/** One person's page in the admin area: adds their activity, sign-ins and tokens. */
export const adminUserDetail = adminUser
  .extend({
    email: z.string().nullable(),
    about: z.string().nullable(),
    conversations: z.number().int().meta({ description: "Conversations they take part in." }),
    messagesSent: z.number().int(),
    reports: z.object({ open: z.number().int(), total: z.number().int() }).meta({ description: "Reports of their messages." }),
    sessions: z
      .array(z.object({ createdAt: timestamp, expiresAt: timestamp }))
      .meta({ description: "Browser sessions signed in now, newest first (at most 20)." }),
    tokens: z
      .array(z.object({ id, name: z.string(), createdAt: timestamp, lastUsedAt: timestamp.nullable() }))
      .meta({ description: "API tokens, newest first (at most 20)." }),
  })
  .meta({ id: "AdminUserDetail" });
export type AdminUserDetail = z.infer<typeof adminUserDetail>;

export const adminUsersQuery = z.object({
  q: z.string().trim().max(64).optional().meta({ description: "Part of a username or name, case-insensitive." }),
  status: z.enum(["active", "suspended", "deleted", "admin"]).optional().meta({ description: "Only these people." }),
  limit: limit(25),
  cursor,
});
export type AdminUsersQuery = z.infer<typeof adminUsersQuery>;

/** `PATCH /api/admin/users/{id}`: grant or revoke the admin role, suspend or unsuspend (a suspension needs a reason). */
export const updateAdminUserBody = z
  .strictObject({
    role: userRole.optional(),
    suspended: z.boolean().optional(),
    reason: reason.optional().meta({ description: "Why: required to suspend (the person is shown it), kept in the audit log." }),
  })
  .refine((b) => b.role !== undefined || b.suspended !== undefined, "Change `role` or `suspended`.")
  .refine((b) => b.suspended !== true || b.reason !== undefined, { message: "Give a reason for the suspension.", path: ["reason"] });
export type UpdateAdminUserInput = z.infer<typeof updateAdminUserBody>;

/** An admin action that needs a reason and nothing else (deleting an account, removing a message). */
export const reasonBody = z.strictObject({ reason });
/** Resetting a password: the reason is optional. */
export const passwordResetBody = z.strictObject({ reason: reason.optional() });

export const temporaryPassword = z
  .object({
    temporaryPassword: z.string().meta({
      description: "Shown once, never stored in clear. The person signs in with it and must then choose a new password.",
    }),
  })
  .meta({ id: "TemporaryPassword" });

/** The overview's figures. */
export const adminStats = z
  .object({
    people: z.number().int().meta({ description: "Accounts, deleted ones left out." }),
    suspended: z.number().int(),
    active24h: z.number().int().meta({ description: "People seen (an open app) in the last 24 hours." }),
    active7d: z.number().int(),
    conversations: z.number().int(),
    groups: z.number().int(),
    messages: z.number().int().meta({ description: "People's messages (not system entries), removed ones included." }),
    openReports: z.number().int(),
    messagesPerDay: z
      .array(z.object({ date: z.iso.date(), count: z.number().int() }))
      .meta({ description: "The last 30 days (UTC), oldest first, today included; days without messages are 0." }),
  })
  .meta({ id: "AdminStats" });
export type AdminStats = z.infer<typeof adminStats>;

/** A conversation as the admin area lists it (no messages: reading them is an audited action of its own). */
export const adminThread = z
  .object({
    id,
    kind: z.enum(["direct", "group"]),
    title: z.string().nullable(),
    createdAt: timestamp,
    lastActivityAt: timestamp.nullable(),
    messages: z.number().int().meta({
      description: "Messages and a group's timeline entries posted in it so far, as its sequence counter says (deleted ones included).",
    }),
    participants: z.array(publicUser.extend({ role: z.enum(["admin", "member"]) })),
  })
  .meta({ id: "AdminThread" });
export type AdminThread = z.infer<typeof adminThread>;

export const adminThreadsQuery = z.object({
  q: z.string().trim().max(100).optional().meta({ description: "A group title, or a member's username or name (part of it)." }),
  limit: limit(25),
  cursor,
});
export type AdminThreadsQuery = z.infer<typeof adminThreadsQuery>;

/** A message as an admin sees it: a removed message keeps its text here. */
export const adminMessage = z
  .object({
    id,
    threadId: id,
    seq: z.number().int(),
    kind: z.enum(["text", "system", "removed"]),
    sender: publicUser,
    text: z.string().meta({ description: "The text as sent (or as last edited), also for a removed message." }),
    createdAt: timestamp,
    editedAt: timestamp.nullable(),
    removedAt: timestamp.nullable(),
  })
  .meta({ id: "AdminMessage" });
export type AdminMessage = z.infer<typeof adminMessage>;

export const adminMessagesQuery = z.object({
  reason: reason.meta({ description: "Why you read this conversation: kept in the audit log with each page read." }),
  limit: limit(50),
  cursor,
});
export type AdminMessagesQuery = z.infer<typeof adminMessagesQuery>;

export const REPORT_RESOLUTIONS = ["message_removed", "sender_suspended", "dismissed"] as const;

/** A report as the queue shows it: the message in context, who reported it, and how it was resolved. */
export const adminReport = z
  .object({
    id,
    reason: reportReason,
    details: z.string().nullable(),
    createdAt: timestamp,
    reporter: publicUser,
    sender: adminUser.meta({ description: "Who sent the reported message." }),
    threadId: id,
    message: z.object({
      id: id.nullable().meta({ description: "`null` once its sender deleted it." }),
      text: z.string().meta({ description: "The text when it was reported (kept if the sender deletes it)." }),
      state: z.enum(["visible", "removed", "deleted"]),
    }),
    context: z.array(adminMessage).meta({
      description: "The message as it is now, with up to two messages before and after it in its conversation, oldest first.",
    }),
    resolution: z.enum(REPORT_RESOLUTIONS).nullable(),
    resolvedAt: timestamp.nullable(),
    resolvedBy: publicUser.nullable(),
  })
  .meta({ id: "AdminReport" });
export type AdminReport = z.infer<typeof adminReport>;

export const adminReportsQuery = z.object({
  status: z.enum(["open", "resolved"]).default("open").meta({ description: "`open`: oldest first; `resolved`: newest first." }),
  limit: limit(20),
  cursor,
});
export type AdminReportsQuery = z.infer<typeof adminReportsQuery>;

/** How an admin resolves a report: every open report of the same message is resolved the same way. */
export const resolveReportBody = z.strictObject({
  action: z.enum(["remove_message", "suspend_sender", "dismiss"]).meta({
    description:
      "`remove_message`: the message shows as removed by a moderator; `suspend_sender`: the sender is suspended (with `reason`); `dismiss`: nothing is wrong.",
  }),
  reason,
});
export type ResolveReportInput = z.infer<typeof resolveReportBody>;

/** One line of the audit log. */
export const auditEntry = z
  .object({
    id,
    createdAt: timestamp,
    actor: publicUser.nullable().meta({ description: "The admin; `null` for the operator's command line (`npm run admin`)." }),
    action: z.string().meta({ description: "`<target>.<verb>`, as `user.suspended`, `message.removed`, `report.dismissed`." }),
    targetType: z.enum(["user", "thread", "message", "report"]),
    targetId: id,
    target: z.string().nullable().meta({ description: "A person's username or a group's title, when the target has one." }),
    reason: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "AuditEntry" });
export type AuditEntry = z.infer<typeof auditEntry>;

export const auditLogQuery = z.object({
  actorId: id.optional().meta({ description: "Only this admin's actions." }),
  targetId: id.optional().meta({ description: "Only actions on this person, conversation, message or report." }),
  limit: limit(50),
  cursor,
});
export type AuditLogQuery = z.infer<typeof auditLogQuery>;

export { REPORT_REASONS };
