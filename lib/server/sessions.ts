import "server-only";
import { v7 as uuidv7 } from "uuid";
import { getPrisma } from "../db";
import type { Db } from "./sql";
import { getCredentialCache } from "../infra/credential-cache";
import { type Authenticated, credentialKey } from "./credentials";
import { accountGone } from "./users";

/**
 * Browser sessions, kept server-side so that they can be ended (docs/decisions.md, "Sessions the server can end").
 *
 * Auth.js keeps a session in a sealed JWT cookie (the Credentials provider allows no other strategy), which stays
 * valid until it expires wherever a copy of it is. Parley adds a row per sign-in: the cookie carries the row's id as
 * its `sid` claim, and a cookie authenticates only while the row exists and has not expired. Ending a session is
 * deleting its row; a trigger announces that to every instance (lib/server/credentials.ts), whose caches forget it and
 * whose hubs end the event streams opened with it.
 */

/** How long a session lasts from sign-in, seconds: Auth.js's default `session.maxAge` (30 days), set explicitly. */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

/**
 * Starts a session for `userId` (at sign-in), records the sign-in (`users.last_sign_in_at`), and deletes that user's
 * expired sessions. The account must be neither deleted nor suspended when the session row is written: the statement
 * updates the user's row, so a suspension in flight (which holds it FOR UPDATE while it ends every session) is waited
 * for and then seen, and no session outlives a suspension. Likewise with `passwordHash` (the hash the sign-in's
 * password matched): the session is made only while it is still the account's password, so that an admin's reset or
 * a password change that commits between the check and here is not outlived.
 * @returns the session's id (the cookie's `sid`) and when it expires.
 * @throws AppError `unauthorized` when the user no longer exists, is suspended, or the password changed meanwhile.
 */
export async function createSession(userId: string, passwordHash: string | null = null): Promise<{ id: string; expiresAt: Date }> {
  const expiresAt = new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000);
  const prisma = getPrisma();
  const [, rows] = await prisma.$transaction([
    prisma.session.deleteMany({ where: { userId, expiresAt: { lte: new Date() } } }),
    prisma.$queryRaw<{ id: string; expiresAt: Date }[]>`
      WITH u AS (
        UPDATE users SET last_sign_in_at = clock_timestamp()
        WHERE id = ${userId} AND deleted_at IS NULL AND suspended_at IS NULL
          AND (${passwordHash}::text IS NULL OR password_hash = ${passwordHash}::text)
        RETURNING id
      )
      INSERT INTO sessions (id, user_id, expires_at) SELECT ${uuidv7()}, u.id, ${expiresAt} FROM u
      RETURNING id, expires_at AS "expiresAt"`,
  ]);
  const session = rows[0];
  if (!session) throw accountGone();
  return session;
}

/** The claims of an Auth.js session cookie that Parley reads: subject (user id), session id, expiry (seconds). */
export interface SessionClaims {
  sub?: unknown;
  sid?: unknown;
  exp?: unknown;
}

/**
 * Checks the session a cookie names: its row must exist, belong to the cookie's user and not have expired. Answered
 * from this instance's credential cache when it can (no SQL), else with one lookup by id.
 * @param claims the cookie's decoded JWT (its signature and expiry already checked by Auth.js). A cookie without
 *   `sid` (issued before sessions were kept) is refused.
 * @returns the user and the credential, whose `expiresAt` is the earlier of the row's and the cookie's expiry; `null`
 *   when the session has ended.
 */
export async function authenticateSession(claims: SessionClaims): Promise<Authenticated | null> {
  const { sub, sid, exp } = claims;
  if (typeof sub !== "string" || typeof sid !== "string") return null;
  const cookieEndsAt = typeof exp === "number" ? exp * 1000 : Infinity;
  const key = credentialKey("session", sid);
  const cache = getCredentialCache();
  let found = cache.get(key);
  if (!found) {
    const generation = cache.generation;
    const row = await getPrisma().session.findUnique({ where: { id: sid }, select: { userId: true, expiresAt: true } });
    if (!row) return null;
    found = { userId: row.userId, endsAt: row.expiresAt.getTime() };
    cache.set(key, found, generation);
  }
  const endsAt = Math.min(found.endsAt ?? Infinity, cookieEndsAt);
  if (found.userId !== sub || endsAt <= Date.now()) return null;
  return { userId: sub, credential: { kind: "session", id: sid, expiresAt: new Date(endsAt) } };
}

/**
 * Ends a session (sign-out): its cookie stops working at once on this instance, and on the others as soon as the
 * deletion's notification reaches them; event streams opened with it end then too. Ending one that is already gone
 * does nothing.
 */
export async function endSession(sessionId: string): Promise<void> {
  await getPrisma().session.deleteMany({ where: { id: sessionId } });
  forgetSessions([sessionId]);
}

/**
 * Ends every session of `userId` but `exceptId` (the caller's own, when they stay signed in), inside the caller's
 * transaction `db`. Their cookies stop working once it commits, on every instance (the deletion's notification);
 * call {@link forgetSessions} with the ids after the commit so that this instance forgets them at once.
 * @returns the ids of the sessions ended.
 */
export async function endSessionsOf(db: Db, userId: string, exceptId: string | null = null): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    DELETE FROM sessions WHERE user_id = ${userId} AND id IS DISTINCT FROM ${exceptId} RETURNING id`;
  return rows.map((r) => r.id);
}

/** Drops ended sessions from this instance's credential cache (the other instances hear of them by notification). */
export function forgetSessions(ids: readonly string[]): void {
  for (const id of ids) getCredentialCache().drop(credentialKey("session", id));
}
