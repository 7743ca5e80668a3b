/**
 * Database faults: PostgreSQL restarts while messages are being sent. During the outage every request fails fast
 * with `503` (problem+json, `Retry-After`), never a `500` or a hang; afterwards the app recovers by itself (no restart
 * of the app, its pool, its rate limiter or its listeners); and no message that was answered `201` is lost.
 *
 * This file runs its own PostgreSQL (scripts/embedded-postgres.ts) on a data directory that survives a stop, with
 * `fsync` on, so that it can be shut down and started again without touching the server the other test files share.
 * It is restarted twice while senders are in flight: once with a fast shutdown (`pg_ctl stop -m fast`: backends are
 * terminated with SQLSTATE 57P01), once as a crash (SIGQUIT to the postmaster, an immediate shutdown: no checkpoint,
 * so the next start replays the WAL, which is what makes acknowledged commits durable).
 *
 * Clients behave as a well-written one would: each message has a `clientMessageId`, and a failed send is retried
 * with the same one, so a send that committed but whose answer was lost comes back `200` with the original message.
 * Four send, one edits a message (an interactive transaction), one reads unread counts; a live stream stays open.
 *
 * Then the database stops answering altogether (a server that accepts connections and says nothing): requests must
 * give up after the connection timeout, and the listeners' reconnection attempts must not wait on it forever. Then it
 * freezes mid-query (every server process stopped with SIGSTOP, connections open): queries already sent must give up
 * after the query timeout, and everything must work again once it thaws. Last, a table of errors pins which ones count
 * as the database's absence (503) and which stay bugs (500).
 *
 * How it waits. Nothing sleeps as an assertion: every wait polls a condition with a deadline. Each request is raced
 * against a deadline well above the pool's connection timeout, so a request that hangs fails the test instead of
 * stalling it.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { errorResponse } from "@/lib/api/problem";
import { resetConfig } from "@/lib/config";
import { disconnectPrisma, getPrisma, watchListener } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";
import { getHub } from "@/lib/infra/live-hub";
import { resetRateLimiters } from "@/lib/infra/rate-limit";
import { getCredentialCache } from "@/lib/infra/credential-cache";
import { getFreePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../scripts/embedded-postgres";
import { migrate } from "../scripts/migrate";
import { childrenOf, isAlive } from "../scripts/processes";
import { type ApiResponse, api } from "./helpers/api";
import { createThread, createUser, send, tokenCredential, type TestUser } from "./helpers/fixtures";
import { SseParser, type SseEvent } from "./helpers/sse";

/** A request that has not answered after this long counts as hung (the pool gives up connecting after 5 s). */
const REQUEST_DEADLINE_MS = 15_000;
/** Longest wait for any one condition (the server to go down, come back, the app to recover). */
const WAIT_MS = 20_000;
/** Pause between a sender's requests after a 503: a client's back-off, kept short so the test stays quick. */
const RETRY_PAUSE_MS = 25;
/** Concurrent senders (each a user of its own, all in one thread). */
const SENDERS = 4;
/** Acknowledged sends wanted from each phase with the database up, so that each phase is really exercised. */
const SENDS_PER_UP_PHASE = 20;
/**
 * How long the server stays down: about as long as a real restart, and longer than the first reconnect delay of the
 * listeners (1 s), so that their reconnect loops must retry at least once.
 */
const OUTAGE_MS = 1_500;
/** Upper bound on requests over the whole run, so that no client can loop for long. */
const MAX_REQUESTS = 10_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 20 ms until it holds; throws naming `what` after {@link WAIT_MS}. */
async function waitUntil(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await pause(20);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// The private server

let dataDir: string;
let port: number;
let server: EmbeddedPostgresHandle;

const start = async () => {
  server = await startEmbeddedPostgres({ dataDir, port, persistent: true });
};

/** Fast shutdown, as `pg_ctl stop -m fast` (what the handle's `stop()` does), and waits for it to finish. */
const stopFast = () => server.stop();

/** Immediate shutdown: SIGQUIT to the postmaster, no checkpoint; the next start recovers from the WAL. */
async function crash(): Promise<void> {
  const pid = Number((await readFile(path.join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0]);
  process.kill(pid, "SIGQUIT");
  await waitUntil(() => !isAlive(pid), "the crashed postmaster to exit");
  await server.stop(); // nothing left to stop: forgets the handle's exit hook
}

// ---------------------------------------------------------------------------------------------------------------------
// What the clients saw

type Phase = "up" | "down" | "recovering";

interface Answer {
  what: string;
  phase: Phase;
  /** HTTP status, or `hung` (no answer within the deadline), or `threw` (the handler rejected instead of answering). */
  status: number | "hung" | "threw";
  contentType: string | null;
  retryAfter: string | null;
  body: unknown;
}

let phase: Phase = "up";
let requests = 0;
let stopClients = false;
/** Set when the run failed: clients stop at once instead of finishing the request they are retrying. */
let abandon = false;
const answers: Answer[] = [];
/** Acknowledged sends per phase with the server up (0: before the first restart, then one per restart). */
const sendsInPhase: number[] = [0];
let upPhase = 0;

/** `promise`'s value, or `"hung"` when it has not settled after {@link REQUEST_DEADLINE_MS}. */
async function bounded<T>(promise: Promise<T>): Promise<T | "hung"> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"hung">((resolve) => {
    timer = setTimeout(() => resolve("hung"), REQUEST_DEADLINE_MS);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Repeats `request` until it answers one of `ok` (a client retrying after a 503, or after anything else: failures
 * other than 503 are recorded for the assertions, and retrying keeps them from hiding what the rest of the run
 * would show). Gives up only when the run's request budget is spent or the run failed.
 * @returns the successful answer, or `null` when it gave up.
 */
async function untilAnswered(what: string, ok: number[], request: () => Promise<ApiResponse>): Promise<Answer | null> {
  while (requests < MAX_REQUESTS && !abandon) {
    const seenIn = phase;
    requests++;
    let answer: Answer;
    try {
      const res = await bounded(request());
      answer =
        res === "hung"
          ? { what, phase: seenIn, status: "hung", contentType: null, retryAfter: null, body: null }
          : {
              what,
              phase: seenIn,
              status: res.status,
              contentType: res.headers.get("content-type"),
              retryAfter: res.headers.get("retry-after"),
              body: res.body,
            };
    } catch (error) {
      answer = { what, phase: seenIn, status: "threw", contentType: null, retryAfter: null, body: String(error) };
    }
    answers.push(answer);
    if (typeof answer.status === "number" && ok.includes(answer.status)) return answer;
    await pause(RETRY_PAUSE_MS);
  }
  return null;
}

/** clientMessageId → the message the API acknowledged with 201 (or 200, for a retry of a send that had committed). */
const acknowledged = new Map<string, { id: string; text: string; senderId: string }>();

/**
 * Sends messages one after another until told to stop; a failed send is retried with the same clientMessageId, as
 * the API asks clients to, so that a send whose answer was lost is not stored twice.
 */
async function sender(from: TestUser): Promise<void> {
  for (let n = 0; !stopClients; n++) {
    const clientMessageId = randomUUID();
    const text = `${from.username} message ${n}`;
    const answer = await untilAnswered("send", [201, 200], () =>
      api.post(`/api/threads/${threadId}/messages`, { token: from.token, body: { text, clientMessageId } }),
    );
    if (!answer) return;
    const message = answer.body as { id: string; text: string };
    acknowledged.set(clientMessageId, { id: message.id, text: message.text, senderId: from.id });
    sendsInPhase[upPhase]!++;
  }
}

/** The text of {@link editedMessageId} that the last acknowledged edit set. */
let lastEdit: string | undefined;

/** Edits one message over and over (an interactive transaction each time), each edit retried until acknowledged. */
async function editor(): Promise<void> {
  for (let n = 0; !stopClients; n++) {
    const text = `edit ${n}`;
    const answer = await untilAnswered("edit", [200], () =>
      api.patch(`/api/messages/${editedMessageId}`, { token: senders[0]!.token, body: { text } }),
    );
    if (!answer) return;
    lastEdit = text;
  }
}

/** Reads the recipient's unread counts over and over. */
async function reader(): Promise<void> {
  while (!stopClients) {
    if (!(await untilAnswered("read", [200], () => api.get("/api/unread", { token: recipient.token })))) return;
  }
}

const unavailableIn = (which: Phase) => answers.filter((a) => a.phase === which && a.status === 503).length;

/**
 * Takes the server away with `stop` while the clients run, keeps it away for {@link OUTAGE_MS}, starts it again,
 * and waits for sends to succeed again and for the listeners to reconnect (so that each restart starts afresh).
 */
async function outage(stop: () => Promise<void>): Promise<void> {
  const before = unavailableIn("down");
  phase = "down";
  await stop();
  const downSince = Date.now();
  // Fail fast: with the server gone, requests are answered 503, not queued until it returns.
  await waitUntil(() => unavailableIn("down") > before, "a 503 while the database is down");
  await waitUntil(() => Date.now() - downSince >= OUTAGE_MS, "the outage to last as long as a real restart");
  phase = "recovering";
  await start();
  upPhase++;
  sendsInPhase[upPhase] = 0;
  await waitUntil(() => sendsInPhase[upPhase]! >= SENDS_PER_UP_PHASE, "sends to succeed again");
  await waitUntil(listenersUp, "the listeners to reconnect");
  phase = "up";
}

/**
 * Whether both listening connections are back: the token cache says so, and the server has the hub's connection
 * (`application_name` `parley-live`).
 */
async function listenersUp(): Promise<boolean> {
  if (!getCredentialCache().active) return false;
  const client = new pg.Client({ connectionString: server.url });
  try {
    await client.connect();
    const { rows } = await client.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'parley-live'");
    return rows.length > 0;
  } catch {
    return false; // still starting up
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Points the app at the database at `url`, as a restarted instance configured so would be: the pool and the rate
 * limiters over it are made anew on next use, settings are read again. The listeners read the URL when they connect.
 * @throws Error when closing the old pool hangs (it waits for its connection attempts).
 */
async function useDatabase(url: string): Promise<void> {
  if ((await bounded(disconnectPrisma())) === "hung") throw new Error("closing the pool hung on a connection attempt");
  process.env.DATABASE_URL = url;
  resetRateLimiters();
  resetConfig();
}

// ---------------------------------------------------------------------------------------------------------------------
// The run

let recipient: TestUser;
let senders: TestUser[];
let threadId: string;
let editedMessageId: string;
const streamEvents: SseEvent[] = [];
let unsubscribe: (() => void) | undefined;

/** Sends `text` as `sender` (201) and waits until the open live stream delivers it. */
async function sendAndSeeLive(sender: TestUser, text: string): Promise<void> {
  const res = await api.post(`/api/threads/${threadId}/messages`, { token: sender.token, body: { text } });
  expect(res.status).toBe(201);
  await waitUntil(
    () =>
      streamEvents.some(
        (e) => e.event === "message.created" && (e.data as { message: { id: string } }).message.id === res.body.id,
      ),
    "the new message on the live stream",
  );
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "parley-db-faults-"));
  port = await getFreePort();
  await start();
  await migrate(server.url);

  // Nothing in this process has used the database yet: the token cache has not connected, and connects to this
  // server on first use.
  expect(getCredentialCache().active).toBe(false);
  await useDatabase(server.url);

  recipient = await createUser("recipient");
  senders = await Promise.all(Array.from({ length: SENDERS }, (_, i) => createUser(`sender${i}`)));
  threadId = await createThread(senders[0]!, recipient, ...senders.slice(1));
  editedMessageId = (await send(senders[0]!, threadId, "to be edited")).id;
  expect(await getCredentialCache().ready()).toBe(true);

  // A live stream open through everything below: the hub's listening connection must come back by itself.
  const parser = new SseParser();
  unsubscribe = await getHub().subscribe(
    recipient.id,
    tokenCredential(recipient),
    null,
    (frame) => streamEvents.push(...parser.push(frame)),
    () => {},
  );
});

afterAll(async () => {
  unsubscribe?.();
  await getHub().shutdown();
  await getCredentialCache().close();
  await disconnectPrisma();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("when PostgreSQL restarts while messages are being sent", () => {
  beforeAll(async () => {
    const clients = [...senders.map((s) => sender(s)), editor(), reader()];
    try {
      await waitUntil(() => sendsInPhase[0]! >= SENDS_PER_UP_PHASE, "the first sends");
      await outage(stopFast);
      await outage(crash);
    } catch (error) {
      abandon = true;
      throw error;
    } finally {
      stopClients = true;
      await Promise.all(clients);
    }
  }, 120_000);

  it("answers every request with success or a 503 problem with Retry-After, never a 500 or a hang", () => {
    const success: Record<string, number[]> = { send: [201, 200], edit: [200], read: [200] };
    const unexpected = answers.filter((a) => a.status !== 503 && !success[a.what]!.includes(a.status as number));
    expect(unexpected, "answers other than success and 503").toEqual([]);
    for (const a of answers.filter((x) => x.status === 503)) {
      expect(a.contentType).toBe("application/problem+json");
      expect(Number(a.retryAfter)).toBeGreaterThan(0);
      expect(a.body).toMatchObject({ type: "/problems/service-unavailable", status: 503 });
    }
  });

  it("fails fast with 503 while the database is down, for writes and reads", () => {
    const down = answers.filter((a) => a.phase === "down" && a.status === 503);
    expect(down.filter((a) => a.what === "send").length).toBeGreaterThan(0);
    expect(down.filter((a) => a.what === "read").length).toBeGreaterThan(0);
  });

  it("recovers by itself after each restart, listeners included", () => {
    expect(sendsInPhase).toHaveLength(3);
    for (const n of sendsInPhase) expect(n).toBeGreaterThanOrEqual(SENDS_PER_UP_PHASE);
  });

  it("keeps every acknowledged message, and stores none twice", async () => {
    const rows = await getPrisma().$queryRaw<{ id: string; text: string; sender_id: string; client_message_id: string | null }[]>`
      SELECT id, text, sender_id, client_message_id FROM messages WHERE thread_id = ${threadId}`;
    const byId = new Map(rows.map((r) => [r.id, r]));
    const lost = [...acknowledged.values()].filter((m) => {
      const row = byId.get(m.id);
      return !row || row.text !== m.text || row.sender_id !== m.senderId;
    });
    expect(lost, "acknowledged messages missing from the database").toEqual([]);
    const clientIds = rows.flatMap((r) => (r.client_message_id ? [r.client_message_id] : []));
    expect(new Set(clientIds).size, "messages stored twice").toBe(clientIds.length);
    expect(acknowledged.size).toBeGreaterThanOrEqual(3 * SENDS_PER_UP_PHASE);
  });

  it("keeps the last acknowledged edit", async () => {
    expect(lastEdit).toBeDefined();
    const res = await api.get(`/api/messages/${editedMessageId}`, { token: recipient.token });
    expect(res.status).toBe(200);
    expect(res.body.text).toBe(lastEdit);
  });

  it("answers reads again, consistent with what was stored", async () => {
    const [row] = await getPrisma().$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS count FROM messages WHERE thread_id = ${threadId}`;
    const unread = await api.get("/api/unread", { token: recipient.token });
    expect(unread.status).toBe(200);
    expect(unread.body.total).toBe(row!.count);
  });

  it("reconnects the live-event listener and delivers a message sent after the restarts", async () => {
    await sendAndSeeLive(senders[1]!, "after the restarts");
  });

  it("reconnects the token cache's listener", async () => {
    await waitUntil(() => getCredentialCache().ready(), "the token cache to listen again");
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// A database that accepts connections and never answers

/**
 * A TCP server that accepts connections and never answers them: to a client, a database that is frozen or overloaded
 * (the kernel still completes the handshake). Records the `application_name` of each connection's startup message,
 * so that a test can tell who tried to connect.
 */
async function unresponsiveServer() {
  const sockets = new Set<net.Socket>();
  const applications: string[] = [];
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.once("data", (chunk) => {
      // StartupMessage (PostgreSQL protocol, "Message Formats"): length, protocol version, then NUL-terminated
      // name/value pairs.
      const fields = chunk.subarray(8).toString("utf8").split("\0");
      const at = fields.indexOf("application_name");
      applications.push(at >= 0 ? fields[at + 1]! : "");
    });
  });
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${(tcp.address() as net.AddressInfo).port}/parley`,
    applications,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => tcp.close(resolve));
    },
  };
}

describe("when the database stops answering, then answers again", () => {
  let unresponsive: Awaited<ReturnType<typeof unresponsiveServer>>;
  let whileUnresponsive: ApiResponse | "hung";

  beforeAll(async () => {
    unresponsive = await unresponsiveServer();
    const savedTimeout = process.env.DATABASE_CONNECT_TIMEOUT_MS;
    process.env.DATABASE_CONNECT_TIMEOUT_MS = "500";
    await useDatabase(unresponsive.url);
    // The listeners lose their connections, as they would when the server stops answering and TCP gives up; their
    // reconnection attempts then go to the unresponsive server, and must not wait on it forever.
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    try {
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name IN ('parley-live', 'parley-credential-cache')",
      );
    } finally {
      await admin.end();
    }
    await waitUntil(() => !getCredentialCache().active, "the token cache to notice");
    whileUnresponsive = await bounded(api.get("/api/unread", { token: recipient.token }));
    await waitUntil(
      () => ["parley-live", "parley-credential-cache"].every((name) => unresponsive.applications.includes(name)),
      "both listeners to try the unresponsive server",
    );

    // The database answers again. The unresponsive server stays up, holding the attempts made to it: they must end
    // on their own.
    if (savedTimeout === undefined) delete process.env.DATABASE_CONNECT_TIMEOUT_MS;
    else process.env.DATABASE_CONNECT_TIMEOUT_MS = savedTimeout;
    await useDatabase(server.url);
  }, 60_000);

  afterAll(async () => {
    await unresponsive?.close();
  });

  it("answers 503 once the connection timeout passes, instead of waiting", () => {
    expect(whileUnresponsive).not.toBe("hung");
    const res = whileUnresponsive as ApiResponse;
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("retry-after")).toBeTruthy();
  });

  it("reconnects the token cache's listener", async () => {
    await waitUntil(async () => {
      const ready = await bounded(getCredentialCache().ready());
      if (ready === "hung") throw new Error("the token cache is still waiting on the unresponsive server");
      return ready;
    }, "the token cache to listen again");
  });

  it("reconnects the live-event listener and delivers a message sent afterwards", async () => {
    await sendAndSeeLive(senders[2]!, "after the database answered again");
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// A database that freezes mid-query

/** The pids of the server's postmaster and of its children (backends, checkpointer, …). */
async function serverProcesses(): Promise<number[]> {
  const postmaster = Number((await readFile(path.join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0]);
  return [postmaster, ...(await childrenOf(postmaster))];
}

/**
 * Stops every process of the server (SIGSTOP): to a client, a database that froze, with its connections open and its
 * kernel still acknowledging. Continues them when `thaw()` is called, and in any case after {@link WAIT_MS}, so that a
 * failing test cannot leave the server stopped.
 */
async function freeze(): Promise<{ thaw: () => void }> {
  const pids = await serverProcesses();
  for (const pid of pids) process.kill(pid, "SIGSTOP");
  let thawed = false;
  const thaw = () => {
    if (thawed) return;
    thawed = true;
    clearTimeout(watchdog);
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGCONT");
      } catch {
        // already gone
      }
    }
  };
  const watchdog = setTimeout(thaw, WAIT_MS);
  return { thaw };
}

describe("when the database freezes mid-query, then thaws", () => {
  const QUERY_TIMEOUT_MS = 1_000;
  let whileFrozen: (ApiResponse | "hung")[];
  let listenerNoticed = false;
  let listener: pg.Client;
  /** Holds the thread's row lock, so that an edit (an interactive transaction) is mid-transaction when it freezes. */
  let locker: pg.Client;

  beforeAll(async () => {
    process.env.DATABASE_QUERY_TIMEOUT_MS = String(QUERY_TIMEOUT_MS);
    process.env.DATABASE_CONNECT_TIMEOUT_MS = "500";
    await useDatabase(server.url);
    // Connections in the pool, so that the requests below send their queries to a server that then never answers.
    expect((await api.get("/api/unread", { token: recipient.token })).status).toBe(200);
    expect((await api.post(`/api/threads/${threadId}/messages`, { token: senders[3]!.token, body: { text: "before the freeze" } })).status).toBe(201);
    // A LISTEN-style connection watched as the listeners' are, with a short interval.
    listener = new pg.Client({ connectionString: server.url });
    listener.on("error", () => {});
    await listener.connect();
    watchListener(listener, () => (listenerNoticed = true), 100);
    locker = new pg.Client({ connectionString: server.url });
    locker.on("error", () => {});
    await locker.connect();
    await locker.query("BEGIN");
    await locker.query("SELECT 1 FROM threads WHERE id = $1 FOR UPDATE", [threadId]);
    const edit = bounded(api.patch(`/api/messages/${editedMessageId}`, { token: senders[0]!.token, body: { text: "edited while frozen" } }));
    await waitUntil(async () => {
      const { rows } = await locker.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()");
      return rows.length > 0;
    }, "the edit to wait for the thread's lock, inside its transaction");

    const { thaw } = await freeze();
    try {
      whileFrozen = await Promise.all([
        edit,
        bounded(api.get("/api/unread", { token: recipient.token })),
        bounded(api.get(`/api/threads/${threadId}/messages`, { token: recipient.token })),
        bounded(api.post(`/api/threads/${threadId}/messages`, { token: senders[3]!.token, body: { text: "while frozen" } })),
      ]);
      await waitUntil(() => listenerNoticed, "the watched listener to notice the frozen server");
    } finally {
      thaw();
      await locker.query("ROLLBACK").catch(() => undefined);
    }
    // The same pool goes on after the thaw: whatever the freeze left in it is what the next requests get.
  }, 60_000);

  afterAll(async () => {
    await listener?.end().catch(() => undefined);
    await locker?.end().catch(() => undefined);
    delete process.env.DATABASE_QUERY_TIMEOUT_MS;
    delete process.env.DATABASE_CONNECT_TIMEOUT_MS;
    await useDatabase(server.url);
  });

  it("answers the requests whose queries got no answer with 503, after the query timeout instead of hanging", () => {
    for (const res of whileFrozen) {
      expect(res).not.toBe("hung");
      const answer = res as ApiResponse;
      expect(answer.status).toBe(503);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
      expect(answer.headers.get("retry-after")).toBeTruthy();
    }
  });

  it("tells a listening connection's owner that its server stopped answering", () => {
    expect(listenerNoticed).toBe(true);
  });

  it("recovers once the database thaws: reads, sends and live delivery work again", async () => {
    await waitUntil(async () => (await api.get("/api/unread", { token: recipient.token })).status === 200, "reads to succeed");
    await sendAndSeeLive(senders[3]!, "after the thaw");
    await waitUntil(() => getCredentialCache().ready(), "the token cache to listen");
  });

  it("commits every write acknowledged after the thaw: no connection went back to the pool inside the frozen transaction", async () => {
    const sent: string[] = [];
    // More sends than the pool has connections, so that each connection is used.
    for (let i = 0; i < 12; i++) sent.push((await api.post(`/api/threads/${threadId}/messages`, { token: senders[3]!.token, body: { text: `after the thaw ${i}` } })).body.id);
    const elsewhere = new pg.Client({ connectionString: server.url });
    await elsewhere.connect();
    try {
      const { rows } = await elsewhere.query("SELECT id FROM messages WHERE id = ANY($1::text[])", [sent]);
      expect(rows.length).toBe(sent.length);
    } finally {
      await elsewhere.end();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Which errors are the database's absence

/** A Prisma error as `@prisma/client` builds it from a driver adapter error (`meta.driverAdapterError.cause`). */
const prismaError = (code: string, cause: Record<string, unknown>) =>
  new Prisma.PrismaClientKnownRequestError("Invalid `prisma.$queryRaw()` invocation", {
    code,
    clientVersion: "7",
    meta: { driverAdapterError: Object.assign(new Error(String(cause.kind)), { name: "DriverAdapterError", cause }) },
  });

/** A node-postgres server error (`DatabaseError`) with SQLSTATE `code`. */
const serverError = (code: string, message: string) => Object.assign(new pg.DatabaseError(message, 0, "error"), { code });

const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: "connect", errno: -1 });

const statusFor = (e: unknown) => errorResponse(e, "test", new Request("http://parley.test/api/unread")).status;

describe("which errors mean that the database is unavailable", () => {
  it.each([
    ["the server refusing connections (Prisma P1001)", prismaError("P1001", { kind: "DatabaseNotReachable" })],
    ["the server starting up (57P03 through Prisma P2039)", prismaError("P2039", { kind: "postgres", code: "57P03", originalCode: "57P03" })],
    ["a fast shutdown terminating the backend (57P01 from node-postgres)", serverError("57P01", "terminating connection due to administrator command")],
    ["a crash of another backend (57P02)", serverError("57P02", "terminating connection because of crash of another server process")],
    ["the connection closing under a query", new Error("Connection terminated unexpectedly")],
    ["a query on a client whose connection failed", new Error("Client has encountered a connection error and is not queryable")],
    ["the pool's connection timeout", new Error("Connection terminated due to connection timeout", { cause: new Error("timeout expired") })],
    ["a full pool's wait timing out", new Error("timeout exceeded when trying to connect")],
    ["a query that got no answer within DATABASE_QUERY_TIMEOUT_MS", new Error("Query read timeout")],
    ["a reset connection (the rate limiter's raw node-postgres error)", socketError("ECONNRESET")],
    ["every address of the host refusing", new AggregateError([socketError("ECONNREFUSED"), socketError("ECONNREFUSED")])],
  ])("answers 503 for %s", (_, error) => {
    expect(statusFor(error)).toBe(503);
  });

  it.each([
    ["a bug in our code", new TypeError("Cannot read properties of undefined (reading 'id')")],
    ["a query naming a table that does not exist", prismaError("P2010", { kind: "postgres", code: "42P01", originalCode: "42P01" })],
    ["a syntax error in SQL", serverError("42601", 'syntax error at or near "SELEC"')],
    ["a protocol violation", serverError("08P01", "invalid message format")],
    ["an error that only mentions a connection", new Error("Connection terminated unexpectedly while parsing the answer")],
    ["the app closing its own pool", new Error("Cannot use a pool after calling end on the pool")],
  ])("still answers 500 for %s, and logs it", (_, error) => {
    const logged = vi.spyOn(log, "error").mockImplementation(() => undefined);
    try {
      expect(statusFor(error)).toBe(500);
      expect(logged).toHaveBeenCalledOnce();
    } finally {
      logged.mockRestore();
    }
  });
});
