import "server-only";
import { AppError } from "../errors";
import type { Credential } from "./credentials";
import { endSessionsOf, forgetSessions } from "./sessions";
import { getPrisma } from "./sql";
import { forgetTokens, revokeTokensOf } from "./tokens";
import { accountGone, checkPasswordLimited, hashPassword } from "./users";

/**
 * What a person does to their whole account: change its password, sign out everywhere (docs/decisions.md, "Account
 * security"). Each ends credentials on every instance within one notification's delivery: the deletions' triggers
 * announce them, caches forget them and the hubs end the event streams opened with them (lib/server/credentials.ts).
 */

/**
 * Changes the caller's password. The current one is required and checked behind the `signIn` limit; the new one
 * replaces it, and every other browser session of the account ends in the same transaction (they were opened with
 * the old password; whoever holds one must sign in again). The session making the change stays signed in; API tokens
 * stay valid (they are separate credentials, revoked one by one or by {@link signOutEverywhere}).
 * @param ip the client's address (`clientIp`), for the `signIn` limit.
 * @param credential the caller's: when it is a browser session, that session is kept.
 * @throws AppError `validation` (400, pointer `#/currentPassword`) when the current password is wrong, changing
 *   nothing; `too_many_requests` (429) while the `signIn` limit holds; `unauthorized` when the account is gone.
 */
export async function changePassword(
  userId: string,
  ip: string,
  credential: Credential,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  if (!(await checkPasswordLimited(ip, userId, input.currentPassword))) {
    throw new AppError("validation", "The current password is wrong.", [{ pointer: "#/currentPassword", detail: "Wrong password." }]);
  }
  const passwordHash = await hashPassword(input.newPassword);
  const keep = credential.kind === "session" ? credential.id : null;
  const ended = await getPrisma().$transaction(async (tx) => {
    const updated = await tx.$executeRaw`UPDATE users SET password_hash = ${passwordHash} WHERE id = ${userId}`;
    if (updated === 0) throw accountGone();
    return endSessionsOf(tx, userId, keep);
  });
  forgetSessions(ended);
}

/**
 * Signs the account out everywhere: ends every browser session (the caller's too) and revokes every API token, in
 * one transaction. Requests and event streams with any of them fail from then on, on every instance, once the
 * notifications arrive (in commit order, so before any event committed later).
 * @returns how many sessions and tokens were ended.
 * @throws AppError `unauthorized` when the account is gone.
 */
export async function signOutEverywhere(userId: string): Promise<{ sessions: number; tokens: number }> {
  const { sessions, tokens } = await getPrisma().$transaction(async (tx) => {
    // Waits for tokens being issued by a credential of this user, and holds new ones off until the commit, when their
    // credential is gone (createToken in lib/server/tokens.ts).
    const [user] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE id = ${userId} FOR UPDATE`;
    if (!user) throw accountGone();
    return { sessions: await endSessionsOf(tx, userId), tokens: await revokeTokensOf(tx, userId) };
  });
  forgetSessions(sessions);
  forgetTokens(tokens);
  return { sessions: sessions.length, tokens: tokens.length };
}
