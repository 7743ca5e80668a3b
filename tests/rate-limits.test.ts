/**
 * Rate limits (lib/infra/rate-limit.ts): writes per user, wrong passwords per client IP and username, tokens per
 * user, accounts per IP. Each answers 429 with `Retry-After` and `RateLimit-*`, changes nothing, and lets requests
 * through again once its window has passed. Counters live in PostgreSQL (`rate_limits`), so a second instance sees
 * them. The limits here are set low through the same environment variables an operator would use.
 */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { getPrisma } from "@/lib/db";
import { resetRateLimiters } from "@/lib/infra/rate-limit";
import { type ApiResponse, api } from "./helpers/api";
import { createThread, createUser, type TestUser, uniqueName } from "./helpers/fixtures";

const NAMES = ["RATE_LIMIT_WRITES", "RATE_LIMIT_SIGN_IN", "RATE_LIMIT_TOKEN_CREATION", "RATE_LIMIT_SIGN_UP"] as const;
const saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));

/**
 * Sets limits (unset ones stay out of reach) and makes the next request use them, as a restarted instance would,
 * with every count at zero.
 */
async function limits(values: Partial<Record<(typeof NAMES)[number], string>>) {
  for (const n of NAMES) process.env[n] = values[n] ?? "1000000/60";
  resetConfig();
  resetRateLimiters();
  await getPrisma().$executeRaw`DELETE FROM rate_limits`;
}

afterAll(() => {
  for (const n of NAMES) process.env[n] = saved[n];
  resetConfig();
  resetRateLimiters();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Asserts a 429 as the API documents it, and returns its `Retry-After` in seconds. */
function expectLimited(res: ApiResponse, limit: number): number {
  expect(res.status).toBe(429);
  expect(res.body.type).toBe("/problems/too-many-requests");
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
  expect(res.headers.get("ratelimit-limit")).toBe(String(limit));
  expect(res.headers.get("ratelimit-remaining")).toBe("0");
  expect(res.headers.get("ratelimit-reset")).toBe(String(retryAfter));
  return retryAfter;
}

const messageCount = (threadId: string) => getPrisma().message.count({ where: { threadId } });

describe("writes per user", () => {
  let alice: TestUser;
  let bob: TestUser;
  let threadId: string;

  beforeEach(async () => {
    await limits({});
    alice = await createUser("rl_a");
    bob = await createUser("rl_b");
    threadId = await createThread(alice, bob);
  });

  it("counts down in RateLimit-*, refuses the next write with 429 and no change, then recovers after Retry-After", async () => {
    await limits({ RATE_LIMIT_WRITES: "3/2" });
    const send = (text: string) => api.post(`/api/threads/${threadId}/messages`, { token: alice.token, body: { text } });
    const remaining: (string | null)[] = [];
    for (const text of ["one", "two", "three"]) {
      const res = await send(text);
      expect(res.status).toBe(201);
      expect(res.headers.get("ratelimit-limit")).toBe("3");
      expect(res.headers.get("ratelimit-policy")).toBe("3;w=2");
      remaining.push(res.headers.get("ratelimit-remaining"));
    }
    expect(remaining).toEqual(["2", "1", "0"]);

    const refused = await send("four");
    const retryAfter = expectLimited(refused, 3);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(await messageCount(threadId)).toBe(3);
    // Every kind of write shares the allowance; reads do not count.
    expectLimited(await api.post(`/api/threads/${threadId}/read`, { token: alice.token }), 3);
    expect((await api.get(`/api/threads/${threadId}/messages`, { token: alice.token })).status).toBe(200);
    // Per user: Bob has his own.
    expect((await api.post(`/api/threads/${threadId}/messages`, { token: bob.token, body: { text: "bob" } })).status).toBe(201);

    await sleep(retryAfter * 1000 + 50);
    const again = await send("four, later");
    expect(again.status).toBe(201);
    expect(again.headers.get("ratelimit-remaining")).toBe("2");
    expect(await messageCount(threadId)).toBe(5);
  });

  it("counts invalid writes too, and refuses before validating", async () => {
    await limits({ RATE_LIMIT_WRITES: "2/60" });
    const bad = () => api.post(`/api/threads/${threadId}/messages`, { token: alice.token, body: { text: "" } });
    expect((await bad()).status).toBe(400);
    expect((await bad()).status).toBe(400);
    expectLimited(await bad(), 2);
  });

  it("keeps the count in PostgreSQL, so another instance sees it", async () => {
    await limits({ RATE_LIMIT_WRITES: "2/60" });
    await api.post(`/api/threads/${threadId}/read`, { token: alice.token });
    await api.post(`/api/threads/${threadId}/read`, { token: alice.token });
    const [row] = await getPrisma().$queryRaw<{ points: number }[]>`SELECT points FROM rate_limits WHERE key = ${`writes:${alice.id}`}`;
    expect(row?.points).toBe(2);
    // A fresh limiter (what another instance, or this one after a restart, starts with) reads the same counter.
    resetRateLimiters();
    expectLimited(await api.post(`/api/threads/${threadId}/read`, { token: alice.token }), 2);
  });

  it("sends no RateLimit-* fields when the limit is off", async () => {
    await limits({ RATE_LIMIT_WRITES: "off" });
    const res = await api.post(`/api/threads/${threadId}/read`, { token: alice.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("ratelimit-limit")).toBeNull();
    expect(await getPrisma().rateLimit.count()).toBe(0);
  });
});

describe("wrong passwords per client IP and username", () => {
  let carol: TestUser;
  beforeEach(async () => {
    await limits({});
    carol = await createUser("rl_c");
    await limits({ RATE_LIMIT_SIGN_IN: "2/60" });
  });

  const tokenBy = (password: string, ip = "203.0.113.7", username = carol.username) =>
    api.post("/api/tokens", { body: { username, password }, headers: { "x-forwarded-for": `198.51.100.1, ${ip}` } });

  it("refuses even the right password after too many wrong ones, from that IP, for that username only", async () => {
    expect((await tokenBy("wrong one")).status).toBe(401);
    expect((await tokenBy("wrong two")).status).toBe(401);
    const before = await getPrisma().apiToken.count({ where: { userId: carol.id } });
    expectLimited(await tokenBy(carol.password), 2);
    expect(await getPrisma().apiToken.count({ where: { userId: carol.id } })).toBe(before);
    // The proxy-added address is what counts (the last X-Forwarded-For entry), not what the client put first.
    expect((await tokenBy(carol.password, "203.0.113.8")).status).toBe(201);
    const dave = await createUser("rl_d");
    expect((await tokenBy(dave.password, "203.0.113.7", dave.username)).status).toBe(201);
  });

  it("clears the failures on a success", async () => {
    for (let i = 0; i < 3; i++) {
      expect((await tokenBy("wrong")).status).toBe(401);
      expect((await tokenBy(carol.password)).status).toBe(201);
    }
  });

  it("answers Auth.js's own credentials endpoint with 429 while the limit holds", async () => {
    const { POST } = await import("@/app/api/auth/[...nextauth]/route");
    const { NextRequest } = await import("next/server");
    await tokenBy("wrong one");
    await tokenBy("wrong two");
    const req = new NextRequest("http://parley.test/api/auth/callback/credentials", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": "203.0.113.7" },
      body: new URLSearchParams({ username: carol.username, password: carol.password }),
    });
    const res = await POST(req);
    expect(res.status).toBe(429);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });
});

describe("tokens per user and accounts per IP", () => {
  it("refuses a third token in the window, whichever way it is asked for", async () => {
    await limits({});
    const erin = await createUser("rl_e"); // createUser issued one token already, before the limit below
    await limits({ RATE_LIMIT_TOKEN_CREATION: "2/60" });
    expect((await api.post("/api/tokens", { token: erin.token, body: { name: "one" } })).status).toBe(201);
    expect((await api.post("/api/tokens", { body: { username: erin.username, password: erin.password } })).status).toBe(201);
    const count = await getPrisma().apiToken.count({ where: { userId: erin.id } });
    expectLimited(await api.post("/api/tokens", { token: erin.token, body: { name: "three" } }), 2);
    expect(await getPrisma().apiToken.count({ where: { userId: erin.id } })).toBe(count);
  });

  it("refuses a third account from one IP address, and creates nothing", async () => {
    await limits({ RATE_LIMIT_SIGN_UP: "2/60" });
    const register = (username: string, ip: string) =>
      api.post("/api/auth/register", { body: { username, password: "correct horse battery" }, headers: { "x-forwarded-for": ip } });
    expect((await register(uniqueName("rl_f"), "192.0.2.1")).status).toBe(201);
    expect((await register(uniqueName("rl_f"), "192.0.2.1")).status).toBe(201);
    const third = uniqueName("rl_f");
    expectLimited(await register(third, "192.0.2.1"), 2);
    expect(await getPrisma().user.count({ where: { username: third } })).toBe(0);
    expect((await register(third, "192.0.2.2")).status).toBe(201);
  });
});

describe("settings", () => {
  it("stops with one line naming the variable when a limit is malformed", async () => {
    const { config } = await import("@/lib/config");
    process.env.RATE_LIMIT_WRITES = "lots";
    resetConfig();
    expect(() => config()).toThrow(/^Invalid setting RATE_LIMIT_WRITES: expected "<requests>\/<seconds>"/);
    process.env.RATE_LIMIT_WRITES = "0/60";
    resetConfig();
    expect(() => config()).toThrow(/RATE_LIMIT_WRITES/);
    await limits({});
  });
});
