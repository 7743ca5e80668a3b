/**
 * The per-instance credential cache (lib/infra/credential-cache.ts): cached lookups cost no SQL, and a token that stops
 * existing stops working whoever deleted it: this instance through the API, or anyone else through the database
 * (the trigger's NOTIFY), including while the cache's listening connection was down.
 */
process.env.PRISMA_QUERY_EVENTS = "1";

import pg from "pg";
import { beforeEach, describe, expect, it } from "vitest";
import { onQuery } from "@/lib/db";
import { getCredentialCache } from "@/lib/infra/credential-cache";
import { authenticateSession, endSession } from "@/lib/server/sessions";
import { authenticateToken, createToken } from "@/lib/server/tokens";
import { api } from "./helpers/api";
import { createUser, signedInSession } from "./helpers/fixtures";

/** A connection of its own: what another app instance or an operator's psql session would do. */
async function elsewhere(sql: string, params: unknown[] = []): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql, params);
  } finally {
    await client.end();
  }
}

async function statementsOf(fn: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const off = onQuery(() => n++);
  try {
    await fn();
  } finally {
    off();
  }
  return n;
}

/** Polls `check` (every 20 ms, for at most 10 s); the cache hears of deletions asynchronously, at commit. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

beforeEach(async () => {
  expect(await getCredentialCache().ready()).toBe(true);
});

describe("token cache", () => {
  it("answers a recently used token without SQL", async () => {
    const user = await createUser("cache");
    expect((await authenticateToken(user.token))?.userId).toBe(user.id); // looked up, lastUsedAt written, cached
    expect(await statementsOf(() => authenticateToken(user.token))).toBe(0);
    expect((await authenticateToken(user.token))?.userId).toBe(user.id);
  });

  it("rejects a token revoked through the API on the very next request", async () => {
    const user = await createUser("revoke");
    const { token, id } = await createToken(user.id, "second", null);
    expect((await api.get("/api/users/me", { token })).status).toBe(200);
    expect(await statementsOf(() => authenticateToken(token))).toBe(0); // cached
    expect((await api.delete(`/api/tokens/${id}`, { token: user.token })).status).toBe(204);
    expect((await api.get("/api/users/me", { token })).status).toBe(401);
  });

  it("drops a token deleted elsewhere (another instance, an operator) once the deletion commits", async () => {
    const user = await createUser("other");
    const { token, id } = await createToken(user.id, "doomed", null);
    expect((await authenticateToken(token))?.userId).toBe(user.id);
    expect(await statementsOf(() => authenticateToken(token))).toBe(0);
    await elsewhere("DELETE FROM api_tokens WHERE id = $1", [id]);
    expect(await eventually(async () => (await authenticateToken(token)) === null)).toBe(true);
  });

  it("drops the tokens of a deleted user (the cascade fires the trigger too)", async () => {
    const user = await createUser("gone");
    expect((await authenticateToken(user.token))?.userId).toBe(user.id);
    expect(await statementsOf(() => authenticateToken(user.token))).toBe(0);
    await elsewhere("DELETE FROM users WHERE id = $1", [user.id]);
    expect(await eventually(async () => (await authenticateToken(user.token)) === null)).toBe(true);
  });

  it("trusts nothing cached across a lost listening connection", async () => {
    const user = await createUser("lost");
    const { token, id } = await createToken(user.id, "while-away", null);
    expect((await authenticateToken(token))?.userId).toBe(user.id);
    expect(await statementsOf(() => authenticateToken(token))).toBe(0);

    // The listener's connection dies; a deletion's notification sent meanwhile would be lost.
    await elsewhere(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'parley-credential-cache' AND datname = current_database()",
    );
    expect(await eventually(async () => !getCredentialCache().active)).toBe(true);
    await elsewhere("DELETE FROM api_tokens WHERE id = $1", [id]);
    // Without a listener every lookup goes to the database: the deleted token fails at once.
    expect(await authenticateToken(token)).toBeNull();
    expect((await authenticateToken(user.token))?.userId).toBe(user.id);

    // Once the listener is back, lookups are cached again (starting from an empty cache).
    expect(await getCredentialCache().ready()).toBe(true);
    expect((await authenticateToken(user.token))?.userId).toBe(user.id);
    expect(await statementsOf(() => authenticateToken(user.token))).toBe(0);
    expect(await authenticateToken(token)).toBeNull();
  });
});

describe("session lookups in the same cache", () => {
  /** The claims of a session cookie for `userId` naming `sid`, expiring in 30 days. */
  const claims = (userId: string, sid: string) => ({ sub: userId, sid, exp: Math.floor(Date.now() / 1000) + 30 * 86_400 });

  it("answers a recently used session without SQL", async () => {
    const user = await createUser("sess");
    const { sessionId } = await signedInSession(user.id);
    expect((await authenticateSession(claims(user.id, sessionId)))?.userId).toBe(user.id);
    expect(await statementsOf(() => authenticateSession(claims(user.id, sessionId)))).toBe(0);
  });

  it("refuses a session ended on this instance on the very next request", async () => {
    const user = await createUser("sess_end");
    const { sessionId, cookie } = await signedInSession(user.id);
    expect((await api.get("/api/users/me", { cookie })).status).toBe(200);
    expect(await statementsOf(() => authenticateSession(claims(user.id, sessionId)))).toBe(0); // cached
    await endSession(sessionId);
    expect((await api.get("/api/users/me", { cookie })).status).toBe(401);
  });

  it("drops a session deleted elsewhere once the deletion commits", async () => {
    const user = await createUser("sess_other");
    const { sessionId } = await signedInSession(user.id);
    expect((await authenticateSession(claims(user.id, sessionId)))?.userId).toBe(user.id);
    expect(await statementsOf(() => authenticateSession(claims(user.id, sessionId)))).toBe(0);
    await elsewhere("DELETE FROM sessions WHERE id = $1", [sessionId]);
    expect(await eventually(async () => (await authenticateSession(claims(user.id, sessionId))) === null)).toBe(true);
  });

  it("refuses a session that has expired, even while it is cached", async () => {
    const user = await createUser("sess_exp");
    const { sessionId } = await signedInSession(user.id);
    const soon = { ...claims(user.id, sessionId), exp: Math.floor(Date.now() / 1000) + 1 };
    expect(await authenticateSession(soon)).not.toBeNull();
    expect(await eventually(async () => (await authenticateSession(soon)) === null)).toBe(true);
    // The row itself expiring counts too (whatever the cookie says).
    await elsewhere("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1", [sessionId]);
    expect(await eventually(async () => (await authenticateSession(claims(user.id, sessionId))) === null)).toBe(true);
  });

  it("refuses a cookie whose user is not the session's", async () => {
    const [user, other] = await Promise.all([createUser("sess_a"), createUser("sess_b")]);
    const { sessionId } = await signedInSession(user.id);
    expect(await authenticateSession(claims(other.id, sessionId))).toBeNull();
  });
});
