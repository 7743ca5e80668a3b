/**
 * Changing a password, signing out everywhere, downloading one's data and deleting an account (issue 16, account
 * settings): who may, what each ends or shows, and what it leaves alone. Session cookies are the sign-in form's (a `sessions` row and a sealed cookie naming it).
 */
import { afterAll, describe, expect, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { getPrisma } from "@/lib/db";
import { resetRateLimiters } from "@/lib/infra/rate-limit";
import { api } from "./helpers/api";
import { touchPresence } from "@/lib/server/presence";
import { createThread, createUser, send, signedInSession, type TestUser } from "./helpers/fixtures";

/** Whether `username` can get a token with `password` (what an integration does to sign in). */
async function passwordWorks(user: TestUser, password: string): Promise<boolean> {
  const res = await api.post("/api/tokens", { body: { username: user.username, password, name: "probe" } });
  if (res.status !== 201 && res.status !== 401) throw new Error(`unexpected ${res.status}: ${JSON.stringify(res.body)}`);
  return res.status === 201;
}

/** The status `GET /api/users/me` answers with a credential: 200 while it works, 401 once it has ended. */
const meWith = async (auth: { token: string } | { cookie: string }) => (await api.get("/api/users/me", auth)).status;

const NEW_PASSWORD = "a brand new passphrase";

describe("changing a password", () => {
  it("refuses anonymous callers", async () => {
    const res = await api.post("/api/users/me/password", { body: { currentPassword: "x", newPassword: NEW_PASSWORD } });
    expect(res.status).toBe(401);
  });

  it("needs the current password: a wrong one is 400 naming it, and nothing changes", async () => {
    const alice = await createUser("alice");
    const other = await signedInSession(alice.id);
    const res = await api.post("/api/users/me/password", {
      token: alice.token,
      body: { currentPassword: "not my password", newPassword: NEW_PASSWORD },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ pointer: "#/currentPassword", detail: "Wrong password." }]);
    expect(await passwordWorks(alice, alice.password)).toBe(true);
    expect(await passwordWorks(alice, NEW_PASSWORD)).toBe(false);
    expect(await meWith({ cookie: other.cookie })).toBe(200);
  });

  it("refuses a new password the sign-up form would refuse, naming the field", async () => {
    const alice = await createUser("alice");
    const res = await api.post("/api/users/me/password", { token: alice.token, body: { currentPassword: alice.password, newPassword: "short" } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: "#/newPassword" })]);
    expect(await passwordWorks(alice, alice.password)).toBe(true);
  });

  it("replaces the password, ends the account's other browser sessions and keeps the caller's and the tokens", async () => {
    const [alice, bob] = await Promise.all([createUser("alice"), createUser("bob")]);
    const [mine, other, bobs] = await Promise.all([signedInSession(alice.id), signedInSession(alice.id), signedInSession(bob.id)]);
    const res = await api.post("/api/users/me/password", {
      cookie: mine.cookie,
      body: { currentPassword: alice.password, newPassword: NEW_PASSWORD },
    });
    expect(res.status).toBe(204);
    expect(await passwordWorks(alice, alice.password)).toBe(false);
    expect(await passwordWorks(alice, NEW_PASSWORD)).toBe(true);
    expect(await meWith({ cookie: mine.cookie })).toBe(200);
    expect(await meWith({ cookie: other.cookie })).toBe(401);
    expect(await meWith({ token: alice.token })).toBe(200);
    expect(await meWith({ cookie: bobs.cookie })).toBe(200);
  });

  it("ends every browser session when the change is made with a token", async () => {
    const alice = await createUser("alice");
    const session = await signedInSession(alice.id);
    const res = await api.post("/api/users/me/password", { token: alice.token, body: { currentPassword: alice.password, newPassword: NEW_PASSWORD } });
    expect(res.status).toBe(204);
    expect(await meWith({ cookie: session.cookie })).toBe(401);
    expect(await meWith({ token: alice.token })).toBe(200);
  });

  describe("under the sign-in limit", () => {
    const saved = process.env.RATE_LIMIT_SIGN_IN;
    afterAll(() => {
      process.env.RATE_LIMIT_SIGN_IN = saved;
      resetConfig();
      resetRateLimiters();
    });

    it("counts wrong current passwords as failed sign-ins: past the limit even the right one is 429", async () => {
      process.env.RATE_LIMIT_SIGN_IN = "2/900";
      resetConfig();
      resetRateLimiters();
      await getPrisma().$executeRaw`DELETE FROM rate_limits`;
      const alice = await createUser("alice");
      const attempt = (currentPassword: string) =>
        api.post("/api/users/me/password", { token: alice.token, body: { currentPassword, newPassword: NEW_PASSWORD } });
      expect((await attempt("wrong one")).status).toBe(400);
      expect((await attempt("wrong two")).status).toBe(400);
      const limited = await attempt(alice.password);
      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toBeTruthy();
      // Nothing changed: once the limit is lifted, the old password still signs in and the new one does not.
      resetRateLimiters();
      await getPrisma().$executeRaw`DELETE FROM rate_limits`;
      expect(await passwordWorks(alice, alice.password)).toBe(true);
      expect(await passwordWorks(alice, NEW_PASSWORD)).toBe(false);
    });
  });
});

describe("signing out everywhere", () => {
  it("refuses anonymous callers", async () => {
    expect((await api.delete("/api/users/me/credentials")).status).toBe(401);
  });

  it("ends every session and revokes every token of the caller, and nobody else's", async () => {
    const [alice, bob] = await Promise.all([createUser("alice"), createUser("bob")]);
    const second = await api.post("/api/tokens", { token: alice.token, body: { name: "second" } });
    const [s1, s2, bobs] = await Promise.all([signedInSession(alice.id), signedInSession(alice.id), signedInSession(bob.id)]);
    const res = await api.delete("/api/users/me/credentials", { cookie: s1.cookie });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sessions: 2, tokens: 2 });
    for (const auth of [{ cookie: s1.cookie }, { cookie: s2.cookie }, { token: alice.token }, { token: second.body.token as string }]) {
      expect(await meWith(auth)).toBe(401);
    }
    expect(await meWith({ cookie: bobs.cookie })).toBe(200);
    expect(await meWith({ token: bob.token })).toBe(200);
    // The password still works: signing in again is how the person comes back.
    expect(await passwordWorks(alice, alice.password)).toBe(true);
  });

  it("leaves no token behind that a session of the account asked for at the same time", async () => {
    // Each round races one sign-out against ten token requests of a session; whichever wins, no token survives: it
    // was issued before the sign-out and revoked by it, or refused after it (401).
    for (let round = 0; round < 5; round++) {
      const alice = await createUser("alice");
      const session = await signedInSession(alice.id);
      const [out, ...created] = await Promise.all([
        api.delete("/api/users/me/credentials", { token: alice.token }),
        ...Array.from({ length: 10 }, (_, i) => api.post("/api/tokens", { cookie: session.cookie, body: { name: `racing ${i}` } })),
      ]);
      expect(out.status).toBe(200);
      for (const res of created) {
        expect([201, 401]).toContain(res.status);
        if (res.status === 201) expect(await meWith({ token: res.body.token as string })).toBe(401);
      }
      expect(await getPrisma().apiToken.count({ where: { userId: alice.id } })).toBe(0);
    }
  });
});

describe("deleting an account", () => {
  it("refuses anonymous callers", async () => {
    expect((await api.delete("/api/users/me", { body: { password: "x" } })).status).toBe(401);
  });

  it("needs the password: a wrong one is 400 naming it, and nothing changes", async () => {
    const alice = await createUser("alice");
    const res = await api.delete("/api/users/me", { token: alice.token, body: { password: "not my password" } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ pointer: "#/password", detail: "Wrong password." }]);
    expect(await meWith({ token: alice.token })).toBe(200);
    expect(await passwordWorks(alice, alice.password)).toBe(true);
  });

  it("ends every credential and leaves a tombstone that keeps the others' history and counts exact", async () => {
    const [alice, bob] = await Promise.all([createUser("alice"), createUser("bob")]);
    const threadId = await createThread(alice, bob);
    const sent = await send(alice, threadId, "before I go");
    await send(alice, threadId, "really");
    expect((await api.patch("/api/users/me", { token: alice.token, body: { about: "Call me on 555-1234" } })).status).toBe(200);
    await touchPresence([alice.id]); // she has the app open somewhere
    const session = await signedInSession(alice.id);
    const unreadBefore = (await api.get("/api/unread", { token: bob.token })).body;
    expect(unreadBefore.total).toBe(2);

    const res = await api.delete("/api/users/me", { cookie: session.cookie, body: { password: alice.password } });
    expect(res.status).toBe(204);

    expect(await meWith({ token: alice.token })).toBe(401);
    expect(await meWith({ cookie: session.cookie })).toBe(401);
    expect(await passwordWorks(alice, alice.password)).toBe(false);
    // Bob keeps the conversation, its messages under "Deleted user", and his unread count.
    const tombstone = (await api.get(`/api/users/${alice.id}`, { token: bob.token })).body;
    // Nothing of the person is left on it: no "about" line, no presence, no last-seen time.
    expect(tombstone).toMatchObject({ id: alice.id, name: "Deleted user", about: null, presence: { status: "offline", lastSeenAt: null } });
    expect(tombstone.username).toMatch(/^deleted_[0-9a-f]{24}$/);
    const messages = (await api.get(`/api/threads/${threadId}/messages`, { token: bob.token })).body.data;
    expect(messages.map((m: { id: string }) => m.id)).toContain(sent.id);
    expect(messages.every((m: { sender: { name: string } }) => m.sender.name === "Deleted user")).toBe(true);
    expect((await api.get("/api/unread", { token: bob.token })).body).toEqual(unreadBefore);
    // Nobody finds it or starts a conversation with it; its username is free again.
    const found = (await api.get(`/api/users?q=${alice.username}`, { token: bob.token })).body.data;
    expect(found).toEqual([]);
    const withIt = await api.post("/api/threads", { token: bob.token, body: { participantIds: [alice.id] } });
    expect(withIt.status).toBe(404);
    const again = await api.post("/api/auth/register", { body: { username: alice.username, password: "another horse battery" } });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(alice.id);
  });

  it("reserves the deleted_ prefix: nobody can register a name a tombstone could take", async () => {
    const res = await api.post("/api/auth/register", { body: { username: "deleted_0123456789abcdef01234567", password: "correct horse battery" } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: "#/username" })]);
  });
});

describe("downloading one's data", () => {
  it("refuses anonymous callers", async () => {
    expect((await api.get("/api/users/me/export")).status).toBe(401);
  });

  it("holds the account and every thread of the caller with all its messages in order, and nobody else's", async () => {
    const [alice, bob, carol] = await Promise.all([createUser("alice"), createUser("bob"), createUser("carol")]);
    const withBob = await createThread(alice, bob);
    const withCarol = await createThread(alice, carol);
    const notMine = await createThread(bob, carol);
    // More than one page of the export's reads (100 messages) in one thread.
    for (let i = 1; i <= 130; i++) await send(i % 2 ? bob : alice, withBob, `m${i}`);
    await send(carol, withCarol, "hello alice");
    await send(bob, notMine, "not for alice");
    await api.post(`/api/threads/${withBob}/read`, { token: alice.token, body: {} });

    const res = await api.get("/api/users/me/export", { token: alice.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="parley-export-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(res.body.account).toMatchObject({ id: alice.id, username: alice.username });
    const threads = res.body.threads as { id: string; unreadCount: number; messages: { text: string; seq: number; isRead: boolean }[] }[];
    expect(threads.map((t) => t.id).sort()).toEqual([withBob, withCarol].sort());
    const bobs = threads.find((t) => t.id === withBob)!;
    expect(bobs.messages.map((m) => m.text)).toEqual(Array.from({ length: 130 }, (_, i) => `m${i + 1}`));
    expect(bobs.messages.map((m) => m.seq)).toEqual(Array.from({ length: 130 }, (_, i) => i + 1));
    expect(bobs.messages.every((m) => m.isRead)).toBe(true);
    const carols = threads.find((t) => t.id === withCarol)!;
    expect(carols).toMatchObject({ unreadCount: 1, messages: [{ text: "hello alice", isRead: false }] });
    expect(JSON.stringify(res.body)).not.toContain("not for alice");
  });

  it("holds every thread when there are more than one batch of them (100), each once, in id order", async () => {
    const alice = await createUser("alice");
    const others = await Promise.all(Array.from({ length: 21 }, (_, i) => createUser(`p${i}`)));
    // 21 one-to-one threads and 90 groups of three: 111 threads. Made ten at a time: all 111 at once queue for the
    // connection pool longer than a transaction may wait to start when the whole suite loads the machine (a 500).
    const makers = [
      ...others.map((o) => () => createThread(alice, o)),
      ...Array.from({ length: 90 }, (_, i) => () => createThread(alice, others[i % 21]!, others[(i + 1 + Math.floor(i / 21)) % 21]!)),
    ];
    const ids: string[] = [];
    for (let i = 0; i < makers.length; i += 10) ids.push(...(await Promise.all(makers.slice(i, i + 10).map((make) => make()))));
    const unique = [...new Set(ids)].sort();
    const res = await api.get("/api/users/me/export", { token: alice.token });
    expect(res.status).toBe(200);
    expect(res.body.threads.map((t: { id: string }) => t.id)).toEqual(unique);
    expect(unique.length).toBeGreaterThan(100);
  });

  it("is an empty list of threads for an account with none", async () => {
    const alice = await createUser("alice");
    const res = await api.get("/api/users/me/export", { token: alice.token });
    expect(res.status).toBe(200);
    expect(res.body.threads).toEqual([]);
  });
});
