/**
 * The OpenAPI document (issue 6): it is valid OpenAPI 3.1, it names exactly the routes the app has, it is served at
 * /api/openapi.json, and every operation answers as documented. Each answer below, and every answer of every other
 * test, passes tests/helpers/contract.ts (status, content type, headers and body schema against the document).
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/openapi";
import { api, type CallOptions } from "./helpers/api";
import { checkResponse, documentedOperations } from "./helpers/contract";
import { createAdmin, createGroup, createThread, createUser, send, type TestUser } from "./helpers/fixtures";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
/** 👍 as a path segment. */
const THUMBS_UP = encodeURIComponent("👍");
/** Routes that are not part of the API the document describes: Auth.js's own endpoints, and the unknown-path 404. */
const UNDOCUMENTED = new Set(["/api/auth/{nextauth}", "/api/{path}", "/api/openapi.json"]);

/**
 * Every `app/api/**\/route.ts` as a path template (`[id]` → `{id}`) with the HTTP methods it exports, and the method and
 * path of the declared operation each export serves.
 */
async function appRoutes(): Promise<string[]> {
  const root = path.join(process.cwd(), "app", "api");
  const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith("route.ts"));
  const found: string[] = [];
  for (const file of files) {
    const template = "/api/" + path.dirname(file).split(path.sep).map((s) => s.replace(/^\[(?:\.\.\.)?(\w+)\]$/, "{$1}")).join("/");
    if (UNDOCUMENTED.has(template)) continue;
    const mod = (await import(/* @vite-ignore */ path.join(root, file))) as Record<string, unknown>;
    for (const m of METHODS) {
      const handler = mod[m] as ((...args: unknown[]) => unknown) & { operation?: { method: string; path: string } };
      if (typeof handler !== "function") continue;
      // The handler serves the declaration of this method and path (route(op, …) in lib/api/handler.ts).
      const served = handler.operation;
      found.push(served ? `${m} ${template} serves ${served.method} ${served.path}` : `${m} ${template} serves no declared operation`);
    }
  }
  return found.sort();
}

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    const validator = new Validator();
    const result = await validator.validate(openApiDocument() as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("describes exactly the operations the app's route handlers implement", async () => {
    const documented = documentedOperations()
      .map((o) => `${o.method} ${o.template} serves ${o.method} ${o.template}`)
      .sort();
    expect(documented).toEqual(await appRoutes());
    const ids = documentedOperations().map((o) => o.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("is served at /api/openapi.json to anyone", async () => {
    const res = await api.get("/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it("holds answers to it: a body missing a field, an undocumented status, a missing header or type all fail", () => {
    const headers = new Headers({ "content-type": "application/json", "x-request-id": "r1" });
    const message = {
      id: "m",
      threadId: "t",
      seq: 1,
      kind: "text",
      sender: { id: "u", username: "ann", name: null },
      text: "hi",
      system: null,
      clientMessageId: null,
      createdAt: "2026-11-21T00:00:00.000Z",
      editedAt: null,
      replyTo: null,
      mentions: [],
      reactions: [],
      isRead: true,
    };
    expect(() => checkResponse("GET", "/api/messages/m", 200, headers, message)).not.toThrow();
    const withoutSeq: Partial<typeof message> = { ...message };
    delete withoutSeq.seq;
    expect(() => checkResponse("GET", "/api/messages/m", 200, headers, withoutSeq)).toThrow(/seq/);
    expect(() => checkResponse("GET", "/api/messages/m", 200, headers, { ...message, extra: 1 })).toThrow(/additional/);
    expect(() => checkResponse("GET", "/api/messages/m", 200, headers, { ...message, createdAt: "yesterday" })).toThrow(/createdAt/);
    expect(() => checkResponse("GET", "/api/messages/m", 418, headers, message)).toThrow(/not documented/);
    expect(() => checkResponse("GET", "/api/messages/m", 200, new Headers({ "content-type": "application/json" }), message)).toThrow(
      /X-Request-Id/,
    );
    expect(() => checkResponse("GET", "/api/messages/m", 200, new Headers({ "content-type": "text/html", "x-request-id": "r" }), message)).toThrow(
      /text\/html/,
    );
    expect(() => checkResponse("PUT", "/api/messages/m", 200, headers, message)).toThrow(/not in the document/);
  });
});

describe("every operation answers as documented", () => {
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  /** An admin of the instance: the admin operations (`auth: "admin"`) answer only them. */
  let root: TestUser;
  let threadId: string;

  beforeAll(async () => {
    [alice, bob, carol, root] = await Promise.all([createUser("alice", "Alice"), createUser("bob"), createUser("carol"), createAdmin("root")]);
    threadId = await createThread(alice, bob);
    for (let i = 1; i <= 3; i++) await send(bob, threadId, `hello ${i}`);
  });

  /** How to call each operation successfully (as Alice unless said otherwise), and the status that means success. */
  const success: Record<string, () => Promise<{ method: string; path: string; opts: CallOptions; status: number }>> = {
    listThreads: async () => ({ method: "GET", path: "/api/threads?limit=1", opts: { token: alice.token }, status: 200 }),
    getHealth: async () => ({ method: "GET", path: "/api/health", opts: {}, status: 200 }),
    getReadiness: async () => ({ method: "GET", path: "/api/ready", opts: {}, status: 200 }),
    createOrGetThread: async () => ({
      method: "POST",
      path: "/api/threads",
      opts: { token: alice.token, body: { participantIds: [carol.id] } },
      status: 201,
    }),
    getThread: async () => ({ method: "GET", path: `/api/threads/${threadId}`, opts: { token: alice.token }, status: 200 }),
    updateThread: async () => {
      const group = await createGroup(alice, "Contract", bob);
      return { method: "PATCH", path: `/api/threads/${group}`, opts: { token: alice.token, body: { title: "Renamed" } }, status: 200 };
    },
    addParticipants: async () => {
      const group = await createGroup(alice, "Contract", bob);
      return { method: "POST", path: `/api/threads/${group}/participants`, opts: { token: alice.token, body: { userIds: [carol.id] } }, status: 200 };
    },
    updateParticipant: async () => {
      const group = await createGroup(alice, "Contract", bob);
      return {
        method: "PATCH",
        path: `/api/threads/${group}/participants/${bob.id}`,
        opts: { token: alice.token, body: { role: "admin" } },
        status: 200,
      };
    },
    removeParticipant: async () => {
      const group = await createGroup(alice, "Contract", bob, carol);
      return { method: "DELETE", path: `/api/threads/${group}/participants/${carol.id}`, opts: { token: alice.token }, status: 204 };
    },
    deleteThread: async () => {
      const doomed = await createThread(alice, bob, carol);
      return { method: "DELETE", path: `/api/threads/${doomed}`, opts: { token: alice.token }, status: 204 };
    },
    listMessages: async () => ({
      method: "GET",
      path: `/api/threads/${threadId}/messages?limit=2`,
      opts: { token: alice.token },
      status: 200,
    }),
    sendMessage: async () => ({
      method: "POST",
      path: `/api/threads/${threadId}/messages`,
      opts: { token: alice.token, body: { text: "documented", clientMessageId: "contract-1" } },
      status: 201,
    }),
    markThreadRead: async () => ({ method: "POST", path: `/api/threads/${threadId}/read`, opts: { token: alice.token }, status: 200 }),
    sendTyping: async () => ({ method: "POST", path: `/api/threads/${threadId}/typing`, opts: { token: alice.token }, status: 204 }),
    getMessage: async () => {
      const m = await send(bob, threadId, "get me");
      return { method: "GET", path: `/api/messages/${m.id}`, opts: { token: alice.token }, status: 200 };
    },
    editMessage: async () => {
      const m = await send(alice, threadId, "edit me");
      return { method: "PATCH", path: `/api/messages/${m.id}`, opts: { token: alice.token, body: { text: "edited" } }, status: 200 };
    },
    deleteMessage: async () => {
      const m = await send(alice, threadId, "delete me");
      return { method: "DELETE", path: `/api/messages/${m.id}`, opts: { token: alice.token }, status: 204 };
    },
    markMessageRead: async () => {
      const m = await send(bob, threadId, "read me");
      return { method: "POST", path: `/api/messages/${m.id}/read`, opts: { token: alice.token }, status: 200 };
    },
    markMessageUnread: async () => {
      const m = await send(bob, threadId, "read me, then unread");
      await api.post(`/api/messages/${m.id}/read`, { token: alice.token });
      return { method: "POST", path: `/api/messages/${m.id}/unread`, opts: { token: alice.token }, status: 200 };
    },
    addReaction: async () => {
      const m = await send(bob, threadId, "react to me");
      return { method: "PUT", path: `/api/messages/${m.id}/reactions/${THUMBS_UP}`, opts: { token: alice.token }, status: 200 };
    },
    removeReaction: async () => {
      const m = await send(bob, threadId, "react, then take it back");
      await api.put(`/api/messages/${m.id}/reactions/${THUMBS_UP}`, { token: alice.token });
      return { method: "DELETE", path: `/api/messages/${m.id}/reactions/${THUMBS_UP}`, opts: { token: alice.token }, status: 200 };
    },
    listUnreadMessages: async () => {
      await send(bob, threadId, "unread");
      return { method: "GET", path: "/api/messages/unread", opts: { token: alice.token }, status: 200 };
    },
    getUnreadCounts: async () => ({ method: "GET", path: "/api/unread", opts: { token: alice.token }, status: 200 }),
    searchMessages: async () => ({ method: "GET", path: "/api/search?q=hello&limit=2", opts: { token: alice.token }, status: 200 }),
    searchUsers: async () => ({ method: "GET", path: `/api/users?q=${bob.username}`, opts: { token: alice.token }, status: 200 }),
    getMe: async () => ({ method: "GET", path: "/api/users/me", opts: { token: alice.token }, status: 200 }),
    updateMe: async () => ({ method: "PATCH", path: "/api/users/me", opts: { token: alice.token, body: { name: "Alice L." } }, status: 200 }),
    getUser: async () => ({ method: "GET", path: `/api/users/${bob.id}`, opts: { token: alice.token }, status: 200 }),
    changePassword: async () => {
      const carol = await createUser("carol");
      const body = { currentPassword: carol.password, newPassword: "another horse battery" };
      return { method: "POST", path: "/api/users/me/password", opts: { token: carol.token, body }, status: 204 };
    },
    exportAccount: async () => ({ method: "GET", path: "/api/users/me/export", opts: { token: alice.token }, status: 200 }),
    deleteAccount: async () => {
      const erin = await createUser("erin");
      return { method: "DELETE", path: "/api/users/me", opts: { token: erin.token, body: { password: erin.password } }, status: 204 };
    },
    signOutEverywhere: async () => {
      const dave = await createUser("dave");
      return { method: "DELETE", path: "/api/users/me/credentials", opts: { token: dave.token }, status: 200 };
    },
    register: async () => ({
      method: "POST",
      path: "/api/auth/register",
      opts: { body: { username: `contract_${Date.now().toString(36)}`, password: "correct horse battery" } },
      status: 201,
    }),
    listTokens: async () => ({ method: "GET", path: "/api/tokens", opts: { token: alice.token }, status: 200 }),
    createToken: async () => ({ method: "POST", path: "/api/tokens", opts: { token: alice.token, body: { name: "contract" } }, status: 201 }),
    revokeToken: async () => {
      const created = await api.post("/api/tokens", { token: alice.token, body: { name: "to revoke" } });
      return { method: "DELETE", path: `/api/tokens/${created.body.id}`, opts: { token: alice.token }, status: 204 };
    },
    // Moderation: everyone's side.
    reportMessage: async () => {
      const m = await send(bob, threadId, "report me");
      return {
        method: "POST",
        path: `/api/messages/${m.id}/reports`,
        opts: { token: alice.token, body: { reason: "spam", details: "contract" } },
        status: 201,
      };
    },
    listBlocks: async () => {
      const blocked = await createUser("blocked");
      await api.put(`/api/users/me/blocks/${blocked.id}`, { token: alice.token });
      return { method: "GET", path: "/api/users/me/blocks?limit=5", opts: { token: alice.token }, status: 200 };
    },
    blockUser: async () => {
      const pest = await createUser("pest");
      return { method: "PUT", path: `/api/users/me/blocks/${pest.id}`, opts: { token: alice.token }, status: 204 };
    },
    unblockUser: async () => {
      const pest = await createUser("pest");
      await api.put(`/api/users/me/blocks/${pest.id}`, { token: alice.token });
      return { method: "DELETE", path: `/api/users/me/blocks/${pest.id}`, opts: { token: alice.token }, status: 204 };
    },
    // The admin area: only an admin's credentials reach it.
    getAdminStats: async () => ({ method: "GET", path: "/api/admin/stats", opts: { token: root.token }, status: 200 }),
    listAdminUsers: async () => ({
      method: "GET",
      path: `/api/admin/users?q=${bob.username}&status=active&limit=5`,
      opts: { token: root.token },
      status: 200,
    }),
    getAdminUser: async () => ({ method: "GET", path: `/api/admin/users/${bob.id}`, opts: { token: root.token }, status: 200 }),
    updateAdminUser: async () => {
      const target = await createUser("target");
      const body = { suspended: true, reason: "contract" };
      return { method: "PATCH", path: `/api/admin/users/${target.id}`, opts: { token: root.token, body }, status: 200 };
    },
    deleteAdminUser: async () => {
      const target = await createUser("target");
      return { method: "DELETE", path: `/api/admin/users/${target.id}`, opts: { token: root.token, body: { reason: "contract" } }, status: 204 };
    },
    resetUserPassword: async () => {
      const target = await createUser("target");
      return {
        method: "POST",
        path: `/api/admin/users/${target.id}/password-reset`,
        opts: { token: root.token, body: { reason: "contract" } },
        status: 200,
      };
    },
    listAdminThreads: async () => ({ method: "GET", path: "/api/admin/threads?limit=2", opts: { token: root.token }, status: 200 }),
    getAdminThread: async () => ({ method: "GET", path: `/api/admin/threads/${threadId}`, opts: { token: root.token }, status: 200 }),
    listAdminThreadMessages: async () => ({
      method: "GET",
      path: `/api/admin/threads/${threadId}/messages?reason=contract&limit=2`,
      opts: { token: root.token },
      status: 200,
    }),
    removeMessage: async () => {
      const m = await send(bob, threadId, "remove me");
      return { method: "DELETE", path: `/api/admin/messages/${m.id}`, opts: { token: root.token, body: { reason: "contract" } }, status: 204 };
    },
    listReports: async () => {
      await report(alice, await send(bob, threadId, "queue me"));
      return { method: "GET", path: "/api/admin/reports?status=open&limit=5", opts: { token: root.token }, status: 200 };
    },
    getReport: async () => {
      const id = await report(alice, await send(bob, threadId, "look at me"));
      return { method: "GET", path: `/api/admin/reports/${id}`, opts: { token: root.token }, status: 200 };
    },
    resolveReport: async () => {
      const id = await report(alice, await send(bob, threadId, "resolve me"));
      return {
        method: "POST",
        path: `/api/admin/reports/${id}/resolution`,
        opts: { token: root.token, body: { action: "dismiss", reason: "contract" } },
        status: 200,
      };
    },
    listAuditLog: async () => ({ method: "GET", path: "/api/admin/audit-log?limit=5", opts: { token: root.token }, status: 200 }),
  };
  /** `by` reports `message`; answers the report's id. */
  async function report(by: TestUser, message: { id: string }): Promise<string> {
    const res = await api.post(`/api/messages/${message.id}/reports`, { token: by.token, body: { reason: "spam" } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  }
  /** Operations whose success is not an ordinary response: the event stream stays open (tests/live.test.ts reads it). */
  const streamed = new Set(["streamEvents"]);

  it("has a success case for every documented operation", () => {
    const ids = documentedOperations().map((o) => o.operation.operationId);
    expect(ids.filter((id) => !(id in success) && !streamed.has(id))).toEqual([]);
  });

  const operations = documentedOperations();
  // Ids that exist nowhere; any other path parameter (a reaction's emoji) valid, so that the id is what is wrong.
  const concrete = (template: string, id = "0190b8a0-0000-7000-8000-000000000000") =>
    template.replace("{id}", id).replace("{emoji}", THUMBS_UP);

  it.each(operations.map((o) => [o.operation.operationId, o] as const))("%s", async (operationId, { method, template, operation }) => {
    const documented = Object.keys(operation.responses);
    const call = (opts: CallOptions, path = concrete(template)) => api[method.toLowerCase() as "get"](path, opts);
    // `security: []` reads no credentials; an empty requirement `{}` lets anonymous callers in.
    const security = operation.security ?? [];
    const authRequired = security.length > 0 && !security.some((s) => Object.keys(s).length === 0);
    // An admin operation (`auth: "admin"`) has the security of a required one, but never answers 401: to anyone but an
    // active admin it answers what an unknown path does (404), whoever they are.
    const adminOnly = authRequired && !documented.includes("401");
    const hasBody = "requestBody" in operation;
    /** The token that gets past the front door: an admin's for the admin operations, Alice's for the others. */
    const token = adminOnly ? root.token : alice.token;

    if (adminOnly) {
      const unknownPath = await api.get("/api/no-such-endpoint", { token: alice.token });
      for (const opts of [{}, { token: alice.token }, { token: carol.token }]) {
        const res = await call(opts);
        expect(res.status, JSON.stringify(res.body)).toBe(404);
        expect({ ...res.body, requestId: null }).toEqual({ ...unknownPath.body, requestId: null });
      }
    } else if (authRequired) {
      expect((await call({})).status).toBe(401);
    }
    if (template.includes("{id}")) {
      const body = {
        sendMessage: { text: "x" },
        editMessage: { text: "x" },
        markThreadRead: {},
        updateThread: { title: "x" },
        addParticipants: { userIds: [bob.id] },
        updateParticipant: { role: "admin" },
        reportMessage: { reason: "spam" },
        updateAdminUser: { role: "admin" },
        deleteAdminUser: { reason: "x" },
        resetUserPassword: {},
        removeMessage: { reason: "x" },
        resolveReport: { action: "dismiss", reason: "x" },
      }[operationId];
      // Reading a conversation's messages needs a reason (in the query); with one, the unknown thread is what is wrong.
      const query = operationId === "listAdminThreadMessages" ? "?reason=x" : "";
      const res = await call({ token, ...(body ? { body } : {}) }, concrete(template) + query);
      expect(res.status, JSON.stringify(res.body)).toBe(404);
    }
    if (hasBody) {
      const target = template.includes("{id}") ? concrete(template, threadId) : template;
      const opts = { token };
      expect((await call({ ...opts, body: "text", headers: { "content-type": "text/plain" } }, target)).status).toBe(415);
      expect((await call({ ...opts, body: JSON.stringify({ pad: "x".repeat(70_000) }) }, target)).status).toBe(413);
      expect((await call({ ...opts, body: { "~unknown": true } }, target)).status).toBe(400);
    }
    if (streamed.has(operationId)) {
      const bad = await api.get("/api/events", { token: alice.token, headers: { "last-event-id": "not-an-id" } });
      expect(bad.status).toBe(400);
      return;
    }
    const recipe = await success[operationId]!();
    expect(recipe.method).toBe(method);
    const res = await api[method.toLowerCase() as "get"](recipe.path, recipe.opts);
    expect(res.status, JSON.stringify(res.body)).toBe(recipe.status);
    expect(documented).toContain(String(recipe.status));
  });
});
