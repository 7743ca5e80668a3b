import "server-only";
import { AppError, notFound } from "../errors";
import { DELETED_USERNAME_PREFIX } from "../schemas/users";
import type { Credential } from "./credentials";
import { endSessionsOf, forgetSessions } from "./sessions";
import { type Db, getPrisma } from "./sql";
import { forgetTokens, revokeTokensOf } from "./tokens";
import { encodeCursor } from "./cursor";
import { listMessages } from "./messages";
import { log } from "../log";
import { leaveAllGroups } from "./groups";
import { recordAudit } from "./audit";
import { goOffline } from "./presence";
import { refuseLastAdmin } from "./roles";
import { getThreads, threadIdsOf } from "./threads";
import { accountGone, checkPasswordLimited, getMe, hashPassword } from "./users";

/**
 * What a person does to their whole account: change its password, sign out everywhere, download its data, delete it
 * (docs/decisions.md: "Account security", "Deleting an account", "Downloading one's data"). Credentials ended here end
 * on every instance within one notification's delivery: the deletions' triggers announce them, caches forget them
 * and the hubs end the event streams opened with them (lib/server/credentials.ts).
 */

/**
 * Changes the caller's password. The current one is required and checked behind the `signIn` limit; the new one
 * replaces it, and every other browser session of the account ends in the same transaction (they were opened with
 * the old password; whoever holds one must sign in again). The session making the change stays signed in; API tokens
 * stay valid (they are separate credentials, revoked one by one or by {@link signOutEverywhere}). A temporary password
 * an admin set (lib/server/admin.ts, resetPassword) stops being one.
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
  await requirePassword(ip, userId, input.currentPassword, "currentPassword");
  const passwordHash = await hashPassword(input.newPassword);
  const keep = credential.kind === "session" ? credential.id : null;
  const ended = await getPrisma().$transaction(async (tx) => {
    const updated = await tx.$executeRaw`
      UPDATE users SET password_hash = ${passwordHash}, must_change_password = false WHERE id = ${userId}`;
    if (updated === 0) throw accountGone();
    return endSessionsOf(tx, userId, keep);
  });
  forgetSessions(ended);
}

/**
 * Checks the caller's password before a change to the whole account, behind the `signIn` limit.
 * @param field the body field that holds it, named in the error.
 * @throws AppError `validation` (400) pointing at `field` when it is wrong; `too_many_requests` (429) while the limit
 *   holds; `unauthorized` when the account is gone.
 */
async function requirePassword(ip: string, userId: string, password: string, field: string): Promise<void> {
  if (!(await checkPasswordLimited(ip, userId, password))) {
    throw new AppError("validation", "The password is wrong.", [{ pointer: `#/${field}`, detail: "Wrong password." }]);
  }
}

/** The name every deleted account shows, wherever its messages appear. */
export const DELETED_USER_NAME = "Deleted user";

/**
 * Deletes the caller's account. The password is required, checked behind the `signIn` limit; then
 * {@link eraseAccount}.
 * @throws AppError `validation` (400, pointer `#/password`) when the password is wrong, changing nothing;
 *   `too_many_requests` (429) while the `signIn` limit holds; `unauthorized` when the account is already gone;
 *   `conflict` (409) when the caller is the last active admin (lib/server/roles.ts).
 */
export async function deleteAccount(userId: string, ip: string, password: string): Promise<void> {
  await requirePassword(ip, userId, password, "password");
  await eraseAccount(userId);
}

/**
 * Deletes an account (the person's own request, or an admin's: `audit`). In one transaction: every session and token
 * ends, and the user row becomes a tombstone: username `deleted_` and 24 hex digits (free for anyone to register the
 * old one), name {@link DELETED_USER_NAME}, no e-mail, no usable password, no "about" line, no presence (offline, no
 * last-seen time, none ever shown), no admin role, `deleted_at` set.
 * The messages the person sent stay in the others' conversations under that name, so nobody's history, sequence
 * numbers or unread counts change; nobody can start a new conversation with a deleted account, and user search leaves
 * it out. Then the account leaves every group it was in (lib/server/groups.ts, leaveAllGroups), each in its own
 * transaction; should that stop halfway (the server stopping, the database away), every instance's periodic clean-up
 * (leaveGroupsOfDeletedAccounts) finishes it within minutes, and the tombstone never becomes a group's admin while
 * someone else is left.
 * @param audit the admin deleting it and why, written to the audit log in the same transaction (`user.deleted`).
 * @throws AppError `unauthorized` (401) when the account is already gone (`not_found`, 404, for an admin's request);
 *   `conflict` (409) when it is the last active admin (lib/server/roles.ts).
 */
export async function eraseAccount(userId: string, audit?: { actorId: string | null; reason: string }): Promise<void> {
  const { sessions, tokens } = await getPrisma().$transaction(async (tx) => {
    await refuseLastAdmin(tx, userId, "delete");
    const ended = await endEveryCredential(tx, userId, audit ? () => notFound("User") : accountGone);
    await goOffline(tx, userId);
    await tx.$executeRaw`
      UPDATE users SET username = ${DELETED_USERNAME_PREFIX} || left(md5(id), 24), name = ${DELETED_USER_NAME}, email = NULL,
        password_hash = '!', about = NULL, last_seen_at = NULL, online = false, hide_last_seen = true, role = 'member',
        must_change_password = false, deleted_at = clock_timestamp()
      WHERE id = ${userId}`;
    if (audit) await recordAudit(tx, { actorId: audit.actorId, action: "user.deleted", target: { type: "user", id: userId }, reason: audit.reason });
    return ended;
  });
  forgetSessions(sessions);
  forgetTokens(tokens);
  // After the tombstone committed: nobody can add the account to a group any more (requireUsers), and a group being
  // made or joined with it meanwhile held its row, so the deletion waited for it and the list below includes it. The
  // account is deleted whatever happens here: a group that cannot be left now is left later
  // (leaveGroupsOfDeletedAccounts), so the answer does not depend on it.
  await leaveAllGroups(userId).catch((e: unknown) =>
    log.warn({ err: e, userId }, "account deletion: some groups not left yet; the periodic clean-up will"),
  );
}

/**
 * Signs the account out everywhere: ends every browser session (the caller's too) and revokes every API token, in
 * one transaction. Requests and event streams with any of them fail from then on, on every instance, once the
 * notifications arrive (in commit order, so before any event committed later).
 * @returns how many sessions and tokens were ended.
 * @throws AppError `unauthorized` when the account is gone.
 */
export async function signOutEverywhere(userId: string): Promise<{ sessions: number; tokens: number }> {
  const { sessions, tokens } = await getPrisma().$transaction((tx) => endEveryCredential(tx, userId));
  forgetSessions(sessions);
  forgetTokens(tokens);
  return { sessions: sessions.length, tokens: tokens.length };
}

/**
 * Ends every session and revokes every token of `userId` inside `db`'s transaction, after locking the user row for
 * update: tokens being issued by a credential of this user finish first (and are revoked here), and new ones wait for
 * the commit, when their credential is gone (createToken in lib/server/tokens.ts).
 * @returns the sessions' ids and the tokens' hashes, for {@link forgetSessions} and {@link forgetTokens} after the
 *   commit.
 * @param gone the error when the account is gone or already deleted: `unauthorized` for the caller's own account
 *   (the default), `not_found` when an admin acts on someone else's.
 */
export async function endEveryCredential(
  db: Db,
  userId: string,
  gone: () => AppError = accountGone,
): Promise<{ sessions: string[]; tokens: string[] }> {
  const [user] = await db.$queryRaw<{ id: string }[]>`SELECT id FROM users WHERE id = ${userId} AND deleted_at IS NULL FOR UPDATE`;
  if (!user) throw gone();
  return { sessions: await endSessionsOf(db, userId), tokens: await revokeTokensOf(db, userId) };
}

/** Messages read per query while exporting. */
const EXPORT_PAGE = 100;

/**
 * The caller's data as JSON text, in pieces to stream (`GET /api/users/me/export`, schema `accountExport` in
 * lib/schemas/users.ts): `exportedAt`, the account, and every thread the caller takes part in, in id order, each as
 * the caller sees it (read {@link EXPORT_PAGE} threads at a time) with all its messages, oldest first, read
 * {@link EXPORT_PAGE} at a time by sequence number. The
 * threads are those of the moment the export starts; one deleted while it runs is left out, and messages sent while
 * it runs are in it when their thread has not been written yet.
 * Memory: one page of messages at a time, whatever the account's size.
 * @throws AppError `unauthorized` when the account is gone (before the first piece).
 */
export async function* exportAccount(userId: string): AsyncGenerator<string> {
  const account = await getMe(userId);
  const threadIds = await threadIdsOf(userId);
  yield `{"exportedAt":${JSON.stringify(new Date().toISOString())},"account":${JSON.stringify(account)},"threads":[`;
  let first = true;
  for (let i = 0; i < threadIds.length; i += EXPORT_PAGE) {
    // A thread deleted since the ids were read is simply not in its batch.
    for (const thread of await getThreads(userId, threadIds.slice(i, i + EXPORT_PAGE))) {
      yield `${first ? "" : ","}${JSON.stringify(thread).slice(0, -1)},"messages":[`;
      first = false;
      yield* exportMessages(userId, thread.id);
      yield "]}";
    }
  }
  yield "]}";
}

/** One thread's messages for the export, oldest first, comma-separated, {@link EXPORT_PAGE} per query. */
async function* exportMessages(userId: string, threadId: string): AsyncGenerator<string> {
  let cursor: string | null = encodeCursor({ a: 0 });
  let first = true;
  while (cursor) {
    let page;
    try {
      page = (await listMessages(userId, threadId, { limit: EXPORT_PAGE, cursor })).parse();
    } catch (e) {
      if (e instanceof AppError && e.type === "not_found") return; // deleted while exported: what was read stays
      throw e;
    }
    if (page.data.length > 0) {
      yield (first ? "" : ",") + page.data.map((m) => JSON.stringify(m)).join(",");
      first = false;
    }
    cursor = page.nextCursor;
  }
}
