/**
 * An event stream lives no longer than the credential it was opened with (issue 20): when a bearer token is revoked,
 * a session is signed out or expires, or the account goes, the stream gets one `unauthorized` event and closes, and
 * no event created after that end reaches it; the same person's streams opened with other credentials go on.
 *
 * Streams are opened through the real route handler (`GET /api/events`), with the real authentication.
 *
 * How these tests know that something did NOT arrive: every stream here is on this process's one hub, whose one
 * listening connection receives notifications in commit order (PostgreSQL docs, NOTIFY). A credential's end commits
 * before the message sent after it, so once another stream of the same hub has that message, the ended stream's
 * turn for it is past.
 */
import pg from "pg";
import { afterAll, describe, expect, it, vi } from "vitest";
import * as events from "@/app/api/events/route";
import { getPrisma } from "@/lib/db";
import { getCredentialCache } from "@/lib/infra/credential-cache";
import { getHub } from "@/lib/infra/live-hub";
import { sendMessage } from "@/lib/server/messages";
import { endSession } from "@/lib/server/sessions";
import { createToken, hashToken } from "@/lib/server/tokens";
import { api } from "./helpers/api";
import { createThread, createUser, mintSessionCookie, send, signedInSession, type TestUser } from "./helpers/fixtures";
import { SseParser, type SseEvent } from "./helpers/sse";

afterAll(async () => {
  await getHub().shutdown();
});

/** An open `GET /api/events`, read as it arrives. */
interface Stream {
  events: SseEvent[];
  /** Whether the server ended the body. */
  closed: boolean;
  waitFor<T>(find: (events: SseEvent[]) => T | undefined | null | false, what: string): Promise<T>;
  waitClosed(): Promise<void>;
  /** Disconnects, as a client that goes away. */
  cancel(): Promise<void>;
}

type Auth = { token: string } | { cookie: string };

const headersOf = (auth: Auth): Record<string, string> =>
  "token" in auth ? { authorization: `Bearer ${auth.token}` } : { cookie: auth.cookie };

/** Calls the route handler as Next would; the response, its body unread. */
const requestEvents = (auth: Auth) =>
  events.GET(new Request("http://parley.test/api/events", { headers: headersOf(auth) }), { params: Promise.resolve({}) });

/** Opens a stream and waits for its `ready`. */
async function open(auth: Auth): Promise<Stream> {
  const res = await requestEvents(auth);
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const stream: Stream = {
    events: [],
    closed: false,
    waitFor: (find, what) =>
      vi.waitFor(
        () => {
          const found = find(stream.events);
          if (!found) throw new Error(`the stream has not received ${what}; got ${JSON.stringify(stream.events.map((e) => e.event))}`);
          return found;
        },
        { timeout: 10_000, interval: 5 },
      ),
    waitClosed: () =>
      vi.waitFor(
        () => {
          if (!stream.closed) throw new Error("the stream is still open");
        },
        { timeout: 10_000, interval: 5 },
      ),
    cancel: () => reader.cancel(),
  };
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        stream.events.push(...parser.push(decoder.decode(value, { stream: true })));
      }
    } catch {
      // cancelled
    }
    stream.closed = true;
  })();
  await stream.waitFor((e) => e.some((x) => x.event === "ready"), "ready");
  return stream;
}

const messageIds = (stream: Stream) =>
  stream.events.filter((e) => e.event === "message.created").map((e) => (e.data as { message: { id: string } }).message.id);

/** Asserts that `stream` ended for `reason`: `unauthorized` is its last event, and the body closed. */
async function expectEnded(stream: Stream, reason: string) {
  await stream.waitClosed();
  expect(stream.events.at(-1)).toEqual({ id: undefined, event: "unauthorized", data: { reason } });
}

/** Alice, and Bob in a thread with her. */
async function pair() {
  const [alice, bob] = await Promise.all([createUser("alice"), createUser("bob")]);
  return { alice, bob, threadId: await createThread(alice, bob) };
}

/** Another token for `user`, as a second client (a script, a phone) would hold. */
async function secondToken(user: TestUser) {
  const { id, token } = await createToken(user.id, "second client", null);
  return { id, token };
}

/** A connection of its own: another app instance, or an operator's psql. */
async function elsewhere<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe("a stream opened with a bearer token", () => {
  it("ends when the token is revoked, before the next message, and the person's other token's stream goes on", async () => {
    const { alice, bob, threadId } = await pair();
    const second = await secondToken(bob);
    const doomed = await open({ token: second.token });
    const other = await open({ token: bob.token });

    expect((await api.delete(`/api/tokens/${second.id}`, { token: bob.token })).status).toBe(204);
    const after = await send(alice, threadId, "sent after the revocation");

    await other.waitFor(() => messageIds(other).includes(after.id), "the message");
    await expectEnded(doomed, "token_revoked");
    expect(messageIds(doomed)).not.toContain(after.id);
    expect(other.closed).toBe(false);
    expect((await requestEvents({ token: second.token })).status).toBe(401);
    await other.cancel();
  });

  it("ends when an operator deletes the token row with SQL", async () => {
    const { alice, bob, threadId } = await pair();
    const second = await secondToken(bob);
    const doomed = await open({ token: second.token });
    const other = await open({ token: bob.token });

    await elsewhere("DELETE FROM api_tokens WHERE id = $1", [second.id]);
    const after = await send(alice, threadId, "sent after the deletion");

    await other.waitFor(() => messageIds(other).includes(after.id), "the message");
    await expectEnded(doomed, "token_revoked");
    expect(messageIds(doomed)).not.toContain(after.id);
    await other.cancel();
  });

  it("ends when the token is revoked while the hub's listening connection is down, before what was missed is delivered", async () => {
    const { alice, bob, threadId } = await pair();
    const second = await secondToken(bob);
    const doomed = await open({ token: second.token });
    const other = await open({ token: bob.token });

    // The hub's connection dies and the token goes before the hub listens again (it waits at least a second), so the
    // revocation's notice is lost: the hub must ask, once back, before it delivers the message it missed.
    const [killed] = await elsewhere<{ listeners: number }>(`
      WITH killed AS (
        SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
        WHERE application_name = 'parley-live' AND datname = current_database()
      )
      SELECT count(*)::int AS listeners FROM killed`);
    expect(killed?.listeners).toBe(1);
    const [revoked] = await elsewhere<{ listening: number }>(`
      WITH revoked AS (DELETE FROM api_tokens WHERE id = $1 RETURNING 1)
      SELECT (SELECT count(*)::int FROM pg_stat_activity
              WHERE application_name = 'parley-live' AND datname = current_database()) AS listening
      FROM revoked`, [second.id]);
    expect(revoked?.listening).toBe(0);
    const after = await send(alice, threadId, "sent while the hub was away");

    await other.waitFor(() => messageIds(other).includes(after.id), "the message, once the hub is back");
    await expectEnded(doomed, "token_revoked");
    expect(messageIds(doomed)).not.toContain(after.id);
    await other.cancel();
  });
});

describe("a stream opened with a browser session", () => {
  it("ends when the session is signed out, and the person's other session's stream goes on", async () => {
    const { alice, bob, threadId } = await pair();
    const laptop = await signedInSession(bob.id);
    const phone = await signedInSession(bob.id);
    const doomed = await open({ cookie: laptop.cookie });
    const other = await open({ cookie: phone.cookie });

    await endSession(laptop.sessionId); // what the sign-out action and Auth.js's sign-out endpoint do
    const after = await send(alice, threadId, "sent after signing out");

    await other.waitFor(() => messageIds(other).includes(after.id), "the message");
    await expectEnded(doomed, "session_ended");
    expect(messageIds(doomed)).not.toContain(after.id);
    expect((await requestEvents({ cookie: laptop.cookie })).status).toBe(401);
    expect((await api.get("/api/users/me", { cookie: laptop.cookie })).status).toBe(401);
    expect((await api.get("/api/users/me", { cookie: phone.cookie })).status).toBe(200);
    await other.cancel();
  });

  it("ends when the session expires", async () => {
    const { bob } = await pair();
    // A cookie that expires in one second (JWT `exp` has whole seconds), for a session whose row lasts longer.
    const { cookie } = await signedInSession(bob.id, { maxAge: 1 });
    const stream = await open({ cookie });
    await expectEnded(stream, "session_expired");
    expect((await requestEvents({ cookie })).status).toBe(401);
  });

  it("is refused, and opens no stream, when its cookie names no session (a cookie from before sessions were kept)", async () => {
    const { bob } = await pair();
    expect((await requestEvents({ cookie: await mintSessionCookie({ sub: bob.id }) })).status).toBe(401);
    expect(getHub().size).toBe(0);
  });
});

describe("every stream of a person", () => {
  it("ends when their account is deleted", async () => {
    const { alice, bob, threadId } = await pair();
    const { cookie } = await signedInSession(bob.id);
    const bySession = await open({ cookie });
    const byToken = await open({ token: bob.token });
    const watcher = await open({ token: alice.token });

    await getPrisma().user.delete({ where: { id: bob.id } });
    const after = await send(alice, threadId, "sent after the account went");

    await watcher.waitFor(() => messageIds(watcher).includes(after.id), "her own message");
    await expectEnded(bySession, "session_ended");
    await expectEnded(byToken, "token_revoked");
    await watcher.cancel();
  });
});

describe("the hub", () => {
  it("refuses to open a stream for a credential that ended before it could listen for its end", async () => {
    const { bob } = await pair();
    const second = await secondToken(bob);
    await elsewhere("DELETE FROM api_tokens WHERE id = $1", [second.id]);
    const credential = { kind: "token", id: hashToken(second.token), expiresAt: null } as const;
    await expect(getHub().subscribe(bob.id, credential, null, () => {}, () => {})).rejects.toMatchObject({ type: "unauthorized" });
    expect(getHub().size).toBe(0);
  });

  it("misses none of the events released while it checks a new stream's credential", async () => {
    const { alice, bob, threadId } = await pair();
    expect(await getCredentialCache().ready()).toBe(true);
    expect((await api.get("/api/users/me", { token: bob.token })).status).toBe(200); // cached, lastUsedAt written
    const witness = await open({ token: bob.token });

    // Hold the check: it reads api_tokens, which another transaction locks.
    const locker = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await locker.connect();
    try {
      await locker.query("BEGIN; LOCK TABLE api_tokens IN ACCESS EXCLUSIVE MODE");
      const opening = open({ token: bob.token });
      await vi.waitFor(() => expect(getHub().size).toBe(2), { timeout: 10_000, interval: 5 }); // registered, checking
      // Sent with the domain function: an API request could need api_tokens itself (its token lookup).
      const { message: during } = await sendMessage(alice.id, threadId, { text: "sent while the new stream was being checked" });
      await witness.waitFor(() => messageIds(witness).includes(during.id), "the message");
      await locker.query("COMMIT");
      const late = await opening;
      expect(messageIds(late)).toEqual([during.id]);
      await late.cancel();
    } finally {
      await locker.end();
    }
    await witness.cancel();
  });
});
