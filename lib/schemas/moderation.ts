import { z } from "zod";
import { clearableText, id, timestamp } from "./common";
import { publicUser } from "./users";

/**
 * Moderation for everyone (docs/data-model.md, "Moderation"): reporting a message to the admins, and blocking a
 * person. The admins' side is lib/schemas/admin.ts.
 */

/** Why a message is reported: a short list, as messengers offer (WhatsApp, Discord, Slack), with `other` for the rest. */
export const REPORT_REASONS = ["spam", "harassment", "hate", "violence", "sexual", "other"] as const;
export const reportReason = z.enum(REPORT_REASONS).meta({
  description: "`spam`, `harassment`, `hate` (hate speech), `violence` (threats or violence), `sexual` (unwanted sexual content), `other`.",
});
export type ReportReason = z.infer<typeof reportReason>;

/** The words people see for each reason (the report dialog, the admin queue). */
export const REPORT_REASON_LABELS: Record<ReportReason, string> = {
  spam: "Spam",
  harassment: "Harassment or bullying",
  hate: "Hate speech",
  violence: "Threats or violence",
  sexual: "Unwanted sexual content",
  other: "Something else",
};

/** Longest report details, in code points after trimming. */
export const MAX_REPORT_DETAILS = 500;

export const reportMessageBody = z.strictObject({
  reason: reportReason,
  details: clearableText(MAX_REPORT_DETAILS).optional().meta({ description: "What the admins should know, 0–500 characters." }),
});
export type ReportMessageInput = z.infer<typeof reportMessageBody>;

/** What the reporter gets back: their report as filed. */
export const filedReport = z
  .object({
    id,
    messageId: id,
    reason: reportReason,
    details: z.string().nullable(),
    createdAt: timestamp,
  })
  .meta({ id: "FiledReport" });
export type FiledReport = z.infer<typeof filedReport>;

/** `{userId}` route params of the block operations. */
export const blockParams = z.object({ userId: id });

/** A person the caller blocked. */
export const blockedUser = z
  .object({ user: publicUser, blockedAt: timestamp })
  .meta({ id: "BlockedUser" });
export type BlockedUser = z.infer<typeof blockedUser>;
