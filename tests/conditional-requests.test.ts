/**
 * Conditional requests on thread lists and message pages: an `ETag` on every 200, `304 Not Modified` (no body) for an
 * `If-None-Match` that names the current tag, and a new tag as soon as anything the caller would see changes.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api } from "./helpers/api";
import { createThread, createUser, send, type TestUser } from "./helpers/fixtures";

let alice: TestUser;
let bob: TestUser;
let threadId: string;

beforeAll(async () => {
  alice = await createUser("cr_a");
  bob = await createUser("cr_b");
  threadId = await createThread(alice, bob);
  await send(alice, threadId, "hello");
});

const PAGES = [
  ["thread list", () => "/api/threads"],
  ["message page", () => `/api/threads/${threadId}/messages`],
  ["unread messages", () => "/api/messages/unread"],
] as const;

describe.each(PAGES)("%s", (_name, path) => {
  it("answers 304 with no body for the current ETag, and 200 for any other", async () => {
    const first = await api.get(path(), { token: bob.token });
    expect(first.status).toBe(200);
    const tag = first.headers.get("etag");
    expect(tag).toMatch(/^W\/"[^"]+"$/);
    expect(first.headers.get("cache-control")).toBe("private, no-cache");

    const again = await api.get(path(), { token: bob.token, headers: { "if-none-match": tag! } });
    expect(again.status).toBe(304);
    expect(again.body).toBeNull();
    expect(again.headers.get("etag")).toBe(tag);

    // A list of tags matches if any does; so does `*`. The strong form of a weak tag matches too (weak comparison).
    expect((await api.get(path(), { token: bob.token, headers: { "if-none-match": `"nope", ${tag}` } })).status).toBe(304);
    expect((await api.get(path(), { token: bob.token, headers: { "if-none-match": "*" } })).status).toBe(304);
    expect((await api.get(path(), { token: bob.token, headers: { "if-none-match": tag!.slice(2) } })).status).toBe(304);
    expect((await api.get(path(), { token: bob.token, headers: { "if-none-match": 'W/"stale"' } })).status).toBe(200);
    // An end-to-end reload asks for the full answer.
    const reload = await api.get(path(), { token: bob.token, headers: { "if-none-match": tag!, "cache-control": "no-cache" } });
    expect(reload.status).toBe(200);
  });

  it("changes the ETag when a message arrives, and gives each user their own", async () => {
    const before = (await api.get(path(), { token: bob.token })).headers.get("etag")!;
    await send(alice, threadId, `news for the ${_name}`);
    const after = await api.get(path(), { token: bob.token, headers: { "if-none-match": before } });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(before);
    const alices = await api.get(path(), { token: alice.token, headers: { "if-none-match": after.headers.get("etag")! } });
    expect(alices.status).toBe(200);
  });
});

it("changes the thread list's ETag when the caller reads the thread (their unread count is in it)", async () => {
  await send(alice, threadId, "unread for Bob");
  const before = (await api.get("/api/threads", { token: bob.token })).headers.get("etag")!;
  expect((await api.post(`/api/threads/${threadId}/read`, { token: bob.token })).status).toBe(200);
  const after = await api.get("/api/threads", { token: bob.token, headers: { "if-none-match": before } });
  expect(after.status).toBe(200);
  expect(after.body.data[0].unreadCount).toBe(0);
});

it("still checks the caller and the input before answering 304", async () => {
  const tag = (await api.get(`/api/threads/${threadId}/messages`, { token: bob.token })).headers.get("etag")!;
  const outsider = await createUser("cr_c");
  expect((await api.get(`/api/threads/${threadId}/messages`, { token: outsider.token, headers: { "if-none-match": tag } })).status).toBe(404);
  expect((await api.get(`/api/threads/${threadId}/messages`, { headers: { "if-none-match": tag } })).status).toBe(401);
  expect((await api.get(`/api/threads/${threadId}/messages?limit=0`, { token: bob.token, headers: { "if-none-match": "*" } })).status).toBe(400);
});
