/** Test users with API tokens, created through the real endpoints. */
import { randomBytes } from "node:crypto";
import { encode } from "next-auth/jwt";
import { getPrisma } from "@/lib/db";
import type { Credential } from "@/lib/server/credentials";
import { createSession } from "@/lib/server/sessions";
import { createToken, hashToken } from "@/lib/server/tokens";
import { hashPassword } from "@/lib/server/users";
import { expect } from "vitest";
import type { Page } from "@/lib/schemas/common";
import type { Message } from "@/lib/schemas/messages";
import { api } from "./api";

export interface TestUser {
  id: string;
  username: string;
  password: string;
  token: string;
}

/** A short unique username (valid: `[a-z0-9_]{3,32}`). */
export const uniqueName = (prefix = "u") => `${prefix}_${randomBytes(5).toString("hex")}`;

/** Registers a user and issues them a token. */
export async function createUser(prefix = "u", name?: string): Promise<TestUser> {
  const username = uniqueName(prefix);
  const password = "correct horse battery";
  const reg = await api.post("/api/auth/register", { body: { username, password, ...(name ? { name } : {}) } });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.body)}`);
  const tok = await api.post("/api/tokens", { body: { username, password } });
  if (tok.status !== 201) throw new Error(`token failed: ${tok.status} ${JSON.stringify(tok.body)}`);
  return { id: reg.body.id, username, password, token: tok.body.token };
}

let quickHash: Promise<string> | undefined;

/**
 * A user like {@link createUser}'s (same password, a token), made straight in the database with the password hashed
 * once per file: for tests that need many people fast (a race's fresh people every round). Registration itself is
 * tests/accounts.test.ts's.
 */
export async function quickUser(prefix = "u"): Promise<TestUser> {
  const password = "correct horse battery";
  quickHash ??= hashPassword(password);
  const username = uniqueName(prefix);
  const { id } = await getPrisma().user.create({ data: { username, passwordHash: await quickHash }, select: { id: true } });
  const { token } = await createToken(id, "quick", null);
  return { id, username, password, token };
}

/**
 * Makes `user` an admin of the instance straight in the database (there is no API for the first admin: the operator's
 * command line grants it). Their existing credentials carry the role at once: it is read on every admin request.
 */
export async function makeAdmin(user: TestUser): Promise<TestUser> {
  await getPrisma().$executeRaw`UPDATE users SET role = 'admin' WHERE id = ${user.id}`;
  return user;
}

/** Registers a user with a token and makes them an admin ({@link makeAdmin}). */
export const createAdmin = async (prefix = "admin", name?: string): Promise<TestUser> => makeAdmin(await createUser(prefix, name));

/** A {@link quickUser} made an admin ({@link makeAdmin}). */
export const quickAdmin = async (prefix = "admin"): Promise<TestUser> => makeAdmin(await quickUser(prefix));

/** Creates (or gets) the thread of `owner` with `others`, returning its id. */
export async function createThread(owner: TestUser, ...others: TestUser[]): Promise<string> {
  const res = await api.post("/api/threads", { token: owner.token, body: { participantIds: others.map((o) => o.id) } });
  if (res.status !== 201 && res.status !== 200) throw new Error(`thread failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** Creates a group titled `title` with `owner` as its admin and `others` as members, returning its id. */
export async function createGroup(owner: TestUser, title: string, ...others: TestUser[]): Promise<string> {
  const res = await api.post("/api/threads", { token: owner.token, body: { participantIds: others.map((o) => o.id), title } });
  if (res.status !== 201) throw new Error(`group failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** Sends a message, returning the created message body. */
export async function send(from: TestUser, threadId: string, text: string, clientMessageId?: string) {
  const res = await api.post(`/api/threads/${threadId}/messages`, {
    token: from.token,
    body: { text, ...(clientMessageId ? { clientMessageId } : {}) },
  });
  if (res.status !== 201) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The credential of `user`'s bearer token, as the hub's `subscribe` takes it. */
export const tokenCredential = (user: TestUser): Credential => ({ kind: "token", id: hashToken(user.token), expiresAt: null });

/**
 * A `Cookie` header with an Auth.js session cookie holding `claims`, sealed as Auth.js seals it (with `secret`);
 * `maxAge` in seconds sets its expiry (Auth.js's default, 30 days, otherwise).
 */
export async function mintSessionCookie(
  claims: { sub: string; sid?: string },
  { secret = process.env.AUTH_SECRET!, maxAge }: { secret?: string; maxAge?: number } = {},
): Promise<string> {
  const jwt = await encode({ token: claims, secret, salt: "authjs.session-token", ...(maxAge ? { maxAge } : {}) });
  return `authjs.session-token=${jwt}`;
}

/**
 * Signs `userId` in as the sign-in form does: a session row (lib/server/sessions.ts) and a cookie naming it.
 * @returns the `Cookie` header and the session's id.
 */
export async function signedInSession(userId: string, opts: { secret?: string; maxAge?: number } = {}) {
  const { id } = await createSession(userId);
  return { cookie: await mintSessionCookie({ sub: userId, sid: id }, opts), sessionId: id };
}

/** A `Cookie` header of a current session of `userId` (see {@link signedInSession}); `secret` seals it. */
export async function sessionCookie(userId: string, secret = process.env.AUTH_SECRET!): Promise<string> {
  return (await signedInSession(userId, { secret })).cookie;
}

/** Every message of a thread as `user` sees it, newest first (GET /api/threads/{id}/messages, every page). */
export async function allMessages(user: TestUser, threadId: string): Promise<Message[]> {
  const out: Message[] = [];
  let cursor: string | undefined;
  for (;;) {
    const q = new URLSearchParams({ limit: "100", ...(cursor ? { cursor } : {}) });
    const res = await api.get<Page<Message>>(`/api/threads/${threadId}/messages?${q}`, { token: user.token });
    expect(res.status).toBe(200);
    out.push(...res.body.data);
    if (res.body.nextCursor === null) return out;
    cursor = res.body.nextCursor;
  }
}
