// Bounded load script for live delivery (issue 4; results in docs/performance.md).
//
//   npm run bench:live -- [--messages 1000] [--warmup 20] [--streams 2000 | --streams 1000,2000,5000,10000]
//                         [--hold 20] [--concurrency 200] [--max-minutes 20]
//   npm run bench:live -- --load …   sends at stepped rates over four instances: see bench/live-load.ts
//
// What it does, against 127.0.0.1 only:
// 1. A throw-away embedded PostgreSQL (or BENCH_DATABASE_URL, a URL with CREATEDB rights), a fresh database
//    parley_bench_<random>, migrations, `next build` (skipped with BENCH_SKIP_BUILD=1 when .next is current), and two
//    `next start` instances on one database: A on BENCH_PORT_A (3800) and B on BENCH_PORT_B (3801).
// 2. Latency: two users, their thread, the recipient's SSE stream on B; then `--messages` messages posted to A one
//    after another, each timed from just before its POST until its `message.created` arrives on the stream (and the
//    POST alone). The same again with the stream on A. Checks that every message arrives exactly once and in order.
// 3. Idle streams: for each count of `--streams`, a freshly started B holds that many idle streams (spread over 20
//    users), and the script reads B's RSS and open descriptors before and after, checks that every stream got
//    `ready`, that a message posted to A reaches every stream, that the streams stay open for `--hold` seconds (past
//    one heartbeat), and that closing them gives everything back: sockets, descriptors, the hub's subscriptions and
//    heap. For the memory figures B runs with `--inspect` on 127.0.0.1, and the script forces a full garbage
//    collection through the inspector before each reading (else RSS mostly shows when V8 last collected).
//    Escalation stops at the first failing count.
// 4. Prints a table and writes bench-results/live-<timestamp>.json.
//
// Everything it started (instances, database, embedded server) is stopped at the end, on error, on SIGINT/SIGTERM
// and when --max-minutes runs out. Each stream needs a file descriptor here and on the server: the npm script raises
// the soft limit to the hard one, and counts that do not fit are skipped.
import http from "node:http";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import {
  runBenchCli,
  buildApp,
  createBenchDatabase,
  errorText,
  establishedOn,
  type Instance,
  instanceEnv,
  log,
  machineInfo,
  mapLimit,
  now,
  onCleanup,
  openFilesLimit,
  positiveInt,
  procStats,
  type ProcStats,
  readClockTicks,
  round,
  sleep,
  startInstance,
  stopAll,
  stopInstance,
  summarize,
  type Summary,
  table,
  gitInfo,
  waitFor,
  withTimeout,
  writeReport,
} from "./kit";
import { openInspector } from "./inspector";
import { type SseEvent, SseParser } from "./sse";

// ---------------------------------------------------------------------------------------------------------------
// Options

const USAGE = `npm run bench:live -- [options]
  --messages N       messages per latency run (default 1000)
  --warmup N         messages sent first and not counted (default 20)
  --streams N[,N…]   idle stream counts to try in turn, stopping at the first failure (default 2000)
  --hold S           seconds the idle streams are held open (default 20; the heartbeat is every 15 s)
  --concurrency N    streams being opened at once (default 200)
  --max-minutes M    stop everything after this long (default 20)
env: BENCH_DATABASE_URL, BENCH_SKIP_BUILD=1, BENCH_PORT_A (3800), BENCH_PORT_B (3801), AUTH_SECRET
--load: concurrent senders at stepped rates over several instances (npm run bench:live -- --load --help)`;

interface Options {
  messages: number;
  warmup: number;
  streams: number[];
  holdS: number;
  concurrency: number;
  maxMinutes: number;
  portA: number;
  portB: number;
  skipBuild: boolean;
}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      messages: { type: "string" },
      warmup: { type: "string" },
      streams: { type: "string" },
      hold: { type: "string" },
      concurrency: { type: "string" },
      "max-minutes": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return null;
  const streams = (values.streams ?? "2000").split(",").map((s) => positiveInt("--streams", s.trim(), 0));
  return {
    messages: positiveInt("--messages", values.messages, 1000),
    warmup: positiveInt("--warmup", values.warmup, 20, 0),
    streams: [...new Set(streams)].sort((a, b) => a - b),
    holdS: positiveInt("--hold", values.hold, 20, 0),
    concurrency: positiveInt("--concurrency", values.concurrency, 200),
    maxMinutes: positiveInt("--max-minutes", values["max-minutes"], 20),
    portA: positiveInt("BENCH_PORT_A", process.env.BENCH_PORT_A, 3800),
    portB: positiveInt("BENCH_PORT_B", process.env.BENCH_PORT_B, 3801),
    skipBuild: process.env.BENCH_SKIP_BUILD === "1",
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Heap figures through the instance's inspector (bench/inspector.ts).

interface HeapStats {
  /** V8 heap in use after a full collection, KiB. */
  heapUsedKiB: number;
  /** Memory of C++ objects bound to JavaScript (buffers, streams' native parts), KiB. */
  externalKiB: number;
  /** Open streams as the hub counts them (`globalThis.parleyHub.size`, an internal of lib/infra/live-hub.ts). */
  hubStreams: number | null;
  /** `process.getActiveResourcesInfo().length`: sockets, timers and other handles keeping the loop alive. */
  activeResources: number;
}

/** Forces two full garbage collections in `instance` and reads its heap figures. */
async function collectAndMeasure(instance: Instance): Promise<HeapStats> {
  const inspector = await openInspector(instance);
  const { call } = inspector;
  try {
    await call("HeapProfiler.collectGarbage");
    await sleep(200);
    await call("HeapProfiler.collectGarbage");
    const value = await inspector.evaluate(
      `JSON.stringify({ m: process.memoryUsage(), hub: globalThis.parleyHub ? globalThis.parleyHub.size : null,
        resources: process.getActiveResourcesInfo().length })`,
    );
    const parsed = JSON.parse(value) as { m: NodeJS.MemoryUsage; hub: number | null; resources: number };
    return {
      heapUsedKiB: Math.round(parsed.m.heapUsed / 1024),
      externalKiB: Math.round(parsed.m.external / 1024),
      hubStreams: parsed.hub,
      activeResources: parsed.resources,
    };
  } finally {
    inspector.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP API

interface ApiResult<T> {
  status: number;
  data: T;
  ms: number;
}

async function api<T>(base: string, route: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<ApiResult<T>> {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const start = now();
  const res = await fetch(`${base}/api${route}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: stopAll.signal,
  });
  const text = await res.text();
  const ms = now() - start;
  if (!res.ok) throw new Error(`${init.method ?? "POST"} ${route} → ${res.status}: ${text.slice(0, 300)}`);
  return { status: res.status, data: (text ? JSON.parse(text) : null) as T, ms };
}

interface User {
  id: string;
  username: string;
  token: string;
}

async function createUser(base: string, username: string): Promise<User> {
  const password = `bench-${randomBytes(9).toString("base64url")}`;
  const { data: user } = await api<{ id: string }>(base, "/auth/register", { body: { username, password } });
  const { data: token } = await api<{ token: string }>(base, "/tokens", { body: { username, password, name: "bench" } });
  return { id: user.id, username, token: token.token };
}

// ---------------------------------------------------------------------------------------------------------------
// Server-Sent Events client: Node's fetch, streaming, or node:http, and the parser of bench/sse.ts.

interface Stream {
  /** Resolves when `ready` arrives; rejects when the stream fails or ends first. */
  ready: Promise<void>;
  /** Set once the stream ended or failed (not when we closed it). */
  ended: boolean;
  error: string | null;
  /** Keep-alive comments received. */
  comments(): number;
  close(): void;
}

/**
 * How a stream is read. `fetch`: Node's fetch (undici), as a JavaScript client would; used for the latency runs.
 * `http`: `node:http`, one connection per stream, closed at once by `close()` (undici keeps an aborted stream's socket
 * open for a few seconds more, which would blur the check that the server frees closed streams); used for idle streams.
 */
type Transport = "fetch" | "http";

/** Every stream not yet closed, so that a stop (Ctrl-C, time budget) closes them all. */
const openStreams = new Set<Stream>();
stopAll.signal.addEventListener("abort", () => {
  for (const stream of openStreams) stream.close();
});

/** Opens `GET /api/events` for `token` on `base`; `onEvent` sees every event but `ready`. */
function openStream(base: string, token: string, onEvent: (event: SseEvent) => void, transport: Transport = "fetch"): Stream {
  let closedByUs = false;
  let resolveReady!: () => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => undefined); // observed by the caller; never an unhandled rejection
  const parser = new SseParser((event) => {
    if (event.type === "ready") resolveReady();
    else onEvent(event);
  });
  let abort = () => undefined as void;
  const stream: Stream = {
    ready,
    ended: false,
    error: null,
    comments: () => parser.comments,
    close() {
      closedByUs = true;
      openStreams.delete(stream);
      abort();
    },
  };
  const fail = (reason: string) => {
    openStreams.delete(stream);
    if (closedByUs || stream.ended) return;
    stream.ended = true;
    stream.error = reason;
    rejectReady(new Error(reason));
  };
  openStreams.add(stream);
  const headers = { authorization: `Bearer ${token}`, accept: "text/event-stream" };

  if (transport === "http") {
    const url = new URL("/api/events", base);
    const req = http.get({ host: url.hostname, port: url.port, path: url.pathname, headers, agent: false });
    abort = () => void req.destroy();
    req.on("error", (error) => fail(errorText(error)));
    req.on("response", (res) => {
      res.setEncoding("utf8");
      if (res.statusCode !== 200) {
        let body = "";
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => fail(`HTTP ${res.statusCode}: ${body.slice(0, 200)}`));
        return;
      }
      res.on("data", (chunk: string) => parser.push(chunk));
      res.on("end", () => fail("the server ended the stream"));
      res.on("error", (error) => fail(errorText(error)));
    });
    if (stopAll.signal.aborted) stream.close();
    return stream;
  }

  const controller = new AbortController();
  abort = () => controller.abort();
  void (async () => {
    try {
      const res = await fetch(`${base}/api/events`, { headers, signal: controller.signal });
      if (res.status !== 200 || !res.body) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
      fail("the server ended the stream");
    } catch (error) {
      fail(errorText(error));
    }
  })();
  if (stopAll.signal.aborted) stream.close();
  return stream;
}

// ---------------------------------------------------------------------------------------------------------------
// Latency: POST on one instance → message.created on a stream

interface LatencyResult {
  label: string;
  postTo: string;
  streamOn: string;
  messages: number;
  warmup: number;
  /** ms from just before the POST until the event was parsed on the stream. */
  postToEventMs: Summary | null;
  /** ms for the POST alone (request sent until the response body was read). */
  postMs: Summary | null;
  delivered: number;
  lost: number;
  duplicates: number;
  inOrder: boolean;
  unexpectedEvents: number;
  wallS: number;
  /** CPU time used by each instance during the run, ms per message. */
  cpuMsPerMessage: Record<string, number>;
  /** Committed transactions in the database during the run (pg_stat_database, both instances), per message. */
  dbTransactionsPerMessage: number | null;
}

interface LatencyContext {
  sender: User;
  recipient: User;
  threadId: string;
  dbStats: () => Promise<number | null>;
}

const MESSAGE_TIMEOUT_MS = 10_000;

async function latencyRun(label: string, postTo: Instance, streamOn: Instance, ctx: LatencyContext, opts: Options): Promise<LatencyResult> {
  const prefix = `bench-${randomBytes(4).toString("hex")}`;
  const arrivals = new Map<string, number>();
  const order: string[] = [];
  const waiters = new Map<string, () => void>();
  let duplicates = 0;
  let unexpected = 0;
  let lastId = -1n;
  let lastSeq = -1;
  let idsIncrease = true;
  const stream = openStream(streamOn.base, ctx.recipient.token, (event) => {
    if (event.type !== "message.created") return void unexpected++;
    const { message } = JSON.parse(event.data) as { message: { clientMessageId: string | null; seq: number } };
    const cid = message.clientMessageId ?? "";
    if (!cid.startsWith(prefix)) return void unexpected++;
    const id = BigInt(event.id ?? "-1");
    if (id <= lastId || message.seq <= lastSeq) idsIncrease = false;
    lastId = id;
    lastSeq = message.seq;
    if (arrivals.has(cid)) return void duplicates++;
    arrivals.set(cid, event.at);
    order.push(cid);
    waiters.get(cid)?.();
  });
  await withTimeout(stream.ready, 10_000, `${label}: stream ready`);

  const dbBefore = await ctx.dbStats();
  const cpuBefore = { A: (await procStats(postTo.pid)).cpuMs, B: (await procStats(streamOn.pid)).cpuMs };
  const sent: string[] = [];
  const eventMs: number[] = [];
  const postMs: number[] = [];
  let lost = 0;
  const total = opts.warmup + opts.messages;
  const started = now();
  for (let i = 0; i < total; i++) {
    if (stopAll.signal.aborted) throw new Error("stopped");
    const cid = `${prefix}-${i}`;
    sent.push(cid);
    const arrived = new Promise<boolean>((resolve) => {
      waiters.set(cid, () => resolve(true));
      setTimeout(() => resolve(false), MESSAGE_TIMEOUT_MS).unref();
    });
    const t0 = now();
    const { ms } = await api(postTo.base, `/threads/${ctx.threadId}/messages`, {
      token: ctx.sender.token,
      body: { text: `latency probe ${i}`, clientMessageId: cid },
    });
    const ok = arrivals.has(cid) || (await arrived);
    waiters.delete(cid);
    if (i < opts.warmup) continue;
    postMs.push(ms);
    if (ok) eventMs.push(arrivals.get(cid)! - t0);
    else lost++;
    if ((i - opts.warmup + 1) % 250 === 0) log(`${label}: ${i - opts.warmup + 1}/${opts.messages}`);
  }
  const wallS = (now() - started) / 1000;
  await sleep(500); // time for a stray duplicate to show up
  stream.close();
  const cpuAfter = { A: (await procStats(postTo.pid)).cpuMs, B: (await procStats(streamOn.pid)).cpuMs };
  const dbAfter = await ctx.dbStats();

  const inOrder = idsIncrease && order.length === sent.length && order.every((cid, i) => cid === sent[i]);
  const cpu: Record<string, number> =
    postTo === streamOn
      ? { [postTo.name]: round((cpuAfter.A - cpuBefore.A) / total) }
      : { [postTo.name]: round((cpuAfter.A - cpuBefore.A) / total), [streamOn.name]: round((cpuAfter.B - cpuBefore.B) / total) };
  return {
    label,
    postTo: postTo.name,
    streamOn: streamOn.name,
    messages: opts.messages,
    warmup: opts.warmup,
    postToEventMs: summarize(eventMs),
    postMs: summarize(postMs),
    delivered: eventMs.length,
    lost,
    duplicates,
    inOrder,
    unexpectedEvents: unexpected,
    wallS: round(wallS, 1),
    cpuMsPerMessage: cpu,
    dbTransactionsPerMessage: dbBefore !== null && dbAfter !== null ? round((dbAfter - dbBefore) / total) : null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Idle streams on one instance

interface IdleResult {
  streams: number;
  users: number;
  ok: boolean;
  problems: string[];
  /** Time to open all streams and receive `ready` on each, s. */
  openS: number;
  opened: number;
  failed: number;
  firstErrors: string[];
  /** After a forced full GC each. */
  baseline: MeasuredStats;
  held: MeasuredStats;
  afterClose: MeasuredStats;
  /** (held RSS − baseline RSS) / streams, KiB, both after a full GC. */
  rssPerStreamKiB: number;
  /** (held − baseline) of V8 heap used + external, per stream, KiB, after a full GC. */
  heapPerStreamKiB: number;
  /** (held fds − baseline fds) / streams. */
  fdsPerStream: number;
  /** One message posted to A, fanned out to every stream on B: arrival times from before the POST, ms. */
  fanOut: { received: number; duplicates: number; firstMs: number | null; p50Ms: number | null; p99Ms: number | null; lastMs: number | null };
  /** CPU time B spent delivering that one message to every stream, ms (includes its heartbeat if one fell inside). */
  fanOutCpuMs: number;
  /** Streams still open after the hold, and how many saw a keep-alive comment. */
  holdS: number;
  openAfterHold: number;
  sawHeartbeat: number;
  /**
   * Whether closing every stream gave back B's connections and descriptors (within 30 s), the hub's subscriptions,
   * and the heap (after a full GC, within 8 MiB or a tenth of what the streams took, whichever is larger).
   */
  freed: boolean;
  /** Seconds until connections and descriptors were back. */
  freedAfterS: number | null;
}

interface IdleContext {
  sender: User;
  users: User[];
  threadId: string;
}

type ServerStats = ProcStats & { established: number };
type MeasuredStats = ServerStats & HeapStats;

async function serverStats(instance: Instance): Promise<ServerStats> {
  const [stats, established] = await Promise.all([procStats(instance.pid), establishedOn(instance.port)]);
  return { ...stats, established };
}

/** {@link serverStats} after a forced full GC, with heap figures (instance started with its inspector). */
async function measuredStats(instance: Instance): Promise<MeasuredStats> {
  const heap = await collectAndMeasure(instance);
  return { ...(await serverStats(instance)), ...heap };
}

interface OpenedStreams {
  streams: Stream[];
  opened: number;
  failed: number;
  errors: string[];
  openS: number;
}

/** Opens `n` streams on `target` (spread over `users`, `concurrency` at a time) and waits for each one's `ready`. */
async function openMany(
  n: number,
  target: Instance,
  users: User[],
  concurrency: number,
  onEvent: (index: number, event: SseEvent) => void,
): Promise<OpenedStreams> {
  const streams: Stream[] = [];
  const errors: string[] = [];
  let failed = 0;
  let opened = 0;
  const started = now();
  await mapLimit(
    Array.from({ length: n }, (_, i) => i),
    concurrency,
    async (i) => {
      if (stopAll.signal.aborted) return;
      const stream = openStream(target.base, users[i % users.length]!.token, (event) => onEvent(i, event), "http");
      streams.push(stream);
      try {
        await withTimeout(stream.ready, 30_000, "ready");
        opened++;
      } catch (error) {
        failed++;
        if (errors.length < 5) errors.push(errorText(error));
      }
    },
  );
  return { streams, opened, failed, errors, openS: round((now() - started) / 1000, 1) };
}

/** Closes `streams` from the client side and waits (≤ 30 s) until `target`'s sockets are back to `baseline`. */
async function closeAndWaitFreed(streams: Stream[], target: Instance, baseline: ServerStats): Promise<number | null> {
  for (const s of streams) s.close();
  const closedAt = now();
  const freed = await waitFor(
    async () => {
      const stats = await serverStats(target);
      return stats.established <= baseline.established + 2 && stats.fds <= baseline.fds + 10;
    },
    30_000,
    250,
  );
  return freed ? round((now() - closedAt) / 1000, 1) : null;
}

async function idleRun(n: number, target: Instance, sender: Instance, ctx: IdleContext, opts: Options): Promise<IdleResult> {
  const problems: string[] = [];
  // Warm the route up (first requests load code), then let the process settle before the baseline.
  const warm = await openMany(10, target, ctx.users, 10, () => undefined);
  if (warm.failed > 0) throw new Error(`warm-up streams failed: ${warm.errors.join("; ")}`);
  for (const s of warm.streams) s.close();
  await sleep(3000);
  const baseline = await measuredStats(target);

  let probe: { cid: string; t0: number } | null = null;
  const arrivals: number[] = [];
  let probeDuplicates = 0;
  const got = new Set<number>();
  const first = await openMany(n, target, ctx.users, opts.concurrency, (i, event) => {
    if (!probe || event.type !== "message.created" || !event.data.includes(probe.cid)) return;
    if (got.has(i)) return void probeDuplicates++;
    got.add(i);
    arrivals.push(event.at - probe.t0);
  });
  const { streams, opened } = first;
  if (first.failed > 0) problems.push(`${first.failed} of ${n} streams did not get ready`);
  log(`idle ${n}: opened ${opened}/${n} in ${first.openS} s`);

  await sleep(3000);
  // One message into the group thread, posted to the other instance: every stream should get it.
  const cid = `bench-fanout-${randomBytes(4).toString("hex")}`;
  const cpuBefore = (await procStats(target.pid)).cpuMs;
  probe = { cid, t0: now() };
  await api(sender.base, `/threads/${ctx.threadId}/messages`, { token: ctx.sender.token, body: { text: "fan-out probe", clientMessageId: cid } });
  await waitFor(() => got.size >= opened, 30_000, 20);
  await sleep(500);
  const fanOutCpuMs = (await procStats(target.pid)).cpuMs - cpuBefore;
  const fan = summarize(arrivals);
  if (got.size < opened) problems.push(`the probe message reached ${got.size} of ${opened} open streams`);
  if (probeDuplicates > 0) problems.push(`the probe message arrived twice on ${probeDuplicates} streams`);
  log(`idle ${n}: probe reached ${got.size} streams, last after ${fan ? fan.max.toFixed(1) : "-"} ms`);

  // Hold: the streams stay open, and a heartbeat passes.
  const holdUntil = Date.now() + opts.holdS * 1000;
  while (Date.now() < holdUntil && !stopAll.signal.aborted) await sleep(Math.min(1000, holdUntil - Date.now()));
  const held = await measuredStats(target);
  if (held.hubStreams !== null && held.hubStreams !== opened) problems.push(`the hub counts ${held.hubStreams} streams, ${opened} are open`);
  const openAfterHold = streams.filter((s) => !s.ended).length;
  const sawHeartbeat = streams.filter((s) => s.comments() > 0).length;
  if (openAfterHold < opened) problems.push(`${opened - openAfterHold} streams ended during the hold`);

  // Close from the client side: the server should give back its sockets.
  const freedAfterS = await closeAndWaitFreed(streams, target, baseline);
  if (freedAfterS === null) problems.push("descriptors or connections did not return to the baseline within 30 s of closing");
  await sleep(2000);
  const afterClose = await measuredStats(target);
  if (afterClose.hubStreams !== null && afterClose.hubStreams !== baseline.hubStreams) {
    problems.push(`the hub still counts ${afterClose.hubStreams} streams after all were closed`);
  }
  const heapOf = (x: HeapStats) => x.heapUsedKiB + x.externalKiB;
  const heapSlackKiB = Math.max(8 * 1024, 0.1 * (heapOf(held) - heapOf(baseline)));
  const heapFreed = heapOf(afterClose) <= heapOf(baseline) + heapSlackKiB;
  if (!heapFreed) {
    problems.push(`heap after closing is ${Math.round((heapOf(afterClose) - heapOf(baseline)) / 1024)} MiB above the baseline`);
  }
  log(
    `idle ${n}: heap ${Math.round(heapOf(baseline) / 1024)} → ${Math.round(heapOf(held) / 1024)} → ` +
      `${Math.round(heapOf(afterClose) / 1024)} MiB; hub streams ${held.hubStreams} → ${afterClose.hubStreams}`,
  );

  return {
    streams: n,
    users: ctx.users.length,
    ok: problems.length === 0,
    problems,
    openS: first.openS,
    opened,
    failed: first.failed,
    firstErrors: first.errors,
    baseline,
    held,
    afterClose,
    rssPerStreamKiB: round((held.rssKiB - baseline.rssKiB) / n, 1),
    heapPerStreamKiB: round((heapOf(held) - heapOf(baseline)) / n, 1),
    fdsPerStream: round((held.fds - baseline.fds) / n, 2),
    fanOut: {
      received: got.size,
      duplicates: probeDuplicates,
      firstMs: fan ? round(Math.min(...arrivals)) : null,
      p50Ms: fan?.p50 ?? null,
      p99Ms: fan?.p99 ?? null,
      lastMs: fan?.max ?? null,
    },
    fanOutCpuMs: round(fanOutCpuMs),
    holdS: opts.holdS,
    openAfterHold,
    sawHeartbeat,
    freed: freedAfterS !== null && heapFreed && (afterClose.hubStreams ?? 0) === (baseline.hubStreams ?? 0),
    freedAfterS,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Main

async function main(opts: Options): Promise<number> {
  const startedAt = new Date();
  const loadAtStart = os.loadavg().map((l) => round(l));
  await readClockTicks();
  const fdLimit = await openFilesLimit();

  // Database: a fresh one, on BENCH_DATABASE_URL's server or a throw-away embedded server (fsync=off).
  const db = await createBenchDatabase({ durable: false });
  const databaseUrl = db.url;

  const monitor = new pg.Client({ connectionString: databaseUrl, application_name: "parley-bench-monitor" });
  // Ctrl-C also reaches the embedded server (same process group), which then ends this connection.
  monitor.on("error", (error) => {
    if (!stopAll.signal.aborted) console.error(`[bench] monitor connection: ${errorText(error)}`);
  });
  await monitor.connect();
  onCleanup("monitor connection", () => monitor.end());
  const { rows: versionRows } = await monitor.query<{ server_version: string }>("SHOW server_version");
  // pg_stat_database is flushed by each backend at most once a second, and by idle ones after up to 10 s.
  const dbStats = async (): Promise<number | null> => {
    await sleep(11_000);
    const { rows } = await monitor.query<{ xact_commit: string }>(
      "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()",
    );
    return rows[0] ? Number(rows[0].xact_commit) : null;
  };

  const env = instanceEnv(databaseUrl);
  await buildApp(env, opts.skipBuild);

  log(`starting instance A on ${opts.portA} and B on ${opts.portB}`);
  const a = await startInstance("A", opts.portA, env);
  onCleanup("instance A", () => stopInstance(a));
  let b = await startInstance("B", opts.portB, env);
  onCleanup("instance B", () => stopInstance(b));
  log(`A: next-server pid ${a.pid}; B: next-server pid ${b.pid}`);

  // Users and threads (through A).
  const tag = randomBytes(3).toString("hex");
  const sender = await createUser(a.base, `bench_s_${tag}`);
  const recipient = await createUser(a.base, `bench_r_${tag}`);
  const { data: pair } = await api<{ id: string }>(a.base, "/threads", { token: sender.token, body: { participantIds: [recipient.id] } });

  const latency: LatencyResult[] = [];
  for (const [label, streamOn] of [
    ["A→B", b],
    ["A→A", a],
  ] as const) {
    log(`latency ${label}: ${opts.warmup} warm-up + ${opts.messages} messages`);
    const result = await latencyRun(label, a, streamOn, { sender, recipient, threadId: pair.id, dbStats }, opts);
    latency.push(result);
    log(
      `latency ${label}: p50 ${result.postToEventMs?.p50} ms, p99 ${result.postToEventMs?.p99} ms; ` +
        `delivered ${result.delivered}/${result.messages}, duplicates ${result.duplicates}, in order ${result.inOrder}`,
    );
  }

  // Idle streams: 20 users in one group thread with the sender, streams spread evenly over them.
  const streamUsers = await mapLimit(
    Array.from({ length: 20 }, (_, i) => i),
    4,
    (i) => createUser(a.base, `bench_i${i}_${tag}`),
  );
  const { data: group } = await api<{ id: string }>(a.base, "/threads", {
    token: sender.token,
    body: { participantIds: streamUsers.map((u) => u.id) },
  });
  const idle: IdleResult[] = [];
  const skipped: { streams: number; reason: string }[] = [];
  let stoppedBecause: string | null = null;
  for (const n of opts.streams) {
    if (stoppedBecause) {
      skipped.push({ streams: n, reason: stoppedBecause });
      continue;
    }
    if (n + 500 > fdLimit) {
      skipped.push({ streams: n, reason: `needs more than the open-files limit of ${fdLimit} (ulimit -n)` });
      continue;
    }
    log(`idle ${n}: restarting B for a clean baseline`);
    await stopInstance(b);
    b = await startInstance("B", opts.portB, env, true);
    const result = await idleRun(n, b, a, { sender, users: streamUsers, threadId: group.id }, opts);
    idle.push(result);
    log(
      `idle ${n}: RSS ${Math.round(result.baseline.rssKiB / 1024)} → ${Math.round(result.held.rssKiB / 1024)} MiB ` +
        `(${result.rssPerStreamKiB} KiB/stream), freed ${result.freed}${result.ok ? "" : `; problems: ${result.problems.join("; ")}`}`,
    );
    if (!result.ok) stoppedBecause = `stopped after ${n} streams: ${result.problems.join("; ")}`;
    else if (result.openS > 120) stoppedBecause = `stopped after ${n} streams: opening took ${result.openS} s`;
  }

  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `npm run bench:live -- ${process.argv.slice(2).join(" ")}`.trim(),
    machine: {
      ...(await machineInfo(versionRows[0]?.server_version ?? null, db.server)),
      openFilesLimit: Number.isFinite(fdLimit) ? fdLimit : null,
      loadAverage: { atStart: loadAtStart, atEnd: os.loadavg().map((l) => round(l)) },
    },
    git: await gitInfo(),
    options: opts,
    latency,
    idle,
    skipped,
    stoppedBecause,
    serverWarnings: Object.fromEntries([a, b].map((i) => [i.name, i.warnings.slice(0, 20)])),
  };

  console.log("\nPOST → message.created on the stream (ms), messages posted one after another to A");
  console.log(
    table(
      ["run", "n", "p50", "p90", "p99", "max", "POST p50", "POST p99", "POST max", "lost", "dup", "in order", "CPU ms/msg", "DB xact/msg"],
      latency.map((r) => [
        r.label,
        r.messages,
        r.postToEventMs?.p50 ?? null,
        r.postToEventMs?.p90 ?? null,
        r.postToEventMs?.p99 ?? null,
        r.postToEventMs?.max ?? null,
        r.postMs?.p50 ?? null,
        r.postMs?.p99 ?? null,
        r.postMs?.max ?? null,
        r.lost,
        r.duplicates,
        r.inOrder ? "yes" : "NO",
        Object.entries(r.cpuMsPerMessage)
          .map(([k, v]) => `${k} ${v}`)
          .join(", "),
        r.dbTransactionsPerMessage,
      ]),
    ),
  );
  console.log("\nIdle streams on one instance (B), one message fanned out to all of them from A");
  console.log(
    table(
      ["streams", "ready", "open s", "RSS base MiB", "RSS held MiB", "KiB/stream", "fds/stream", "probe got", "last ms", "fan-out CPU ms", "open after hold", "freed", "RSS after close MiB", "heap base/held/after MiB", "heap KiB/stream"],
      idle.map((r) => [
        r.streams,
        r.opened,
        r.openS,
        round(r.baseline.rssKiB / 1024, 1),
        round(r.held.rssKiB / 1024, 1),
        r.rssPerStreamKiB,
        r.fdsPerStream,
        r.fanOut.received,
        r.fanOut.lastMs,
        r.fanOutCpuMs,
        r.openAfterHold,
        r.freed ? `yes (${r.freedAfterS} s)` : "NO",
        round(r.afterClose.rssKiB / 1024, 1),
        [r.baseline, r.held, r.afterClose].map((x) => Math.round((x.heapUsedKiB + x.externalKiB) / 1024)).join("/"),
        r.heapPerStreamKiB,
      ]),
    ),
  );
  for (const s of skipped) console.log(`skipped ${s.streams} streams: ${s.reason}`);

  const file = await writeReport("live", startedAt, report);
  console.log(`\nreport: ${path.relative(process.cwd(), file)}`);

  const latencyOk = latency.every((r) => r.lost === 0 && r.duplicates === 0 && r.inOrder && r.unexpectedEvents === 0);
  const idleOk = idle.length > 0 && idle[0]!.ok;
  return latencyOk && idleOk ? 0 : 1;
}

// `--load`: sends at controlled rates over several instances (bench/live-load.ts), a mode with options of its own.
if (process.argv.slice(2).includes("--load")) await (await import("./live-load")).runLoad();
else await runBenchCli(parseOptions, USAGE, main);
