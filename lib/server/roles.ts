import "server-only";
import { AppError, notFound } from "../errors";
import type { UserRole } from "../schemas/admin";
import { recordAudit } from "./audit";
import { type Db, getPrisma, Prisma } from "./sql";

/**
 * Instance roles (docs/data-model.md, "Moderation"): `users.role` is `member` or `admin`. An *active* admin is one
 * whose account is neither suspended nor deleted ({@link activeAdminSql}); only they reach the admin area. The one rule
 * here: there is always at least one active admin once there has been one. Revoking, suspending or deleting the last
 * one is refused.
 */

/** Whether `userId` is an active admin (one indexed lookup; the admin area asks on every request). */
export async function isActiveAdmin(userId: string, db: Db = getPrisma()): Promise<boolean> {
  const [row] = await db.$queryRaw<{ ok: boolean }[]>`SELECT true AS ok FROM users u WHERE u.id = ${userId} AND ${activeAdminSql()}`;
  return row !== undefined;
}

/** Advisory lock key of the changes that can leave no active admin (any fixed number; only this takes it). */
const LAST_ADMIN_LOCK_KEY = 7_261_023;

/**
 * Takes, inside `tx`, the transaction-scoped advisory lock of the changes that can leave no active admin (held until
 * the commit; taking it again in the same transaction is free). A change that locks a person's row and may then
 * refuse the last admin takes it first, so every such change locks in one order: this, then rows.
 */
export async function lockRoleChanges(tx: Db): Promise<void> {
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(${LAST_ADMIN_LOCK_KEY})::text`;
}

/** SQL: `u` is an active admin (the admin role, neither suspended nor deleted). The one definition of "active admin". */
export const activeAdminSql = (alias = "u") =>
  Prisma.raw(`${alias}.role = 'admin' AND ${alias}.suspended_at IS NULL AND ${alias}.deleted_at IS NULL`);

/**
 * Refuses, inside `tx`, to let `userId` stop being an active admin when they are the last one. The changes that can
 * (revoking, suspending, deleting) take one transaction-scoped advisory lock first and then count, each in a statement
 * of its own: the second of two concurrent ones waits for the first to commit and then counts with it (under Read
 * Committed every statement sees what committed before it began). No row is locked, so this cannot deadlock with the
 * presence heartbeat, which locks the rows of the people online. The lock comes before anything is read: a person
 * granted the role meanwhile is counted as what they are once the lock is held.
 * @param what the action, for the message ("revoke", "suspend", "delete").
 * @throws AppError `conflict` (409) when `userId` is the last active admin.
 */
export async function refuseLastAdmin(tx: Db, userId: string, what: string): Promise<void> {
  await lockRoleChanges(tx);
  const [row] = await tx.$queryRaw<{ others: number; me: boolean }[]>`
    SELECT count(*) FILTER (WHERE u.id <> ${userId})::int AS others, bool_or(u.id = ${userId}) AS me
    FROM users u WHERE ${activeAdminSql()}`;
  if (row?.me && row.others === 0) {
    throw new AppError("conflict", `This is the last admin: make someone else an admin before you ${what} them.`);
  }
}

/**
 * Sets `userId`'s role inside `tx`, with an audit entry when it changes (`user.role_granted`, `user.role_revoked`).
 * Setting the role a person has changes nothing and logs nothing.
 * @param actorId the admin, or `null` for the operator's command line.
 * @returns whether it changed.
 * @throws AppError `not_found` (404) when there is no such account (deleted ones included); `conflict` (409) when
 *   revoking the last active admin.
 */
export async function setUserRole(tx: Db, actorId: string | null, userId: string, role: UserRole, reason: string | null = null): Promise<boolean> {
  if (role === "member") await refuseLastAdmin(tx, userId, "revoke");
  const [user] = await tx.$queryRaw<{ role: UserRole }[]>`
    SELECT role FROM users WHERE id = ${userId} AND deleted_at IS NULL FOR NO KEY UPDATE`;
  if (!user) throw notFound("User");
  if (user.role === role) return false;
  await tx.$executeRaw`UPDATE users SET role = ${role} WHERE id = ${userId}`;
  await recordAudit(tx, {
    actorId,
    action: role === "admin" ? "user.role_granted" : "user.role_revoked",
    target: { type: "user", id: userId },
    reason,
  });
  return true;
}
