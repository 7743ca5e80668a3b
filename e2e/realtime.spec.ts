import { expect, test } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { eventId, SseParser, type SseEvent } from "../tests/helpers/sse";
import { promoteToAdmin } from "./fixtures";

// Live events across two app instances (playwright.config.ts: A on 3100, B on 3101, one build, one database), over
// real HTTP with bearer tokens: Node's fetch reads GET /api/events as a stream. No browser needed.
//
// To assert that an event did NOT arrive, a test first waits for a later one: each instance releases persisted
// events in id order, so once a stream has an event with id K, every earlier event it should get has been written.

const B = process.env.E2E_SECOND_BASE_URL!;

interface Person {
  id: string;
  username: string;
  token: string;
}

/**
 * Registers a person on `base` and gives them a bearer token. Usernames here avoid the first names the browser specs
 * search for (screens.spec.ts looks for "Bob" among the first 20 matches), since all specs share one database.
 */
async function signUp(base: string, prefix: string): Promise<Person> {
  const username = `${prefix}_${randomBytes(4).toString("hex")}`;
  const password = "correct horse battery";
  const reg = await fetch(`${base}/api/auth/register`, { method: "POST", body: JSON.stringify({ username, password }), headers: { "content-type": "application/json" } });
  expect(reg.status).toBe(201);
  const tok = await fetch(`${base}/api/tokens`, { method: "POST", body: JSON.stringify({ username, password, name: "e2e" }), headers: { "content-type": "application/json" } });
  expect(tok.status).toBe(201);
  return { id: ((await reg.json()) as { id: string }).id, username, token: ((await tok.json()) as { token: string }).token };
}

/** One API call as `who` on instance `base`; the status and the JSON body (null when empty). */
async function call(base: string, who: Person, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${who.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- checked field by field
}

async function createThread(base: string, owner: Person, ...others: Person[]): Promise<string> {
  const res = await call(base, owner, "POST", "/api/threads", { participantIds: others.map((o) => o.id) });
  expect([200, 201]).toContain(res.status);
  return res.body.id as string;
}

async function send(base: string, from: Person, threadId: string, text: string): Promise<{ id: string; seq: number }> {
  const res = await call(base, from, "POST", `/api/threads/${threadId}/messages`, { text });
  expect(res.status).toBe(201);
  return res.body as { id: string; seq: number };
}

type Payload = { message: { id: string; threadId: string; text: string; isRead: boolean }; thread: { id: string }; threadId: string };
const data = (e: SseEvent) => e.data as Partial<Payload> & Record<string, unknown>;
const threadIdOf = (e: SseEvent) => data(e).threadId ?? data(e).message?.threadId ?? data(e).thread?.id;
const isMessage = (e: SseEvent, id: string) => e.event === "message.created" && data(e).message?.id === id;

/** What a stream authenticates with: the person's token, another token of theirs, or a session cookie. */
type StreamAuth = { token: string } | { cookie: string };

const authHeaders = (auth: StreamAuth): Record<string, string> =>
  "token" in auth ? { authorization: `Bearer ${auth.token}` } : { cookie: auth.cookie };

/** `GET /api/events` as `who` on `base`, read as it arrives. */
class EventStream {
  readonly events: SseEvent[] = [];
  headers!: Headers;
  /** Whether the server ended the stream (not `close()`). */
  ended = false;
  private readonly abort = new AbortController();

  private constructor(private readonly who: Person) {}

  /**
   * Connects with `who`'s token (or `auth`), optionally resuming after `lastEventId`; resolves once `ready` has
   * arrived.
   */
  static async open(base: string, who: Person, lastEventId?: string, auth: StreamAuth = who): Promise<EventStream> {
    const stream = new EventStream(who);
    const res = await fetch(`${base}/api/events`, {
      headers: { ...authHeaders(auth), accept: "text/event-stream", ...(lastEventId ? { "last-event-id": lastEventId } : {}) },
      signal: stream.abort.signal,
    });
    expect(res.status).toBe(200);
    stream.headers = res.headers;
    void stream.read(res.body!);
    await stream.waitFor((events) => events.some((e) => e.event === "ready"), "ready");
    return stream;
  }

  private async read(body: ReadableStream<Uint8Array>) {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          this.ended = true;
          break;
        }
        this.events.push(...parser.push(decoder.decode(value, { stream: true })));
      }
    } catch {
      // aborted by close()
    }
  }

  /** Waits until the server has ended the stream with `unauthorized` for `reason` as its last event. */
  async waitEnded(reason: string): Promise<void> {
    await expect.poll(() => this.ended, { message: `${this.who.username}'s stream to end`, timeout: 15_000, intervals: [10, 25, 50] }).toBe(true);
    expect(this.events.at(-1)).toEqual({ id: undefined, event: "unauthorized", data: { reason } });
  }

  /** Waits until `find` returns something truthy for the events so far, and returns it. */
  async waitFor<T>(find: (events: SseEvent[]) => T | undefined | null | false, what: string): Promise<T> {
    await expect
      .poll(() => !!find(this.events), { message: `${this.who.username} waits for ${what}`, timeout: 15_000, intervals: [10, 25, 50] })
      .toBe(true);
    return find(this.events) as T;
  }

  /** The events after `ready`. */
  get live(): SseEvent[] {
    return this.events.slice(this.events.findIndex((e) => e.event === "ready") + 1);
  }

  close() {
    this.abort.abort();
  }
}

test.describe("live events across two app instances", () => {
  test("a client streaming from instance B receives, in order, the messages posted to instance A", async ({ baseURL }) => {
    const A = baseURL!;
    const [alice, bob] = await Promise.all([signUp(A, "live_a"), signUp(A, "live_b")]);
    const stream = await EventStream.open(B, bob);
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(stream.headers.get("cache-control")).toContain("no-transform");
    expect(stream.headers.get("x-accel-buffering")).toBe("no");

    const threadId = await createThread(A, alice, bob);
    const sent: { id: string; seq: number }[] = [];
    for (let i = 1; i <= 20; i++) sent.push(await send(A, alice, threadId, `message ${i}`));

    const created = await stream.waitFor((events) => {
      const messages = events.filter((e) => e.event === "message.created");
      return messages.length >= 20 && messages;
    }, "20 messages");
    expect(stream.live.map((e) => e.event)).toEqual(["thread.created", ...Array(20).fill("message.created")]);
    expect(created.map((e) => data(e).message!.id)).toEqual(sent.map((m) => m.id));
    expect(created.map((e) => data(e).message!.text)).toEqual(sent.map((_, i) => `message ${i + 1}`));
    expect(created.map((e) => data(e).unreadCount)).toEqual(sent.map((_, i) => i + 1));
    expect(created.every((e) => data(e).message!.isRead === false && data(e).message!.threadId === threadId)).toBe(true);
    const ids = stream.live.map(eventId);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
    stream.close();
  });

  test("typing posted to instance A reaches the other participant on instance B, without an id", async ({ baseURL }) => {
    const A = baseURL!;
    const [alice, bob] = await Promise.all([signUp(A, "live_a"), signUp(A, "live_b")]);
    const threadId = await createThread(A, alice, bob);
    const stream = await EventStream.open(B, alice);
    expect((await call(A, bob, "POST", `/api/threads/${threadId}/typing`)).status).toBe(204);
    const typing = await stream.waitFor((events) => events.find((e) => e.event === "typing"), "typing");
    expect(typing).toEqual({ id: undefined, event: "typing", data: { threadId, userId: bob.id, expiresInMs: expect.any(Number) } });
    stream.close();
  });

  test("presence across instances: a stream on B makes its person online for a watcher on A, closing it offline, once each", async ({ baseURL }) => {
    const A = baseURL!;
    const [alice, bob] = await Promise.all([signUp(A, "live_a"), signUp(A, "live_b")]);
    await createThread(A, alice, bob);
    const watcher = await EventStream.open(A, alice);
    const presenceOfBob = (events: SseEvent[]) =>
      events.filter((e) => e.event === "presence" && (e.data as { userId: string }).userId === bob.id).map((e) => (e.data as { presence: { status: string } }).presence);

    // Two tabs of Bob's on B, then one of them closing: one "online", and nothing for the second tab or the close.
    const [tab1, tab2] = [await EventStream.open(B, bob), await EventStream.open(B, bob)];
    await watcher.waitFor((events) => presenceOfBob(events).length > 0, "bob online");
    expect(presenceOfBob(watcher.events)).toEqual([{ status: "online", lastSeenAt: expect.any(String) }]);
    expect((await call(A, alice, "GET", `/api/users/${bob.id}`)).body.presence.status).toBe("online");
    tab1.close();

    // The other tab closes: after PRESENCE_TIMEOUT_MS (6 s in these tests) B's or A's sweep announces "offline".
    tab2.close();
    await watcher.waitFor((events) => presenceOfBob(events).some((p) => p.status === "offline"), "bob offline");
    expect(presenceOfBob(watcher.events)).toEqual([
      { status: "online", lastSeenAt: expect.any(String) },
      { status: "offline", lastSeenAt: expect.any(String) },
    ]);
    expect((await call(B, alice, "GET", `/api/users/${bob.id}`)).body.presence).toEqual(presenceOfBob(watcher.events)[1]);
    watcher.close();
  });

  test("reconnecting to instance B with Last-Event-ID replays exactly the missed events", async ({ baseURL }) => {
    const A = baseURL!;
    const [alice, bob, carol] = await Promise.all([signUp(A, "live_a"), signUp(A, "live_b"), signUp(A, "live_c")]);
    const witness = await EventStream.open(A, bob); // stays connected, on the other instance
    const first = await EventStream.open(B, bob);
    const threadId = await createThread(A, alice, bob);
    const before: { id: string; seq: number }[] = [];
    for (let i = 1; i <= 3; i++) before.push(await send(A, alice, threadId, `before ${i}`));
    await first.waitFor((events) => events.some((e) => isMessage(e, before[2]!.id)), "the first three messages");
    first.close();
    const lastEventId = first.events.at(-1)!.id!;

    // While Bob is away: his thread changes (on A), and so does a thread he is not in.
    const missed: { id: string; seq: number }[] = [];
    for (let i = 1; i <= 5; i++) missed.push(await send(A, alice, threadId, `missed ${i}`));
    expect((await call(A, bob, "POST", `/api/messages/${missed[1]!.id}/read`)).status).toBe(200);
    expect((await call(A, alice, "PATCH", `/api/messages/${missed[0]!.id}`, { text: "missed 1, edited" })).status).toBe(200);
    const notBobs = await createThread(A, alice, carol);
    await send(A, carol, notBobs, "not for Bob");
    const last = await send(A, alice, threadId, "last");
    await witness.waitFor((events) => events.some((e) => isMessage(e, last.id)), "the last message");

    const expected = witness.live.filter((e) => eventId(e) > BigInt(lastEventId));
    expect(expected.map((e) => e.event)).toEqual([...Array(5).fill("message.created"), "thread.read", "message.updated", "message.created"]);
    const resumed = await EventStream.open(B, bob, lastEventId);
    expect(resumed.events.slice(0, -1)).toEqual(expected);
    expect(resumed.events.at(-1)).toMatchObject({ event: "ready", data: {} });

    // And it is live from there: a new message arrives once.
    const after = await send(A, alice, threadId, "after");
    await resumed.waitFor((events) => events.some((e) => isMessage(e, after.id)), "the new message");
    expect(resumed.live.map((e) => data(e).message?.id)).toEqual([after.id]);
    for (const s of [witness, resumed]) s.close();
  });

  test("an outsider's stream never sees another thread's events", async ({ baseURL }) => {
    const A = baseURL!;
    const [alice, bob, carol] = await Promise.all([signUp(A, "live_a"), signUp(A, "live_b"), signUp(A, "live_c")]);
    const [onB, onA] = await Promise.all([EventStream.open(B, carol), EventStream.open(A, carol)]);

    const threadId = await createThread(A, alice, bob);
    const m = await send(A, alice, threadId, "between us");
    await call(A, bob, "POST", `/api/threads/${threadId}/read`);
    await call(A, bob, "POST", `/api/threads/${threadId}/typing`);
    await call(A, alice, "PATCH", `/api/messages/${m.id}`, { text: "edited" });
    await call(A, alice, "DELETE", `/api/messages/${m.id}`);
    expect((await call(A, bob, "DELETE", `/api/threads/${threadId}`)).status).toBe(204);

    // Carol's own thread comes last: once its message reaches her, everything before it has been written.
    const hers = await createThread(A, alice, carol);
    const hi = await send(A, alice, hers, "hi Carol");
    for (const stream of [onB, onA]) {
      await stream.waitFor((events) => events.some((e) => isMessage(e, hi.id)), "her own message");
      expect(stream.live.map((e) => [e.event, threadIdOf(e)])).toEqual([
        ["thread.created", hers],
        ["message.created", hers],
      ]);
      stream.close();
    }
  });

  test("deleting a thread ends its events", async ({ baseURL }) => {
    const A = baseURL!;
    const [alice, bob, carol] = await Promise.all([signUp(A, "live_a"), signUp(A, "live_b"), signUp(A, "live_c")]);
    const stream = await EventStream.open(B, bob);
    const doomed = await createThread(A, alice, bob);
    const other = await createThread(A, alice, bob, carol);
    const m = await send(A, alice, doomed, "soon gone");
    const sent = await stream.waitFor((events) => events.find((e) => isMessage(e, m.id)), "the message");

    expect((await call(A, alice, "DELETE", `/api/threads/${doomed}`)).status).toBe(204);
    const deleted = await stream.waitFor((events) => events.find((e) => e.event === "thread.deleted"), "thread.deleted");
    expect(deleted.data).toEqual({ threadId: doomed });
    expect((await call(A, alice, "POST", `/api/threads/${doomed}/messages`, { text: "anyone?" })).status).toBe(404);
    expect((await call(A, alice, "POST", `/api/threads/${doomed}/typing`)).status).toBe(404);
    expect((await call(A, alice, "PATCH", `/api/messages/${m.id}`, { text: "edited" })).status).toBe(404);

    const still = await send(A, alice, other, "still here");
    await stream.waitFor((events) => events.some((e) => isMessage(e, still.id)), "the other thread's message");
    const afterSent = stream.events.slice(stream.events.indexOf(sent) + 1);
    expect(afterSent.map((e) => [e.event, threadIdOf(e)])).toEqual([
      ["thread.deleted", doomed],
      ["message.created", other],
    ]);
    stream.close();
  });
});

/** The status of `GET /api/events` with `auth` on `base` (a stream that opens is closed at once). */
async function streamStatus(base: string, auth: StreamAuth): Promise<number> {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/events`, { headers: authHeaders(auth), signal: abort.signal });
  abort.abort();
  return res.status;
}

/** Cookies of a `fetch` response's `Set-Cookie` fields, as a `Cookie` header (attributes dropped). */
const cookiesOf = (res: Response): string =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .join("; ");

/**
 * Signs in through Auth.js's own endpoints on `base`, as a browser's form post would: the CSRF token, then the
 * credentials callback, whose answer sets the session cookie.
 * @returns the `Cookie` header of the signed-in browser (CSRF and session cookies) and the CSRF token.
 */
async function signInWithAuthJs(base: string, who: Person): Promise<{ cookie: string; csrfToken: string }> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookie = cookiesOf(csrf);
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
    body: new URLSearchParams({ csrfToken, username: who.username, password: "correct horse battery" }),
    redirect: "manual",
  });
  expect(res.status).toBe(302);
  const session = cookiesOf(res);
  expect(session).toContain("authjs.session-token=");
  return { cookie: `${csrfCookie}; ${session}`, csrfToken };
}

test.describe("a stream lives no longer than its credential, on every instance", () => {
  test("revoking a token on instance A ends its streams on A and B before the next message; the person's other token streams on", async ({ baseURL }) => {
    const A = baseURL!;
    const [alice, bob] = await Promise.all([signUp(A, "live_a"), signUp(A, "live_b")]);
    const threadId = await createThread(A, alice, bob);
    const second = await call(A, bob, "POST", "/api/tokens", { name: "second client" });
    expect(second.status).toBe(201);
    const doomedAuth = { token: second.body.token as string };
    const [doomedOnA, doomedOnB, witnessOnA, witnessOnB] = await Promise.all([
      EventStream.open(A, bob, undefined, doomedAuth),
      EventStream.open(B, bob, undefined, doomedAuth),
      EventStream.open(A, bob),
      EventStream.open(B, bob),
    ]);

    expect((await call(A, bob, "DELETE", `/api/tokens/${second.body.id}`)).status).toBe(204);
    const after = await send(A, alice, threadId, "sent after the revocation");

    // Each instance's hub hears of the revocation before the message (commit order on its one connection): once the
    // witness on an instance has the message, the revoked stream on that instance was already ended.
    for (const [witness, doomed] of [
      [witnessOnA, doomedOnA],
      [witnessOnB, doomedOnB],
    ] as const) {
      await witness.waitFor((events) => events.some((e) => isMessage(e, after.id)), "the message");
      await doomed.waitEnded("token_revoked");
      expect(doomed.events.some((e) => isMessage(e, after.id))).toBe(false);
      expect(witness.ended).toBe(false);
    }
    expect(await streamStatus(B, doomedAuth)).toBe(401);
    expect(await streamStatus(A, doomedAuth)).toBe(401);
    for (const s of [witnessOnA, witnessOnB]) s.close();
  });

  test("signing out through Auth.js on instance A ends the session's stream on instance B, and its cookie stops working", async ({ baseURL }) => {
    const A = baseURL!;
    const [alice, bob] = await Promise.all([signUp(A, "live_a"), signUp(A, "live_b")]);
    const threadId = await createThread(A, alice, bob);
    const browser = await signInWithAuthJs(A, bob);
    const other = await signInWithAuthJs(B, bob); // the same person in another browser
    const [doomed, otherSession, witness] = await Promise.all([
      EventStream.open(B, bob, undefined, { cookie: browser.cookie }),
      EventStream.open(B, bob, undefined, { cookie: other.cookie }),
      EventStream.open(B, bob),
    ]);

    const signOut = await fetch(`${A}/api/auth/signout`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: browser.cookie },
      body: new URLSearchParams({ csrfToken: browser.csrfToken }),
      redirect: "manual",
    });
    expect(signOut.status).toBe(302);
    const after = await send(A, alice, threadId, "sent after signing out");

    await witness.waitFor((events) => events.some((e) => isMessage(e, after.id)), "the message");
    await doomed.waitEnded("session_ended");
    expect(doomed.events.some((e) => isMessage(e, after.id))).toBe(false);
    await otherSession.waitFor((events) => events.some((e) => isMessage(e, after.id)), "the message, in the other browser");
    // A copy of the signed-out cookie is worth nothing anywhere; the other browser's session still works.
    for (const base of [A, B]) {
      expect(await streamStatus(base, { cookie: browser.cookie })).toBe(401);
      expect((await fetch(`${base}/api/users/me`, { headers: { cookie: browser.cookie } })).status).toBe(401);
      expect((await fetch(`${base}/api/users/me`, { headers: { cookie: other.cookie } })).status).toBe(200);
    }
    for (const s of [otherSession, witness]) s.close();
  });

  test("an admin suspending someone on instance A ends their session and token streams on B, and both credentials everywhere", async ({ baseURL }) => {
    const A = baseURL!;
    const [admin, bob] = await Promise.all([signUp(A, "live_admin"), signUp(A, "live_sus")]);
    await promoteToAdmin(admin);
    const browser = await signInWithAuthJs(B, bob);
    const [tokenOnB, sessionOnB, tokenOnA] = await Promise.all([
      EventStream.open(B, bob),
      EventStream.open(B, bob, undefined, { cookie: browser.cookie }),
      EventStream.open(A, bob),
    ]);

    const suspended = await call(A, admin, "PATCH", `/api/admin/users/${bob.id}`, { suspended: true, reason: "Spam across groups" });
    expect(suspended.status).toBe(200);

    await tokenOnB.waitEnded("token_revoked");
    await sessionOnB.waitEnded("session_ended");
    await tokenOnA.waitEnded("token_revoked");
    for (const base of [A, B]) {
      expect((await fetch(`${base}/api/users/me`, { headers: { authorization: `Bearer ${bob.token}` } })).status).toBe(401);
      expect((await fetch(`${base}/api/users/me`, { headers: { cookie: browser.cookie } })).status).toBe(401);
    }
    // The right password on the other instance is told why, and gets nothing.
    const again = await fetch(`${B}/api/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: bob.username, password: "correct horse battery" }),
    });
    expect(again.status).toBe(403);
    expect(((await again.json()) as { detail: string }).detail).toContain("Spam across groups");
  });
});
