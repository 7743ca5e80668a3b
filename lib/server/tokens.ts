import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { getPrisma } from "../db";
import { AppError, notFound } from "../errors";
import type { Page } from "../schemas/common";
import type { ApiTokenView, CreatedToken } from "../schemas/tokens";
import { decodeCursor, encodeCursor, timeIdCursor } from "./cursor";
import { getCredentialCache } from "../infra/credential-cache";
import { type Authenticated, type Credential, credentialKey } from "./credentials";
import { type Db, isForeignKeyViolation } from "./sql";
import { accountGone, accountSuspended } from "./users";

/** Token secrets: a fixed prefix (so leaked tokens are easy to scan for) and 32 random bytes in base64url. */
const TOKEN_PREFIX = "prly_";
const TOKEN_PATTERN = /^prly_[A-Za-z0-9_-]{43}$/;

/** `lastUsedAt` is written at most this often per token, so authenticated reads do not each cost a write. */
const LAST_USED_GRANULARITY_MS = 60_000;

/**
 * SHA-256 (hex) of a token secret. A fast hash is right here: the secret has 256 random bits, so there is nothing
 * to brute-force, and the lookup runs on every API request (the practice of GitHub's and Stripe's API keys).
 */
export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

const toView = (t: { id: string; name: string; createdAt: Date; lastUsedAt: Date | null }): ApiTokenView => ({
  id: t.id,
  name: t.name,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
});

/**
 * Issues a personal access token for `userId`.
 *
 * `issuer` is the credential that asked for it (a browser session or another token), or `null` when the user's
 * password did; then `passwordHash` is the hash that password matched, and the token is issued only while it is still
 * the account's (checked under the same lock: an admin's reset or a change committing meanwhile refuses it). A token asked for by a credential is issued only while that credential still exists, checked under a
 * key-share lock on the user's row: signing out everywhere ({@link signOutEverywhere} in lib/server/account.ts) locks
 * that row for update first, so a token is either issued before it, and revoked by it, or refused after it. Without
 * the lock, a request authenticated just before the sign-out could insert a token just after it, and that token
 * would outlive "sign out everywhere".
 * @returns the token with its secret: the only time the secret is available; only its hash is stored.
 * @throws AppError `unauthorized` when the user no longer exists (a session that outlived its account), or when
 *   `issuer` ended before the token could be issued; `forbidden` (403) when an admin suspended the account, or while
 *   its password is a temporary one an admin set.
 */
export async function createToken(
  userId: string,
  name: string | undefined,
  issuer: Credential | null,
  passwordHash: string | null = null,
): Promise<CreatedToken> {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  try {
    const t = await getPrisma().$transaction(async (tx) => {
      // Waits for a suspension or sign-out-everywhere in flight (they hold the row FOR UPDATE) and then sees its result.
      const [user] = await tx.$queryRaw<{ id: string; suspension_reason: string | null; password_hash: string; must_change_password: boolean }[]>`
        SELECT id, suspension_reason, password_hash, must_change_password FROM users
        WHERE id = ${userId} AND deleted_at IS NULL FOR KEY SHARE`;
      if (!user) throw accountGone();
      if (passwordHash !== null && user.password_hash !== passwordHash) {
        throw new AppError("unauthorized", "The password changed while the token was being issued. Sign in again.");
      }
      if (user.suspension_reason !== null) throw accountSuspended(user.suspension_reason);
      // A temporary password (an admin's reset) gets no token: nothing made with it may outlive its replacement.
      if (user.must_change_password) {
        throw new AppError("forbidden", "This account has a temporary password. Sign in and choose a new password first.");
      }
      if (issuer && !(await credentialExists(tx, issuer))) {
        throw new AppError("unauthorized", "The credential that asked for this token has ended. Sign in again.");
      }
      return tx.apiToken.create({
        data: { userId, name: name ?? "API token", tokenHash: hashToken(token) },
        select: { id: true, name: true, createdAt: true },
      });
    });
    return { id: t.id, name: t.name, token, createdAt: t.createdAt.toISOString() };
  } catch (e) {
    if (isForeignKeyViolation(e)) throw accountGone();
    throw e;
  }
}

/** Whether `credential` (a session's id, or a token's hash) is still stored. */
async function credentialExists(db: Db, credential: Credential): Promise<boolean> {
  const rows =
    credential.kind === "session"
      ? await db.$queryRaw<unknown[]>`SELECT 1 FROM sessions WHERE id = ${credential.id}`
      : await db.$queryRaw<unknown[]>`SELECT 1 FROM api_tokens WHERE token_hash = ${credential.id}`;
  return rows.length > 0;
}

/** The caller's tokens, newest first, without secrets or hashes. */
export async function listTokens(userId: string, opts: { limit: number; cursor?: string }): Promise<Page<ApiTokenView>> {
  const after = decodeCursor(opts.cursor, timeIdCursor);
  const rows = await getPrisma().apiToken.findMany({
    where: {
      userId,
      ...(after
        ? { OR: [{ createdAt: { lt: after.t } }, { createdAt: after.t, id: { lt: after.i } }] }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: opts.limit + 1,
    select: { id: true, name: true, createdAt: true, lastUsedAt: true },
  });
  const data = rows.slice(0, opts.limit);
  const last = data[data.length - 1];
  return {
    data: data.map(toView),
    nextCursor: rows.length > opts.limit && last ? encodeCursor({ t: last.createdAt.toISOString(), i: last.id }) : null,
  };
}

/**
 * Revokes (deletes) one of the caller's tokens; requests bearing it fail with 401 from then on: at once on this
 * instance, and on the others as soon as the deletion's notification reaches them (lib/infra/credential-cache.ts).
 * Event streams opened with it end when that notification reaches their instance's hub (lib/infra/live-hub.ts).
 * @throws AppError `not_found` when the caller has no such token.
 */
export async function revokeToken(userId: string, tokenId: string): Promise<void> {
  const deleted = await getPrisma().$queryRaw<{ token_hash: string }[]>`
    DELETE FROM api_tokens WHERE id = ${tokenId} AND user_id = ${userId} RETURNING token_hash`;
  if (deleted.length === 0) throw notFound("Token");
  forgetTokens(deleted.map((d) => d.token_hash));
}

/**
 * Revokes every token of `userId` inside the caller's transaction `db`; requests bearing them fail once it commits,
 * on every instance (the deletion's notification). Call {@link forgetTokens} with the result after the commit.
 * @returns the hashes of the tokens revoked.
 */
export async function revokeTokensOf(db: Db, userId: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ token_hash: string }[]>`DELETE FROM api_tokens WHERE user_id = ${userId} RETURNING token_hash`;
  return rows.map((r) => r.token_hash);
}

/** Drops revoked tokens (by hash) from this instance's credential cache. */
export function forgetTokens(hashes: readonly string[]): void {
  for (const hash of hashes) getCredentialCache().drop(credentialKey("token", hash));
}

/**
 * Resolves a bearer token to its user and records its use (at most once a minute).
 *
 * Answered from this instance's credential cache when it can (no SQL at all), else with one lookup by hash; see
 * lib/infra/credential-cache.ts for how revocations reach the cache.
 * @returns the user and the credential (the token's hash), or `null` for a malformed, unknown or revoked token.
 */
export async function authenticateToken(token: string): Promise<Authenticated | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const tokenHash = hashToken(token);
  const credential = { kind: "token", id: tokenHash, expiresAt: null } as const;
  const key = credentialKey("token", tokenHash);
  const cache = getCredentialCache();
  const now = Date.now();
  const cached = cache.get(key);
  if (cached?.tokenId !== undefined) {
    if (now - (cached.lastUsedAt ?? 0) >= LAST_USED_GRANULARITY_MS) {
      cached.lastUsedAt = now;
      await getPrisma().apiToken.updateMany({ where: { id: cached.tokenId }, data: { lastUsedAt: new Date(now) } });
    }
    return { userId: cached.userId, credential };
  }
  const generation = cache.generation;
  const prisma = getPrisma();
  const t = await prisma.apiToken.findUnique({
    where: { tokenHash },
    select: { id: true, userId: true, lastUsedAt: true },
  });
  if (!t) return null;
  let lastUsedAt = t.lastUsedAt?.getTime() ?? 0;
  if (now - lastUsedAt >= LAST_USED_GRANULARITY_MS) {
    lastUsedAt = now;
    await prisma.apiToken.updateMany({ where: { id: t.id }, data: { lastUsedAt: new Date(now) } });
  }
  cache.set(key, { tokenId: t.id, userId: t.userId, lastUsedAt }, generation);
  return { userId: t.userId, credential };
}
