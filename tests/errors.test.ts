/**
 * Bad input never gets past the edge: malformed JSON, wrong types, unknown fields, oversized bodies, wrong content
 * types, bad cursors and limits all answer application/problem+json with a request id, and change nothing.
 * Also the message text rules: 1..4000 code points after trimming.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, type ApiResponse, type CallOptions, call } from "./helpers/api";
import { createThread, createUser, send, type TestUser, uniqueName } from "./helpers/fixtures";

const MAX_BODY = 64 * 1024;

/** Asserts an RFC 9457 problem response with the given status, carrying the request id in header and body. */
function expectProblem(res: ApiResponse, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json\b/);
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  const requestId = res.headers.get("x-request-id");
  expect(requestId).toBeTruthy();
  expect(res.body.requestId).toBe(requestId);
}

/** JSON whose UTF-8 encoding is exactly `bytes` long: `prefix` + padding + `suffix`, padded inside a string value. */
function jsonOfSize(bytes: number, build: (pad: string) => unknown): string {
  const bare = Buffer.byteLength(JSON.stringify(build("")));
  const text = JSON.stringify(build("a".repeat(bytes - bare)));
  expect(Buffer.byteLength(text)).toBe(bytes);
  return text;
}

/** `text` followed by spaces so that the whole body is exactly `bytes` long (still valid JSON). */
function paddedJson(body: unknown, bytes: number): string {
  const text = JSON.stringify(body);
  return text + " ".repeat(bytes - Buffer.byteLength(text));
}

let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let threadId: string;
/** Alice's message in the thread (for edits). */
let aliceMessageId: string;

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([createUser("alice", "Alice"), createUser("bob", "Bob"), createUser("carol")]);
  threadId = await createThread(alice, bob);
  aliceMessageId = (await send(alice, threadId, "original text")).id;
  await send(bob, threadId, "unread by alice");
});

interface Endpoint {
  name: string;
  method: "POST" | "PATCH";
  path: () => string;
  token: () => string | undefined;
  /** A body that would succeed, to be wrapped or padded. */
  valid: () => Record<string, unknown>;
  /** Bodies with wrongly typed fields, and the pointers each must name. */
  wrongTypes: () => [Record<string, unknown>, string[]][];
  /** The state this endpoint would change, read through the API. */
  snapshot: () => Promise<unknown>;
}

const attempted = uniqueName("reg");

const endpoints: Endpoint[] = [
  {
    name: "register",
    method: "POST",
    path: () => "/api/auth/register",
    token: () => undefined,
    valid: () => ({ username: attempted, password: "long enough password" }),
    wrongTypes: () => [
      [{ username: 123, password: "long enough password" }, ["#/username"]],
      [{ username: attempted, password: ["x"] }, ["#/password"]],
      [{ username: attempted, password: "long enough password", name: true }, ["#/name"]],
    ],
    snapshot: async () => {
      const all = await api.get("/api/users?limit=100", { token: alice.token });
      return all.body.data.map((u: { id: string }) => u.id);
    },
  },
  {
    name: "create thread",
    method: "POST",
    path: () => "/api/threads",
    token: () => alice.token,
    valid: () => ({ participantIds: [carol.id] }),
    wrongTypes: () => [
      [{ participantIds: carol.id }, ["#/participantIds"]],
      [{ participantIds: [42] }, ["#/participantIds/0"]],
      [{ participantIds: null }, ["#/participantIds"]],
    ],
    snapshot: async () => {
      const [a, c] = await Promise.all([
        api.get("/api/threads?limit=100", { token: alice.token }),
        api.get("/api/threads?limit=100", { token: carol.token }),
      ]);
      return [a.body, c.body];
    },
  },
  {
    name: "send message",
    method: "POST",
    path: () => `/api/threads/${threadId}/messages`,
    token: () => alice.token,
    valid: () => ({ text: "hello" }),
    wrongTypes: () => [
      [{ text: 5 }, ["#/text"]],
      [{ text: ["hello"] }, ["#/text"]],
      [{ text: "hello", clientMessageId: 7 }, ["#/clientMessageId"]],
    ],
    snapshot: async () => {
      const [messages, unread] = await Promise.all([
        api.get(`/api/threads/${threadId}/messages?limit=100`, { token: alice.token }),
        api.get("/api/unread", { token: bob.token }),
      ]);
      return [messages.body, unread.body];
    },
  },
  {
    name: "edit message",
    method: "PATCH",
    path: () => `/api/messages/${aliceMessageId}`,
    token: () => alice.token,
    valid: () => ({ text: "edited" }),
    wrongTypes: () => [
      [{ text: 5 }, ["#/text"]],
      [{ text: { value: "x" } }, ["#/text"]],
    ],
    snapshot: async () => (await api.get(`/api/messages/${aliceMessageId}`, { token: alice.token })).body,
  },
  {
    name: "mark read",
    method: "POST",
    path: () => `/api/threads/${threadId}/read`,
    token: () => alice.token,
    valid: () => ({}),
    wrongTypes: () => [
      [{ upToMessageId: 5 }, ["#/upToMessageId"]],
      [{ upToMessageId: [aliceMessageId] }, ["#/upToMessageId"]],
    ],
    snapshot: async () => {
      const [t, unread] = await Promise.all([
        api.get(`/api/threads/${threadId}`, { token: alice.token }),
        api.get("/api/unread", { token: alice.token }),
      ]);
      return [t.body, unread.body];
    },
  },
  {
    name: "patch me",
    method: "PATCH",
    path: () => "/api/users/me",
    token: () => alice.token,
    valid: () => ({ name: "Changed" }),
    wrongTypes: () => [
      [{ name: 5 }, ["#/name"]],
      [{ name: { first: "A" } }, ["#/name"]],
    ],
    snapshot: async () => (await api.get("/api/users/me", { token: alice.token })).body,
  },
];

const hit = (e: Endpoint, opts: CallOptions = {}) => call(e.method, e.path(), { token: e.token(), ...opts });

/** Runs `attempt`, then checks that the endpoint's observable state is exactly what it was before. */
async function changesNothing(e: Endpoint, attempt: () => Promise<void>) {
  const before = await e.snapshot();
  await attempt();
  expect(await e.snapshot()).toEqual(before);
}

describe.each(endpoints)("$name", (e) => {
  it("answers 400 to malformed JSON and changes nothing", async () => {
    await changesNothing(e, async () => {
      const valid = JSON.stringify(e.valid());
      for (const body of [valid.slice(0, -1), `${valid.slice(0, -1)},}`, "{'text': 'hi'}", "{text: 1}", "undefined", "{}{}"]) {
        const res = await hit(e, { body });
        expectProblem(res, 400);
      }
    });
  });

  it("answers 400 to a body that is not a JSON object and changes nothing", async () => {
    await changesNothing(e, async () => {
      for (const body of ["[]", "null", '"text"', "42", "true"]) {
        expectProblem(await hit(e, { body }), 400);
      }
    });
  });

  it("answers 400 to wrongly typed fields with a pointer to each", async () => {
    await changesNothing(e, async () => {
      for (const [body, pointers] of e.wrongTypes()) {
        const res = await hit(e, { body });
        expectProblem(res, 400);
        const named = (res.body.errors as { pointer?: string }[]).map((x) => x.pointer);
        expect([...new Set(named)].sort(), JSON.stringify(body)).toEqual(pointers);
      }
    });
  });

  it("answers 400 to an unknown field, naming it", async () => {
    await changesNothing(e, async () => {
      const res = await hit(e, { body: { ...e.valid(), surprise: 1 } });
      expectProblem(res, 400);
      expect(res.body.errors).toEqual([{ pointer: "#/surprise", detail: expect.any(String) }]);
    });
  });

  it("answers 413 to a body over 64 KiB, whatever Content-Length says, and changes nothing", async () => {
    await changesNothing(e, async () => {
      const big = jsonOfSize(MAX_BODY + 1, (pad) => ({ ...e.valid(), padding: pad }));
      const bigger = jsonOfSize(4 * MAX_BODY, (pad) => ({ ...e.valid(), padding: pad }));
      const variants: [string, Record<string, string>][] = [
        [big, {}], // no Content-Length (a streamed body)
        [big, { "content-length": String(Buffer.byteLength(big)) }],
        [big, { "content-length": "20" }], // understated
        [bigger, { "content-length": "0" }],
        [paddedJson(e.valid(), MAX_BODY + 1), {}], // valid JSON that only whitespace makes too large
      ];
      for (const [body, headers] of variants) {
        const res = await hit(e, { body, headers: { "content-type": "application/json", ...headers } });
        expectProblem(res, 413);
      }
    });
  });

  it("answers 415 to a text/plain body and changes nothing", async () => {
    await changesNothing(e, async () => {
      for (const type of ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded"]) {
        const res = await hit(e, { body: JSON.stringify(e.valid()), headers: { "content-type": type } });
        expectProblem(res, 415);
      }
    });
  });
});

describe("a body of exactly 64 KiB", () => {
  it("is accepted", async () => {
    const body = paddedJson({ text: "just under the limit" }, MAX_BODY);
    const res = await api.post(`/api/threads/${threadId}/messages`, { token: carol.token, body });
    // Carol is not in the thread: the body was read and parsed, and the request got as far as the domain.
    expectProblem(res, 404);
    const mine = await api.post(`/api/threads/${threadId}/messages`, { token: alice.token, body });
    expect(mine.status).toBe(201);
    expect(mine.body.text).toBe("just under the limit");
  });
});

describe("list endpoints", () => {
  // Cursor shapes the endpoints issue: users {u}, messages {b} or {a}, tokens/threads/unread {t, i}.
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const lists: { path: () => string; own: string[] }[] = [
    { path: () => "/api/tokens", own: ["ti"] },
    { path: () => "/api/users", own: ["u"] },
    { path: () => "/api/threads", own: ["ti"] },
    { path: () => `/api/threads/${threadId}/messages`, own: ["b", "a"] },
    { path: () => "/api/messages/unread", own: ["ti"] },
  ];
  const foreign: [string, string][] = [
    ["u", b64({ u: "alice" })],
    ["b", b64({ b: 3 })],
    ["a", b64({ a: 3 })],
    ["ti", b64({ t: "2025-01-01T00:00:00.000Z", i: "x" })],
  ];
  const garbage = [
    "garbage",
    "!!!",
    "%7B%7D", // "{}" url-encoded, not base64
    b64({ x: 1 }),
    b64([]),
    b64("text"),
    b64(42),
    b64(null),
    Buffer.from("not json at all").toString("base64url"),
    b64({ t: "yesterday", i: "x" }),
    b64({ t: "2025-01-01T00:00:00.000Z" }),
    b64({ b: -1 }),
    b64({ b: 1.5 }),
    b64({ b: "3" }),
    b64({ a: 1, b: 2 }),
    b64({ b: 2 ** 40 }),
    b64({ u: "" }),
    b64({ u: "alice", extra: 1 }),
    "",
    "A".repeat(513),
  ];

  describe.each(lists)("GET $path", ({ path, own }) => {
    it("answers 400 naming the cursor parameter for every cursor it did not issue", async () => {
      const cursors = [...garbage, ...foreign.filter(([shape]) => !own.includes(shape)).map(([, c]) => c)];
      for (const cursor of cursors) {
        const res = await api.get(`${path()}?cursor=${encodeURIComponent(cursor)}`, { token: alice.token });
        expectProblem(res, 400);
        expect(res.body.errors?.length, cursor).toBeGreaterThan(0);
        for (const err of res.body.errors) expect(err.parameter, cursor).toBe("cursor");
      }
    });

    it("answers 400 naming the limit parameter for a limit outside 1..100 or not a whole number", async () => {
      for (const limit of ["0", "101", "abc", "-1", "1.5", "", "1e9"]) {
        const res = await api.get(`${path()}?limit=${limit}`, { token: alice.token });
        expectProblem(res, 400);
        expect(res.body.errors?.map((x: { parameter?: string }) => x.parameter), limit).toEqual(["limit"]);
      }
    });

    it("accepts a limit of 1 and of 100", async () => {
      for (const limit of [1, 100]) {
        const res = await api.get(`${path()}?limit=${limit}`, { token: alice.token });
        expect(res.status).toBe(200);
        expect(res.body.data.length).toBeLessThanOrEqual(limit);
      }
    });
  });

  it("changes nothing when a list request is rejected", async () => {
    const before = await api.get(`/api/threads/${threadId}/messages`, { token: alice.token });
    const unreadBefore = await api.get("/api/unread", { token: alice.token });
    expectProblem(await api.get("/api/messages/unread?cursor=garbage", { token: alice.token }), 400);
    expectProblem(await api.get(`/api/threads/${threadId}/messages?limit=0`, { token: alice.token }), 400);
    expect((await api.get(`/api/threads/${threadId}/messages`, { token: alice.token })).body).toEqual(before.body);
    expect((await api.get("/api/unread", { token: alice.token })).body).toEqual(unreadBefore.body);
  });
});

describe("unknown API paths", () => {
  it.each([
    ["GET", "/api/nope"],
    ["POST", "/api/threads/x/y/z"],
    ["GET", "/api/users/me/extra"],
    ["DELETE", "/api/messages/x/read/more"],
  ])("%s %s answers 404 problem+json", async (method, path) => {
    const res = await call(method, path, { token: alice.token });
    expectProblem(res, 404);
  });
});

describe("request ids", () => {
  it("echoes a well-formed incoming X-Request-Id in the header and the problem body", async () => {
    const res = await api.post(`/api/threads/${threadId}/messages`, {
      token: alice.token,
      body: "{",
      headers: { "x-request-id": "client-req.42_A-b" },
    });
    expectProblem(res, 400);
    expect(res.body.requestId).toBe("client-req.42_A-b");
  });

  it("replaces an incoming X-Request-Id that is not well-formed", async () => {
    const res = await api.post(`/api/threads/${threadId}/messages`, {
      token: alice.token,
      body: "{",
      headers: { "x-request-id": "has spaces and <html>" },
    });
    expectProblem(res, 400);
    expect(res.body.requestId).not.toBe("has spaces and <html>");
  });

  it("gives each request its own id", async () => {
    const [a, b] = await Promise.all([
      api.post("/api/auth/register", { body: "{" }),
      api.post("/api/auth/register", { body: "{" }),
    ]);
    expect(a.body.requestId).not.toBe(b.body.requestId);
  });
});

describe("message text", () => {
  const emoji = (n: number) => "😀".repeat(n);
  let editable: string;

  beforeAll(async () => {
    editable = (await send(alice, threadId, "to be edited")).id;
  });

  const messages = async () =>
    (await api.get(`/api/threads/${threadId}/messages?limit=100`, { token: alice.token })).body.data as {
      id: string;
      text: string;
    }[];

  it("accepts exactly 4000 code points of 2 UTF-16 units each", async () => {
    const text = emoji(4000);
    expect(text.length).toBe(8000);
    const res = await api.post(`/api/threads/${threadId}/messages`, { token: alice.token, body: { text } });
    expect(res.status).toBe(201);
    expect(res.body.text).toBe(text);
    expect((await api.get(`/api/messages/${res.body.id}`, { token: bob.token })).body.text).toBe(text);
  });

  it("rejects 4001 code points with 400 naming #/text and creates nothing", async () => {
    const before = await messages();
    const res = await api.post(`/api/threads/${threadId}/messages`, { token: alice.token, body: { text: emoji(4001) } });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ pointer: "#/text", detail: expect.any(String) }]);
    expect(await messages()).toEqual(before);
  });

  it("counts the length after trimming", async () => {
    const res = await api.post(`/api/threads/${threadId}/messages`, {
      token: alice.token,
      body: { text: `  \n${emoji(4000)}\t  ` },
    });
    expect(res.status).toBe(201);
    expect(res.body.text).toBe(emoji(4000));
  });

  it("accepts an edit to exactly 4000 code points and rejects 4001", async () => {
    const ok = await api.patch(`/api/messages/${editable}`, { token: alice.token, body: { text: emoji(4000) } });
    expect(ok.status).toBe(200);
    expect(ok.body.text).toBe(emoji(4000));

    const tooLong = await api.patch(`/api/messages/${editable}`, { token: alice.token, body: { text: emoji(4001) } });
    expectProblem(tooLong, 400);
    expect(tooLong.body.errors).toEqual([{ pointer: "#/text", detail: expect.any(String) }]);
    expect((await api.get(`/api/messages/${editable}`, { token: alice.token })).body.text).toBe(emoji(4000));
  });

  it.each([[""], ["   "], ["\n\t \r\n"], ["\u00a0\u2003"]])(
    "rejects whitespace-only text %j with 400 and creates nothing",
    async (text) => {
      const before = await messages();
      const res = await api.post(`/api/threads/${threadId}/messages`, { token: alice.token, body: { text } });
      expectProblem(res, 400);
      expect(res.body.errors).toEqual([{ pointer: "#/text", detail: expect.any(String) }]);
      expect(await messages()).toEqual(before);
    },
  );

  it("rejects a missing text with 400 naming #/text", async () => {
    const res = await api.post(`/api/threads/${threadId}/messages`, { token: alice.token });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ pointer: "#/text", detail: expect.any(String) }]);
  });

  it("rejects an edit to whitespace only and keeps the text", async () => {
    const before = (await api.get(`/api/messages/${editable}`, { token: alice.token })).body;
    const res = await api.patch(`/api/messages/${editable}`, { token: alice.token, body: { text: " \n " } });
    expectProblem(res, 400);
    expect((await api.get(`/api/messages/${editable}`, { token: alice.token })).body).toEqual(before);
  });

  it("stores the text trimmed, when sending and when editing", async () => {
    const sent = await api.post(`/api/threads/${threadId}/messages`, {
      token: alice.token,
      body: { text: "  \n hello  there \t\n" },
    });
    expect(sent.status).toBe(201);
    expect(sent.body.text).toBe("hello  there");
    expect((await api.get(`/api/messages/${sent.body.id}`, { token: bob.token })).body.text).toBe("hello  there");

    const edited = await api.patch(`/api/messages/${sent.body.id}`, { token: alice.token, body: { text: "\t changed \n" } });
    expect(edited.status).toBe(200);
    expect(edited.body.text).toBe("changed");
    expect((await api.get(`/api/messages/${sent.body.id}`, { token: bob.token })).body.text).toBe("changed");
  });
});


describe("NUL characters, which PostgreSQL text cannot hold", () => {
  const NUL = "a\u0000b";
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

  it.each<[string, string, string, () => CallOptions, string]>([
    ["message text", "POST", "/api/threads/{thread}/messages", () => ({ body: { text: NUL } }), "#/text"],
    ["an edited message text", "PATCH", "/api/messages/{message}", () => ({ body: { text: NUL } }), "#/text"],
    ["a display name", "PATCH", "/api/users/me", () => ({ body: { name: NUL } }), "#/name"],
    ["a token name", "POST", "/api/tokens", () => ({ body: { name: NUL } }), "#/name"],
    ["a participant id", "POST", "/api/threads", () => ({ body: { participantIds: [NUL] } }), "#/participantIds/0"],
    ["upToMessageId", "POST", "/api/threads/{thread}/read", () => ({ body: { upToMessageId: NUL } }), "#/upToMessageId"],
  ])("answers 400, not 500, to %s containing U+0000", async (_label, method, template, opts, pointer) => {
    const path = template.replace("{thread}", threadId).replace("{message}", aliceMessageId);
    const before = await Promise.all([
      api.get(`/api/threads/${threadId}/messages?limit=100`, { token: alice.token }),
      api.get("/api/users/me", { token: alice.token }),
      api.get("/api/tokens?limit=100", { token: alice.token }),
      api.get(`/api/threads/${threadId}`, { token: alice.token }),
    ]).then((rs) => rs.map((r, i) => (i === 2 ? r.body.data.map((t: { id: string; name: string }) => [t.id, t.name]) : r.body)));
    const res = await call(method, path, { token: alice.token, ...opts() });
    expectProblem(res, 400);
    expect(res.body.errors?.map((e: { pointer?: string }) => e.pointer)).toContain(pointer);
    const after = await Promise.all([
      api.get(`/api/threads/${threadId}/messages?limit=100`, { token: alice.token }),
      api.get("/api/users/me", { token: alice.token }),
      api.get("/api/tokens?limit=100", { token: alice.token }),
      api.get(`/api/threads/${threadId}`, { token: alice.token }),
    ]).then((rs) => rs.map((r, i) => (i === 2 ? r.body.data.map((t: { id: string; name: string }) => [t.id, t.name]) : r.body)));
    expect(after).toEqual(before);
  });

  it("answers 400, not 500, to a registration whose name contains U+0000, and registers nobody", async () => {
    const username = uniqueName("nul");
    const res = await api.post("/api/auth/register", { body: { username, password: "long enough pw", name: NUL } });
    expectProblem(res, 400);
    expect(res.body.errors?.map((e: { pointer?: string }) => e.pointer)).toContain("#/name");
    expect((await api.get(`/api/users?q=${username}`, { token: alice.token })).body.data).toEqual([]);
  });

  it.each([
    ["q", "/api/users?q=a%00b", "q"],
    ["participant", "/api/threads?participant=a%00b", "participant"],
    ["sender", "/api/threads/{thread}/messages?sender=a%00b", "sender"],
    ["after", "/api/threads/{thread}/messages?after=a%00b", "after"],
  ])("answers 400, not 500, to the query parameter %s containing U+0000", async (_label, template, parameter) => {
    const res = await api.get(template.replace("{thread}", threadId), { token: alice.token });
    expectProblem(res, 400);
    expect(res.body.errors?.map((e: { parameter?: string }) => e.parameter)).toContain(parameter);
  });

  it.each([
    ["/api/users", { u: NUL }],
    ["/api/threads", { t: "2025-01-01T00:00:00.000Z", i: NUL }],
    ["/api/tokens", { t: "2025-01-01T00:00:00.000Z", i: NUL }],
    ["/api/messages/unread", { t: "2025-01-01T00:00:00.000Z", i: NUL }],
  ])("answers 400, not 500, to a %s cursor whose payload contains U+0000", async (path, payload) => {
    const res = await api.get(`${path}?cursor=${b64(payload)}`, { token: alice.token });
    expectProblem(res, 400);
    expect(res.body.errors?.map((e: { parameter?: string }) => e.parameter)).toEqual(["cursor"]);
  });

  it.each([
    ["GET", "/api/users/a%00b"],
    ["GET", "/api/threads/a%00b"],
    ["DELETE", "/api/threads/a%00b"],
    ["GET", "/api/threads/a%00b/messages"],
    ["GET", "/api/messages/a%00b"],
    ["PATCH", "/api/messages/a%00b"],
    ["POST", "/api/messages/a%00b/read"],
    ["DELETE", "/api/tokens/a%00b"],
  ])("answers 404, not 500, to %s %s: an id that cannot exist names nothing", async (method, path) => {
    const res = await call(method, path, { token: alice.token, ...(method === "PATCH" ? { body: { text: "x" } } : {}) });
    expectProblem(res, 404);
  });
});

describe("Auth.js's endpoints", () => {
  const post = async (body: string, headers: Record<string, string> = {}) => {
    const { POST } = await import("@/app/api/auth/[...nextauth]/route");
    const { NextRequest } = await import("next/server");
    return POST(
      new NextRequest("http://parley.test/api/auth/callback/credentials", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body,
      }),
    );
  };

  it("refuse a body over 16 KiB with 413 before Auth.js reads it", async () => {
    const big = new URLSearchParams({ username: "x", password: "y".repeat(16 * 1024) }).toString();
    for (const headers of [{}, { "content-length": "10" }] as Record<string, string>[]) {
      const res = await post(big, headers);
      expect(res.status).toBe(413);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
  });

  it("pass a small form on to Auth.js, which answers it as usual", async () => {
    const res = await post(new URLSearchParams({ username: alice.username, password: "wrong" }).toString());
    // Auth.js refuses the form (no CSRF token) with a redirect, not an error of ours.
    expect([302, 303]).toContain(res.status);
  });
});
