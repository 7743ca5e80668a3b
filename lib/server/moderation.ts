import "server-only";
import { v7 as uuidv7 } from "uuid";
import { AppError, notFound } from "../errors";
import type { AdminMessage, AdminReport, AdminReportsQuery, ResolveReportInput } from "../schemas/admin";
import type { Page } from "../schemas/common";
import type { EventType } from "../schemas/events";
import type { FiledReport, ReportMessageInput } from "../schemas/moderation";
import { adminMessageJson, suspendUser, toAdminUser } from "./admin";
import { recordAudit } from "./audit";
import { activeAdminSql } from "./roles";
import { decodeCursor, encodeCursor, timeIdCursor } from "./cursor";
import { EVENTS_CHANNEL } from "./events";
import { forgetSessions } from "./sessions";
import { type Db, getPrisma, isUniqueViolation, Prisma } from "./sql";
import { forgetTokens } from "./tokens";
import { toPublicUser } from "./users";

/**
 * Reports and removing messages (docs/data-model.md, "Moderation"). Anyone reports a message they can see; admins
 * work the queue and remove messages. A removed message stays in its thread as "Removed by a moderator"
 * (`parley_remove_message`), and every open report of it is resolved with it.
 */

/**
 * Records an event for the active admins (`report.created`, `report.resolved`) in the outbox, inside `tx`: delivered
 * live on every instance and replayed like any other. `threadId` is the conversation it concerns (the outbox's key).
 */
async function recordAdminEvent(tx: Db, threadId: string, type: Extract<EventType, `report.${string}`>, payload: object): Promise<void> {
  await tx.$queryRaw`
    WITH e AS (
      INSERT INTO events (thread_id, type, payload, recipients)
      SELECT ${threadId}, ${type}, ${JSON.stringify(payload)}::jsonb, array_agg(u.id ORDER BY u.id)
      FROM users u WHERE ${activeAdminSql()}
      HAVING count(*) > 0
      RETURNING id
    )
    SELECT pg_notify(${EVENTS_CHANNEL}, e.id::text)::text FROM e`;
}

/**
 * Reports a message to the admins. The reporter must take part in its thread; their own messages, system entries and
 * removed messages cannot be reported, and nobody reports the same message twice (a unique index decides between
 * concurrent reports). The message's text is kept with the report, so deleting it does not delete the evidence.
 * The message row is held `FOR SHARE` until the commit: a moderator's removal (an update of the row) waits for the
 * report and then resolves it, or commits first and the report, re-reading the row, is refused; either way no report
 * stays open on a removed message.
 * @returns the report as filed.
 * @throws AppError `not_found` (404) when the message is not one the caller can see; `forbidden` (403) for their own
 *   message or a system entry; `conflict` (409) when they reported it already or it was removed.
 */
export async function reportMessage(userId: string, messageId: string, input: ReportMessageInput): Promise<FiledReport> {
  try {
    return await getPrisma().$transaction(async (tx) => {
      const [m] = await tx.$queryRaw<{ thread_id: string; sender_id: string; kind: string; text: string }[]>`
        SELECT m.thread_id, m.sender_id, m.kind, m.text FROM messages m
        WHERE m.id = ${messageId}
          AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = m.thread_id AND p.user_id = ${userId})
        FOR SHARE OF m`;
      if (!m) throw notFound("Message");
      if (m.sender_id === userId) throw new AppError("forbidden", "You cannot report your own message.");
      if (m.kind === "system") throw new AppError("forbidden", "A group's system entries cannot be reported.");
      if (m.kind === "removed") throw new AppError("conflict", "A moderator has already removed this message.");
      const id = uuidv7();
      const [row] = await tx.$queryRaw<{ created_at: Date }[]>`
        INSERT INTO reports (id, message_id, thread_id, reporter_id, sender_id, reason, details, message_text)
        VALUES (${id}, ${messageId}, ${m.thread_id}, ${userId}, ${m.sender_id}, ${input.reason}, ${input.details ?? null}, ${m.text})
        RETURNING created_at`;
      await recordAdminEvent(tx, m.thread_id, "report.created", { reportId: id });
      return { id, messageId, reason: input.reason, details: input.details ?? null, createdAt: row!.created_at.toISOString() };
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError("conflict", "You have already reported this message.");
    throw e;
  }
}

/**
 * Removes a message as a moderator, inside `tx`: `parley_remove_message` (the thread shows "Removed by a moderator",
 * live; the unread counts lose it), every open report of it resolved as `message_removed`, and the audit entry
 * `message.removed`.
 * @returns the reports it resolved.
 * @throws AppError `not_found` (404) for no such message; `conflict` (409) when it is a system entry or already removed.
 */
async function removeMessageIn(tx: Db, actorId: string, messageId: string, reason: string, details: object = {}): Promise<string[]> {
  const [row] = await tx.$queryRaw<{ outcome: string; thread_id: string | null }[]>`
    SELECT outcome, thread_id FROM parley_remove_message(${messageId})`;
  switch (row?.outcome) {
    case "removed":
      break;
    case "message_not_found":
      throw notFound("Message");
    case "system_entry":
      throw new AppError("conflict", "A group's system entries are not people's messages and cannot be removed.");
    case "already_removed":
      throw new AppError("conflict", "This message has already been removed.");
    default:
      throw new Error(`parley_remove_message answered ${JSON.stringify(row)}`);
  }
  await recordAudit(tx, { actorId, action: "message.removed", target: { type: "message", id: messageId }, reason, details });
  return resolveOpenReports(tx, actorId, Prisma.sql`message_id = ${messageId}`, "message_removed", row.thread_id!);
}

/** Resolves the open reports `where` selects, announcing it to the admins. @returns their ids. */
async function resolveOpenReports(tx: Db, actorId: string, where: Prisma.Sql, resolution: string, threadId: string): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    UPDATE reports SET resolution = ${resolution}, resolved_at = clock_timestamp(), resolved_by_id = ${actorId}
    WHERE resolution IS NULL AND ${where} RETURNING id`;
  const ids = rows.map((r) => r.id);
  if (ids.length > 0) await recordAdminEvent(tx, threadId, "report.resolved", { reportIds: ids });
  return ids;
}

/**
 * Removes a message as a moderator (`DELETE /api/admin/messages/{id}`): see {@link removeMessageIn}.
 * @throws AppError `not_found` (404); `conflict` (409) for a system entry or a message already removed.
 */
export async function removeMessage(actorId: string, messageId: string, reason: string): Promise<void> {
  await getPrisma().$transaction((tx) => removeMessageIn(tx, actorId, messageId, reason));
}

type ReportRow = {
  id: string;
  reason: AdminReport["reason"];
  details: string | null;
  created_at: Date;
  thread_id: string;
  message_id: string | null;
  message_text: string;
  message_kind: string | null;
  resolution: AdminReport["resolution"];
  resolved_at: Date | null;
  reporter: { id: string; username: string; name: string | null; created_at: string };
  sender: Parameters<typeof toAdminUser>[0] & { created_at: string };
  resolver: { id: string; username: string; name: string | null; created_at: string } | null;
  context: AdminMessage[] | null;
};

const userJson = (alias: string) => Prisma.raw(`json_build_object('id', ${alias}.id, 'username', ${alias}.username, 'name', ${alias}.name, 'created_at', ${alias}.created_at)`);

/** The report rows with everything the queue shows: people, the message's state, and two messages either side. */
const reportSelect = Prisma.sql`
  SELECT r.id, r.reason, r.details, r.created_at, r.thread_id, r.message_id, r.message_text, m.kind AS message_kind,
         r.resolution, r.resolved_at,
         ${userJson("rep")} AS reporter,
         json_build_object('id', s.id, 'username', s.username, 'name', s.name, 'created_at', s.created_at, 'role', s.role,
                           'suspended_at', s.suspended_at, 'suspension_reason', s.suspension_reason, 'deleted_at', s.deleted_at,
                           'last_seen_at', s.last_seen_at, 'last_sign_in_at', s.last_sign_in_at) AS sender,
         CASE WHEN res.id IS NULL THEN NULL ELSE ${userJson("res")} END AS resolver,
         (SELECT json_agg(c.message ORDER BY c.seq) FROM (
            SELECT m2.seq, ${adminMessageJson("m2", "u2")} AS message
            FROM messages m2 JOIN users u2 ON u2.id = m2.sender_id
            WHERE m.id IS NOT NULL AND m2.thread_id = m.thread_id AND m2.seq BETWEEN m.seq - 2 AND m.seq + 2) c) AS context
  FROM reports r
  JOIN users rep ON rep.id = r.reporter_id
  JOIN users s ON s.id = r.sender_id
  LEFT JOIN users res ON res.id = r.resolved_by_id
  LEFT JOIN messages m ON m.id = r.message_id`;

const toReport = (r: ReportRow): AdminReport => ({
  id: r.id,
  reason: r.reason,
  details: r.details,
  createdAt: r.created_at.toISOString(),
  reporter: toPublicUser({ ...r.reporter, createdAt: new Date(r.reporter.created_at) }),
  sender: toAdminUser({
    ...r.sender,
    created_at: new Date(r.sender.created_at),
    suspended_at: r.sender.suspended_at && new Date(r.sender.suspended_at),
    deleted_at: r.sender.deleted_at && new Date(r.sender.deleted_at),
    last_seen_at: r.sender.last_seen_at && new Date(r.sender.last_seen_at),
    last_sign_in_at: r.sender.last_sign_in_at && new Date(r.sender.last_sign_in_at),
  }),
  threadId: r.thread_id,
  message: {
    id: r.message_id,
    text: r.message_text,
    state: r.message_kind === null ? "deleted" : r.message_kind === "removed" ? "removed" : "visible",
  },
  context: r.context ?? [],
  resolution: r.resolution,
  resolvedAt: r.resolved_at?.toISOString() ?? null,
  resolvedBy: r.resolver ? toPublicUser({ ...r.resolver, createdAt: new Date(r.resolver.created_at) }) : null,
});

/** How many reports are open (the admin area's navigation shows it). */
export async function openReportCount(): Promise<number> {
  return getPrisma().report.count({ where: { resolution: null } });
}

/**
 * The reports queue: open reports oldest first (the longest waiting on top), or resolved ones newest first.
 * @throws AppError `validation` (400) for a malformed cursor.
 */
export async function listReports(query: AdminReportsQuery): Promise<Page<AdminReport>> {
  const after = decodeCursor(query.cursor, timeIdCursor);
  const open = query.status === "open";
  const position = after
    ? open
      ? Prisma.sql`AND (r.created_at, r.id) > (${after.t}::timestamptz, ${after.i})`
      : Prisma.sql`AND (r.resolved_at, r.id) < (${after.t}::timestamptz, ${after.i})`
    : Prisma.empty;
  const rows = await getPrisma().$queryRaw<ReportRow[]>`
    ${reportSelect}
    WHERE ${open ? Prisma.sql`r.resolution IS NULL` : Prisma.sql`r.resolution IS NOT NULL`} ${position}
    ORDER BY ${open ? Prisma.sql`r.created_at, r.id` : Prisma.sql`r.resolved_at DESC, r.id DESC`}
    LIMIT ${query.limit + 1}`;
  const data = rows.slice(0, query.limit).map(toReport);
  const last = rows.length > query.limit ? rows[query.limit - 1]! : null;
  return {
    data,
    nextCursor: last ? encodeCursor({ t: (open ? last.created_at : last.resolved_at!).toISOString(), i: last.id }) : null,
  };
}

/**
 * One report as the queue shows it.
 * @throws AppError `not_found` (404).
 */
export async function getReport(reportId: string, db: Db = getPrisma()): Promise<AdminReport> {
  const [row] = await db.$queryRaw<ReportRow[]>`${reportSelect} WHERE r.id = ${reportId}`;
  if (!row) throw notFound("Report");
  return toReport(row);
}

/**
 * Resolves an open report, and every other open report of the same message the same way, in one transaction:
 * - `remove_message`: the message is removed (as {@link removeMessage}; one already gone leaves the reports resolved
 *   all the same);
 * - `suspend_sender`: the sender is suspended with `reason` (lib/server/admin.ts, suspendUser), the message stays;
 * - `dismiss`: nothing else changes.
 * Audited as `report.<resolution>` (and the removal or suspension as their own entries).
 * @returns the report as it now is.
 * @throws AppError `not_found` (404); `conflict` (409) when it was resolved already (by another admin, say), or the
 *   suspension is refused (the sender is the last admin, or the caller).
 */
export async function resolveReport(actorId: string, reportId: string, input: ResolveReportInput): Promise<AdminReport> {
  const ended = await getPrisma().$transaction(async (tx) => {
    const [found] = await tx.$queryRaw<{ message_id: string | null; thread_id: string }[]>`
      SELECT message_id, thread_id FROM reports WHERE id = ${reportId}`;
    if (!found) throw notFound("Report");
    // Locks in the order of every write to a thread's reports: the thread row first, whatever the resolution (a
    // removal takes it, and so does the sender deleting the message, whose foreign key then sets its reports'
    // message_id NULL in index order, not id order), then the reports of the message by id. Every path that changes
    // reports of a live message holds the thread first, so they queue there, and the loser of a race sees the
    // winner's resolution below. (A thread deleted since holds no lock: its reports have no other writer left.)
    await tx.$queryRaw`SELECT 1 FROM threads WHERE id = ${found.thread_id} FOR UPDATE`;
    const sameMessage =
      found.message_id === null ? Prisma.sql`id = ${reportId}` : Prisma.sql`(message_id = ${found.message_id} OR id = ${reportId})`;
    await tx.$queryRaw`SELECT id FROM reports WHERE ${sameMessage} ORDER BY id FOR UPDATE`;
    const [report] = await tx.$queryRaw<{ message_id: string | null; sender_id: string; thread_id: string; resolution: string | null }[]>`
      SELECT message_id, sender_id, thread_id, resolution FROM reports WHERE id = ${reportId}`;
    if (!report) throw notFound("Report");
    if (report.resolution !== null) throw new AppError("conflict", "This report has already been resolved.");
    let credentials = { sessions: [] as string[], tokens: [] as string[] };
    let resolution: string;
    let resolvedWithRemoval: string[] = [];
    if (input.action === "remove_message") {
      resolution = "message_removed";
      if (report.message_id !== null) {
        try {
          resolvedWithRemoval = await removeMessageIn(tx, actorId, report.message_id, input.reason, { reportId });
        } catch (e) {
          // Deleted by its sender or removed by another moderator since: the reports are resolved all the same.
          if (!(e instanceof AppError && (e.type === "not_found" || e.type === "conflict"))) throw e;
        }
      }
    } else if (input.action === "suspend_sender") {
      resolution = "sender_suspended";
      credentials = await suspendUser(tx, actorId, report.sender_id, input.reason, { reportId });
    } else {
      resolution = "dismissed";
    }
    const resolved = [...resolvedWithRemoval, ...(await resolveOpenReports(tx, actorId, sameMessage, resolution, report.thread_id))];
    await recordAudit(tx, {
      actorId,
      action: `report.${resolution}`,
      target: { type: "report", id: reportId },
      reason: input.reason,
      details: { reports: resolved.length > 0 ? resolved : [reportId], messageId: report.message_id },
    });
    return credentials;
  });
  forgetSessions(ended.sessions);
  forgetTokens(ended.tokens);
  return getReport(reportId);
}
