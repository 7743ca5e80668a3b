import "server-only";
import { hash, verify } from "@node-rs/argon2";
import { getPrisma } from "../db";
import { AppError, notFound } from "../errors";
import type { Page } from "../schemas/common";
import type { Me, PublicUser, RegisterInput } from "../schemas/users";
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
      select: { ...publicSelect, email: true },
    });
    return { ...toPublicUser(u), email: u.email };
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
export async function verifyCredentials(username: string, password: string): Promise<PublicUser | null> {
  const user = await getPrisma().user.findUnique({
    where: { username: username.trim().toLowerCase() },
    select: { ...publicSelect, passwordHash: true },
  });
  if (!user) {
    dummyHash ??= hashPassword("parley-timing-equaliser");
    await verify(await dummyHash, password).catch(() => false);
    return null;
  }
  const ok = await verify(user.passwordHash, password).catch(() => false);
  return ok ? toPublicUser(user) : null;
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
 * @returns the user, or `null` for a wrong username or password.
 * @throws AppError `too_many_requests` (429, with `Retry-After`) while the limit holds.
 */
export async function verifyCredentialsLimited(ip: string, username: string, password: string): Promise<PublicUser | null> {
  const subject = signInSubject(ip, username);
  await check("signIn", subject);
  const user = await verifyCredentials(username, password);
  if (user) await reset("signIn", subject);
  else await consume("signIn", subject).catch((e: unknown) => {
    // The failure that spends the allowance is still answered as a wrong password; the next attempt gets the 429.
    if (!(e instanceof AppError && e.type === "too_many_requests")) throw e;
  });
  return user;
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
  return (await verifyCredentialsLimited(ip, user.username, password)) !== null;
}

/**
 * What a caller whose account is gone gets: a session cookie outlives its user (the account was deleted, or the
 * database reset) until it expires, since sessions are signed cookies that are not looked up per request.
 */
export const accountGone = () => new AppError("unauthorized", "Your account no longer exists. Sign in again.");

/**
 * The caller's own account.
 * @throws AppError `unauthorized` when the user no longer exists (see {@link accountGone}).
 */
export async function getMe(userId: string): Promise<Me> {
  const u = await getPrisma().user.findUnique({ where: { id: userId }, select: { ...publicSelect, email: true } });
  if (!u) throw accountGone();
  return { ...toPublicUser(u), email: u.email };
}

/**
 * Changes the caller's display name (`null` clears it).
 * @throws AppError `unauthorized` when the user no longer exists (see {@link accountGone}).
 */
export async function updateMe(userId: string, patch: { name: string | null }): Promise<Me> {
  const rows = await getPrisma().user.updateManyAndReturn({
    where: { id: userId },
    data: { name: patch.name },
    select: { ...publicSelect, email: true },
  });
  const u = rows[0];
  if (!u) throw accountGone();
  return { ...toPublicUser(u), email: u.email };
}

/**
 * Any user by id (users are visible to every signed-in user, as in a workspace directory).
 * @throws AppError `not_found`.
 */
export async function getUser(id: string): Promise<PublicUser> {
  const u = await getPrisma().user.findUnique({ where: { id }, select: publicSelect });
  if (!u) throw notFound("User");
  return toPublicUser(u);
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
