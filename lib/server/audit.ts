import "server-only";
import { v7 as uuidv7 } from "uuid";
import type { AuditEntry, AuditLogQuery } from "../schemas/admin";
import type { Page } from "../schemas/common";
import { decodeCursor, encodeCursor } from "./cursor";
import { type Db, getPrisma, Prisma } from "./sql";
import { toPublicUser } from "./users";
import { z } from "zod";

/**
 * The audit log (`audit_log`): every admin action and operator command, written in the transaction that does it, so
 * an action is logged exactly when it happened. Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE, whoever
 * asks (migration `moderation`).
 */

/** What an audit entry names. */
export type AuditTarget = { type: "user" | "thread" | "message" | "report"; id: string };

/**
 * Appends an entry inside `tx`, the transaction that makes the change.
 * @param actorId the admin; `null` for the operator's command line.
 * @param action `<target>.<verb>`, as `user.suspended`.
 */
export async function recordAudit(
  tx: Db,
  entry: { actorId: string | null; action: string; target: AuditTarget; reason?: string | null; details?: object },
): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO audit_log (id, actor_id, action, target_type, target_id, reason, details)
    VALUES (${uuidv7()}, ${entry.actorId}, ${entry.action}, ${entry.target.type}, ${entry.target.id}, ${entry.reason ?? null},
            ${JSON.stringify(entry.details ?? {})}::jsonb)`;
}

const auditCursor = z.strictObject({ i: z.string().min(1).max(64) });

type AuditRow = {
  id: string;
  created_at: Date;
  action: string;
  target_type: AuditEntry["targetType"];
  target_id: string;
  target: string | null;
  reason: string | null;
  details: Record<string, unknown>;
  actor_id: string | null;
  actor_username: string | null;
  actor_name: string | null;
  actor_created_at: Date | null;
};

/**
 * The audit log, newest first (ids are UUIDv7, so id order is time order), optionally of one admin or one target.
 * Each entry names its target by username or group title when it has one (as they are now).
 * @throws AppError `validation` (400) for a malformed cursor.
 */
export async function listAuditLog(query: AuditLogQuery): Promise<Page<AuditEntry>> {
  const after = decodeCursor(query.cursor, auditCursor);
  const where: Prisma.Sql[] = [Prisma.sql`true`];
  if (after) where.push(Prisma.sql`a.id < ${after.i}`);
  if (query.actorId) where.push(Prisma.sql`a.actor_id = ${query.actorId}`);
  if (query.targetId) where.push(Prisma.sql`a.target_id = ${query.targetId}`);
  const rows = await getPrisma().$queryRaw<AuditRow[]>`
    SELECT a.id, a.created_at, a.action, a.target_type, a.target_id, a.reason, a.details,
           a.actor_id, actor.username AS actor_username, actor.name AS actor_name, actor.created_at AS actor_created_at,
           CASE a.target_type
             WHEN 'user' THEN (SELECT u.username FROM users u WHERE u.id = a.target_id)
             WHEN 'thread' THEN (SELECT t.title FROM threads t WHERE t.id = a.target_id)
           END AS target
    FROM audit_log a LEFT JOIN users actor ON actor.id = a.actor_id
    WHERE ${Prisma.join(where, " AND ")}
    ORDER BY a.id DESC
    LIMIT ${query.limit + 1}`;
  const data = rows.slice(0, query.limit).map(
    (r): AuditEntry => ({
      id: r.id,
      createdAt: r.created_at.toISOString(),
      actor:
        r.actor_id && r.actor_username && r.actor_created_at
          ? toPublicUser({ id: r.actor_id, username: r.actor_username, name: r.actor_name, createdAt: r.actor_created_at })
          : null,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      target: r.target,
      reason: r.reason,
      details: r.details,
    }),
  );
  return { data, nextCursor: rows.length > query.limit ? encodeCursor({ i: data[data.length - 1]!.id }) : null };
}
