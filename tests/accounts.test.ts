/**
 * Accounts: registration, API tokens, sessions, the caller's profile and the user directory — and that no response
 * ever carries a password hash, a token hash, or a token secret outside the response that created it.
 */
import { createHash, randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@/lib/db";
import type { PublicUser } from "@/lib/schemas/users";
import { type ApiResponse, type CallOptions, call } from "./helpers/api";
import { createUser, sessionCookie, type TestUser, uniqueName } from "./helpers/fixtures";

// The session tests mint Auth.js cookies; a secret must exist (the test setup normally provides one).
process.env.AUTH_SECRET ??= "accounts-test-secret-that-is-long-enough-0123456789";

/** Every response this file received, so that the last test can check that none leaks a secret. */
const seen: { method: string; path: string; res: ApiResponse }[] = [];

async function send(method: string, path: string, opts?: CallOptions): Promise<ApiResponse> {
  const res = await call(method, path, opts);
  seen.push({ method, path, res });
  return res;
}

const api = {
  get: (path: string, opts?: CallOptions) => send("GET", path, opts),
  post: (path: string, opts?: CallOptions) => send("POST", path, opts),
  patch: (path: string, opts?: CallOptions) => send("PATCH", path, opts),
  delete: (path: string, opts?: CallOptions) => send("DELETE", path, opts),
};

/** Token secrets this file has seen, with the create response that was allowed to show each. */
const secrets = new Map<string, ApiResponse | null>();

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const PASSWORD = "correct horse battery";
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Asserts an RFC 9457 problem response with the given status. */
function expectProblem(res: ApiResponse, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json\b/);
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  expect(res.headers.get("x-request-id")).toBeTruthy();
  expect(res.body.requestId).toBe(res.headers.get("x-request-id"));
}

/** Asserts a 400 whose field errors name exactly these JSON pointers (in any order). */
function expectInvalid(res: ApiResponse, pointers: string[]) {
  expectProblem(res, 400);
  const named = (res.body.errors as { pointer?: string }[]).map((e) => e.pointer);
  expect([...new Set(named)].sort()).toEqual([...pointers].sort());
}

async function register(body: Record<string, unknown>) {
  return api.post("/api/auth/register", { body });
}

async function tokenByPassword(username: string, password: string, name?: string) {
  const res = await api.post("/api/tokens", { body: { username, password, ...(name ? { name } : {}) } });
  if (res.status === 201) secrets.set(res.body.token, res);
  return res;
}

/** Follows `nextCursor` from the first page to the last, returning each page's items. */
async function allPages(path: string, token: string): Promise<PublicUser[][]> {
  const pages: PublicUser[][] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const res: ApiResponse = await api.get(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path, { token });
    expect(res.status).toBe(200);
    pages.push(res.body.data);
    cursor = res.body.nextCursor;
    expect(pages.length).toBeLessThan(100); // a cursor that loops would never end
  } while (cursor);
  return pages;
}

let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  [alice, bob] = await Promise.all([createUser("alice", "Alice Liddell"), createUser("bob")]);
  secrets.set(alice.token, null);
  secrets.set(bob.token, null);
});

describe("POST /api/auth/register", () => {
  it("creates an account and answers 201 with the user and its location", async () => {
    const username = uniqueName("reg");
    const res = await register({ username, password: PASSWORD, name: "Regina Phalange", email: "regina@example.com" });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toMatch(/^application\/json\b/);
    expect(res.body).toEqual({
      id: expect.any(String),
      username,
      name: "Regina Phalange",
      email: "regina@example.com",
      createdAt: expect.stringMatching(ISO),
      about: null,
      hideLastSeen: false,
    });
    expect(res.headers.get("location")).toBe(`/api/users/${res.body.id}`);

    const found = await api.get(`/api/users/${res.body.id}`, { token: alice.token });
    expect(found.status).toBe(200);
    expect(found.body).toEqual({
      id: res.body.id,
      username,
      name: "Regina Phalange",
      createdAt: res.body.createdAt,
      about: null,
      presence: { status: "offline", lastSeenAt: null },
      blocked: false,
    });
  });

  it("leaves name and email null when they are not given", async () => {
    const username = uniqueName("bare");
    const res = await register({ username, password: PASSWORD });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ username, name: null, email: null });
  });

  it("accepts usernames of exactly 3 and exactly 32 characters", async () => {
    const short = randomBytes(2).toString("hex").slice(0, 3);
    const long = `l${randomBytes(16).toString("hex")}`.slice(0, 32);
    expect(long).toHaveLength(32);
    const [a, b] = await Promise.all([
      register({ username: short, password: PASSWORD }),
      register({ username: long, password: PASSWORD }),
    ]);
    expect([a.status, a.body.username]).toEqual([201, short]);
    expect([b.status, b.body.username]).toEqual([201, long]);
  });

  it("accepts a password of exactly 8 characters", async () => {
    const res = await register({ username: uniqueName("pw8"), password: "12345678" });
    expect(res.status).toBe(201);
  });

  it("stores an uppercase username in lowercase, and signing in works in any case", async () => {
    const lower = uniqueName("mixed");
    const res = await register({ username: lower.toUpperCase(), password: PASSWORD });
    expect(res.status).toBe(201);
    expect(res.body.username).toBe(lower);

    const tok = await tokenByPassword(lower.toUpperCase(), PASSWORD);
    expect(tok.status).toBe(201);
    const me = await api.get("/api/users/me", { token: tok.body.token });
    expect(me.body).toMatchObject({ id: res.body.id, username: lower });
  });

  it("answers 409 when the username is taken, also in a different case, and keeps the first account", async () => {
    const username = uniqueName("taken");
    const first = await register({ username, password: PASSWORD, name: "First" });
    expect(first.status).toBe(201);

    for (const attempt of [username, username.toUpperCase(), username.charAt(0).toUpperCase() + username.slice(1)]) {
      const res = await register({ username: attempt, password: "another password", name: "Second" });
      expectProblem(res, 409);
    }

    const search = await api.get(`/api/users?q=${username}`, { token: alice.token });
    expect(search.body.data).toEqual([{ id: first.body.id, username, name: "First", createdAt: first.body.createdAt }]);
    // The original password still works and the second one does not.
    expect((await tokenByPassword(username, PASSWORD)).status).toBe(201);
    expect((await tokenByPassword(username, "another password")).status).toBe(401);
  });

  it.each([
    ["too short", "ab"],
    ["too long", "a".repeat(33)],
    ["with a hyphen", "bad-name"],
    ["with a space", "bad name"],
    ["with a dot", "bad.name"],
    ["with non-ASCII letters", "zoë_user"],
    ["empty", ""],
  ])("rejects a username that is %s with 400 naming #/username", async (_label, username) => {
    const res = await register({ username, password: PASSWORD });
    expectInvalid(res, ["#/username"]);
  });

  it("rejects a password shorter than 8 characters with 400 naming #/password", async () => {
    const username = uniqueName("shortpw");
    const res = await register({ username, password: "1234567" });
    expectInvalid(res, ["#/password"]);
    const search = await api.get(`/api/users?q=${username}`, { token: alice.token });
    expect(search.body.data).toEqual([]);
  });

  it("rejects an unknown field with 400 naming it", async () => {
    const username = uniqueName("extra");
    const res = await register({ username, password: PASSWORD, role: "admin" });
    expectInvalid(res, ["#/role"]);
    const search = await api.get(`/api/users?q=${username}`, { token: alice.token });
    expect(search.body.data).toEqual([]);
  });

  it.each([["not-an-email"], ["a@"], ["@example.com"], ["two words@example.com"]])(
    "rejects the e-mail address %j with 400 naming #/email",
    async (email) => {
      const res = await register({ username: uniqueName("mail"), password: PASSWORD, email });
      expectInvalid(res, ["#/email"]);
    },
  );

  it("names every missing required field", async () => {
    const res = await register({});
    expectInvalid(res, ["#/username", "#/password"]);
  });
});

describe("POST /api/tokens with username and password", () => {
  it("issues a named token: 201 with id, name, token and createdAt", async () => {
    const res = await tokenByPassword(alice.username, PASSWORD, "ci runner");
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: "ci runner",
      token: expect.any(String),
      createdAt: expect.stringMatching(ISO),
    });
    expect(res.body.token.length).toBeGreaterThanOrEqual(32);
    expect(res.headers.get("location")).toBe(`/api/tokens/${res.body.id}`);

    const me = await api.get("/api/users/me", { token: res.body.token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(alice.id);
  });

  it("stores only the SHA-256 of the token, never the token itself", async () => {
    const res = await tokenByPassword(alice.username, PASSWORD, "hash check");
    expect(res.status).toBe(201);
    const token: string = res.body.token;

    const row = await getPrisma().apiToken.findUnique({ where: { id: res.body.id } });
    expect(row?.tokenHash).toBe(sha256(token));
    expect(row?.userId).toBe(alice.id);

    const rows = await getPrisma().$queryRaw<{ row: string }[]>`SELECT row_to_json(t)::text AS row FROM api_tokens t`;
    expect(rows.length).toBeGreaterThan(0);
    for (const { row } of rows) expect(row).not.toContain(token);
  });

  it("gives a wrong password and an unknown user the same 401", async () => {
    const [wrong, unknown] = await Promise.all([
      tokenByPassword(alice.username, "not the password"),
      tokenByPassword(uniqueName("ghost"), PASSWORD),
    ]);
    expectProblem(wrong, 401);
    expectProblem(unknown, 401);
    const withoutId = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(withoutId(wrong.body)).toEqual(withoutId(unknown.body));
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it("issues no token for a wrong password", async () => {
    const before = await api.get("/api/tokens?limit=100", { token: bob.token });
    expectProblem(await tokenByPassword(bob.username, "wrong password!"), 401);
    const after = await api.get("/api/tokens?limit=100", { token: bob.token });
    expect(after.body.data.map((t: { id: string }) => t.id)).toEqual(before.body.data.map((t: { id: string }) => t.id));
  });

  it("answers 401 without credentials, session or token", async () => {
    expectProblem(await api.post("/api/tokens", { body: { name: "anonymous" } }), 401);
    expectProblem(await api.post("/api/tokens", { body: {} }), 401);
  });

  it("answers 400 when only one of username and password is sent", async () => {
    expectProblem(await api.post("/api/tokens", { body: { username: alice.username } }), 400);
    expectProblem(await api.post("/api/tokens", { body: { password: PASSWORD } }), 400);
  });
});

describe("POST /api/tokens for a signed-in caller", () => {
  it("issues another token to a caller holding a token", async () => {
    const res = await api.post("/api/tokens", { token: bob.token, body: { name: "second" } });
    expect(res.status).toBe(201);
    secrets.set(res.body.token, res);
    expect(res.body).toMatchObject({ name: "second", token: expect.any(String) });
    expect(res.body.token).not.toBe(bob.token);
    const me = await api.get("/api/users/me", { token: res.body.token });
    expect(me.body.id).toBe(bob.id);
  });

  it("issues a token to a caller with a session cookie", async () => {
    const cookie = await sessionCookie(bob.id);
    const res = await api.post("/api/tokens", { cookie, body: { name: "from the browser" } });
    expect(res.status).toBe(201);
    secrets.set(res.body.token, res);
    expect(res.body.name).toBe("from the browser");
    const me = await api.get("/api/users/me", { token: res.body.token });
    expect(me.body.id).toBe(bob.id);
  });

  it("gives the token a default name when none is sent", async () => {
    const res = await api.post("/api/tokens", { token: bob.token, body: {} });
    expect(res.status).toBe(201);
    secrets.set(res.body.token, res);
    expect(res.body.name).toEqual(expect.any(String));
    expect(res.body.name.length).toBeGreaterThan(0);
  });
});

describe("GET /api/tokens", () => {
  it("lists the caller's own tokens, newest first, without secrets", async () => {
    const carol = await createUser("carol");
    secrets.set(carol.token, null);
    const extra = await api.post("/api/tokens", { token: carol.token, body: { name: "extra" } });
    secrets.set(extra.body.token, extra);

    const res = await api.get("/api/tokens", { token: carol.token });
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.data).toHaveLength(2);
    expect(res.body.data[0]).toEqual({ id: extra.body.id, name: "extra", createdAt: extra.body.createdAt, lastUsedAt: null });
    for (const t of res.body.data) expect(Object.keys(t).sort()).toEqual(["createdAt", "id", "lastUsedAt", "name"]);
  });

  it("sets lastUsedAt once a token has been used", async () => {
    const created = await api.post("/api/tokens", { token: alice.token, body: { name: "usage" } });
    secrets.set(created.body.token, created);
    const lastUsed = async () => {
      const list = await api.get("/api/tokens?limit=100", { token: alice.token });
      return list.body.data.find((t: { id: string }) => t.id === created.body.id).lastUsedAt;
    };
    expect(await lastUsed()).toBeNull();

    expect((await api.get("/api/users/me", { token: created.body.token })).status).toBe(200);
    const used = await lastUsed();
    expect(used).toMatch(ISO);
    expect(Date.parse(used)).toBeGreaterThanOrEqual(Date.parse(created.body.createdAt));
  });

  it("pages through the tokens with limit and cursor, visiting each once", async () => {
    const dave = await createUser("dave");
    secrets.set(dave.token, null);
    for (const name of ["t1", "t2", "t3", "t4"]) {
      const res = await api.post("/api/tokens", { token: dave.token, body: { name } });
      secrets.set(res.body.token, res);
    }
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: ApiResponse = await api.get(`/api/tokens?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { token: dave.token });
      expect(res.status).toBe(200);
      ids.push(...res.body.data.map((t: { id: string }) => t.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
  });
});

describe("DELETE /api/tokens/{id}", () => {
  it("revokes the token: 204, then requests bearing it get 401", async () => {
    const created = await api.post("/api/tokens", { token: alice.token, body: { name: "doomed" } });
    secrets.set(created.body.token, created);
    expect((await api.get("/api/users/me", { token: created.body.token })).status).toBe(200);

    const del = await api.delete(`/api/tokens/${created.body.id}`, { token: alice.token });
    expect(del.status).toBe(204);
    expect(del.body).toBeNull();

    expectProblem(await api.get("/api/users/me", { token: created.body.token }), 401);
    expectProblem(await api.post("/api/tokens", { token: created.body.token, body: { name: "resurrect" } }), 401);
    const list = await api.get("/api/tokens?limit=100", { token: alice.token });
    expect(list.body.data.map((t: { id: string }) => t.id)).not.toContain(created.body.id);
    expect(await getPrisma().apiToken.count({ where: { tokenHash: sha256(created.body.token) } })).toBe(0);
  });

  it("lets a token revoke itself", async () => {
    const created = await api.post("/api/tokens", { token: alice.token, body: { name: "self" } });
    secrets.set(created.body.token, created);
    expect((await api.delete(`/api/tokens/${created.body.id}`, { token: created.body.token })).status).toBe(204);
    expectProblem(await api.get("/api/users/me", { token: created.body.token }), 401);
  });

  it("answers 404 for another user's token and leaves it working", async () => {
    const bobs = await api.post("/api/tokens", { token: bob.token, body: { name: "bob's" } });
    secrets.set(bobs.body.token, bobs);
    expectProblem(await api.delete(`/api/tokens/${bobs.body.id}`, { token: alice.token }), 404);
    expect((await api.get("/api/users/me", { token: bobs.body.token })).status).toBe(200);
  });

  it("answers 404 for a token that was already revoked", async () => {
    const created = await api.post("/api/tokens", { token: alice.token, body: { name: "twice" } });
    secrets.set(created.body.token, created);
    expect((await api.delete(`/api/tokens/${created.body.id}`, { token: alice.token })).status).toBe(204);
    expectProblem(await api.delete(`/api/tokens/${created.body.id}`, { token: alice.token }), 404);
  });
});

describe("Authorization header", () => {
  const wellFormedUnknown = `prly_${randomBytes(32).toString("base64url")}`;

  it.each([
    ["another scheme", () => `Basic ${Buffer.from("alice:pw").toString("base64")}`],
    ["the token without a scheme", () => alice.token],
    ["an empty header", () => ""],
    ["the scheme without a token", () => "Bearer"],
    ["the scheme and a blank", () => "Bearer "],
    ["a garbage token", () => "Bearer not-a-token"],
    ["a token followed by more", () => `Bearer ${alice.token} extra`],
    ["a well-formed but unknown token", () => `Bearer ${wellFormedUnknown}`],
    ["a truncated token", () => `Bearer ${alice.token.slice(0, -1)}`],
  ])("answers 401 for %s", async (_label, header) => {
    const res = await api.get("/api/users/me", { authorization: header() });
    expectProblem(res, 401);
  });

  it("answers 401 for a request with neither token nor session", async () => {
    const res = await api.get("/api/users/me");
    expectProblem(res, 401);
  });

  it("accepts the Bearer scheme name in any case (RFC 9110 §11.1)", async () => {
    const res = await api.get("/api/users/me", { authorization: `bearer ${alice.token}` });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(alice.id);
  });
});

describe("session cookie", () => {
  it("authenticates the caller", async () => {
    const res = await api.get("/api/users/me", { cookie: await sessionCookie(alice.id) });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(alice.id);
  });

  it("answers 401 for a tampered cookie", async () => {
    const cookie = await sessionCookie(alice.id);
    const [name, jwt] = cookie.split("=") as [string, string];
    const parts = jwt.split(".");
    expect(parts).toHaveLength(5); // JWE compact serialisation: header.key.iv.ciphertext.tag
    const ct = parts[3]!;
    parts[3] = (ct[0] === "A" ? "B" : "A") + ct.slice(1);
    const res = await api.get("/api/users/me", { cookie: `${name}=${parts.join(".")}` });
    expectProblem(res, 401);
  });

  it("answers 401 for a cookie sealed with another secret", async () => {
    const cookie = await sessionCookie(alice.id, "some-other-secret-that-is-also-long-enough-42");
    expectProblem(await api.get("/api/users/me", { cookie }), 401);
  });

  it("answers 401 for a cookie that is not a JWT at all", async () => {
    expectProblem(await api.get("/api/users/me", { cookie: "authjs.session-token=garbage" }), 401);
  });

  it("answers 401, and creates nothing, for a valid cookie whose account is gone (found by tests/fuzz.test.ts)", async () => {
    const ghost = await createUser("ghost");
    const cookie = await sessionCookie(ghost.id);
    expect((await api.get("/api/users/me", { cookie })).status).toBe(200);
    await getPrisma().user.delete({ where: { id: ghost.id } });
    for (const res of [
      await api.get("/api/users/me", { cookie }),
      await api.patch("/api/users/me", { cookie, body: { name: "Boo" } }),
      await api.post("/api/tokens", { cookie, body: { name: "from beyond" } }),
    ]) {
      expectProblem(res, 401);
    }
    expect(await getPrisma().apiToken.count({ where: { userId: ghost.id } })).toBe(0);
  });
});

describe("/api/users/me", () => {
  it("returns the caller's account with the e-mail address", async () => {
    const username = uniqueName("meme");
    const reg = await register({ username, password: PASSWORD, name: "Me Myself", email: "me@example.com" });
    const tok = await tokenByPassword(username, PASSWORD);
    const res = await api.get("/api/users/me", { token: tok.body.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: reg.body.id,
      username,
      name: "Me Myself",
      email: "me@example.com",
      createdAt: reg.body.createdAt,
      about: null,
      hideLastSeen: false,
    });
  });

  it("changes the about line and the last-seen privacy, each alone, leaving the rest as it was", async () => {
    const carol = await createUser("carol", "Carol Ann");
    secrets.set(carol.token, null);
    const about = await api.patch("/api/users/me", { token: carol.token, body: { about: "  Sailing, mostly.  " } });
    expect(about.status).toBe(200);
    expect(about.body).toMatchObject({ about: "Sailing, mostly.", hideLastSeen: false, name: "Carol Ann" });
    const hidden = await api.patch("/api/users/me", { token: carol.token, body: { hideLastSeen: true } });
    expect(hidden.body).toMatchObject({ about: "Sailing, mostly.", hideLastSeen: true });
    expect((await api.get(`/api/users/${carol.id}`, { token: alice.token })).body.about).toBe("Sailing, mostly.");
    const cleared = await api.patch("/api/users/me", { token: carol.token, body: { about: "", hideLastSeen: false } });
    expect(cleared.body).toMatchObject({ about: null, hideLastSeen: false });
    // 200 code points pass however many UTF-16 units they take.
    const emoji = await api.patch("/api/users/me", { token: carol.token, body: { about: "🙂".repeat(200) } });
    expect(emoji.status).toBe(200);
  });

  it("changes the display name, trimmed, and others see it", async () => {
    const res = await api.patch("/api/users/me", { token: bob.token, body: { name: "  Bob Builder  " } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: bob.id, username: bob.username, name: "Bob Builder" });
    expect((await api.get("/api/users/me", { token: bob.token })).body.name).toBe("Bob Builder");
    expect((await api.get(`/api/users/${bob.id}`, { token: alice.token })).body.name).toBe("Bob Builder");
  });

  it("clears the display name with null", async () => {
    await api.patch("/api/users/me", { token: bob.token, body: { name: "Temporary" } });
    const res = await api.patch("/api/users/me", { token: bob.token, body: { name: null } });
    expect(res.status).toBe(200);
    expect(res.body.name).toBeNull();
    expect((await api.get("/api/users/me", { token: bob.token })).body.name).toBeNull();
  });

  it("accepts a name of exactly 64 characters", async () => {
    const name = "n".repeat(64);
    const res = await api.patch("/api/users/me", { token: bob.token, body: { name } });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe(name);
  });

  it.each([
    ["an empty name", { name: "" }, ["#/name"]],
    ["a blank name", { name: "   " }, ["#/name"]],
    ["a name of 65 characters", { name: "n".repeat(65) }, ["#/name"]],
    ["a number as name", { name: 42 }, ["#/name"]],
    ["nothing to change", {}, ["#"]],
    ["an about line of 201 characters", { about: "a".repeat(201) }, ["#/about"]],
    ["a string as hideLastSeen", { hideLastSeen: "yes" }, ["#/hideLastSeen"]],
    ["an unknown field", { name: "Ok", username: "renamed" }, ["#/username"]],
  ])("rejects %s with 400 and changes nothing", async (_label, body, pointers) => {
    await api.patch("/api/users/me", { token: alice.token, body: { name: "Alice Liddell" } });
    const res = await api.patch("/api/users/me", { token: alice.token, body });
    expectInvalid(res, pointers);
    const me = await api.get("/api/users/me", { token: alice.token });
    expect(me.body).toMatchObject({ username: alice.username, name: "Alice Liddell" });
  });
});

describe("GET /api/users", () => {
  it("finds a user by username, case-insensitively", async () => {
    for (const q of [alice.username, alice.username.toUpperCase(), alice.username.slice(2, 9)]) {
      const res = await api.get(`/api/users?q=${encodeURIComponent(q)}`, { token: bob.token });
      expect(res.status).toBe(200);
      expect(res.body.data.map((u: PublicUser) => u.id)).toContain(alice.id);
      for (const u of res.body.data as PublicUser[]) {
        expect(`${u.username}\n${u.name ?? ""}`.toLowerCase()).toContain(q.toLowerCase());
      }
    }
  });

  it("finds a user by display name, case-insensitively", async () => {
    const tag = randomBytes(4).toString("hex");
    const reg = await register({ username: uniqueName("named"), password: PASSWORD, name: `Quinn Zephyr${tag}` });
    expect(reg.status).toBe(201);
    const expected = [{ id: reg.body.id, username: reg.body.username, name: `Quinn Zephyr${tag}`, createdAt: reg.body.createdAt }];
    for (const q of [`zephyr${tag}`, `ZEPHYR${tag.toUpperCase()}`, `n ZePhYr${tag}`]) {
      const res = await api.get(`/api/users?q=${encodeURIComponent(q)}`, { token: bob.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: expected, nextCursor: null });
    }
  });

  it("matches an underscore in q literally, not as a wildcard", async () => {
    const tag = randomBytes(4).toString("hex");
    const [under, other] = await Promise.all([
      register({ username: `w${tag}_x`, password: PASSWORD }),
      register({ username: `w${tag}yx`, password: PASSWORD }),
    ]);
    expect([under.status, other.status]).toEqual([201, 201]);
    const res = await api.get(`/api/users?q=${tag}_x`, { token: bob.token });
    expect(res.status).toBe(200);
    expect(res.body.data.map((u: PublicUser) => u.username)).toEqual([`w${tag}_x`]);
  });

  it("matches a percent sign in q literally, not as a wildcard", async () => {
    const res = await api.get(`/api/users?q=${encodeURIComponent("%")}`, { token: bob.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [], nextCursor: null });
  });

  it("answers an empty page when nothing matches", async () => {
    const res = await api.get(`/api/users?q=nobody${randomBytes(4).toString("hex")}`, { token: bob.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [], nextCursor: null });
  });

  it("pages through the matches with limit and cursor, visiting each user exactly once, by username", async () => {
    const prefix = `pg${randomBytes(3).toString("hex")}_`;
    const regs = await Promise.all(
      Array.from({ length: 7 }, (_, i) => register({ username: `${prefix}${i}${randomBytes(2).toString("hex")}`, password: PASSWORD })),
    );
    for (const r of regs) expect(r.status).toBe(201);
    const expected = regs.map((r) => r.body.username as string).sort();

    const pages = await allPages(`/api/users?q=${prefix}&limit=3`, bob.token);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat().map((u) => u.username)).toEqual(expected);

    const exact = await api.get(`/api/users?q=${prefix}&limit=7`, { token: bob.token });
    expect(exact.body.data).toHaveLength(7);
    expect(exact.body.nextCursor).toBeNull();
  });

  it("pages through every user without q, visiting each exactly once", async () => {
    const pages = await allPages("/api/users?limit=4", bob.token);
    const ids = pages.flat().map((u) => u.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(await getPrisma().user.count());
    for (const page of pages.slice(0, -1)) expect(page).toHaveLength(4);
  });

  it("shows users without e-mail addresses", async () => {
    const res = await api.get(`/api/users?q=${alice.username}`, { token: bob.token });
    for (const u of res.body.data) expect(Object.keys(u).sort()).toEqual(["createdAt", "id", "name", "username"]);
  });

  it("answers 401 to anonymous callers", async () => {
    expectProblem(await api.get("/api/users?q=alice"), 401);
  });
});

describe("GET /api/users/{id}", () => {
  it("returns any user's public profile to a signed-in caller", async () => {
    const res = await api.get(`/api/users/${alice.id}`, { token: bob.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: alice.id,
      username: alice.username,
      name: "Alice Liddell",
      createdAt: expect.stringMatching(ISO),
      about: null,
      presence: { status: "offline", lastSeenAt: null },
      blocked: false,
    });
  });

  it.each([
    ["an unknown id", () => "0190a6c4-0000-7000-8000-000000000000"],
    ["an id that cannot exist", () => "x".repeat(65)],
  ])("answers 404 for %s", async (_label, id) => {
    expectProblem(await api.get(`/api/users/${id()}`, { token: bob.token }), 404);
  });

  it("answers 401 to anonymous callers", async () => {
    expectProblem(await api.get(`/api/users/${alice.id}`), 401);
  });
});

describe("secrets", () => {
  it("never puts a password hash, a token hash or a token secret in a response", async () => {
    // One more round of every account endpoint, so that this test stands alone too.
    const t = await tokenByPassword(alice.username, PASSWORD, "leak check");
    const cookie = await sessionCookie(alice.id);
    const viaCookie = await api.post("/api/tokens", { cookie, body: { name: "leak check 2" } });
    secrets.set(viaCookie.body.token, viaCookie);
    await api.get("/api/tokens?limit=100", { token: t.body.token });
    await api.get("/api/users/me", { token: t.body.token });
    await api.patch("/api/users/me", { token: t.body.token, body: { name: "Alice Liddell" } });
    await api.get(`/api/users?q=${alice.username}`, { token: t.body.token });
    await api.get("/api/users?limit=100", { token: t.body.token });
    await api.get(`/api/users/${alice.id}`, { token: t.body.token });
    await api.delete(`/api/tokens/${viaCookie.body.id}`, { token: t.body.token });

    const stored = await getPrisma().$queryRaw<{ password_hash: string; token_hash: string | null }[]>`
      SELECT u.password_hash, t.token_hash FROM users u LEFT JOIN api_tokens t ON t.user_id = u.id`;
    const hashes = new Set<string>();
    for (const r of stored) {
      hashes.add(r.password_hash);
      if (r.token_hash) hashes.add(r.token_hash);
    }
    for (const secret of secrets.keys()) hashes.add(sha256(secret));
    expect(hashes.size).toBeGreaterThan(secrets.size);

    expect(seen.length).toBeGreaterThan(50);
    for (const { method, path, res } of seen) {
      const text = `${JSON.stringify(res.body)}\n${JSON.stringify([...res.headers])}`;
      const where = `${method} ${path} → ${res.status}`;
      for (const word of ["password_hash", "passwordHash", "tokenHash", "token_hash", "$argon2"]) {
        expect(text.includes(word), `${where} contains ${word}`).toBe(false);
      }
      for (const hash of hashes) expect(text.includes(hash), `${where} contains a stored hash`).toBe(false);
      for (const [secret, origin] of secrets) {
        if (origin !== res) expect(text.includes(secret), `${where} contains a token secret`).toBe(false);
      }
    }
  });
});
