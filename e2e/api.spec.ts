import { expect, test, type APIRequestContext } from "@playwright/test";
import { randomBytes } from "node:crypto";

// The README's curl walk-through, over real HTTP against the production build.
const uniqueName = (p: string) => `${p}_${randomBytes(4).toString("hex")}`;

async function signUpWithToken(request: APIRequestContext, prefix: string) {
  const username = uniqueName(prefix);
  const password = "correct horse battery";
  const reg = await request.post("/api/auth/register", { data: { username, password } });
  expect(reg.status()).toBe(201);
  const tok = await request.post("/api/tokens", { data: { username, password, name: "e2e" } });
  expect(tok.status()).toBe(201);
  return { id: (await reg.json()).id as string, token: (await tok.json()).token as string };
}

test("a third party drives a conversation end to end with bearer tokens", async ({ playwright, baseURL }) => {
  // A context without cookies, as a server-to-server client would be.
  const request = await playwright.request.newContext({ baseURL });
  const alice = await signUpWithToken(request, "alice");
  const bob = await signUpWithToken(request, "bob");
  const as = (t: string) => ({ Authorization: `Bearer ${t}` });

  const created = await request.post("/api/threads", { headers: as(alice.token), data: { participantIds: [bob.id] } });
  expect(created.status()).toBe(201);
  const thread = await created.json();
  const again = await request.post("/api/threads", { headers: as(bob.token), data: { participantIds: [alice.id] } });
  expect(again.status()).toBe(200);
  expect((await again.json()).id).toBe(thread.id);

  for (const text of ["one", "two", "three"]) {
    const sent = await request.post(`/api/threads/${thread.id}/messages`, { headers: as(alice.token), data: { text } });
    expect(sent.status()).toBe(201);
  }
  expect(await (await request.get("/api/unread", { headers: as(bob.token) })).json()).toEqual({
    total: 3,
    mentions: 0,
    threads: [{ threadId: thread.id, count: 3, mentions: 0 }],
  });
  const page = await (await request.get(`/api/threads/${thread.id}/messages?limit=2`, { headers: as(bob.token) })).json();
  expect(page.data.map((m: { text: string }) => m.text)).toEqual(["three", "two"]);
  expect(page.nextCursor).toEqual(expect.any(String));

  const read = await request.post(`/api/messages/${page.data[1].id}/read`, { headers: as(bob.token) });
  expect(await read.json()).toEqual({ threadId: thread.id, lastReadSeq: page.data[1].seq, unreadCount: 1, unreadMentionCount: 0 });

  const bad = await request.post(`/api/threads/${thread.id}/messages`, {
    headers: { ...as(bob.token), "content-type": "application/json" },
    data: "{not json",
  });
  expect(bad.status()).toBe(400);
  expect(bad.headers()["content-type"]).toContain("application/problem+json");
  expect(bad.headers()["x-request-id"]).toBeTruthy();

  expect((await request.get("/api/threads", { headers: { Authorization: "Bearer prly_nope" } })).status()).toBe(401);
  expect((await request.delete(`/api/threads/${thread.id}`, { headers: as(bob.token) })).status()).toBe(204);
  expect((await request.get(`/api/threads/${thread.id}`, { headers: as(alice.token) })).status()).toBe(404);
  await request.dispose();
});

test("unknown API paths answer problem+json 404", async ({ request }) => {
  const res = await request.get("/api/nope");
  expect(res.status()).toBe(404);
  expect(res.headers()["content-type"]).toContain("application/problem+json");
});
