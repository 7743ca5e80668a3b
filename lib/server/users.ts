import "server-only";
import { hash, verify } from "@node-rs/argon2";
import { getPrisma } from "../db";
import { AppError, notFound } from "../errors";
import type { Page } from "../schemas/common";
import type { Presence } from "../schemas/presence";
import type { Me, PublicUser, RegisterInput, UpdateMeInput, UserProfile } from "../schemas/users";
import { blockedBetween } from "./presence";
import { decodeCursor, encodeCursor } from "./cursor";
import { z } from "zod";
import { check, consume, reset } from "../infra/rate-limit";
import { escapeLike, isUniqueViolation } from "./sql";

/**
 * Argon2id with the library's defaults (m = 19 MiB, t = 2, p = 1), which are OWASP's recommended minimum for
 * Argon2id (OWASP Password Storage Cheat Sheet).
 */
/** An Argon2id hash of `password` (@node-rs/argon2's defaults), as `users.password_hash` holds it. */
export const hashPassword = (password: string): Promise<string> => hash(password);

const publicSelect = { id: true, username: true, name: true, createdAt: true } as const;

type UserRow = { id: string; username: string; name: string | null; createdAt: Date };

/** Wire shape of a user row. */
export function toPublicUser(u: UserRow): PublicUser {
  return { id: u.id, username: u.username, name: u.name, createdAt: u.createdAt.toISOString() };
}

const meSelect = { ...publicSelect, email: true, about: true, hideLastSeen: true } as const;

/** Wire shape of the caller's own row. */
const toMe = (u: UserRow & { email: string | null; about: string | null; hideLastSeen: boolean }): Me => ({
  ...toPublicUser(u),
  email: u.email,
  about: u.about,
  hideLastSeen: u.hideLastSeen,
});

/**
 * Creates an account. The username arrives lowercased (see `lib/schemas/users.ts`), so the unique index on
 * `users.username` makes usernames unique case-insensitively — also between concurrent registrations.
 * @throws AppError `conflict` (409) when the username is taken.
 */
export async function registerUser(input: RegisterInput): Promise<Me> {
  const passwordHash = await hashPassword(input.password);
  try {
    const u = await getPrisma().user.create({
      data: { username: input.username, name: input.name ?? null, email: input.email ?? null, passwordHash },
      select: meSelect,
    });
    return toMe(u);
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw new AppError("conflict", "That username is taken.", [{ pointer: "#/username", detail: "Already taken." }]);
    }
    throw e;
  }
}

// A valid hash to verify against when the username is unknown, so that unknown users and wrong passwords take the
// same time and cannot be told apart.
let dummyHash: Promise<string> | undefined;

/**
 * Checks a username and password.
 * @returns the user, or `null` when the username is unknown or the password wrong (deliberately the same answer).
 */
export async function verifyCredentials(
  username: string,
  password: string,
): Promise<(PublicUser & { suspensionReason: string | null; passwordHash: string }) | null> {
  const user = await getPrisma().user.findUnique({
    where: { username: username.trim().toLowerCase() },
    select: { ...publicSelect, passwordHash: true, suspensionReason: true },
  });
  if (!user) {
    dummyHash ??= hashPassword("parley-timing-equaliser");
    await verify(await dummyHash, password).catch(() => false);
    return null;
  }
  const ok = await verify(user.passwordHash, password).catch(() => false);
  return ok ? { ...toPublicUser(user), suspensionReason: user.suspensionReason, passwordHash: user.passwordHash } : null;
}

/**
 * What a suspended person is told once their password is right (and only then): that they are suspended, and why.
 * lib/auth.ts shows it on the sign-in form; `POST /api/tokens` answers it.
 */
export const accountSuspended = (reason: string) =>
  new AppError("forbidden", `This account is suspended. Reason given: ${reason}`);

/** Why `username`'s account is suspended, or `null` when it is not (or there is no such account). */
export async function suspensionReason(username: string): Promise<string | null> {
  const user = await getPrisma().user.findUnique({ where: { username: username.trim().toLowerCase() }, select: { suspensionReason: true } });
  return user?.suspensionReason ?? null;
}

/** The `signIn` limit's key: the client's address and the username as stored (lowercase). */
const signInSubject = (ip: string, username: string) => `${ip}:${username.trim().toLowerCase()}`;

/**
 * Throws while the `signIn` limit holds for `ip` and `username`, counting nothing (for endpoints that answer 429
 * before handing the attempt to {@link verifyCredentialsLimited}, which checks again).
 * @throws AppError `too_many_requests` (429, with `Retry-After`).
 */
export async function checkSignInAllowed(ip: string, username: string): Promise<void> {
  await check("signIn", signInSubject(ip, username));
}

/**
 * {@link verifyCredentials} behind the `signIn` rate limit, which counts failures per client IP and username (the
 * "login endpoint protection" pattern of rate-limiter-flexible's docs): once `RATE_LIMIT_SIGN_IN` failures are
 * counted, every attempt is refused until the window ends, even with the right password; a success clears the count.
 * @param ip the client's address (`clientIp`), or `"unknown"`.
 * @returns the user, with the hash the password matched (`passwordHash`: give it to `createSession` or `createToken`,
 *   which issue the credential only while it is still the account's password, so that a reset or change committing
 *   in between is not outlived), or `null` for a wrong username or password.
 * @throws AppError `too_many_requests` (429, with `Retry-After`) while the limit holds; `forbidden` (403,
 *   {@link accountSuspended}) when the password is right but an admin suspended the account.
 */
export async function verifyCredentialsLimited(
  ip: string,
  username: string,
  password: string,
): Promise<(PublicUser & { passwordHash: string }) | null> {
  const subject = signInSubject(ip, username);
  await check("signIn", subject);
  const user = await verifyCredentials(username, password);
  if (user) await reset("signIn", subject);
  else await consume("signIn", subject).catch((e: unknown) => {
    // The failure that spends the allowance is still answered as a wrong password; the next attempt gets the 429.
    if (!(e instanceof AppError && e.type === "too_many_requests")) throw e;
  });
  if (user?.suspensionReason) throw accountSuspended(user.suspensionReason);
  return user && { ...toPublicUser({ ...user, createdAt: new Date(user.createdAt) }), passwordHash: user.passwordHash };
}

/**
 * Checks the password of a signed-in user (who changes their password, say) behind the same `signIn` limit as
 * {@link verifyCredentialsLimited}, keyed by `ip` and the user's username: a stolen session cannot be used to guess
 * the password any faster than the sign-in form allows.
 * @returns whether `password` is the user's.
 * @throws AppError `too_many_requests` (429) while the limit holds; `unauthorized` when the user no longer exists.
 */
export async function checkPasswordLimited(ip: string, userId: string, password: string): Promise<boolean> {
  const user = await getPrisma().user.findUnique({ where: { id: userId }, select: { username: true } });
  if (!user) throw accountGone();
  try {
    return (await verifyCredentialsLimited(ip, user.username, password)) !== null;
  } catch (e) {
    // Suspended while signed in (a request that got in before its session ended): the password was right.
    if (e instanceof AppError && e.type === "forbidden") return true;
    throw e;
  }
}

/**
 * What a caller whose account is gone gets: a session cookie outlives its user (the account was deleted, or the
 * database reset) until it expires, since sessions are signed cookies that are not looked up per request.
 */
export const accountGone = () => new AppError("unauthorized", "Your account no longer exists. Sign in again.");

/**
 * Whether `userId` signed in with a temporary password an admin set (lib/server/admin.ts, resetPassword) and must
 * choose a new one first: the web UI shows nothing else until they have (app/(chat)/layout.tsx).
 */
export async function mustChangePassword(userId: string): Promise<boolean> {
  const user = await getPrisma().user.findUnique({ where: { id: userId }, select: { mustChangePassword: true } });
  return user?.mustChangePassword ?? false;
}

/**
 * The caller's own account.
 * @throws AppError `unauthorized` when the user no longer exists (see {@link accountGone}).
 */
export async function getMe(userId: string): Promise<Me> {
  const u = await getPrisma().user.findUnique({ where: { id: userId }, select: meSelect });
  if (!u) throw accountGone();
  return toMe(u);
}

/**
 * Changes the caller's display name, "about" line (`null` clears either) and whether they hide their last-seen time;
 * fields left out stay as they are. Hiding takes effect for every later answer and presence event; events already
 * delivered keep what they said.
 * @throws AppError `unauthorized` when the user no longer exists (see {@link accountGone}).
 */
export async function updateMe(userId: string, patch: UpdateMeInput): Promise<Me> {
  const rows = await getPrisma().user.updateManyAndReturn({
    where: { id: userId, deletedAt: null },
    data: { name: patch.name, about: patch.about, hideLastSeen: patch.hideLastSeen },
    select: meSelect,
  });
  const u = rows[0];
  if (!u) throw accountGone();
  return toMe(u);
}

/**
 * Any user's profile card by id (users are visible to every signed-in user, as in a workspace directory), with
 * their presence as `viewerId` may see it (`parley_presence_json`) and whether `viewerId` blocked them.
 * One statement.
 * @throws AppError `not_found`.
 */
export async function getUser(viewerId: string, id: string): Promise<UserProfile> {
  const [u] = await getPrisma().$queryRaw<(UserRow & { about: string | null; presence: Presence; blocked_by_me: boolean })[]>`
    SELECT u.id, u.username, u.name, u.created_at AS "createdAt", u.about,
           parley_presence_json(u, ${viewerId}, coalesce((SELECT v.hide_last_seen FROM users v WHERE v.id = ${viewerId}), true),
                                ${blockedBetween(viewerId)}) AS presence,
           EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = ${viewerId} AND b.blocked_id = u.id) AS blocked_by_me
    FROM users u WHERE u.id = ${id}`;
  if (!u) throw notFound("User");
  return { ...toPublicUser(u), about: u.about, presence: u.presence, blocked: u.blocked_by_me };
}

const userCursor = z.strictObject({ u: z.string().min(1).max(64) });

/**
 * Users whose username or name contains `q` (case-insensitive), ordered by username. Deleted accounts are left out.
 * @param opts.limit page size, 1..100; `opts.cursor` a `nextCursor` from a previous page.
 * @throws AppError `validation` for a malformed cursor.
 */
export async function searchUsers(opts: { q?: string; limit: number; cursor?: string }): Promise<Page<PublicUser>> {
  const after = decodeCursor(opts.cursor, userCursor);
  // Prisma's `contains` becomes ILIKE '%q%' without escaping: escape LIKE's wildcards and its escape character
  // (PostgreSQL's default escape is the backslash) so `_` and `%` match themselves.
  const q = opts.q?.trim() ? escapeLike(opts.q.trim()) : undefined;
  const rows = await getPrisma().user.findMany({
    where: {
      deletedAt: null,
      ...(q
        ? { OR: [{ username: { contains: q, mode: "insensitive" } }, { name: { contains: q, mode: "insensitive" } }] }
        : {}),
      ...(after ? { username: { gt: after.u } } : {}),
    },
    orderBy: { username: "asc" },
    take: opts.limit + 1,
    select: publicSelect,
  });
  const hasMore = rows.length > opts.limit;
  const data = rows.slice(0, opts.limit).map(toPublicUser);
  return { data, nextCursor: hasMore ? encodeCursor({ u: data[data.length - 1]!.username }) : null };
}
