import "server-only";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { AppError, notFound } from "../errors";
import type {
  AdminMessage,
  AdminMessagesQuery,
  AdminStats,
  AdminThread,
  AdminThreadsQuery,
  AdminUser,
  AdminUserDetail,
  AdminUsersQuery,
  UpdateAdminUserInput,
} from "../schemas/admin";
import type { Page } from "../schemas/common";
import { endEveryCredential, eraseAccount } from "./account";
import { recordAudit } from "./audit";
import { cursorSeq, decodeCursor, encodeCursor, timeIdCursor } from "./cursor";
import { goOffline } from "./presence";
import { activeAdminSql, lockRoleChanges, refuseLastAdmin, setUserRole } from "./roles";
import { forgetSessions } from "./sessions";
import { type Db, escapeLike, getPrisma, Prisma } from "./sql";
import { forgetTokens } from "./tokens";
import { hashPassword, toPublicUser } from "./users";

/**
 * The admin area's operations on people, conversations and messages (docs/data-model.md, "Moderation"). Every caller
 * here is an active admin (the route wrapper and the /admin layout check that: lib/server/roles.ts), and every
 * change is written to the audit log in its own transaction (lib/server/audit.ts). Reports and removing messages are
 * in lib/server/moderation.ts.
 */

const adminUserColumns = Prisma.sql`
  u.id, u.username, u.name, u.created_at, u.role, u.suspended_at, u.suspension_reason, u.deleted_at, u.last_seen_at,
  u.last_sign_in_at`;

type AdminUserRow = {
  id: string;
  username: string;
  name: string | null;
  created_at: Date;
  role: AdminUser["role"];
  suspended_at: Date | null;
  suspension_reason: string | null;
  deleted_at: Date | null;
  last_seen_at: Date | null;
  last_sign_in_at: Date | null;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** What an admin acting on a person who is not there (or deleted) gets. */
const userGone = () => notFound("User");

/** Wire shape of a row selected with {@link adminUserColumns}. */
export function toAdminUser(r: AdminUserRow): AdminUser {
  return {
    ...toPublicUser({ id: r.id, username: r.username, name: r.name, createdAt: r.created_at }),
    role: r.role,
    suspendedAt: iso(r.suspended_at),
    suspensionReason: r.suspension_reason,
    deletedAt: iso(r.deleted_at),
    lastSeenAt: iso(r.last_seen_at),
    lastSignInAt: iso(r.last_sign_in_at),
  };
}

const userCursor = z.strictObject({ u: z.string().min(1).max(64) });

/**
 * People by username (ascending), optionally those whose username or name contains `q` (case-insensitive) and of one
 * `status`: `active` (neither suspended nor deleted), `suspended`, `deleted`, `admin` (active admins).
 * @throws AppError `validation` (400) for a malformed cursor.
 */
export async function listAdminUsers(query: AdminUsersQuery): Promise<Page<AdminUser>> {
  const after = decodeCursor(query.cursor, userCursor);
  const where: Prisma.Sql[] = [Prisma.sql`true`];
  if (after) where.push(Prisma.sql`u.username > ${after.u}`);
  if (query.q) {
    const like = `%${escapeLike(query.q)}%`;
    where.push(Prisma.sql`(u.username ILIKE ${like} OR u.name ILIKE ${like})`);
  }
  if (query.status === "active") where.push(Prisma.sql`u.deleted_at IS NULL AND u.suspended_at IS NULL`);
  if (query.status === "suspended") where.push(Prisma.sql`u.deleted_at IS NULL AND u.suspended_at IS NOT NULL`);
  if (query.status === "deleted") where.push(Prisma.sql`u.deleted_at IS NOT NULL`);
  if (query.status === "admin") where.push(activeAdminSql());
  const rows = await getPrisma().$queryRaw<AdminUserRow[]>`
    SELECT ${adminUserColumns} FROM users u WHERE ${Prisma.join(where, " AND ")}
    ORDER BY u.username LIMIT ${query.limit + 1}`;
  const data = rows.slice(0, query.limit).map(toAdminUser);
  return { data, nextCursor: rows.length > query.limit ? encodeCursor({ u: data[data.length - 1]!.username }) : null };
}

/**
 * One person's page: details, activity, sign-ins (their current sessions) and tokens.
 * @throws AppError `not_found` (404).
 */
export async function getAdminUser(userId: string, db: Db = getPrisma()): Promise<AdminUserDetail> {
  const [u] = await db.$queryRaw<
    (AdminUserRow & { email: string | null; about: string | null; conversations: number; messages_sent: number; open_reports: number; reports: number })[]
  >`
    SELECT ${adminUserColumns}, u.email, u.about,
           (SELECT count(*)::int FROM participants p WHERE p.user_id = u.id) AS conversations,
           (SELECT count(*)::int FROM messages m WHERE m.sender_id = u.id AND m.kind <> 'system') AS messages_sent,
           (SELECT count(*)::int FROM reports r WHERE r.sender_id = u.id AND r.resolution IS NULL) AS open_reports,
           (SELECT count(*)::int FROM reports r WHERE r.sender_id = u.id) AS reports
    FROM users u WHERE u.id = ${userId}`;
  if (!u) throw notFound("User");
  const [sessions, tokens] = await Promise.all([
    db.$queryRaw<{ created_at: Date; expires_at: Date }[]>`
      SELECT created_at, expires_at FROM sessions WHERE user_id = ${userId} AND expires_at > now()
      ORDER BY created_at DESC LIMIT 20`,
    db.$queryRaw<{ id: string; name: string; created_at: Date; last_used_at: Date | null }[]>`
      SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = ${userId} ORDER BY created_at DESC LIMIT 20`,
  ]);
  return {
    ...toAdminUser(u),
    email: u.email,
    about: u.about,
    conversations: u.conversations,
    messagesSent: u.messages_sent,
    reports: { open: u.open_reports, total: u.reports },
    sessions: sessions.map((s) => ({ createdAt: s.created_at.toISOString(), expiresAt: s.expires_at.toISOString() })),
    tokens: tokens.map((t) => ({ id: t.id, name: t.name, createdAt: t.created_at.toISOString(), lastUsedAt: iso(t.last_used_at) })),
  };
}

/**
 * Suspends `userId` inside `tx`: every session and token ends (on every instance, by the deletions' notifications;
 * call the `forget…` functions with the result after the commit), they go offline, and until unsuspended they cannot
 * sign in (they are shown `reason`: lib/auth.ts). Audited as `user.suspended`. Suspending someone suspended changes
 * nothing.
 * @returns the credentials ended.
 * @throws AppError `conflict` (409) for oneself or the last active admin; `not_found` (404) for no such account.
 */
export async function suspendUser(
  tx: Db,
  actorId: string | null,
  userId: string,
  reason: string,
  details: object = {},
): Promise<{ sessions: string[]; tokens: string[] }> {
  if (actorId === userId) throw new AppError("conflict", "You cannot suspend yourself.");
  await refuseLastAdmin(tx, userId, "suspend");
  const ended = await endEveryCredential(tx, userId, userGone);
  const changed = await tx.$executeRaw`
    UPDATE users SET suspended_at = clock_timestamp(), suspension_reason = ${reason} WHERE id = ${userId} AND suspended_at IS NULL`;
  if (changed === 0) return ended;
  await goOffline(tx, userId);
  await recordAudit(tx, { actorId, action: "user.suspended", target: { type: "user", id: userId }, reason, details });
  return ended;
}

/**
 * Grants or revokes the admin role and/or suspends or unsuspends, in one transaction (each change audited). Fields
 * that ask for the current state change nothing.
 * @returns the person as they now are.
 * @throws AppError `not_found` (404); `conflict` (409) when it would leave no active admin, or an admin suspends
 *   themselves.
 */
export async function updateAdminUser(actorId: string, userId: string, patch: UpdateAdminUserInput): Promise<AdminUserDetail> {
  const reason = patch.reason ?? null;
  const ended = await getPrisma().$transaction(async (tx) => {
    // Before any row: setUserRole locks the person's, and a suspension after it takes this lock (lib/server/roles.ts).
    await lockRoleChanges(tx);
    if (patch.role !== undefined) await setUserRole(tx, actorId, userId, patch.role, reason);
    if (patch.suspended === true) return suspendUser(tx, actorId, userId, reason!);
    if (patch.suspended === false) {
      const rows = await tx.$executeRaw`
        UPDATE users SET suspended_at = NULL, suspension_reason = NULL
        WHERE id = ${userId} AND suspended_at IS NOT NULL AND deleted_at IS NULL`;
      if (rows > 0) await recordAudit(tx, { actorId, action: "user.unsuspended", target: { type: "user", id: userId }, reason });
      else if (!(await exists(tx, userId))) throw notFound("User");
    }
    return { sessions: [], tokens: [] };
  });
  forgetSessions(ended.sessions);
  forgetTokens(ended.tokens);
  return getAdminUser(userId);
}

async function exists(db: Db, userId: string): Promise<boolean> {
  const [row] = await db.$queryRaw<{ ok: boolean }[]>`SELECT true AS ok FROM users WHERE id = ${userId} AND deleted_at IS NULL`;
  return row !== undefined;
}

/** Length of a temporary password: 16 characters of a 32-letter alphabet, 80 bits. */
const TEMPORARY_PASSWORD_LENGTH = 16;
/** Crockford's Base32 alphabet, lowercase: no i, l, o or u, so nothing is mistaken when read aloud or copied by hand. */
const TEMPORARY_PASSWORD_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/**
 * Sets a temporary password for `userId` and returns it (shown once: only its hash is kept). Every session and token
 * of theirs ends; after signing in with it they must choose a new password before anything else
 * (`users.must_change_password`). Audited as `user.password_reset`.
 * @throws AppError `not_found` (404) for no such account (deleted ones included); `conflict` (409) for oneself (it
 *   would sign the admin out with the password only on screen; the account page changes one's own).
 */
export async function resetPassword(actorId: string | null, userId: string, reason: string | null): Promise<string> {
  if (actorId === userId) throw new AppError("conflict", "Change your own password from your account settings.");
  const bytes = randomBytes(TEMPORARY_PASSWORD_LENGTH);
  const password = [...bytes].map((b) => TEMPORARY_PASSWORD_ALPHABET[b % 32]).join("");
  const hash = await hashPassword(password);
  const ended = await getPrisma().$transaction(async (tx) => {
    const credentials = await endEveryCredential(tx, userId, userGone);
    await tx.$executeRaw`UPDATE users SET password_hash = ${hash}, must_change_password = true WHERE id = ${userId}`;
    await recordAudit(tx, { actorId, action: "user.password_reset", target: { type: "user", id: userId }, reason });
    return credentials;
  });
  forgetSessions(ended.sessions);
  forgetTokens(ended.tokens);
  return password;
}

/**
 * Deletes an account as its owner could (lib/server/account.ts, eraseAccount), audited as `user.deleted`.
 * @throws AppError `conflict` (409) for oneself (that is the account page's) or the last active admin; `not_found`
 *   (404) for no such account or one already deleted.
 */
export async function deleteUserAsAdmin(actorId: string, userId: string, reason: string): Promise<void> {
  if (actorId === userId) throw new AppError("conflict", "Delete your own account from your account settings.");
  await eraseAccount(userId, { actorId, reason });
}

/** The overview's figures, in one statement (counts over the whole database: fine at this scale, see docs/performance.md). */
export async function adminStats(): Promise<AdminStats> {
  const [row] = await getPrisma().$queryRaw<
    (Omit<AdminStats, "messagesPerDay"> & { per_day: { date: string; count: number }[] })[]
  >`
    SELECT
      (SELECT count(*)::int FROM users WHERE deleted_at IS NULL) AS people,
      (SELECT count(*)::int FROM users WHERE deleted_at IS NULL AND suspended_at IS NOT NULL) AS suspended,
      (SELECT count(*)::int FROM users WHERE deleted_at IS NULL AND (online OR last_seen_at > now() - interval '24 hours')) AS "active24h",
      (SELECT count(*)::int FROM users WHERE deleted_at IS NULL AND (online OR last_seen_at > now() - interval '7 days')) AS "active7d",
      (SELECT count(*)::int FROM threads) AS conversations,
      (SELECT count(*)::int FROM threads WHERE title IS NOT NULL) AS groups,
      (SELECT count(*)::int FROM messages WHERE kind <> 'system') AS messages,
      (SELECT count(*)::int FROM reports WHERE resolution IS NULL) AS "openReports",
      (SELECT json_agg(json_build_object('date', to_char(d.day, 'YYYY-MM-DD'), 'count', coalesce(c.n, 0)) ORDER BY d.day)
       FROM generate_series((now() AT TIME ZONE 'UTC')::date - 29, (now() AT TIME ZONE 'UTC')::date, interval '1 day') AS d(day)
       LEFT JOIN (
         SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*)::int AS n FROM messages
         WHERE kind <> 'system' AND created_at >= ((now() AT TIME ZONE 'UTC')::date - 29) AT TIME ZONE 'UTC'
         GROUP BY 1
       ) c ON c.day = d.day) AS per_day`;
  const { per_day, ...counts } = row!;
  return { ...counts, messagesPerDay: per_day };
}

type AdminThreadRow = {
  id: string;
  title: string | null;
  created_at: Date;
  last_activity_at: Date | null;
  last_seq: number;
  participants: { id: string; username: string; name: string | null; createdAt: string; role: "admin" | "member" }[];
};

const toAdminThread = (r: AdminThreadRow): AdminThread => ({
  id: r.id,
  kind: r.title === null ? "direct" : "group",
  title: r.title,
  createdAt: r.created_at.toISOString(),
  lastActivityAt: iso(r.last_activity_at),
  messages: r.last_seq,
  participants: r.participants.map((p) => ({ ...p, createdAt: new Date(p.createdAt).toISOString() })),
});

const threadColumns = Prisma.sql`
  t.id, t.title, t.created_at, t.last_seq,
  (SELECT max(p.last_activity_at) FROM participants p WHERE p.thread_id = t.id) AS last_activity_at,
  (SELECT coalesce(json_agg(json_build_object('id', u.id, 'username', u.username, 'name', u.name, 'createdAt', u.created_at,
                                              'role', p.role) ORDER BY u.username), '[]'::json)
   FROM participants p JOIN users u ON u.id = p.user_id WHERE p.thread_id = t.id) AS participants`;

/**
 * Conversations, newest first, optionally those with `q` in a group's title or in a member's username or name. Lists
 * members, never messages.
 * @throws AppError `validation` (400) for a malformed cursor.
 */
export async function listAdminThreads(query: AdminThreadsQuery): Promise<Page<AdminThread>> {
  const after = decodeCursor(query.cursor, timeIdCursor);
  const where: Prisma.Sql[] = [Prisma.sql`true`];
  if (after) where.push(Prisma.sql`(t.created_at, t.id) < (${after.t}::timestamptz, ${after.i})`);
  if (query.q) {
    const like = `%${escapeLike(query.q)}%`;
    where.push(Prisma.sql`(t.title ILIKE ${like} OR EXISTS (
      SELECT 1 FROM participants p JOIN users u ON u.id = p.user_id
      WHERE p.thread_id = t.id AND (u.username ILIKE ${like} OR u.name ILIKE ${like})))`);
  }
  const rows = await getPrisma().$queryRaw<AdminThreadRow[]>`
    SELECT ${threadColumns} FROM threads t WHERE ${Prisma.join(where, " AND ")}
    ORDER BY t.created_at DESC, t.id DESC LIMIT ${query.limit + 1}`;
  const data = rows.slice(0, query.limit).map(toAdminThread);
  const last = rows.length > query.limit ? rows[query.limit - 1]! : null;
  return { data, nextCursor: last ? encodeCursor({ t: last.created_at.toISOString(), i: last.id }) : null };
}

/**
 * One conversation's members and figures (no messages).
 * @throws AppError `not_found` (404).
 */
export async function getAdminThread(threadId: string): Promise<AdminThread> {
  const [row] = await getPrisma().$queryRaw<AdminThreadRow[]>`SELECT ${threadColumns} FROM threads t WHERE t.id = ${threadId}`;
  if (!row) throw notFound("Thread");
  return toAdminThread(row);
}

/**
 * SQL: an admin's view (`AdminMessage`) of the message row aliased `m` with its sender aliased `u` (removed messages
 * keep their text here). The aliases are fixed strings of our own, never input.
 */
export const adminMessageJson = (m = "m", u = "u") =>
  Prisma.raw(`json_build_object(
    'id', ${m}.id, 'threadId', ${m}.thread_id, 'seq', ${m}.seq, 'kind', ${m}.kind,
    'sender', json_build_object('id', ${u}.id, 'username', ${u}.username, 'name', ${u}.name,
                                'createdAt', to_char(${u}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
    'text', ${m}.text,
    'createdAt', to_char(${m}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'editedAt', to_char(${m}.edited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'removedAt', to_char(${m}.removed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`);

const seqCursor = z.strictObject({ s: cursorSeq });

/**
 * A conversation's messages, newest first, for an admin who gave `reason`: each page read is written to the audit log
 * (`thread.messages_viewed`, with the page's position) before it is answered. Removed messages keep their text here.
 * @throws AppError `not_found` (404) for no such conversation; `validation` (400) for a malformed cursor.
 */
export async function adminThreadMessages(actorId: string, threadId: string, query: AdminMessagesQuery): Promise<Page<AdminMessage>> {
  const after = decodeCursor(query.cursor, seqCursor);
  return getPrisma().$transaction(async (tx) => {
    const [thread] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM threads WHERE id = ${threadId}`;
    if (!thread) throw notFound("Thread");
    await recordAudit(tx, {
      actorId,
      action: "thread.messages_viewed",
      target: { type: "thread", id: threadId },
      reason: query.reason,
      details: after ? { beforeSeq: after.s } : {},
    });
    const rows = await tx.$queryRaw<{ message: AdminMessage }[]>`
      SELECT ${adminMessageJson()} AS message FROM messages m JOIN users u ON u.id = m.sender_id
      WHERE m.thread_id = ${threadId} AND (${after?.s ?? null}::int IS NULL OR m.seq < ${after?.s ?? null}::int)
      ORDER BY m.seq DESC LIMIT ${query.limit + 1}`;
    const data = rows.slice(0, query.limit).map((r) => r.message);
    return { data, nextCursor: rows.length > query.limit ? encodeCursor({ s: data[data.length - 1]!.seq }) : null };
  });
}
