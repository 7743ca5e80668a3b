/**
 * Where `GET /api/events` resumes from: the `Last-Event-ID` header browsers send on reconnect, else the first
 * `lastEventId` query parameter, and nothing else of the query string matters (the route reads it itself rather than
 * through the wrapper's query parsing: lib/openapi/live.ts, `parseQuery: false`).
 */
import { afterAll, describe, expect, it } from "vitest";
import * as events from "@/app/api/events/route";
import { getHub } from "@/lib/infra/live-hub";
import { createUser, type TestUser } from "./helpers/fixtures";

afterAll(async () => {
  await getHub().shutdown();
});

/** The status `GET /api/events<query>` answers `user` with `headers`; an opened stream is closed unread. */
async function statusOf(user: TestUser, query: string, headers: Record<string, string> = {}): Promise<number> {
  const req = new Request(`http://parley.test/api/events${query}`, { headers: { authorization: `Bearer ${user.token}`, ...headers } });
  const res = await events.GET(req, { params: Promise.resolve({}) });
  await res.body?.cancel();
  return res.status;
}

describe("the event stream's resume position", () => {
  it("ignores query parameters it does not read, even malformed ones", async () => {
    const alice = await createUser("alice");
    expect(await statusOf(alice, "?x=%00")).toBe(200);
    expect(await statusOf(alice, "?cursor=abc&limit=-1")).toBe(200);
  });

  it("takes the Last-Event-ID header over the query parameter", async () => {
    const alice = await createUser("alice");
    expect(await statusOf(alice, "?lastEventId=%00", { "last-event-id": "0" })).toBe(200);
    expect(await statusOf(alice, "?lastEventId=0", { "last-event-id": "not-an-id" })).toBe(400);
  });

  it("reads the first lastEventId when the parameter is repeated", async () => {
    const alice = await createUser("alice");
    expect(await statusOf(alice, "?lastEventId=1&lastEventId=abc")).toBe(200);
    expect(await statusOf(alice, "?lastEventId=abc&lastEventId=1")).toBe(400);
  });
});
