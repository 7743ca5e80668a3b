/**
 * Cross-site request forgery: a write that a browser sends from another site's page with the session cookie is
 * refused (403) and changes nothing; the same write from the app's own pages, from outside a browser, or with a
 * bearer token goes through. The rule is Go's CrossOriginProtection (lib/api/handler.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getPrisma } from "@/lib/db";
import { api } from "./helpers/api";
import { createThread, createUser, sessionCookie, type TestUser } from "./helpers/fixtures";

let alice: TestUser;
let bob: TestUser;
let threadId: string;
let cookie: string;

beforeAll(async () => {
  alice = await createUser("xo_a");
  bob = await createUser("xo_b");
  threadId = await createThread(alice, bob);
  cookie = await sessionCookie(alice.id);
});

const count = () => getPrisma().message.count({ where: { threadId } });
const sendWith = (headers: Record<string, string>, auth: { cookie?: string; token?: string } = { cookie }) =>
  api.post(`/api/threads/${threadId}/messages`, { ...auth, headers, body: { text: "hi" } });

describe("cookie-authenticated writes", () => {
  it.each([
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site: same-site (a sibling subdomain)", { "sec-fetch-site": "same-site" }],
    ["an Origin of another host", { origin: "https://evil.example" }],
    ["Origin: null (a sandboxed frame)", { origin: "null" }],
    ["an Origin on another port", { origin: "http://parley.test:8080" }],
  ])("are refused with 403 and change nothing for %s", async (_name, headers) => {
    const before = await count();
    const res = await sendWith(headers);
    expect(res.status).toBe(403);
    expect(res.body.type).toBe("/problems/forbidden");
    expect(await count()).toBe(before);
  });

  it("are refused also when the body is empty (a form-free, simple request)", async () => {
    await api.post(`/api/threads/${threadId}/messages`, { token: bob.token, body: { text: "unread for Alice" } });
    const res = await api.post(`/api/threads/${threadId}/read`, { cookie, headers: { "sec-fetch-site": "cross-site" } });
    expect(res.status).toBe(403);
    const summary = await api.get("/api/unread", { token: alice.token });
    expect(summary.body.total).toBeGreaterThan(0);
  });

  it.each([
    ["Sec-Fetch-Site: same-origin", { "sec-fetch-site": "same-origin" }],
    ["Sec-Fetch-Site: none (typed by the user)", { "sec-fetch-site": "none" }],
    ["its own Origin", { origin: "http://parley.test" }],
    ["the Origin the proxy forwarded the host of", { origin: "https://chat.example", "x-forwarded-host": "chat.example" }],
    ["neither header (not a browser)", {}],
  ])("go through with %s", async (_name, headers) => {
    const before = await count();
    expect((await sendWith(headers)).status).toBe(201);
    expect(await count()).toBe(before + 1);
  });

  it("lets reads through from anywhere (they change nothing)", async () => {
    const res = await api.get(`/api/threads/${threadId}/messages`, { cookie, headers: { "sec-fetch-site": "cross-site" } });
    expect(res.status).toBe(200);
  });
});

it("lets bearer-token writes through whatever the browser headers say", async () => {
  const res = await sendWith({ "sec-fetch-site": "cross-site", origin: "https://integration.example" }, { token: alice.token });
  expect(res.status).toBe(201);
});

it("refuses a cross-site token request made with a session cookie", async () => {
  const before = await getPrisma().apiToken.count({ where: { userId: alice.id } });
  const res = await api.post("/api/tokens", { cookie, headers: { "sec-fetch-site": "cross-site" }, body: { name: "stolen" } });
  expect(res.status).toBe(403);
  expect(await getPrisma().apiToken.count({ where: { userId: alice.id } })).toBe(before);
});
