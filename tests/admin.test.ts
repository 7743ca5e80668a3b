/**
 * Administration (lib/server/{roles,admin,audit}.ts, lib/openapi/admin.ts): who reaches the admin operations, the
 * instance role and the last-admin rule, suspension, temporary passwords, deleting accounts, the overview's figures,
 * conversations and their audited reading, and the audit log — against this file's own PostgreSQL database, through
 * the route handlers. Reports and removing messages are tests/moderation.test.ts's.
 *
 * Nobody is an admin by default: tests make one straight in the database (tests/helpers/fixtures.ts, makeAdmin), as
 * the operator's command line would. The last-admin rule is about the whole instance, so the tests that need exactly
 * one or two active admins first demote every other admin of this file's database ({@link onlyAdmins}); tests in one
 * file run in order, and every test makes its own admins.
 *
 * Races are provoked with `Promise.all` over several rounds, letting the requests interleave as they will; each round
 * checks the outcome that must hold whatever the order. Nothing sleeps or times anything.
 */
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@/lib/db";
import { getHub } from "@/lib/infra/live-hub";
import type { AdminStats, AdminThread, AdminUserDetail, AuditEntry } from "@/lib/schemas/admin";
import type { Page } from "@/lib/schemas/common";
import { AppError } from "@/lib/errors";
import { deleteAccount } from "@/lib/server/account";
import { createSession } from "@/lib/server/sessions";
import { createToken } from "@/lib/server/tokens";
import { verifyCredentialsLimited } from "@/lib/server/users";
import { api, type ApiResponse, call, type CallOptions } from "./helpers/api";
import { documentedOperations } from "./helpers/contract";
import {
  createGroup,
  createThread,
  createUser,
  makeAdmin,
  mintSessionCookie,
  quickAdmin,
  quickUser,
  send,
  sessionCookie,
  type TestUser,
  uniqueName,
} from "./helpers/fixtures";
import { dataSnapshot } from "./helpers/snapshot";
import { openStream } from "./helpers/streams";

afterAll(async () => {
  await getHub().shutdown();
});

const MISSING_ID = "0190b8a0-0000-7000-8000-000000000000";
/** What an unknown API path answers, and so every admin operation to anyone but an active admin. */
const UNKNOWN_PATH = "No such API endpoint.";

type Method = "GET" | "POST" | "PATCH" | "DELETE";

// ---------------------------------------------------------------------------------------------------------------------
// Requests

const patchUser = (by: TestUser, userId: string, body: object) => api.patch<AdminUserDetail>(`/api/admin/users/${userId}`, { token: by.token, body });
const suspend = (by: TestUser, user: TestUser, reason = "Posting spam links") => patchUser(by, user.id, { suspended: true, reason });
const unsuspend = (by: TestUser, user: TestUser) => patchUser(by, user.id, { suspended: false });
const setRole = (by: TestUser, user: TestUser, role: "admin" | "member") => patchUser(by, user.id, { role });
const deleteAsAdmin = (by: TestUser, user: TestUser, reason = "Asked to be removed") =>
  api.delete(`/api/admin/users/${user.id}`, { token: by.token, body: { reason } });
const adminUser = async (by: TestUser, userId: string): Promise<AdminUserDetail> => {
  const res = await api.get<AdminUserDetail>(`/api/admin/users/${userId}`, { token: by.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
/** POST /api/tokens with a username and password (how an integration signs in). */
const signIn = (username: string, password: string) => api.post("/api/tokens", { body: { username, password, name: "sign-in" } });
/** Whether `token` still works on an ordinary route. */
const meStatus = async (opts: CallOptions) => (await api.get("/api/users/me", opts)).status;

/** Every audit entry about `targetId` (or by `actorId`), newest first, as `by` (an admin) reads them. */
async function auditLog(by: TestUser, filter: { targetId?: string; actorId?: string }): Promise<AuditEntry[]> {
  const q = new URLSearchParams({ limit: "100", ...filter });
  const res = await api.get<Page<AuditEntry>>(`/api/admin/audit-log?${q}`, { token: by.token });
  expect(res.status).toBe(200);
  return res.body.data;
}

async function stats(by: TestUser): Promise<AdminStats> {
  const res = await api.get<AdminStats>("/api/admin/stats", { token: by.token });
  expect(res.status).toBe(200);
  return res.body;
}

/** The `detail` of a problem answer, whatever the operation's success type. */
const detailOf = (res: ApiResponse<unknown>) => (res.body as { detail: string }).detail;

function expectProblem(res: ApiResponse<unknown>, status: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
}

let unknownPathBody: Record<string, unknown>;
beforeAll(async () => {
  const res = await api.get("/api/admin/no-such-thing");
  expect(res.status).toBe(404);
  expect(detailOf(res)).toBe(UNKNOWN_PATH);
  unknownPathBody = res.body;
});

/** `res` is exactly what an unknown API path answers (but for its request id). */
function expectUnknownPath(res: ApiResponse, who: string) {
  expect(res.status, `${who}: ${JSON.stringify(res.body)}`).toBe(404);
  expect(res.headers.get("content-type"), who).toBe("application/problem+json");
  expect({ ...res.body, requestId: null }, who).toEqual({ ...unknownPathBody, requestId: null });
  expect(res.headers.get("www-authenticate"), who).toBeNull();
}

// ---------------------------------------------------------------------------------------------------------------------
// The database, read directly

type UserRow = {
  role: string;
  suspended_at: Date | null;
  suspension_reason: string | null;
  must_change_password: boolean;
  deleted_at: Date | null;
  username: string;
};

async function userRow(userId: string): Promise<UserRow> {
  const [row] = await getPrisma().$queryRaw<UserRow[]>`
    SELECT role, suspended_at, suspension_reason, must_change_password, deleted_at, username FROM users WHERE id = ${userId}`;
  return row!;
}

/** Ids of the active admins (neither suspended nor deleted), in id order. */
async function activeAdmins(): Promise<string[]> {
  const rows = await getPrisma().$queryRaw<{ id: string }[]>`
    SELECT id FROM users WHERE role = 'admin' AND suspended_at IS NULL AND deleted_at IS NULL ORDER BY id`;
  return rows.map((r) => r.id);
}

/** Makes `users` the instance's only admins (active ones: unsuspended here), demoting every other admin in the database. */
async function onlyAdmins(...users: TestUser[]): Promise<void> {
  const ids = users.map((u) => u.id);
  await getPrisma().$executeRaw`UPDATE users SET role = 'member' WHERE role = 'admin' AND NOT (id = ANY(${ids}::text[]))`;
  await getPrisma().$executeRaw`
    UPDATE users SET role = 'admin', suspended_at = NULL, suspension_reason = NULL WHERE id = ANY(${ids}::text[])`;
  expect(await activeAdmins()).toEqual([...ids].sort());
}

async function credentialCounts(userId: string) {
  const [row] = await getPrisma().$queryRaw<{ sessions: number; tokens: number }[]>`
    SELECT (SELECT count(*)::int FROM sessions WHERE user_id = ${userId}) AS sessions,
           (SELECT count(*)::int FROM api_tokens WHERE user_id = ${userId}) AS tokens`;
  return row!;
}

const auditCount = async () => (await getPrisma().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM audit_log`)[0]!.n;

/** A report of `message` by `by` (a participant), answering its id. */
async function report(by: TestUser, message: { id: string }): Promise<string> {
  const res = await api.post(`/api/messages/${message.id}/reports`, { token: by.token, body: { reason: "spam" } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

// =====================================================================================================================

/** The admin operations, as the document has them: security like a required operation's, but never a 401. */
const adminOperations = documentedOperations().filter(
  ({ operation }) =>
    (operation.security ?? []).length > 0 && !(operation.security ?? []).some((s) => Object.keys(s).length === 0) && !("401" in operation.responses),
);

describe("who reaches the admin operations", () => {
  let root: TestUser;
  let rootCookie: string;
  let member: TestUser;
  let other: TestUser;
  let threadId: string;
  /** Credentials that must get every admin operation's unknown-path 404, each with what it is. */
  const denied: { who: string; opts: CallOptions }[] = [];

  beforeAll(async () => {
    [root, member, other] = await Promise.all([quickAdmin("root"), quickUser("member"), quickUser("other")]);
    rootCookie = await sessionCookie(root.id);
    threadId = await createThread(member, other);
    await send(other, threadId, "hello member");

    // A token of the admin's, revoked.
    const revoked = await api.post("/api/tokens", { token: root.token, body: { name: "soon revoked" } });
    expect((await api.delete(`/api/tokens/${revoked.body.id}`, { token: root.token })).status).toBe(204);
    // An admin suspended by another: their token and session ended with it.
    const suspended = await quickAdmin("suspended");
    const suspendedCookie = await sessionCookie(suspended.id);
    expect((await suspend(root, suspended)).status).toBe(200);
    // A former admin: the role revoked, their credentials still those of a member.
    const former = await quickAdmin("former");
    const formerCookie = await sessionCookie(former.id);
    expect((await setRole(root, former, "member")).status).toBe(200);
    // An admin whose account was deleted.
    const deleted = await quickAdmin("erased");
    expect((await deleteAsAdmin(root, deleted)).status).toBe(204);
    // Admins suspended or deleted straight in the database, their credentials left alive: only the role check is left.
    const frozen = await quickAdmin("frozen");
    const frozenCookie = await sessionCookie(frozen.id);
    await getPrisma().$executeRaw`UPDATE users SET suspended_at = now(), suspension_reason = 'frozen' WHERE id = ${frozen.id}`;
    const vanished = await quickAdmin("vanished");
    await getPrisma().$executeRaw`UPDATE users SET deleted_at = now() WHERE id = ${vanished.id}`;

    denied.push(
      { who: "anonymous", opts: {} },
      { who: "a malformed bearer", opts: { authorization: "Bearer" } },
      { who: "a bearer that is no token", opts: { authorization: "Bearer prly_not-a-real-token" } },
      { who: "another scheme with the admin's token", opts: { authorization: `Basic ${Buffer.from(`${root.token}:`).toString("base64")}` } },
      { who: "the admin's revoked token", opts: { token: revoked.body.token } },
      { who: "a member's token", opts: { token: member.token } },
      { who: "a member's session", opts: { cookie: await sessionCookie(member.id) } },
      { who: "a suspended admin's old token", opts: { token: suspended.token } },
      { who: "a suspended admin's old session", opts: { cookie: suspendedCookie } },
      { who: "a former admin's token", opts: { token: former.token } },
      { who: "a former admin's session", opts: { cookie: formerCookie } },
      { who: "a deleted admin's old token", opts: { token: deleted.token } },
      { who: "an admin suspended in the database, token left", opts: { token: frozen.token } },
      { who: "an admin suspended in the database, session left", opts: { cookie: frozenCookie } },
      { who: "an admin deleted in the database, token left", opts: { token: vanished.token } },
      { who: "the admin's session cookie sealed with another secret", opts: { cookie: await sessionCookie(root.id, "not-the-server-secret-0123456789abcdef0123456789") } },
      { who: "a session cookie of the admin naming no session", opts: { cookie: await mintSessionCookie({ sub: root.id, sid: uuidv7() }) } },
    );
  });

  /** A request each admin operation answers with success for an admin; new targets on every call, for the writes. */
  const recipes: Record<string, () => Promise<{ method: Method; path: string; body?: unknown; status: number }>> = {
    getAdminStats: async () => ({ method: "GET", path: "/api/admin/stats", status: 200 }),
    listAdminUsers: async () => ({ method: "GET", path: "/api/admin/users?status=admin", status: 200 }),
    getAdminUser: async () => ({ method: "GET", path: `/api/admin/users/${member.id}`, status: 200 }),
    updateAdminUser: async () => ({
      method: "PATCH",
      path: `/api/admin/users/${(await quickUser("target")).id}`,
      body: { suspended: true, reason: "matrix" },
      status: 200,
    }),
    deleteAdminUser: async () => ({ method: "DELETE", path: `/api/admin/users/${(await quickUser("target")).id}`, body: { reason: "matrix" }, status: 204 }),
    resetUserPassword: async () => ({
      method: "POST",
      path: `/api/admin/users/${(await quickUser("target")).id}/password-reset`,
      body: { reason: "matrix" },
      status: 200,
    }),
    listAdminThreads: async () => ({ method: "GET", path: "/api/admin/threads", status: 200 }),
    getAdminThread: async () => ({ method: "GET", path: `/api/admin/threads/${threadId}`, status: 200 }),
    listAdminThreadMessages: async () => ({ method: "GET", path: `/api/admin/threads/${threadId}/messages?reason=matrix`, status: 200 }),
    removeMessage: async () => ({
      method: "DELETE",
      path: `/api/admin/messages/${(await send(other, threadId, "remove me")).id}`,
      body: { reason: "matrix" },
      status: 204,
    }),
    listReports: async () => ({ method: "GET", path: "/api/admin/reports", status: 200 }),
    getReport: async () => ({ method: "GET", path: `/api/admin/reports/${await report(member, await send(other, threadId, "look"))}`, status: 200 }),
    resolveReport: async () => ({
      method: "POST",
      path: `/api/admin/reports/${await report(member, await send(other, threadId, "resolve"))}/resolution`,
      body: { action: "dismiss", reason: "matrix" },
      status: 200,
    }),
    listAuditLog: async () => ({ method: "GET", path: "/api/admin/audit-log", status: 200 }),
  };

  it("has a case for every admin operation of the document (tag Admin, never 401)", () => {
    expect(adminOperations.length).toBeGreaterThanOrEqual(14);
    expect(adminOperations.map((o) => o.operation.operationId).sort()).toEqual(Object.keys(recipes).sort());
    for (const { operation } of adminOperations) expect((operation as { tags?: string[] }).tags).toEqual(["Admin"]);
  });

  it.each(adminOperations.map((o) => [o.operation.operationId, o.method] as const))(
    "%s: only an active admin's token or session gets an answer; everyone else gets the unknown path's 404, changing nothing",
    async (operationId) => {
      const recipe = await recipes[operationId]!();
      const body = recipe.body === undefined ? {} : { body: recipe.body };
      const before = await dataSnapshot();
      for (const { who, opts } of denied) expectUnknownPath(await call(recipe.method, recipe.path, { ...opts, ...body }), who);
      expect(await dataSnapshot(), "a refused request changed something").toBe(before);

      const byToken = await call(recipe.method, recipe.path, { token: root.token, ...body });
      expect(byToken.status, JSON.stringify(byToken.body)).toBe(recipe.status);
      const again = await recipes[operationId]!();
      // As the admin area's own pages send it (a browser's same-origin request carries `Sec-Fetch-Site`).
      const bySession = await call(again.method, again.path, {
        cookie: rootCookie,
        headers: { "sec-fetch-site": "same-origin" },
        ...(again.body === undefined ? {} : { body: again.body }),
      });
      expect(bySession.status, JSON.stringify(bySession.body)).toBe(again.status);
    },
  );

  it("answers a member's cross-site cookie write 404 (not 403: nothing tells them it exists), an admin's 403, changing nothing", async () => {
    const memberCookie = await sessionCookie(member.id);
    const crossSite = { "sec-fetch-site": "cross-site", origin: "https://evil.example" };
    for (const { operation, method } of adminOperations.filter((o) => o.method !== "GET")) {
      const recipe = await recipes[operation.operationId]!();
      const body = recipe.body === undefined ? {} : { body: recipe.body };
      const before = await dataSnapshot();
      expectUnknownPath(await call(recipe.method, recipe.path, { cookie: memberCookie, headers: crossSite, ...body }), `${method} member`);
      const admin = await call(recipe.method, recipe.path, { cookie: rootCookie, headers: crossSite, ...body });
      expectProblem(admin, 403);
      expect(await dataSnapshot()).toBe(before);
    }
  });
});

// =====================================================================================================================

describe("the instance role", () => {
  it("grants and revokes admin: the person's existing token follows at once, each change audited once", async () => {
    const [root, alice] = await Promise.all([quickAdmin("root"), quickUser("alice")]);
    expectUnknownPath(await api.get("/api/admin/stats", { token: alice.token }), "alice before");

    const granted = await setRole(root, alice, "admin");
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({ id: alice.id, role: "admin", suspendedAt: null, deletedAt: null });
    expect((await api.get("/api/admin/stats", { token: alice.token })).status).toBe(200);
    // Granting what they have changes nothing and logs nothing.
    expect((await setRole(root, alice, "admin")).status).toBe(200);
    const afterGrant = await auditLog(root, { targetId: alice.id });
    expect(afterGrant).toHaveLength(1);
    expect(afterGrant[0]).toMatchObject({
      action: "user.role_granted",
      actor: { id: root.id, username: root.username },
      targetType: "user",
      targetId: alice.id,
      target: alice.username,
      reason: null,
    });

    const listed = await api.get<Page<AdminUserDetail>>(`/api/admin/users?status=admin&q=${alice.username}`, { token: root.token });
    expect(listed.body.data.map((u) => u.id)).toEqual([alice.id]);

    const revoked = await patchUser(root, alice.id, { role: "member", reason: "No longer on the team" });
    expect(revoked.status).toBe(200);
    expect(revoked.body.role).toBe("member");
    expectUnknownPath(await api.get("/api/admin/stats", { token: alice.token }), "alice after");
    expect(await meStatus({ token: alice.token })).toBe(200); // still a member, signed in
    const entries = await auditLog(root, { targetId: alice.id });
    expect(entries.map((e) => e.action)).toEqual(["user.role_revoked", "user.role_granted"]);
    expect(entries[0]).toMatchObject({ reason: "No longer on the team", actor: { id: root.id } });
  });

  it("shows one person's activity: conversations, messages sent, reports of their messages, sign-ins and tokens", async () => {
    const [root, alice, bob] = await Promise.all([quickAdmin("root"), quickUser("alice"), quickUser("bob")]);
    const direct = await createThread(alice, bob);
    const group = await createGroup(alice, "Activity", bob);
    const m = await send(alice, direct, "one");
    await send(alice, group, "two");
    await send(bob, group, "not hers");
    await report(bob, m);
    const second = await api.post("/api/tokens", { token: alice.token, body: { name: "laptop" } });
    await sessionCookie(alice.id);
    const detail = await adminUser(root, alice.id);
    expect(detail).toMatchObject({
      id: alice.id,
      username: alice.username,
      role: "member",
      suspendedAt: null,
      deletedAt: null,
      conversations: 2,
      messagesSent: 2, // her group's "created" entry is no message of hers
      reports: { open: 1, total: 1 },
      lastSignInAt: expect.any(String),
    });
    expect(detail.sessions).toHaveLength(1);
    expect(detail.tokens.map((t) => t.name)).toEqual(["laptop", "quick"]);
    expect(detail.tokens[0]!.id).toBe(second.body.id);
    expect(JSON.stringify(detail)).not.toContain(second.body.token);
    expect(JSON.stringify(detail)).not.toMatch(/password/i);
  });

  it("refuses an empty change or a suspension without a reason (400), and an unknown or deleted person (404), changing nothing", async () => {
    const [root, bob] = await Promise.all([quickAdmin("root"), quickUser("bob")]);
    const gone = await quickUser("gone");
    expect((await deleteAsAdmin(root, gone)).status).toBe(204);
    const before = await dataSnapshot();
    expectProblem(await patchUser(root, bob.id, {}), 400);
    expectProblem(await patchUser(root, bob.id, { reason: "only a reason" }), 400);
    expectProblem(await patchUser(root, bob.id, { suspended: true }), 400);
    expectProblem(await patchUser(root, bob.id, { suspended: true, reason: "   " }), 400);
    expectProblem(await patchUser(root, bob.id, { suspended: true, reason: "x".repeat(501) }), 400);
    expectProblem(await patchUser(root, bob.id, { role: "owner" }), 400);
    expectProblem(await patchUser(root, bob.id, { role: "admin", extra: true }), 400);
    expectProblem(await patchUser(root, MISSING_ID, { role: "admin" }), 404);
    expectProblem(await patchUser(root, MISSING_ID, { suspended: false }), 404);
    expectProblem(await patchUser(root, gone.id, { role: "admin" }), 404);
    expectProblem(await patchUser(root, gone.id, { suspended: true, reason: "late" }), 404);
    expectProblem(await patchUser(root, gone.id, { suspended: false }), 404);
    expectProblem(await api.get(`/api/admin/users/${MISSING_ID}`, { token: root.token }), 404);
    expect(await dataSnapshot()).toBe(before);
  });
});

describe("the last active admin", () => {
  it("cannot revoke, suspend or delete themselves when no other active admin is left: 409, nothing changes", async () => {
    const [root, suspendedAdmin, member] = await Promise.all([quickAdmin("root"), quickAdmin("benched"), quickUser("member")]);
    const thread = await createThread(member, root);
    const rootsMessage = await send(root, thread, "a message of the last admin");
    const reportId = await report(member, rootsMessage);
    await onlyAdmins(root, suspendedAdmin);
    // A suspended admin is not an active one: they do not count.
    expect((await suspend(root, suspendedAdmin)).status).toBe(200);
    expect(await activeAdmins()).toEqual([root.id]);

    const before = await dataSnapshot();
    const revoke = await setRole(root, root, "member");
    expectProblem(revoke, 409);
    expect(detailOf(revoke)).toMatch(/last admin/i);
    expectProblem(await suspend(root, root), 409);
    expectProblem(await patchUser(root, root.id, { role: "member", suspended: true, reason: "both" }), 409);
    expectProblem(await deleteAsAdmin(root, root), 409);
    // Suspending the sender of a reported message, when that is the last admin (and the caller).
    expectProblem(
      await api.post(`/api/admin/reports/${reportId}/resolution`, { token: root.token, body: { action: "suspend_sender", reason: "self" } }),
      409,
    );
    expect(await dataSnapshot()).toBe(before);
    expect(await activeAdmins()).toEqual([root.id]);
    expect((await api.get("/api/admin/stats", { token: root.token })).status).toBe(200);
  });

  it("cannot delete their own account from their settings either (DELETE /api/users/me → 409), nothing changes", async () => {
    const root = await quickAdmin("root");
    await onlyAdmins(root);
    const before = await dataSnapshot();
    const res = await api.delete("/api/users/me", { token: root.token, body: { password: root.password } });
    expectProblem(res, 409);
    expect(detailOf(res)).toMatch(/last admin/i);
    expect(await dataSnapshot()).toBe(before);
    expect(await meStatus({ token: root.token })).toBe(200);
    expect((await userRow(root.id)).deleted_at).toBeNull();
  });

  it("lets an admin step down or delete their account while another active admin is left", async () => {
    const [a, b] = await Promise.all([quickAdmin("a"), quickAdmin("b")]);
    await onlyAdmins(a, b);
    expect((await setRole(a, a, "admin")).status).toBe(200);
    const down = await setRole(b, b, "member");
    expect(down.status).toBe(200);
    expect(await activeAdmins()).toEqual([a.id]);
    await onlyAdmins(a, b);
    expect((await api.delete("/api/users/me", { token: b.token, body: { password: b.password } })).status).toBe(204);
    expect(await activeAdmins()).toEqual([a.id]);
    expect((await userRow(b.id)).role).toBe("member"); // a tombstone is nobody's admin
  });

  /**
   * Two admins, the only ones, A doing `actA` to B and B doing `actB` (by default the same) to A at once, `rounds` times
   * with new admins each round.
   */
  async function eachOther(
    actA: (by: TestUser, other: TestUser) => Promise<{ status: number; body?: unknown }>,
    rounds: number,
    actB = actA,
  ) {
    for (let round = 0; round < rounds; round++) {
      const [a, b] = await Promise.all([quickUser(`a${round}`), quickUser(`b${round}`)]);
      await onlyAdmins(a, b);
      const answers = await Promise.all([actA(a, b), actB(b, a)]);
      const statuses = answers.map((r) => r.status);
      // The winner succeeds; the loser either was refused as the last admin's remover (409), or came in after the
      // winner's commit and was no admin any more (404, as to anyone).
      expect(statuses.filter((s) => s >= 200 && s < 300), `round ${round}: ${JSON.stringify(answers.map((r) => r.body))}`).toHaveLength(1);
      expect(statuses.every((s) => (s >= 200 && s < 300) || s === 409 || s === 404), JSON.stringify(statuses)).toBe(true);
      const left = await activeAdmins();
      expect(left, `round ${round}`).toHaveLength(1);
      expect([a.id, b.id]).toContain(left[0]);
      // The one left is the one who succeeded.
      expect(left[0]).toBe(statuses[0]! < 300 ? a.id : b.id);
    }
  }

  it("two admins revoking each other at once: exactly one succeeds, one admin is left (several rounds)", async () => {
    await eachOther((by, other) => setRole(by, other, "member"), 6);
  });

  it("two admins suspending each other at once: exactly one succeeds, one admin is left (several rounds)", async () => {
    await eachOther((by, other) => suspend(by, other, "race"), 6);
  });

  it("two admins deleting each other at once: exactly one succeeds, one admin is left (several rounds)", async () => {
    await eachOther((by, other) => deleteAsAdmin(by, other, "race"), 5);
  });

  it("one admin deleting the other while that one revokes them: exactly one succeeds (several rounds)", async () => {
    await eachOther((by, other) => deleteAsAdmin(by, other, "race"), 5, (by, other) => setRole(by, other, "member"));
  });

  it("an admin deleting their own account while revoking the other: exactly one succeeds (several rounds)", async () => {
    // The domain's deleteAccount (what DELETE /api/users/me runs), so that this race is about the rule alone: the
    // route's 409 is held to the document by the test above.
    const quit = (a: TestUser) =>
      deleteAccount(a.id, "test", a.password).then(
        () => ({ status: 204 }),
        (e: unknown) => {
          if (e instanceof AppError && e.type === "conflict") return { status: 409 };
          throw e;
        },
      );
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([quickUser(`a${round}`), quickUser(`b${round}`)]);
      await onlyAdmins(a, b);
      const [left, revoke] = await Promise.all([quit(a), setRole(a, b, "member")]);
      expect([204, 409]).toContain(left.status);
      expect([200, 404, 409]).toContain(revoke.status);
      expect([left.status === 204, revoke.status === 200].filter(Boolean), `round ${round}: ${left.status} ${revoke.status}`).toHaveLength(1);
      expect(await activeAdmins()).toEqual([left.status === 204 ? b.id : a.id]);
    }
  });
});

// =====================================================================================================================

describe("suspension", () => {
  it("ends every session and token at once; the right password is then told why (403), a wrong one is not (401)", async () => {
    const [root, bob] = await Promise.all([quickAdmin("root"), quickUser("bob")]);
    const second = await api.post("/api/tokens", { token: bob.token, body: { name: "second" } });
    const cookie = await sessionCookie(bob.id);
    expect(await meStatus({ cookie })).toBe(200);

    const reason = "Posting spam links in every group";
    const res = await suspend(root, bob, reason);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: bob.id, role: "member", suspendedAt: expect.any(String), suspensionReason: reason, sessions: [], tokens: [] });

    expect(await meStatus({ token: bob.token })).toBe(401);
    expect(await meStatus({ token: second.body.token })).toBe(401);
    expect(await meStatus({ cookie })).toBe(401);
    expect(await credentialCounts(bob.id)).toEqual({ sessions: 0, tokens: 0 });

    const right = await signIn(bob.username, bob.password);
    expectProblem(right, 403);
    expect(detailOf(right)).toContain(reason);
    const wrong = await signIn(bob.username, "not the password at all");
    expectProblem(wrong, 401);
    expect(detailOf(wrong)).not.toContain(reason);
    expect(detailOf(wrong)).not.toMatch(/suspend/i);
    // Nor does the sign-in form's session start.
    await expect(createSession(bob.id)).rejects.toMatchObject({ type: "unauthorized" });
    expect(await credentialCounts(bob.id)).toEqual({ sessions: 0, tokens: 0 });

    const listed = await api.get<Page<AdminUserDetail>>(`/api/admin/users?status=suspended&q=${bob.username}`, { token: root.token });
    expect(listed.body.data.map((u) => u.id)).toEqual([bob.id]);
    const active = await api.get<Page<AdminUserDetail>>(`/api/admin/users?status=active&q=${bob.username}`, { token: root.token });
    expect(active.body.data).toEqual([]);

    const entries = await auditLog(root, { targetId: bob.id });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: "user.suspended",
      actor: { id: root.id },
      targetType: "user",
      targetId: bob.id,
      target: bob.username,
      reason,
    });
    // Suspending again changes nothing and logs nothing.
    const again = await suspend(root, bob, "another reason");
    expect(again.status).toBe(200);
    expect(again.body.suspensionReason).toBe(reason);
    expect(await auditLog(root, { targetId: bob.id })).toHaveLength(1);
  });

  it("unsuspending lets them get a token again, their old credentials staying ended; audited", async () => {
    const [root, bob] = await Promise.all([quickAdmin("root"), quickUser("bob")]);
    expect((await suspend(root, bob)).status).toBe(200);
    const res = await patchUser(root, bob.id, { suspended: false, reason: "Appeal accepted" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ suspendedAt: null, suspensionReason: null });
    expect(await meStatus({ token: bob.token })).toBe(401);
    const token = await signIn(bob.username, bob.password);
    expect(token.status).toBe(201);
    expect(await meStatus({ token: token.body.token })).toBe(200);
    await expect(createSession(bob.id)).resolves.toMatchObject({ id: expect.any(String) });
    const entries = await auditLog(root, { targetId: bob.id });
    expect(entries.map((e) => [e.action, e.reason, e.actor?.id])).toEqual([
      ["user.unsuspended", "Appeal accepted", root.id],
      ["user.suspended", "Posting spam links", root.id],
    ]);
    // Unsuspending someone who is not suspended changes nothing.
    expect((await unsuspend(root, bob)).status).toBe(200);
    expect(await auditLog(root, { targetId: bob.id })).toHaveLength(2);
  });

  it("refuses an admin suspending themselves (409), even with other admins, changing nothing", async () => {
    const [root] = await Promise.all([quickAdmin("root"), quickAdmin("other")]);
    const before = await dataSnapshot();
    const res = await suspend(root, root);
    expectProblem(res, 409);
    expect(await dataSnapshot()).toBe(before);
    expect(await meStatus({ token: root.token })).toBe(200);
  });

  it("ends the suspended person's open event stream (`unauthorized`), and nothing sent after reaches it", async () => {
    const [root, alice, bob] = await Promise.all([quickAdmin("root"), quickUser("alice"), quickUser("bob")]);
    const thread = await createThread(alice, bob);
    const [bs, as] = await Promise.all([openStream(getHub(), bob), openStream(getHub(), alice)]);
    expect((await suspend(root, bob)).status).toBe(200);
    await bs.waitFor((events) => events.find((e) => e.event === "unauthorized"), "unauthorized");
    const after = await send(alice, thread, "sent after the suspension");
    await as.waitFor((events) => events.find((e) => e.event === "message.created" && (e.data as { message: { id: string } }).message.id === after.id));
    expect(bs.events.some((e) => e.event === "message.created" && (e.data as { message: { id: string } }).message.id === after.id)).toBe(false);
    for (const s of [as, bs]) s.close();
  });

  it("suspending an admin takes their admin area away with their credentials", async () => {
    const [root, other] = await Promise.all([quickAdmin("root"), quickAdmin("other")]);
    expect((await suspend(root, other)).status).toBe(200);
    expect((await userRow(other.id)).role).toBe("admin");
    expect(await activeAdmins()).not.toContain(other.id);
    expect((await patchUser(root, other.id, { suspended: false })).status).toBe(200);
    const token = await signIn(other.username, other.password);
    expect((await api.get("/api/admin/stats", { token: token.body.token })).status).toBe(200);
  });
});

// =====================================================================================================================

describe("temporary passwords", () => {
  it("sets one that signs in, ends the old password and every credential, and must be changed", async () => {
    const [root, bob] = await Promise.all([quickAdmin("root"), quickUser("bob")]);
    const cookie = await sessionCookie(bob.id);
    const res = await api.post(`/api/admin/users/${bob.id}/password-reset`, { token: root.token, body: { reason: "Locked out" } });
    expect(res.status).toBe(200);
    const temporary = res.body.temporaryPassword as string;
    expect(temporary).toMatch(/^[0-9abcdefghjkmnpqrstvwxyz]{16}$/);

    expect(await meStatus({ token: bob.token })).toBe(401);
    expect(await meStatus({ cookie })).toBe(401);
    expect(await credentialCounts(bob.id)).toEqual({ sessions: 0, tokens: 0 });
    expect((await userRow(bob.id)).must_change_password).toBe(true);
    expectProblem(await signIn(bob.username, bob.password), 401);

    // The temporary password gets no token (nothing made with it may outlive it): a browser session replaces it.
    const refused = await signIn(bob.username, temporary);
    expectProblem(refused, 403);
    expect(refused.body.detail).toContain("temporary password");
    expect(await credentialCounts(bob.id)).toEqual({ sessions: 0, tokens: 0 });
    const browser = await sessionCookie(bob.id);
    const changed = await api.post("/api/users/me/password", {
      cookie: browser,
      body: { currentPassword: temporary, newPassword: "a brand new horse battery" },
    });
    expect(changed.status).toBe(204);
    expect((await userRow(bob.id)).must_change_password).toBe(false);
    expectProblem(await signIn(bob.username, temporary), 401);
    expect((await signIn(bob.username, "a brand new horse battery")).status).toBe(201);

    const entries = await auditLog(root, { targetId: bob.id });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: "user.password_reset", actor: { id: root.id }, reason: "Locked out", target: bob.username });
    expect(JSON.stringify(entries[0])).not.toContain(temporary);
  });

  it("leaves no credential made with the old password alive: a sign-in whose password was checked before the reset", async () => {
    // POST /api/tokens with a password is two steps (app/api/tokens/route.ts): the password is checked, then the token
    // is written. Here the reset lands between the two, as it can when both requests run at once.
    const [root, bob] = await Promise.all([quickAdmin("root"), quickUser("bob")]);
    const checked = await verifyCredentialsLimited("test", bob.username, bob.password);
    expect(checked?.id).toBe(bob.id);
    const reset = await api.post(`/api/admin/users/${bob.id}/password-reset`, { token: root.token, body: { reason: "compromised" } });
    expect(reset.status).toBe(200);
    // As the route does: the token is issued for the hash that the password matched.
    const late = await createToken(bob.id, "signed in with the old password", null, checked!.passwordHash).then(
      (t) => t.token,
      () => null,
    );
    if (late !== null) expect(await meStatus({ token: late }), "a token from the old password outlived the reset").toBe(401);
    // The same two steps with no reset between them issue a token that works.
    const fresh = await quickUser("carol");
    const ok = await verifyCredentialsLimited("test", fresh.username, fresh.password);
    const token = await createToken(fresh.id, "no reset", null, ok!.passwordHash);
    expect(await meStatus({ token: token.token })).toBe(200);
  });

  it("needs no reason; gives a new password every time; 404 for an unknown or deleted account", async () => {
    const [root, bob, gone] = await Promise.all([quickAdmin("root"), quickUser("bob"), quickUser("gone")]);
    const first = await api.post(`/api/admin/users/${bob.id}/password-reset`, { token: root.token, body: {} });
    const second = await api.post(`/api/admin/users/${bob.id}/password-reset`, { token: root.token });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.body.temporaryPassword).not.toBe(second.body.temporaryPassword);
    expectProblem(await signIn(bob.username, first.body.temporaryPassword), 401);
    expectProblem(await signIn(bob.username, second.body.temporaryPassword), 403); // right, but temporary
    expect((await auditLog(root, { targetId: bob.id })).map((e) => e.reason)).toEqual([null, null]);

    expect((await deleteAsAdmin(root, gone)).status).toBe(204);
    const before = await dataSnapshot();
    expectProblem(await api.post(`/api/admin/users/${MISSING_ID}/password-reset`, { token: root.token, body: {} }), 404);
    expectProblem(await api.post(`/api/admin/users/${gone.id}/password-reset`, { token: root.token, body: {} }), 404);
    expectProblem(await api.post(`/api/admin/users/${bob.id}/password-reset`, { token: root.token, body: { reason: "" } }), 400);
    expect(await dataSnapshot()).toBe(before);
  });
});

// =====================================================================================================================

describe("deleting an account as an admin", () => {
  it("deletes it as its owner could, keeping its messages under a tombstone; audited with the reason; twice is 404", async () => {
    const [root, alice, bob] = await Promise.all([quickAdmin("root"), quickUser("alice"), quickUser("bob")]);
    const threadId = await createThread(alice, bob);
    const sent = await send(bob, threadId, "still here afterwards");
    const res = await deleteAsAdmin(root, bob, "Impersonation");
    expect(res.status).toBe(204);
    expect(await meStatus({ token: bob.token })).toBe(401);
    expectProblem(await signIn(bob.username, bob.password), 401);

    const detail = await adminUser(root, bob.id);
    expect(detail).toMatchObject({ deletedAt: expect.any(String), name: "Deleted user", role: "member", sessions: [], tokens: [] });
    expect(detail.username).toMatch(/^deleted_/);
    const message = await api.get(`/api/messages/${sent.id}`, { token: alice.token });
    expect(message.body).toMatchObject({ text: "still here afterwards", sender: { id: bob.id, name: "Deleted user" } });

    const entries = await auditLog(root, { targetId: bob.id });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: "user.deleted", actor: { id: root.id }, reason: "Impersonation", targetId: bob.id });

    const before = await dataSnapshot();
    expectProblem(await deleteAsAdmin(root, bob), 404);
    expectProblem(await api.delete(`/api/admin/users/${MISSING_ID}`, { token: root.token, body: { reason: "x" } }), 404);
    expect(await dataSnapshot()).toBe(before);
  });

  it("refuses one's own account (409) and a missing or blank reason (400), changing nothing", async () => {
    const [root, bob] = await Promise.all([quickAdmin("root"), quickUser("bob"), quickAdmin("other")]);
    const before = await dataSnapshot();
    const self = await deleteAsAdmin(root, root);
    expectProblem(self, 409);
    expectProblem(await api.delete(`/api/admin/users/${bob.id}`, { token: root.token }), 400);
    expectProblem(await api.delete(`/api/admin/users/${bob.id}`, { token: root.token, body: { reason: " " } }), 400);
    expect(await dataSnapshot()).toBe(before);
  });

  it("deletes another admin, who is then no admin", async () => {
    const [root, other] = await Promise.all([quickAdmin("root"), quickAdmin("other")]);
    expect((await deleteAsAdmin(root, other)).status).toBe(204);
    expect(await userRow(other.id)).toMatchObject({ role: "member", deleted_at: expect.any(Date) });
    expect(await activeAdmins()).not.toContain(other.id);
  });
});

// =====================================================================================================================

describe("the overview's figures", () => {
  /** The figures, counted straight from the tables. */
  async function counted() {
    const [row] = await getPrisma().$queryRaw<Omit<AdminStats, "messagesPerDay">[]>`
      SELECT (SELECT count(*)::int FROM users WHERE deleted_at IS NULL) AS people,
             (SELECT count(*)::int FROM users WHERE deleted_at IS NULL AND suspended_at IS NOT NULL) AS suspended,
             (SELECT count(*)::int FROM threads) AS conversations,
             (SELECT count(*)::int FROM threads WHERE title IS NOT NULL) AS groups,
             (SELECT count(*)::int FROM messages WHERE kind <> 'system') AS messages,
             (SELECT count(*)::int FROM reports WHERE resolution IS NULL) AS "openReports"`;
    return row!;
  }

  it("counts people, suspensions, conversations, groups, people's messages and open reports", async () => {
    const root = await quickAdmin("root");
    const before = await stats(root);
    expect(before).toMatchObject(await counted());

    const [alice, bob, carol] = await Promise.all([quickUser("alice"), quickUser("bob"), quickUser("carol")]);
    const group = await createGroup(alice, "Figures", bob, carol);
    const direct = await createThread(alice, bob);
    const m = await send(bob, group, "one");
    await send(alice, direct, "two");
    await send(carol, group, "three");
    await report(alice, m);
    expect((await suspend(root, carol)).status).toBe(200);
    // Seen two hours ago (active in both windows), three days ago (the week's only), a month ago (neither).
    await getPrisma().$executeRaw`UPDATE users SET last_seen_at = now() - interval '2 hours', online = false WHERE id = ${alice.id}`;
    await getPrisma().$executeRaw`UPDATE users SET last_seen_at = now() - interval '3 days', online = false WHERE id = ${bob.id}`;
    await getPrisma().$executeRaw`UPDATE users SET last_seen_at = now() - interval '30 days', online = false WHERE id = ${carol.id}`;

    const after = await stats(root);
    expect(after).toMatchObject(await counted());
    expect({
      people: after.people - before.people,
      suspended: after.suspended - before.suspended,
      conversations: after.conversations - before.conversations,
      groups: after.groups - before.groups,
      messages: after.messages - before.messages,
      openReports: after.openReports - before.openReports,
      active24h: after.active24h - before.active24h,
      active7d: after.active7d - before.active7d,
    }).toEqual({ people: 3, suspended: 1, conversations: 2, groups: 1, messages: 3, openReports: 1, active24h: 1, active7d: 2 });

    // A removed message is still a message; a deleted account is no longer a person.
    expect((await api.delete(`/api/admin/messages/${m.id}`, { token: root.token, body: { reason: "figures" } })).status).toBe(204);
    expect((await deleteAsAdmin(root, bob)).status).toBe(204);
    const last = await stats(root);
    expect(last).toMatchObject({ messages: after.messages, people: after.people - 1, openReports: after.openReports - 1 });
  });

  it("has the last 30 days of messages, oldest first, ending today (UTC), today's counting the messages just sent", async () => {
    const [root, alice, bob] = await Promise.all([quickAdmin("root"), quickUser("alice"), quickUser("bob")]);
    const threadId = await createThread(alice, bob);
    const before = await stats(root);
    for (let i = 0; i < 3; i++) await send(alice, threadId, `today ${i}`);
    const group = await createGroup(alice, "Not counted: its system entry", bob);
    await send(bob, group, "counted");
    const after = await stats(root);
    const { today } = (await getPrisma().$queryRaw<{ today: string }[]>`SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS today`)[0]!;

    for (const s of [before, after]) {
      expect(s.messagesPerDay).toHaveLength(30);
      const days = s.messagesPerDay.map((d) => Date.parse(`${d.date}T00:00:00Z`));
      expect(days.every((d, i) => i === 0 || d - days[i - 1]! === 86_400_000)).toBe(true);
      expect(s.messagesPerDay.every((d) => d.count >= 0)).toBe(true);
    }
    expect(after.messagesPerDay.at(-1)!.date).toBe(today);
    expect(after.messagesPerDay.at(-1)!.count - before.messagesPerDay.at(-1)!.count).toBe(4);
    const { n } = (await getPrisma().$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM messages WHERE kind <> 'system' AND (created_at AT TIME ZONE 'UTC')::date = (now() AT TIME ZONE 'UTC')::date`)[0]!;
    expect(after.messagesPerDay.at(-1)!.count).toBe(n);

    // A message from 10 days ago (moved back in the database) counts on its day, and not on today's.
    const old = await send(alice, threadId, "ten days old");
    await getPrisma().$executeRaw`UPDATE messages SET created_at = created_at - interval '10 days' WHERE id = ${old.id}`;
    const moved = await stats(root);
    expect(moved.messagesPerDay.at(-11)!.count).toBe(after.messagesPerDay.at(-11)!.count + 1);
    expect(moved.messagesPerDay.at(-1)!.count).toBe(after.messagesPerDay.at(-1)!.count);
  });
});

// =====================================================================================================================

describe("conversations", () => {
  let root: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let group: string;
  let direct: string;
  const title = `Audit club ${uniqueName("t")}`;

  beforeAll(async () => {
    [root, alice, bob, carol] = await Promise.all([quickAdmin("root"), createUser("alice", "Alice Adams"), quickUser("bob"), quickUser("carol")]);
    direct = await createThread(alice, bob);
    group = await createGroup(alice, title, bob, carol);
    for (let i = 1; i <= 5; i++) await send(i % 2 ? alice : bob, group, `group message ${i}`);
    await send(alice, direct, "just us");
  });

  it("lists them newest first with their members, finds them by title or member, pages with a cursor", async () => {
    const res = await api.get<Page<AdminThread>>(`/api/admin/threads?q=${encodeURIComponent(title.slice(-8))}`, { token: root.token });
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0]).toMatchObject({ id: group, kind: "group", title, messages: 6, lastActivityAt: expect.any(String) });
    expect(res.body.data[0]!.participants.map((p) => [p.id, p.role]).sort()).toEqual(
      [
        [alice.id, "admin"],
        [bob.id, "member"],
        [carol.id, "member"],
      ].sort(),
    );
    expect(JSON.stringify(res.body)).not.toContain("group message");

    // By a member's username: both of Alice's conversations, newest first, one page at a time.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q = new URLSearchParams({ q: alice.username, limit: "1", ...(cursor ? { cursor } : {}) });
      const page: ApiResponse<Page<AdminThread>> = await api.get(`/api/admin/threads?${q}`, { token: root.token });
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((t) => t.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([group, direct]);
    // By a member's name, case-insensitively.
    const byName = await api.get<Page<AdminThread>>(`/api/admin/threads?q=ALICE%20ADAMS`, { token: root.token });
    expect(byName.body.data.map((t) => t.id)).toEqual([group, direct]);
    expectProblem(await api.get("/api/admin/threads?cursor=not-a-cursor", { token: root.token }), 400);
  });

  it("shows one conversation's members and figures, no messages; 404 for an unknown one", async () => {
    const res = await api.get<AdminThread>(`/api/admin/threads/${direct}`, { token: root.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: direct, kind: "direct", title: null, messages: 1 });
    expect(res.body.participants.map((p) => p.id).sort()).toEqual([alice.id, bob.id].sort());
    expectProblem(await api.get(`/api/admin/threads/${MISSING_ID}`, { token: root.token }), 404);
  });

  it("reads messages only with a reason, every page read audited with it; a removed message keeps its text here", async () => {
    const removed = await send(bob, group, "to be removed");
    expect((await api.delete(`/api/admin/messages/${removed.id}`, { token: root.token, body: { reason: "rude" } })).status).toBe(204);
    const audits = await auditCount();
    expectProblem(await api.get(`/api/admin/threads/${group}/messages`, { token: root.token }), 400);
    expectProblem(await api.get(`/api/admin/threads/${group}/messages?reason=%20%20`, { token: root.token }), 400);
    expectProblem(await api.get(`/api/admin/threads/${group}/messages?reason=${"x".repeat(501)}`, { token: root.token }), 400);
    expectProblem(await api.get(`/api/admin/threads/${MISSING_ID}/messages?reason=curious`, { token: root.token }), 404);
    expect(await auditCount()).toBe(audits);

    const reason = "Investigating report 42";
    const pages: Page<{ seq: number; kind: string; text: string; removedAt: string | null }>[] = [];
    let cursor: string | null = null;
    do {
      const q = new URLSearchParams({ reason, limit: "3", ...(cursor ? { cursor } : {}) });
      const res: ApiResponse = await api.get(`/api/admin/threads/${group}/messages?${q}`, { token: root.token });
      expect(res.status).toBe(200);
      pages.push(res.body);
      cursor = res.body.nextCursor;
    } while (cursor);
    const all = pages.flatMap((p) => p.data);
    expect(all.map((m) => m.seq)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(all[0]).toMatchObject({ kind: "removed", text: "to be removed", removedAt: expect.any(String) });
    expect(all.at(-1)).toMatchObject({ kind: "system" });
    expect(all.filter((m) => m.kind === "text").every((m) => m.removedAt === null)).toBe(true);

    const entries = (await auditLog(root, { targetId: group })).filter((e) => e.action === "thread.messages_viewed");
    expect(entries).toHaveLength(pages.length);
    expect(entries.every((e) => e.reason === reason && e.actor?.id === root.id && e.targetType === "thread" && e.target === title)).toBe(true);
    // Newest entry first: the last page read; each names where its page began.
    expect(entries.map((e) => e.details)).toEqual([{ beforeSeq: 2 }, { beforeSeq: 5 }, {}]);

    // A read writes, so another site's page cannot make one with the admin's cookie (a link, an image): 403, no entry.
    const cookie = await sessionCookie(root.id);
    const before = await auditCount();
    const url = `/api/admin/threads/${group}/messages?reason=${encodeURIComponent("clicked a link")}`;
    expectProblem(await api.get(url, { cookie, headers: { "sec-fetch-site": "cross-site" } }), 403);
    // A browser that sends no fetch metadata (a plain-HTTP deployment) must show this site's page as its Referer: a
    // cross-site GET has no Origin, so nothing else tells it apart.
    expectProblem(await api.get(url, { cookie }), 403);
    expectProblem(await api.get(url, { cookie, headers: { referer: "https://evil.example/page" } }), 403);
    expect(await auditCount()).toBe(before);
    expect((await api.get(url, { cookie, headers: { "sec-fetch-site": "same-origin" } })).status).toBe(200);
    expect((await api.get(url, { cookie, headers: { referer: `http://parley.test/admin/conversations/${group}` } })).status).toBe(200);
    // A bearer token proves itself: no header needed.
    expect((await api.get(url, { token: root.token })).status).toBe(200);
    expect(await auditCount()).toBe(before + 3);
  });
});

// =====================================================================================================================

describe("the audit log", () => {
  it("is newest first, narrowed to one admin or one target, paged with a cursor", async () => {
    const [one, two, alice, bob] = await Promise.all([quickAdmin("one"), quickAdmin("two"), quickUser("alice"), quickUser("bob")]);
    expect((await suspend(one, alice, "first")).status).toBe(200);
    expect((await suspend(two, bob, "second")).status).toBe(200);
    expect((await unsuspend(one, alice)).status).toBe(200);
    expect((await setRole(two, alice, "admin")).status).toBe(200);

    const byOne = await auditLog(one, { actorId: one.id });
    expect(byOne.map((e) => [e.action, e.targetId])).toEqual([
      ["user.unsuspended", alice.id],
      ["user.suspended", alice.id],
    ]);
    const aboutAlice = await auditLog(two, { targetId: alice.id });
    expect(aboutAlice.map((e) => [e.action, e.actor?.id])).toEqual([
      ["user.role_granted", two.id],
      ["user.unsuspended", one.id],
      ["user.suspended", one.id],
    ]);
    const both = await auditLog(one, { actorId: two.id, targetId: bob.id });
    expect(both.map((e) => e.action)).toEqual(["user.suspended"]);

    const everything = await auditLog(one, {});
    const ids = everything.map((e) => e.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(everything.map((e) => Date.parse(e.createdAt))).toEqual([...everything.map((e) => Date.parse(e.createdAt))].sort((a, b) => b - a));
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const q = new URLSearchParams({ limit: "2", ...(cursor ? { cursor } : {}) });
      const page: ApiResponse<Page<AuditEntry>> = await api.get(`/api/admin/audit-log?${q}`, { token: one.token });
      expect(page.status).toBe(200);
      paged.push(...page.body.data.map((e) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor && paged.length < ids.length + 2);
    expect(paged.slice(0, ids.length)).toEqual(ids);
    expectProblem(await api.get("/api/admin/audit-log?cursor=xyz", { token: one.token }), 400);
  });

  it("is append-only: UPDATE, DELETE and TRUNCATE of audit_log fail in the database, and change nothing", async () => {
    const [root, alice] = await Promise.all([quickAdmin("root"), quickUser("alice")]);
    expect((await suspend(root, alice, "to be kept")).status).toBe(200);
    const before = await dataSnapshot();
    const prisma = getPrisma();
    await expect(prisma.$executeRaw`UPDATE audit_log SET reason = 'rewritten' WHERE target_id = ${alice.id}`).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRaw`UPDATE audit_log SET actor_id = NULL`).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRaw`DELETE FROM audit_log WHERE target_id = ${alice.id}`).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRaw`DELETE FROM audit_log`).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRawUnsafe("TRUNCATE audit_log")).rejects.toThrow(/append-only/);
    expect(await dataSnapshot()).toBe(before);
    expect((await auditLog(root, { targetId: alice.id }))[0]).toMatchObject({ action: "user.suspended", reason: "to be kept" });
  });
});

// The role is read on every admin request, not cached with the credential: tests/helpers/fixtures.ts relies on it.
describe("making an admin in the database", () => {
  it("gives an existing member's token the admin area at once", async () => {
    const alice = await quickUser("alice");
    expectUnknownPath(await api.get("/api/admin/stats", { token: alice.token }), "alice");
    await makeAdmin(alice);
    expect((await api.get("/api/admin/stats", { token: alice.token })).status).toBe(200);
  });
});
