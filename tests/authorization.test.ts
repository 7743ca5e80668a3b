/**
 * The authorization matrix: every thread and message endpoint, asked anonymously, with an unknown token, by an
 * outsider (a signed-in user who is not in the thread), by a participant who did not send the message, and by a
 * participant. Outsiders must learn nothing (404 exactly like a nonexistent id) and change nothing.
 */
import { encode } from "next-auth/jwt";
import { v7 as uuidv7 } from "uuid";
import { beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@/lib/db";
import { api, type ApiResponse, type CallOptions } from "./helpers/api";
import { createThread, createUser, send, type TestUser } from "./helpers/fixtures";

type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

let alice: TestUser, bob: TestUser, eve: TestUser;
/** A session cookie for Alice, signed with a secret that is not the server's. */
let forgedCookie: string;

beforeAll(async () => {
  [alice, bob, eve] = await Promise.all([createUser("alice", "Alice"), createUser("bob"), createUser("eve")]);
  const jwt = await encode({
    token: { sub: alice.id },
    secret: "not-the-server-secret-0123456789abcdef0123456789",
    salt: "authjs.session-token",
  });
  forgedCookie = `authjs.session-token=${jwt}`;
});

const call = (method: Method, path: string, opts: CallOptions) => {
  switch (method) {
    case "GET":
      return api.get(path, opts);
    case "POST":
      return api.post(path, opts);
    case "PATCH":
      return api.patch(path, opts);
    case "PUT":
      return api.put(path, opts);
    case "DELETE":
      return api.delete(path, opts);
  }
};

function expectProblem(res: ApiResponse, status: number, type: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json\b/);
  expect(res.body).toMatchObject({ type, status, title: expect.any(String), detail: expect.any(String) });
  expect(typeof res.body.requestId).toBe("string");
}

/** A thread of Alice and Bob with messages from both; the newest (`aliceMessageId`) is unread for Bob. */
interface Scene {
  threadId: string;
  bobMessageId: string;
  aliceMessageId: string;
  /** The `seq` of `aliceMessageId`: the thread's newest. */
  aliceMessageSeq: number;
}

async function scene(): Promise<Scene> {
  const threadId = await createThread(alice, bob);
  const fromBob = await send(bob, threadId, "from bob");
  const fromAlice = await send(alice, threadId, "from alice");
  return { threadId, bobMessageId: fromBob.id, aliceMessageId: fromAlice.id, aliceMessageSeq: fromAlice.seq };
}

/**
 * Everything a participant can observe about the scene: both participants' views of the thread (existence, read
 * positions, last message, unread count), of its messages (texts, edits, read flags) and of their unread totals.
 */
async function observe(s: Scene) {
  const views = await Promise.all(
    [alice, bob].flatMap((p) => [
      api.get(`/api/threads/${s.threadId}`, { token: p.token }),
      api.get(`/api/threads/${s.threadId}/messages?limit=100`, { token: p.token }),
      api.get("/api/unread", { token: p.token }),
    ]),
  );
  for (const v of views) expect(v.status).toBe(200);
  return {
    views: views.map((v) => v.body),
    messagesInDb: await getPrisma().message.count({ where: { threadId: s.threadId } }),
    messagesByEve: await getPrisma().message.count({ where: { senderId: eve.id } }),
  };
}

interface Endpoint {
  method: Method;
  /** Path template; `{id}` is the thread's or the message's id, as `target` says. */
  path: string;
  target: "thread" | "message";
  body?: unknown;
  /** Who succeeds as a participant, and with which status. */
  actor: "alice" | "bob";
  ok: number;
  /** Only the sender (Alice) may do this; Bob, a participant, gets 403. */
  senderOnly?: boolean;
  /** Sets the scene up further before the request (every caller's case). */
  prepare?: (s: Scene) => Promise<void>;
  /** Checks the participant's success beyond the status. */
  verify: (s: Scene, res: ApiResponse) => Promise<void>;
}

const endpoints: Endpoint[] = [
  {
    method: "GET",
    path: "/api/threads/{id}",
    target: "thread",
    actor: "bob",
    ok: 200,
    verify: async (s, res) => {
      expect(res.body.id).toBe(s.threadId);
      expect(res.body.participants.map((p: { id: string }) => p.id).sort()).toEqual([alice.id, bob.id].sort());
    },
  },
  {
    method: "DELETE",
    path: "/api/threads/{id}",
    target: "thread",
    actor: "bob",
    ok: 204,
    verify: async (s, res) => {
      expect(res.body).toBeNull();
      expectProblem(await api.get(`/api/threads/${s.threadId}`, { token: alice.token }), 404, "/problems/not-found");
    },
  },
  {
    method: "POST",
    path: "/api/threads/{id}/read",
    target: "thread",
    body: {},
    actor: "bob",
    ok: 200,
    verify: async (s, res) => {
      expect(res.body).toEqual({ threadId: s.threadId, lastReadSeq: s.aliceMessageSeq, unreadCount: 0, unreadMentionCount: 0 });
      const unread = await api.get("/api/unread", { token: bob.token });
      expect(unread.body.threads.map((t: { threadId: string }) => t.threadId)).not.toContain(s.threadId);
    },
  },
  {
    method: "GET",
    path: "/api/threads/{id}/messages",
    target: "thread",
    actor: "bob",
    ok: 200,
    verify: async (s, res) => {
      const ids = res.body.data.map((m: { id: string }) => m.id);
      expect(ids).toContain(s.aliceMessageId);
      expect(ids).toContain(s.bobMessageId);
    },
  },
  {
    method: "POST",
    path: "/api/threads/{id}/messages",
    target: "thread",
    body: { text: "posted by a participant" },
    actor: "bob",
    ok: 201,
    verify: async (s, res) => {
      expect(res.body.threadId).toBe(s.threadId);
      const seen = await api.get(`/api/messages/${res.body.id}`, { token: alice.token });
      expect(seen.status).toBe(200);
      expect(seen.body.text).toBe("posted by a participant");
    },
  },
  {
    method: "GET",
    path: "/api/messages/{id}",
    target: "message",
    actor: "bob",
    ok: 200,
    verify: async (s, res) => {
      expect(res.body.id).toBe(s.aliceMessageId);
      expect(res.body.text).toBe("from alice");
    },
  },
  {
    method: "PATCH",
    path: "/api/messages/{id}",
    target: "message",
    body: { text: "edited by the sender" },
    actor: "alice",
    ok: 200,
    senderOnly: true,
    verify: async (s, res) => {
      expect(res.body.text).toBe("edited by the sender");
      const seen = await api.get(`/api/messages/${s.aliceMessageId}`, { token: bob.token });
      expect(seen.body.text).toBe("edited by the sender");
      expect(typeof seen.body.editedAt).toBe("string");
    },
  },
  {
    method: "DELETE",
    path: "/api/messages/{id}",
    target: "message",
    actor: "alice",
    ok: 204,
    senderOnly: true,
    verify: async (s, res) => {
      expect(res.body).toBeNull();
      expectProblem(await api.get(`/api/messages/${s.aliceMessageId}`, { token: bob.token }), 404, "/problems/not-found");
    },
  },
  {
    method: "POST",
    path: "/api/messages/{id}/read",
    target: "message",
    actor: "bob",
    ok: 200,
    verify: async (s, res) => {
      expect(res.body).toEqual({ threadId: s.threadId, lastReadSeq: s.aliceMessageSeq, unreadCount: 0, unreadMentionCount: 0 });
    },
  },
  {
    method: "POST",
    path: "/api/messages/{id}/unread",
    target: "message",
    actor: "alice",
    ok: 200,
    verify: async (s, res) => {
      // Alice's own message: her read position moves to just before it, and her own message is never unread.
      expect(res.body).toEqual({ threadId: s.threadId, lastReadSeq: s.aliceMessageSeq - 1, unreadCount: 0, unreadMentionCount: 0 });
      const thread = await api.get(`/api/threads/${s.threadId}`, { token: alice.token });
      expect(thread.body.participants.find((p: { id: string }) => p.id === alice.id).lastReadSeq).toBe(s.aliceMessageSeq - 1);
    },
  },
  {
    method: "PUT",
    path: `/api/messages/{id}/reactions/${encodeURIComponent("👍")}`,
    target: "message",
    actor: "bob",
    ok: 200,
    verify: async (s, res) => {
      const reactions = [{ emoji: "👍", count: 1, userIds: [bob.id] }];
      expect(res.body).toEqual({ messageId: s.aliceMessageId, threadId: s.threadId, reactions });
      expect((await api.get(`/api/messages/${s.aliceMessageId}`, { token: alice.token })).body.reactions).toEqual(reactions);
    },
  },
  {
    method: "DELETE",
    path: `/api/messages/{id}/reactions/${encodeURIComponent("👍")}`,
    target: "message",
    actor: "bob",
    ok: 200,
    prepare: async (s) => {
      const res = await api.put(`/api/messages/${s.aliceMessageId}/reactions/${encodeURIComponent("👍")}`, { token: bob.token });
      expect(res.status).toBe(200);
    },
    verify: async (s, res) => {
      expect(res.body).toEqual({ messageId: s.aliceMessageId, threadId: s.threadId, reactions: [] });
      expect((await api.get(`/api/messages/${s.aliceMessageId}`, { token: alice.token })).body.reactions).toEqual([]);
    },
  },
];

const pathFor = (e: Endpoint, id: string) => e.path.replace("{id}", encodeURIComponent(id));
const idFor = (e: Endpoint, s: Scene) => (e.target === "thread" ? s.threadId : s.aliceMessageId);
const bodyOpts = (e: Endpoint): CallOptions => (e.body === undefined ? {} : { body: e.body });

/** Callers that are not signed in at all. */
const anonymousCallers: { name: string; opts: () => CallOptions }[] = [
  { name: "without credentials", opts: () => ({}) },
  { name: "with an unknown bearer token", opts: () => ({ token: `prly_${"A".repeat(43)}` }) },
  { name: "with a malformed Authorization header", opts: () => ({ authorization: "Basic YWxpY2U6c2VjcmV0" }) },
  { name: "with a session cookie signed by another secret", opts: () => ({ cookie: forgedCookie }) },
];

for (const endpoint of endpoints) {
  describe(`${endpoint.method} ${endpoint.path}`, () => {
    for (const anonymous of anonymousCallers) {
      it(`answers 401 ${anonymous.name} and changes nothing`, async () => {
        const s = await scene();
        await endpoint.prepare?.(s);
        const before = await observe(s);
        const res = await call(endpoint.method, pathFor(endpoint, idFor(endpoint, s)), {
          ...anonymous.opts(),
          ...bodyOpts(endpoint),
        });
        expectProblem(res, 401, "/problems/unauthorized");
        expect(await observe(s)).toEqual(before);
      });
    }

    it("answers an outsider 404 exactly as for a nonexistent id, and changes nothing", async () => {
      const s = await scene();
      await endpoint.prepare?.(s);
      const before = await observe(s);
      const outsider = await call(endpoint.method, pathFor(endpoint, idFor(endpoint, s)), {
        token: eve.token,
        ...bodyOpts(endpoint),
      });
      const missing = await call(endpoint.method, pathFor(endpoint, uuidv7()), { token: eve.token, ...bodyOpts(endpoint) });
      const missingForParticipant = await call(endpoint.method, pathFor(endpoint, uuidv7()), {
        token: bob.token,
        ...bodyOpts(endpoint),
      });

      expectProblem(outsider, 404, "/problems/not-found");
      expectProblem(missing, 404, "/problems/not-found");
      const shape = (r: ApiResponse) => ({
        status: r.status,
        contentType: r.headers.get("content-type"),
        type: r.body.type,
        title: r.body.title,
        detail: r.body.detail,
        errors: r.body.errors,
      });
      expect(shape(outsider)).toEqual(shape(missing));
      expect(shape(missingForParticipant)).toEqual(shape(missing));
      expect(await observe(s)).toEqual(before);
    });

    if (endpoint.senderOnly) {
      it("answers 403 to a participant who did not send the message, and changes nothing", async () => {
        const s = await scene();
        await endpoint.prepare?.(s);
        const before = await observe(s);
        const res = await call(endpoint.method, pathFor(endpoint, s.aliceMessageId), {
          token: bob.token,
          ...bodyOpts(endpoint),
        });
        expectProblem(res, 403, "/problems/forbidden");
        expect(await observe(s)).toEqual(before);
      });
    }

    it(`lets a participant (${endpoint.actor}) through with ${endpoint.ok}`, async () => {
      const s = await scene();
      await endpoint.prepare?.(s);
      const actor = endpoint.actor === "alice" ? alice : bob;
      const res = await call(endpoint.method, pathFor(endpoint, idFor(endpoint, s)), {
        token: actor.token,
        ...bodyOpts(endpoint),
      });
      expect(res.status).toBe(endpoint.ok);
      await endpoint.verify(s, res);
    });
  });
}

/** Endpoints that belong to the caller rather than to a thread: signed-in only, and they never show others' threads. */
interface AccountEndpoint {
  method: Method;
  path: string;
  body?: () => unknown;
  ok: number;
  /** Checks the signed-in outsider's (Eve's) answer: it must not reveal Alice and Bob's thread. */
  verify: (s: Scene, res: ApiResponse) => void;
}

const accountEndpoints: AccountEndpoint[] = [
  {
    method: "GET",
    path: "/api/threads",
    ok: 200,
    verify: (s, res) => expect(res.body.data.map((t: { id: string }) => t.id)).not.toContain(s.threadId),
  },
  {
    method: "GET",
    path: "/api/unread",
    ok: 200,
    verify: (s, res) => {
      expect(res.body.threads.map((t: { threadId: string }) => t.threadId)).not.toContain(s.threadId);
    },
  },
  {
    method: "GET",
    path: "/api/messages/unread",
    ok: 200,
    verify: (s, res) => expect(res.body.data.map((m: { threadId: string }) => m.threadId)).not.toContain(s.threadId),
  },
  {
    method: "GET",
    path: "/api/users",
    ok: 200,
    verify: (_s, res) => expect(res.body.data.map((u: { id: string }) => u.id)).toContain(alice.id),
  },
  {
    method: "GET",
    path: "/api/users/me",
    ok: 200,
    verify: (_s, res) => expect(res.body.id).toBe(eve.id),
  },
  {
    method: "GET",
    path: "/api/tokens",
    ok: 200,
    verify: (_s, res) => expect(res.body.data.length).toBeGreaterThan(0),
  },
  {
    method: "POST",
    path: "/api/threads",
    body: () => ({ participantIds: [alice.id, bob.id] }),
    ok: 201,
    verify: (s, res) => expect(res.body.id).not.toBe(s.threadId),
  },
];

for (const endpoint of accountEndpoints) {
  describe(`${endpoint.method} ${endpoint.path}`, () => {
    const body = (): CallOptions => (endpoint.body ? { body: endpoint.body() } : {});

    for (const anonymous of anonymousCallers) {
      it(`answers 401 ${anonymous.name}`, async () => {
        const s = await scene();
        const threadsBefore = await getPrisma().thread.count();
        const res = await call(endpoint.method, endpoint.path, { ...anonymous.opts(), ...body() });
        expectProblem(res, 401, "/problems/unauthorized");
        expect(await getPrisma().thread.count()).toBe(threadsBefore);
        expect(await getPrisma().thread.count({ where: { id: s.threadId } })).toBe(1);
      });
    }

    it("answers a signed-in user without showing them threads they are not in", async () => {
      const s = await scene();
      const res = await call(endpoint.method, endpoint.path, { token: eve.token, ...body() });
      expect(res.status).toBe(endpoint.ok);
      endpoint.verify(s, res);
    });
  });
}

describe("an outsider posting into a thread (the original Django bug)", () => {
  it("is refused with 404 and no message is created anywhere", async () => {
    const s = await scene();
    const before = await observe(s);
    const bobUnreadBefore = (await api.get("/api/unread", { token: bob.token })).body.total;

    const res = await api.post(`/api/threads/${s.threadId}/messages`, {
      token: eve.token,
      body: { text: "let me in", clientMessageId: "eve-intrusion-1" },
    });
    expectProblem(res, 404, "/problems/not-found");
    expect(res.headers.get("location")).toBeNull();

    expect(await observe(s)).toEqual(before);
    expect(await getPrisma().message.count({ where: { senderId: eve.id } })).toBe(0);
    expect((await api.get("/api/unread", { token: bob.token })).body.total).toBe(bobUnreadBefore);
    const texts = (await api.get(`/api/threads/${s.threadId}/messages?limit=100`, { token: alice.token })).body.data.map(
      (m: { text: string }) => m.text,
    );
    expect(texts).not.toContain("let me in");

    // The idempotency key was not consumed either: Eve can use it in her own thread as a new message.
    const own = await createThread(eve, alice);
    const fresh = await api.post(`/api/threads/${own}/messages`, {
      token: eve.token,
      body: { text: "hello alice", clientMessageId: "eve-intrusion-1" },
    });
    expect(fresh.status).toBe(201);
    expect(fresh.body.threadId).toBe(own);
  });
});

describe("references across threads", () => {
  it("does not let an outsider mark another thread's message read through their own thread", async () => {
    const s = await scene();
    const own = await createThread(eve, bob);
    const before = await observe(s);
    const res = await api.post(`/api/threads/${own}/read`, { token: eve.token, body: { upToMessageId: s.aliceMessageId } });
    expectProblem(res, 404, "/problems/not-found");
    expect(await observe(s)).toEqual(before);
  });

  it("does not let an outsider page from another thread's message through their own thread", async () => {
    const s = await scene();
    const own = await createThread(eve, bob);
    const res = await api.get(`/api/threads/${own}/messages?after=${s.bobMessageId}`, { token: eve.token });
    expectProblem(res, 404, "/problems/not-found");
  });
});

describe("tokens of another user", () => {
  it("answers 404 to revoking someone else's token, exactly as for a nonexistent token, and the token keeps working", async () => {
    const tokens = await api.get("/api/tokens", { token: alice.token });
    expect(tokens.status).toBe(200);
    const aliceTokenId: string = tokens.body.data[0].id;

    const outsider = await api.delete(`/api/tokens/${aliceTokenId}`, { token: eve.token });
    const missing = await api.delete(`/api/tokens/${uuidv7()}`, { token: eve.token });
    expectProblem(outsider, 404, "/problems/not-found");
    expectProblem(missing, 404, "/problems/not-found");
    expect(outsider.body.detail).toBe(missing.body.detail);

    const still = await api.get("/api/users/me", { token: alice.token });
    expect(still.status).toBe(200);
    expect(still.body.id).toBe(alice.id);
  });
});

describe("401 challenges", () => {
  // RFC 9110 §11.6.1 / §15.5.2: a 401 response MUST carry WWW-Authenticate; RFC 6750 §3 for bearer tokens.
  for (const anonymous of anonymousCallers) {
    it(`sends WWW-Authenticate with a 401 ${anonymous.name}`, async () => {
      const res = await api.get("/api/threads", anonymous.opts());
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate") ?? "(no WWW-Authenticate header)").toMatch(/^Bearer\b/);
    });
  }
});
