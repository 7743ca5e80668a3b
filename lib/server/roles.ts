import "server-only";
import { AppError, notFound } from "../errors";
import type { UserRole } from "../schemas/admin";
import { recordAudit } from "./audit";
import { type Db, getPrisma } from "./sql";

/**
 * Instance roles (docs/data-model.md, "Moderation"): `users.role` is `member` or `admin`. An *active* admin is one
 * whose account is neither suspended nor deleted; only they reach the admin area. The one rule here: there is always
 * at least one active admin once there has been one. Revoking, suspending or deleting the last one is refused.
 */

/** Whether `userId` is an active admin (one indexed lookup; the admin area asks on every request). */
export async function isActiveAdmin(userId: string, db: Db = getPrisma()): Promise<boolean> {
  const [row] = await db.$queryRaw<{ ok: boolean }[]>`
    SELECT true AS ok FROM users WHERE id = ${userId} AND role = 'admin' AND suspended_at IS NULL AND deleted_at IS NULL`;
  return row !== undefined;
}

/**
 * Refuses, inside `tx`, to let `userId` stop being an active admin when they are the last one. Locks every active
 * admin's row (in id order) until the commit, so two admins removing each other at once serialise: the second sees
 * the first's change and is refused. (Under Read Committed a row locked FOR UPDATE is re-checked against the WHERE
 * once its lock is free, so an admin demoted meanwhile drops out of the count; PostgreSQL docs, "Transaction
 * Isolation".) Someone who is not an active admin passes at once. Callers take it before locking the person's own row,
 * so that every change that can remove an admin locks rows in one order (admins by id, then the person).
 * @param what the action, for the message ("revoke", "suspend", "delete").
 * @throws AppError `conflict` (409) when `userId` is the last active admin.
 */
export async function refuseLastAdmin(tx: Db, userId: string, what: string): Promise<void> {
  const admins = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM users WHERE role = 'admin' AND suspended_at IS NULL AND deleted_at IS NULL ORDER BY id FOR UPDATE`;
  if (admins.length === 1 && admins[0]!.id === userId) {
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
  // The admins' rows first, then the person's: every change that can remove an admin locks in this order.
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
