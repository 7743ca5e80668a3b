// Live delivery under load, over several instances (issue 19; results in docs/performance.md, "Real-time delivery").
//
//   npm run bench:live -- --load [--instances 4] [--rates 25,50,100,200,300,400,600] [--step-seconds 15]
//                         [--users 400] [--tabs 2] [--threads-per-user 4] [--senders 32] [--listen-on K]
//                         [--durable] [--plain] [--without-notify]
//
// What it does, against 127.0.0.1 only:
// 1. A throw-away embedded PostgreSQL (fsync off, or `--durable`; or BENCH_DATABASE_URL), a fresh database, the
//    users and their two-person threads written directly (bench/seed.ts: `--users` users, each in
//    `--threads-per-user` threads, one bearer token each), and `--instances` `next start` processes on one database,
//    on ports BENCH_PORT_A (3800), +1, +2, …
// 2. Listeners: every user opens `--tabs` event streams, tab j of user u on instance (u + j) mod N (or mod K with
//    `--listen-on K`: streams on the first K instances only), so that a message
//    usually reaches its two participants on different instances than the one it was posted to.
// 3. Senders, open loop: for each rate of `--rates` (sends per second, in steps of `--step-seconds`), the messages are
//    scheduled at fixed intervals and each POST goes out at its time whatever the others are doing (so that a slow
//    answer cannot hide the delay of the sends queued behind it: "coordinated omission"), over `--senders` keep-alive
//    connections spread evenly over the instances. Message i goes into thread i mod T, from its participants in
//    turn, posted to instance i mod N. Delivery latency is measured from the send's scheduled time to the parsing of
//    its `message.created` on each of the recipients' streams (every tab of both participants), wherever they are.
// 4. Per step: sends answered per second, POST and delivery latency, deliveries received against expected (lost,
//    duplicated, out of order, delivered to someone else), CPU of each instance, of PostgreSQL, of this script and
//    of the machine (/proc), and unless `--plain`: the hubs' loads and how long events wait for them (the hub's methods
//    wrapped through each instance's inspector; nothing changes in the app), the instances' event-loop delay,
//    PostgreSQL's wait events (pg_stat_activity sampled every 100 ms) and statements (pg_stat_statements).
//    Escalation stops after a step that loses messages, falls behind (answers < 80 % of the rate) or whose delivery
//    p99 exceeds `--stop-p99` ms. Prints a table and writes bench-results/live-load-<timestamp>.json.
//
// Everything it started is stopped at the end, on errors, on SIGINT/SIGTERM and after --max-minutes.
import { readFile } from "node:fs/promises";
import http from "node:http";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import {
  buildApp,
  createBenchDatabase,
  errorText,
  gitInfo,
  type Instance,
  instanceEnv,
  listenerPid,
  log,
  machineCpuMs,
  machineInfo,
  mapLimit,
  now,
  onCleanup,
  positiveInt,
  readClockTicks,
  ROOT,
  round,
  runBenchCli,
  sleep,
  startInstance,
  stopAll,
  stopInstance,
  summarize,
  type Summary,
  table,
  treeCpuMs,
  waitFor,
  withTimeout,
  writeReport,
} from "./kit";
import { type InspectorSession, openInspector } from "./inspector";
import { seedBench } from "./seed";
import { SseParser } from "./sse";

// ---------------------------------------------------------------------------------------------------------------
// Options

export const LOAD_USAGE = `npm run bench:live -- --load [options]
  --instances N         next start processes on one database (default 4)
  --rates R[,R…]        target sends per second, one step each, in turn (default 25,50,100,200,300,400,600)
  --step-seconds S      length of each step (default 15)
  --warmup-seconds S    sends at the first rate before the first step, not counted (default 5)
  --users N             users, each with their own streams and token (default 400)
  --tabs N              event streams per user, tab j of user u on instance (u + j) mod K (default 2; 0: none,
                        to measure the sends alone: no hub then listens)
  --listen-on K         streams only on the first K instances (default: all); the others take POSTs and, having
                        no stream, load no event: what loading only where a recipient listens would cost
  --threads-per-user N  two-person threads per user, even (default 4)
  --senders N           keep-alive connections for the POSTs, spread over the instances (default 32)
  --stop-p99 MS         stop after a step whose delivery p99 is above this (default 1000)
  --durable             PostgreSQL with fsync and synchronous_commit on (default: off, like the test clusters)
  --plain               no instrumentation: no inspector hooks, pg_stat_statements or pg_stat_activity sampling
  --without-notify      with --tabs 0 only: the bench database's parley_record_thread_event queues no NOTIFY (the
                        repository's SQL is untouched), to measure what NOTIFY costs the sends
  --max-minutes M       stop everything after this long (default 15)
env: BENCH_DATABASE_URL, BENCH_SKIP_BUILD=1, BENCH_PORT_A (3800: first instance; the others follow)`;

interface LoadOptions {
  instances: number;
  rates: number[];
  stepS: number;
  warmupS: number;
  users: number;
  tabs: number;
  listenOn: number;
  threadsPerUser: number;
  senders: number;
  stopP99Ms: number;
  durable: boolean;
  plain: boolean;
  withoutNotify: boolean;
  maxMinutes: number;
  portBase: number;
  skipBuild: boolean;
}

function parseLoadOptions(argv: string[]): LoadOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      load: { type: "boolean" },
      instances: { type: "string" },
      rates: { type: "string" },
      "step-seconds": { type: "string" },
      "warmup-seconds": { type: "string" },
      users: { type: "string" },
      tabs: { type: "string" },
      "listen-on": { type: "string" },
      "threads-per-user": { type: "string" },
      senders: { type: "string" },
      "stop-p99": { type: "string" },
      durable: { type: "boolean" },
      plain: { type: "boolean" },
      "without-notify": { type: "boolean" },
      "max-minutes": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return null;
  const rates = (values.rates ?? "25,50,100,200,300,400,600").split(",").map((s) => positiveInt("--rates", s.trim(), 0));
  const opts: LoadOptions = {
    instances: positiveInt("--instances", values.instances, 4),
    rates: [...new Set(rates)].sort((a, b) => a - b),
    stepS: positiveInt("--step-seconds", values["step-seconds"], 15),
    warmupS: positiveInt("--warmup-seconds", values["warmup-seconds"], 5, 0),
    users: positiveInt("--users", values.users, 400, 4),
    tabs: positiveInt("--tabs", values.tabs, 2, 0),
    listenOn: 0,
    threadsPerUser: positiveInt("--threads-per-user", values["threads-per-user"], 4, 2),
    senders: positiveInt("--senders", values.senders, 32),
    stopP99Ms: positiveInt("--stop-p99", values["stop-p99"], 1000),
    durable: values.durable ?? false,
    plain: values.plain ?? false,
    withoutNotify: values["without-notify"] ?? false,
    maxMinutes: positiveInt("--max-minutes", values["max-minutes"], 15),
    portBase: positiveInt("BENCH_PORT_A", process.env.BENCH_PORT_A, 3800),
    skipBuild: process.env.BENCH_SKIP_BUILD === "1",
  };
  opts.listenOn = positiveInt("--listen-on", values["listen-on"], opts.instances);
  if (opts.listenOn > opts.instances) throw new Error("--listen-on must not exceed --instances");
  if (opts.withoutNotify && opts.tabs !== 0) throw new Error("--without-notify needs --tabs 0 (no stream would get anything)");
  if (opts.threadsPerUser % 2 !== 0) throw new Error("--threads-per-user must be even (threads pair users along a ring)");
  if (opts.threadsPerUser >= opts.users / 2) throw new Error("--threads-per-user must be below half of --users");
  return opts;
}

// ---------------------------------------------------------------------------------------------------------------
// The hubs' internals, through each instance's inspector. The expression wraps three methods of the hub object
// (lib/infra/live-hub.ts: `onNotification`, `release`, `dispatch`) on that one object, calling the originals, and
// keeps timings in the instance, per event id:
//   hold     notification received → id released (the high-water mark waiting for an earlier id to commit);
//   toWrite  id released → event handed to `dispatch`: its turn on the hub's one delivery chain, and the query that
//            loads it (`loadEvents`);
//   dispatch the synchronous fan-out loop (writing to the recipients' streams), summed.
// Loads are counted as runs of `dispatch` calls within one task (a load's events are dispatched in one loop); loads
// that found no event are not, but pg_stat_statements counts every query. It also samples the instance's event-loop
// delay (perf_hooks). If the hub's shape changed, it says so and the script carries on without these figures.

const HUB_PROBE = String.raw`(() => {
  const hub = globalThis.parleyHub;
  if (!hub) return JSON.stringify({ ok: false, why: "no hub in this process" });
  if (hub.__bench) { hub.__bench.reset(); return JSON.stringify({ ok: true, loop: hub.__bench.loop }); }
  const proto = Object.getPrototypeOf(hub);
  for (const m of ["onNotification", "release", "dispatch"]) {
    if (typeof proto[m] !== "function") return JSON.stringify({ ok: false, why: "the hub has no method " + m });
  }
  const t = () => performance.now();
  let loop = null;
  try {
    const ph = process.mainModule && process.mainModule.require("node:perf_hooks");
    if (ph) { loop = ph.monitorEventLoopDelay({ resolution: 5 }); loop.enable(); }
  } catch {}
  const s = {};
  const arrived = new Map();
  const released = new Map();
  let inLoad = false;
  const reset = () => {
    Object.assign(s, { notifications: 0, releases: 0, ids: 0, loads: 0, dispatched: 0, maxOutstanding: 0, hold: [], toWrite: [], dispatchMs: 0 });
    if (loop) loop.reset();
  };
  reset();
  hub.onNotification = function (n) {
    if (n && n.channel === "parley_events" && /^\d+$/.test(n.payload || "")) {
      s.notifications++;
      arrived.set(n.payload, t());
      if (arrived.size > 200000) arrived.clear();
    }
    return proto.onNotification.call(this, n);
  };
  hub.release = function (ids, late) {
    const t0 = t();
    s.releases++; s.ids += ids.length;
    for (const id of ids) {
      const key = String(id);
      const a = arrived.get(key);
      if (a !== undefined) { s.hold.push(t0 - a); arrived.delete(key); }
      released.set(key, t0);
    }
    if (released.size > 200000) released.clear();
    if (released.size > s.maxOutstanding) s.maxOutstanding = released.size;
    return proto.release.call(this, ids, late);
  };
  hub.dispatch = function (event, late) {
    const t0 = t();
    if (!inLoad) { inLoad = true; s.loads++; queueMicrotask(() => { inLoad = false; }); }
    const key = String(event.id);
    const r = released.get(key);
    if (r !== undefined) { s.toWrite.push(t0 - r); released.delete(key); }
    try { return proto.dispatch.call(this, event, late); }
    finally { s.dispatched++; s.dispatchMs += t() - t0; }
  };
  const sum = (a) => {
    if (a.length === 0) return null;
    a.sort((x, y) => x - y);
    const r = (q) => a[Math.max(0, Math.ceil(q * a.length) - 1)];
    const f = (x) => Math.round(x * 100) / 100;
    return { count: a.length, p50: f(r(0.5)), p99: f(r(0.99)), max: f(a[a.length - 1]), mean: f(a.reduce((x, y) => x + y, 0) / a.length) };
  };
  hub.__bench = {
    loop: loop !== null,
    reset,
    read() {
      const out = {
        streams: hub.size, notifications: s.notifications, releases: s.releases, ids: s.ids, loads: s.loads,
        dispatched: s.dispatched, maxOutstanding: s.maxOutstanding, dispatchMs: Math.round(s.dispatchMs * 100) / 100,
        hold: sum(s.hold), toWrite: sum(s.toWrite),
        loopDelay: loop ? { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 } : null,
      };
      reset();
      return JSON.stringify(out);
    },
  };
  return JSON.stringify({ ok: true, loop: loop !== null });
})()`;

interface HubStats {
  streams: number;
  notifications: number;
  /** Calls of the hub's `release` and the ids they released. */
  releases: number;
  ids: number;
  /** Loads that dispatched at least one event, and the events dispatched. */
  loads: number;
  dispatched: number;
  /** Most ids released and not yet dispatched at one time. */
  maxOutstanding: number;
  dispatchMs: number;
  hold: Summary | null;
  toWrite: Summary | null;
  loopDelay: { p50: number; p99: number; max: number } | null;
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL: wait events (pg_stat_activity, sampled) and statements (pg_stat_statements)

interface ActivitySample {
  samples: number;
  /** Mean number of the database's backends in each state: `running` (active, no wait), `<type>:<event>`, … */
  meanBackends: Record<string, number>;
  /** Largest fraction of the NOTIFY queue in use (pg_notification_queue_usage). */
  maxNotifyQueueUsage: number;
}

/** Samples the bench database's backends every `everyMs` until `stop()`; excludes its own connection. */
function sampleActivity(client: pg.Client, everyMs = 100): { stop(): Promise<ActivitySample> } {
  const counts = new Map<string, number>();
  let samples = 0;
  let maxQueue = 0;
  let running = true;
  const loop = (async () => {
    while (running && !stopAll.signal.aborted) {
      const started = now();
      const { rows } = await client.query<{ key: string; n: number; queue: number }>(
        `SELECT coalesce(CASE WHEN a.state = 'active' THEN coalesce(a.wait_event_type || ':' || a.wait_event, 'running') ELSE a.state END, '-') AS key,
                count(*)::int AS n, pg_notification_queue_usage() AS queue
         FROM pg_stat_activity a
         WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.state IS DISTINCT FROM 'idle'
           AND a.backend_type = 'client backend'
         GROUP BY 1`,
      );
      samples++;
      for (const row of rows) {
        counts.set(row.key, (counts.get(row.key) ?? 0) + row.n);
        maxQueue = Math.max(maxQueue, Number(row.queue));
      }
      await sleep(Math.max(0, everyMs - (now() - started)));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return {
        samples,
        meanBackends: Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, round(n / Math.max(1, samples), 3)])),
        maxNotifyQueueUsage: maxQueue,
      };
    },
  };
}

interface StatementRow {
  query: string;
  toplevel: boolean;
  calls: number;
  totalMs: number;
  meanMs: number;
  maxMs: number;
}

async function readStatements(client: pg.Client): Promise<StatementRow[]> {
  const { rows } = await client.query<{ query: string; toplevel: boolean; calls: string; total: number; mean: number; max: number }>(
    `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query, toplevel, calls, total_exec_time AS total,
            mean_exec_time AS mean, max_exec_time AS max
     FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
     ORDER BY total_exec_time DESC LIMIT 15`,
  );
  return rows.map((r) => ({
    query: r.query,
    toplevel: r.toplevel,
    calls: Number(r.calls),
    totalMs: round(r.total),
    meanMs: round(r.mean, 3),
    maxMs: round(r.max),
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Listeners

interface Listener {
  index: number;
  user: number;
  instance: number;
  ready: Promise<void>;
  lastId: bigint;
  outOfOrder: number;
  error: string | null;
  close(): void;
}

interface Send {
  step: number;
  /** Scheduled time (performance.now()). */
  due: number;
  issued: number;
  answered: number | null;
  status: number;
  /** Users whose streams should get it. */
  recipients: [number, number];
  /** Listener indexes it reached. */
  seen: number[];
  arrivals: number[];
  duplicates: number;
}

/** Opens `GET /api/events` with its own connection; `onMessage` gets each `message.created`'s data and id. */
function openListener(
  index: number,
  user: number,
  instance: Instance,
  instanceIndex: number,
  token: string,
  onEvent: (listener: Listener, type: string, data: string, id: string | null, at: number) => void,
): Listener {
  let resolveReady!: () => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => undefined);
  let closed = false;
  const listener: Listener = { index, user, instance: instanceIndex, ready, lastId: -1n, outOfOrder: 0, error: null, close: () => undefined };
  const parser = new SseParser((event) => {
    if (event.type === "ready") resolveReady();
    else onEvent(listener, event.type, event.data, event.id, event.at);
  });
  const fail = (reason: string) => {
    if (closed || listener.error) return;
    listener.error = reason;
    rejectReady(new Error(reason));
  };
  const req = http.get({
    host: "127.0.0.1",
    port: instance.port,
    path: "/api/events",
    headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
    agent: false,
  });
  listener.close = () => {
    closed = true;
    req.destroy();
  };
  req.on("error", (error) => fail(errorText(error)));
  req.on("response", (res) => {
    res.setEncoding("utf8");
    if (res.statusCode !== 200) {
      res.resume();
      return fail(`HTTP ${res.statusCode}`);
    }
    res.on("data", (chunk: string) => parser.push(chunk));
    res.on("end", () => fail("the server ended the stream"));
    res.on("error", (error) => fail(errorText(error)));
  });
  return listener;
}

// ---------------------------------------------------------------------------------------------------------------
// Steps

interface StepResult {
  label: string;
  targetPerS: number;
  seconds: number;
  scheduled: number;
  /** POSTs not sent because too many were in flight (the script's safety cap). */
  skipped: number;
  /** 2xx answers received during the step's window, per second. */
  answeredPerS: number;
  /** POSTs answered with something else than 2xx, or failed. */
  postErrors: number;
  postErrorSamples: string[];
  /** How late the script issued the POSTs after their scheduled time, ms (this process' own lag). */
  issueLagMs: Summary | null;
  maxInFlight: number;
  /** POST latency from the scheduled time to the answer read, ms. */
  postMs: Summary | null;
  /** Delivery latency from the scheduled time to `message.created` parsed on each recipient stream, ms. */
  deliveryMs: Summary | null;
  /** The same from the moment the POST was issued, ms. */
  deliveryFromIssueMs: Summary | null;
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  misdelivered: number;
  /** CPU used during the step's window: cores (CPU seconds per second) and ms per answered send. */
  cpu: {
    instancesCores: number[];
    postgresCores: number;
    scriptCores: number;
    machineBusyCores: number;
    machineStealCores: number;
    msPerSend: { instances: number; postgres: number; script: number } | null;
  };
  /** Event-loop delay of this script during the step (its timestamps are only as good as this), ms. */
  scriptLoopDelayMs: { p50: number; p99: number; max: number };
  hubs: (HubStats | null)[] | null;
  activity: ActivitySample | null;
  statements: StatementRow[] | null;
  loadAverage: number[];
}

// ---------------------------------------------------------------------------------------------------------------
// Main

async function loadMain(opts: LoadOptions): Promise<number> {
  const startedAt = new Date();
  const loadAtStart = os.loadavg().map((l) => round(l));
  await readClockTicks();
  const tag = randomBytes(3).toString("hex");

  const db = await createBenchDatabase({ durable: opts.durable, statementStats: !opts.plain });
  const monitor = new pg.Client({ connectionString: db.url, application_name: "parley-bench-monitor" });
  monitor.on("error", (error) => {
    if (!stopAll.signal.aborted) console.error(`[bench] monitor connection: ${errorText(error)}`);
  });
  await monitor.connect();
  onCleanup("monitor connection", () => monitor.end());
  const { rows: versionRows } = await monitor.query<{ server_version: string }>("SHOW server_version");
  const { rows: settingRows } = await monitor.query<{ name: string; setting: string }>(
    "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'max_connections', 'shared_preload_libraries')",
  );
  const pgSettings = Object.fromEntries(settingRows.map((r) => [r.name, r.setting]));
  const statementsOn = !opts.plain && String(pgSettings.shared_preload_libraries ?? "").includes("pg_stat_statements");
  const pgPort = Number(new URL(db.url).port || 5432);
  const pgPid = process.env.BENCH_DATABASE_URL ? null : await listenerPid(pgPort);
  if (pgPid === null) log("PostgreSQL's CPU is not measured (BENCH_DATABASE_URL: its server may serve others too)");

  // Users, tokens and threads, written directly (bench/seed.ts): a ring of two-person threads.
  const preset = {
    name: "live-load",
    users: opts.users,
    threads: (opts.users * opts.threadsPerUser) / 2,
    messagesPerThread: 1,
    actors: opts.users,
    threadsPerActor: opts.threadsPerUser,
  };
  const seeded = await seedBench(db.url, preset);
  if (opts.withoutNotify) {
    // The same function as prisma/sql/functions/ has it, minus its pg_notify: in this throw-away database only.
    const file = path.join(ROOT, "prisma", "sql", "functions", "parley_record_thread_event.sql");
    const notify = "PERFORM pg_notify('parley_events', v_id::text);";
    const sql = await readFile(file, "utf8");
    if (!sql.includes(notify)) throw new Error(`--without-notify: ${file} no longer holds ${notify}`);
    await monitor.query(sql.replace(notify, "NULL;"));
    log("parley_record_thread_event replaced in the bench database by a copy that sends no NOTIFY");
  }
  const userIndex = new Map(seeded.actors.map((a, i) => [a.userId, i]));
  const threads: { id: string; users: [number, number] }[] = [];
  const seenThreads = new Set<string>();
  seeded.actors.forEach((actor, i) => {
    for (const t of actor.threads) {
      if (seenThreads.has(t.threadId)) continue;
      seenThreads.add(t.threadId);
      threads.push({ id: t.threadId, users: [i, userIndex.get(t.partnerId)!] });
    }
  });
  log(`seeded ${seeded.counts.users} users and ${threads.length} threads in ${seeded.seconds} s`);

  const env = instanceEnv(db.url);
  await buildApp(env, opts.skipBuild);
  log(`starting ${opts.instances} instances on ports ${opts.portBase}–${opts.portBase + opts.instances - 1}`);
  const instances: Instance[] = [];
  for (let i = 0; i < opts.instances; i++) {
    const instance = await startInstance(String.fromCharCode(65 + i), opts.portBase + i, env, !opts.plain);
    onCleanup(`instance ${instance.name}`, () => stopInstance(instance));
    instances.push(instance);
  }
  log(`instances up: ${instances.map((i) => `${i.name} pid ${i.pid}`).join(", ")}`);
  // CPU is read over each launcher's process tree: the server process must be in it.
  for (const instance of instances) {
    let pid = instance.pid;
    while (pid > 1 && pid !== instance.child.pid) {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    }
    if (pid !== instance.child.pid) throw new Error(`instance ${instance.name}: its server process is not under its launcher`);
  }

  // Listeners: tab j of user u on instance (u + j) mod K (K = --listen-on, all instances by default).
  const sends = new Map<string, Send>();
  let otherEvents = 0;
  let unknownMessages = 0;
  let misdelivered = 0;
  const onEvent = (listener: Listener, type: string, data: string, id: string | null, at: number) => {
    if (type !== "message.created") return void otherEvents++;
    const key = '"clientMessageId":"';
    const k = data.indexOf(key);
    const cid = k < 0 ? "" : data.slice(k + key.length, data.indexOf('"', k + key.length));
    const send = sends.get(cid);
    if (!send) return void unknownMessages++;
    const eventId = BigInt(id ?? "-1");
    if (eventId <= listener.lastId) listener.outOfOrder++;
    else listener.lastId = eventId;
    if (!send.recipients.includes(listener.user)) return void misdelivered++;
    if (send.seen.includes(listener.index)) return void send.duplicates++;
    send.seen.push(listener.index);
    send.arrivals.push(at);
  };
  const listeners: Listener[] = [];
  const tabsOf = new Map<number, number>();
  const openedAt = now();
  await mapLimit(
    Array.from({ length: opts.users * opts.tabs }, (_, i) => i),
    50,
    async (i) => {
      const user = Math.floor(i / opts.tabs);
      const tab = i % opts.tabs;
      const at = (user + tab) % opts.listenOn;
      const listener = openListener(i, user, instances[at]!, at, seeded.actors[user]!.token, onEvent);
      listeners.push(listener);
      await withTimeout(listener.ready, 30_000, `stream ${i} ready`);
      tabsOf.set(user, (tabsOf.get(user) ?? 0) + 1);
    },
  );
  onCleanup("listeners", async () => {
    for (const l of listeners) l.close();
  });
  log(`${listeners.length} streams ready in ${round((now() - openedAt) / 1000, 1)} s`);
  // Let the presence notices of everyone coming online settle.
  await sleep(3000);

  // Instrumentation.
  const inspectors: (InspectorSession | null)[] = [];
  const probeProblems: string[] = [];
  if (!opts.plain) {
    for (const instance of instances) {
      try {
        const session = await openInspector(instance);
        onCleanup(`inspector ${instance.name}`, async () => session.close());
        const answer = JSON.parse(await session.evaluate(HUB_PROBE)) as { ok: boolean; why?: string; loop?: boolean };
        if (!answer.ok) throw new Error(answer.why);
        if (!answer.loop) probeProblems.push(`${instance.name}: no event-loop delay (process.mainModule missing)`);
        inspectors.push(session);
      } catch (error) {
        probeProblems.push(`${instance.name}: ${errorText(error)}`);
        inspectors.push(null);
      }
    }
    if (probeProblems.length) log(`hub probe: ${probeProblems.join("; ")}`);
  }
  const readHubs = async (): Promise<(HubStats | null)[] | null> =>
    opts.plain ? null : Promise.all(inspectors.map(async (s) => (s ? (JSON.parse(await s.evaluate("globalThis.parleyHub.__bench.read()")) as HubStats) : null)));

  // Senders: keep-alive connections spread over the instances.
  const agents = instances.map(() => new http.Agent({ keepAlive: true, maxSockets: Math.max(1, Math.ceil(opts.senders / opts.instances)) }));
  onCleanup("sender connections", async () => {
    for (const a of agents) a.destroy();
  });
  let inFlight = 0;
  /** POSTs a message; resolves with the status, or -1 and the error when the request failed. */
  const post = (instanceIndex: number, threadId: string, token: string, body: string): Promise<{ status: number; error?: string }> =>
    new Promise((resolve) => {
      inFlight++;
      let settled = false;
      const settle = (status: number, error?: string) => {
        if (settled) return;
        settled = true;
        inFlight--;
        resolve({ status, error });
      };
      const req = http.request(
        {
          host: "127.0.0.1",
          port: instances[instanceIndex]!.port,
          path: `/api/threads/${threadId}/messages`,
          method: "POST",
          agent: agents[instanceIndex],
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
          timeout: 30_000,
        },
        (res) => {
          res.resume();
          res.on("end", () => settle(res.statusCode ?? 0));
          res.on("error", (error) => settle(-1, errorText(error)));
        },
      );
      req.on("timeout", () => req.destroy(new Error("no answer within 30 s")));
      req.on("error", (error) => settle(-1, `${errorText(error)}${req.reusedSocket ? " (on a reused keep-alive connection)" : ""}`));
      req.end(body);
    });

  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const MAX_IN_FLIGHT = 3000;
  let sendCounter = 0;

  async function runStep(step: number, label: string, rate: number, seconds: number, measure: boolean): Promise<StepResult> {
    const stepSends: Send[] = [];
    const errors: string[] = [];
    let skipped = 0;
    let maxInFlight = 0;
    let answeredInWindow = 0;
    const total = Math.round(rate * seconds);
    const interval = 1000 / rate;
    const outOfOrderBefore = listeners.reduce((n, l) => n + l.outOfOrder, 0);
    const misdeliveredBefore = misdelivered;

    if (measure && statementsOn) await monitor.query("SELECT pg_stat_statements_reset()");
    if (measure) await readHubs(); // resets the hubs' counters
    const sampler = measure && !opts.plain ? sampleActivity(monitor) : null;
    loopDelay.reset();
    const cpu0 = { tree: await treeCpuMs([...instances.map((i) => i.child.pid!), ...(pgPid ? [pgPid] : [])]), self: process.cpuUsage(), machine: await machineCpuMs() };
    const t0 = now() + 5;
    const windowEnd = t0 + seconds * 1000;
    const pending: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + i * interval;
      const wait = due - now();
      if (wait > 1) await sleep(wait - 0.5);
      if (stopAll.signal.aborted) throw new Error("stopped");
      if (inFlight >= MAX_IN_FLIGHT) {
        skipped++;
        continue;
      }
      const n = sendCounter++;
      const thread = threads[n % threads.length]!;
      const from = thread.users[Math.floor(n / threads.length) % 2]!;
      const at = n % instances.length;
      const cid = `load-${tag}-${n}`;
      const send: Send = { step, due, issued: now(), answered: null, status: 0, recipients: thread.users, seen: [], arrivals: [], duplicates: 0 };
      sends.set(cid, send);
      stepSends.push(send);
      pending.push(
        post(at, thread.id, seeded.actors[from]!.token, JSON.stringify({ text: `load ${n}`, clientMessageId: cid })).then(({ status, error }) => {
          send.answered = now();
          send.status = status;
          if (status >= 200 && status < 300) {
            if (send.answered <= windowEnd) answeredInWindow++;
          } else if (errors.length < 5) errors.push(`POST to ${instances[at]!.name} → ${status === -1 ? error : status}`);
        }),
      );
      maxInFlight = Math.max(maxInFlight, inFlight);
    }
    const wait = windowEnd - now();
    if (wait > 0) await sleep(wait);
    const cpu1 = { tree: await treeCpuMs([...instances.map((i) => i.child.pid!), ...(pgPid ? [pgPid] : [])]), self: process.cpuUsage(), machine: await machineCpuMs() };
    const windowMs = now() - t0;
    const scriptLoop = { p50: round(loopDelay.percentile(50) / 1e6), p99: round(loopDelay.percentile(99) / 1e6), max: round(loopDelay.max / 1e6) };
    const activity = sampler ? await sampler.stop() : null;
    const statements = measure && statementsOn ? await readStatements(monitor) : null;
    const hubs = measure ? await readHubs() : null;

    // Drain: every answer, and every expected delivery, or 10 s.
    const expectedOf = (s: Send) => (s.status >= 200 && s.status < 300 ? (tabsOf.get(s.recipients[0]) ?? 0) + (tabsOf.get(s.recipients[1]) ?? 0) : 0);
    await Promise.race([Promise.all(pending), sleep(40_000)]);
    await waitFor(() => stepSends.every((s) => s.seen.length >= expectedOf(s)), 10_000, 50);
    await sleep(300); // a stray duplicate

    const ok = stepSends.filter((s) => s.status >= 200 && s.status < 300);
    const expected = ok.reduce((n, s) => n + expectedOf(s), 0);
    const delivered = ok.reduce((n, s) => n + s.seen.length, 0);
    const cores = (ms: number) => round(ms / windowMs, 2);
    const instancesMs = instances.map((_, i) => cpu1.tree[i]! - cpu0.tree[i]!);
    const pgMs = pgPid ? cpu1.tree[instances.length]! - cpu0.tree[instances.length]! : 0;
    const selfMs = (cpu1.self.user + cpu1.self.system - cpu0.self.user - cpu0.self.system) / 1000;
    const perSend = (ms: number) => round(ms / Math.max(1, answeredInWindow));
    return {
      label,
      targetPerS: rate,
      seconds,
      scheduled: total,
      skipped,
      answeredPerS: round(answeredInWindow / (windowMs / 1000), 1),
      postErrors: stepSends.length - ok.length,
      postErrorSamples: errors,
      issueLagMs: summarize(stepSends.map((s) => s.issued - s.due)),
      maxInFlight,
      postMs: summarize(ok.map((s) => s.answered! - s.due)),
      deliveryMs: summarize(ok.flatMap((s) => s.arrivals.map((a) => a - s.due))),
      deliveryFromIssueMs: summarize(ok.flatMap((s) => s.arrivals.map((a) => a - s.issued))),
      expected,
      delivered,
      lost: expected - delivered,
      duplicates: ok.reduce((n, s) => n + s.duplicates, 0),
      outOfOrder: listeners.reduce((n, l) => n + l.outOfOrder, 0) - outOfOrderBefore,
      misdelivered: misdelivered - misdeliveredBefore,
      cpu: {
        instancesCores: instancesMs.map(cores),
        postgresCores: cores(pgMs),
        scriptCores: cores(selfMs),
        machineBusyCores: cores(cpu1.machine.busyMs - cpu0.machine.busyMs),
        machineStealCores: cores(cpu1.machine.stealMs - cpu0.machine.stealMs),
        msPerSend: answeredInWindow
          ? { instances: perSend(instancesMs.reduce((a, b) => a + b, 0)), postgres: perSend(pgMs), script: perSend(selfMs) }
          : null,
      },
      scriptLoopDelayMs: scriptLoop,
      hubs,
      activity,
      statements,
      loadAverage: os.loadavg().map((l) => round(l)),
    };
  }

  if (opts.warmupS > 0) {
    log(`warm-up: ${opts.rates[0]} sends/s for ${opts.warmupS} s`);
    await runStep(-1, "warm-up", opts.rates[0]!, opts.warmupS, false);
  }
  const steps: StepResult[] = [];
  let stoppedBecause: string | null = null;
  for (const [i, rate] of opts.rates.entries()) {
    if (stoppedBecause) break;
    await sleep(2000);
    log(`step ${rate} sends/s for ${opts.stepS} s`);
    const r = await runStep(i, `${rate}/s`, rate, opts.stepS, true);
    steps.push(r);
    const busy = r.cpu.machineBusyCores;
    log(
      `step ${rate}/s: answered ${r.answeredPerS}/s, POST p50 ${r.postMs?.p50} p99 ${r.postMs?.p99} ms; delivery p50 ${r.deliveryMs?.p50} ` +
        `p99 ${r.deliveryMs?.p99} max ${r.deliveryMs?.max} ms; delivered ${r.delivered}/${r.expected}; machine ${busy} cores busy`,
    );
    if (r.lost > 0) stoppedBecause = `step ${rate}/s lost ${r.lost} deliveries`;
    else if (r.answeredPerS < 0.8 * rate) stoppedBecause = `step ${rate}/s fell behind (${r.answeredPerS} answered/s)`;
    else if (((listeners.length ? r.deliveryMs : r.postMs)?.p99 ?? Infinity) > opts.stopP99Ms) {
      stoppedBecause = `step ${rate}/s: ${listeners.length ? "delivery" : "POST"} p99 above ${opts.stopP99Ms} ms`;
    }
  }
  loopDelay.disable();

  // Late arrivals after each step's drain count as delivered here, not in the step.
  const lateTotals = { expected: 0, delivered: 0 };
  for (const s of sends.values()) {
    if (s.step < 0 || !(s.status >= 200 && s.status < 300)) continue;
    lateTotals.expected += (tabsOf.get(s.recipients[0]) ?? 0) + (tabsOf.get(s.recipients[1]) ?? 0);
    lateTotals.delivered += s.seen.length;
  }
  const streamErrors = listeners.filter((l) => l.error).map((l) => `${l.index}: ${l.error}`);
  // Without streams, the sends' own latency is what must stay under 100 ms.
  const p99Of = (s: StepResult) => (listeners.length ? s.deliveryMs?.p99 : s.postMs?.p99) ?? Infinity;
  const withinP99 = steps.filter((s) => s.lost === 0 && s.answeredPerS >= 0.95 * s.targetPerS && p99Of(s) < 100);
  const ceiling = withinP99.length ? Math.max(...withinP99.map((s) => s.targetPerS)) : null;

  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `npm run bench:live -- ${process.argv.slice(2).join(" ")}`.trim(),
    machine: {
      ...(await machineInfo(versionRows[0]?.server_version ?? null, db.server)),
      loadAverage: { atStart: loadAtStart, atEnd: os.loadavg().map((l) => round(l)) },
    },
    postgres: pgSettings,
    git: await gitInfo(),
    options: opts,
    workload: { users: opts.users, threads: threads.length, streams: listeners.length, streamsPerInstance: instances.map((_, i) => listeners.filter((l) => l.instance === i).length) },
    ceilingPerS: ceiling,
    stoppedBecause,
    totals: { ...lateTotals, lost: lateTotals.expected - lateTotals.delivered, otherEvents, unknownMessages, misdelivered, streamErrors: streamErrors.slice(0, 20) },
    probeProblems,
    steps,
    serverWarnings: Object.fromEntries(instances.map((i) => [i.name, i.warnings.slice(0, 20)])),
  };

  console.log(
    `\n${opts.instances} instance(s), ${listeners.length} streams (${opts.users} users × ${opts.tabs}` +
      `${opts.listenOn < opts.instances ? `, on ${opts.listenOn} instance(s) only` : ""}), ${threads.length} threads, ` +
      `${opts.senders} sender connections; PostgreSQL fsync=${pgSettings.fsync}, synchronous_commit=${pgSettings.synchronous_commit}`,
  );
  console.log(
    "Latencies from each send's scheduled time, ms; CPU in cores (2 on this machine) during the step; other = the machine's busy " +
      "cores minus the instances', PostgreSQL's and this script's: anything else running",
  );
  console.log(
    table(
      ["target/s", "answered/s", "POST p50", "POST p99", "deliv p50", "deliv p99", "deliv max", "delivered", "lost", "dup", "order", "inst cores", "PG cores", "script", "busy", "other", "issue lag p99", "script loop p99"],
      steps.map((r) => [
        r.targetPerS,
        r.answeredPerS,
        r.postMs?.p50 ?? null,
        r.postMs?.p99 ?? null,
        r.deliveryMs?.p50 ?? null,
        r.deliveryMs?.p99 ?? null,
        r.deliveryMs?.max ?? null,
        `${r.delivered}/${r.expected}`,
        r.lost,
        r.duplicates,
        r.outOfOrder,
        `${round(r.cpu.instancesCores.reduce((a, b) => a + b, 0))} (${r.cpu.instancesCores.join("/")})`,
        r.cpu.postgresCores,
        r.cpu.scriptCores,
        r.cpu.machineBusyCores,
        round(r.cpu.machineBusyCores - r.cpu.instancesCores.reduce((a, b) => a + b, 0) - r.cpu.postgresCores - r.cpu.scriptCores),
        r.issueLagMs?.p99 ?? null,
        r.scriptLoopDelayMs.p99,
      ]),
    ),
  );
  if (!opts.plain) {
    console.log("\nHubs (worst instance) and PostgreSQL per step: times in ms; backends = mean active backends by wait");
    console.log(
      table(
        ["target/s", "loads/s/inst", "events/load", "query calls/s", "hold p99", "to write p50", "to write p99", "max queued", "dispatch ms/s", "app loop p99", "PG backends", "notify queue"],
        steps.map((r) => {
          const hubs = (r.hubs ?? []).filter((h): h is HubStats => h !== null);
          const worst = (f: (h: HubStats) => number | null | undefined) => (hubs.length ? round(Math.max(...hubs.map((h) => f(h) ?? 0))) : null);
          const loads = hubs.reduce((n, h) => n + h.loads, 0);
          const dispatched = hubs.reduce((n, h) => n + h.dispatched, 0);
          const eventQueries = r.statements?.find((x) => x.query.includes("FROM events WHERE id = ANY"));
          return [
            r.targetPerS,
            hubs.length ? round(loads / hubs.length / r.seconds, 1) : null,
            loads ? round(dispatched / loads, 2) : null,
            eventQueries ? round(eventQueries.calls / r.seconds, 1) : null,
            worst((h) => h.hold?.p99),
            worst((h) => h.toWrite?.p50),
            worst((h) => h.toWrite?.p99),
            worst((h) => h.maxOutstanding),
            hubs.length ? round(hubs.reduce((n, h) => n + h.dispatchMs, 0) / hubs.length / r.seconds) : null,
            worst((h) => h.loopDelay?.p99),
            r.activity
              ? Object.entries(r.activity.meanBackends)
                  .slice(0, 4)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(", ")
              : null,
            r.activity ? r.activity.maxNotifyQueueUsage : null,
          ];
        }),
      ),
    );
  }
  console.log(
    `\nhighest rate with ${listeners.length ? "delivery" : "POST"} p99 < 100 ms, nothing lost, answers ≥ 95 % of the rate: ${ceiling ?? "none"} sends/s`,
  );
  for (const r of steps) if (r.postErrors) console.log(`step ${r.label}: ${r.postErrors} POSTs failed (${r.postErrorSamples.join("; ")})`);
  if (stoppedBecause) console.log(`stopped: ${stoppedBecause}`);
  if (streamErrors.length) console.log(`streams that failed: ${streamErrors.length} (${streamErrors.slice(0, 3).join("; ")})`);
  const file = await writeReport("live-load", startedAt, report);
  console.log(`report: ${path.relative(process.cwd(), file)}`);
  return steps.every((s) => s.duplicates === 0 && s.outOfOrder === 0) && misdelivered === 0 && streamErrors.length === 0 ? 0 : 1;
}

/** The `--load` mode of `npm run bench:live` (see the top of this file); reads the command line itself. */
export function runLoad(): Promise<never> {
  return runBenchCli(parseLoadOptions, LOAD_USAGE, loadMain);
}
