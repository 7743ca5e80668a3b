// API throughput benchmark (issue 5; results in docs/performance.md).
//
//   npm run bench -- [--preset default|large] [--duration 10] [--connections 16] [--warmup 3]
//                    [--ops list-threads,unread,...] [--no-fsync] [--compare bench-results/api-default-….json]
//
// 1. A fresh database (throw-away embedded PostgreSQL with PostgreSQL's default durability, or BENCH_DATABASE_URL),
//    migrated and seeded with the preset (bench/seed.ts, set-based SQL).
// 2. `next build` (skipped with BENCH_SKIP_BUILD=1) and `next start` on 127.0.0.1:BENCH_PORT (3900).
// 3. Statements per request: an instance started with PRISMA_QUERY_EVENTS=1 answers each operation 20 times, one
//    request at a time, with its SQL statements and transactions in Server-Timing (lib/api/handler.ts).
// 4. Load: a fresh instance without query events; per operation `--warmup` seconds not counted, then `--duration`
//    seconds of autocannon with `--connections` connections over loopback (wrk's 16 connections and 10 s, as the
//    Django figures were measured), every request with a bearer token as a third party would send it, rotating
//    over the preset's actors and their threads.
// 5. Prints req/s and p50/p90/p99 per operation beside the Django figures, and writes
//    bench-results/api-<preset>-<timestamp>.json (machine, commit, data size, figures).
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import {
  runBenchCli,
  ROOT,
  buildApp,
  createBenchDatabase,
  gitInfo,
  type Instance,
  instanceEnv,
  log,
  machineInfo,
  now,
  onCleanup,
  positiveInt,
  procStats,
  readClockTicks,
  round,
  startInstance,
  stopAll,
  stopInstance,
  summarize,
  type Summary,
  table,
  writeReport,
} from "./kit";
import { type BenchActor, messageIdFor, PRESETS, type SeededData, seedBench } from "./seed";

// ---------------------------------------------------------------------------------------------------------------
// Options

const USAGE = `npm run bench -- [options]
  --preset NAME      default (50 users, 500 threads, 20,000 messages) or large (1,000 users, 20,000 threads,
                     1,000,000 messages; the load runs as 50 users with 200 threads each)
  --duration S       measured seconds per operation (default 10)
  --warmup S         seconds per operation before measuring, not counted (default 3)
  --connections N    concurrent connections (default 16)
  --ops A,B,…        operations to run, in this order (default: all; see below)
  --no-fsync         embedded PostgreSQL without durable commits (fsync=off, synchronous_commit=off)
  --compare FILE     an earlier report: prints this run's figures as ratios of that one's
  --cpu-profile      restart the server for each operation with \`node --cpu-prof\`: V8 CPU profiles of the
                     measured seconds in bench-results/profiles-<timestamp>/<operation>.cpuprofile
  --max-minutes M    stop everything after this long (default 40)
operations: ${"" /* filled below */}
env: BENCH_DATABASE_URL, BENCH_SKIP_BUILD=1, BENCH_PORT (3900), DATABASE_POOL_SIZE, AUTH_SECRET`;

interface Options {
  preset: string;
  durationS: number;
  warmupS: number;
  connections: number;
  ops: OperationName[];
  durable: boolean;
  compare: string | null;
  cpuProfile: boolean;
  maxMinutes: number;
  port: number;
  skipBuild: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Operations

/**
 * The Django REST figures from the issue: wrk, 16 connections, 10 s, loopback, same data set (default preset),
 * gunicorn with 4 workers, the best of several implementations, on this kind of 2-core machine.
 */
const DJANGO: Partial<Record<OperationName, { rps: number; p99: number }>> = {
  "list-threads": { rps: 221, p99: 127 },
  unread: { rps: 1054, p99: 29 },
  "list-messages": { rps: 592, p99: 52 },
  "mark-read": { rps: 804, p99: 40 },
  send: { rps: 488, p99: 49 },
};
/** The bar: at least this many times Django's throughput, with p99 under {@link P99_BUDGET_MS}. */
const THROUGHPUT_FACTOR = 3;
const P99_BUDGET_MS = 50;

interface Request {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface Operation {
  name: OperationName;
  title: string;
  /** Expected status of every response. */
  status: number;
  /** The `i`-th request of the run. */
  request(i: number): Request;
}

const OPERATION_NAMES = ["baseline", "list-threads", "unread", "list-messages", "mark-read", "send", "create-or-get"] as const;
type OperationName = (typeof OPERATION_NAMES)[number];

/**
 * The operations, each rotating over the actors (and their threads) so that consecutive requests are different
 * users' and threads' (as a busy API serves them), not one cached row.
 */
function operations(actors: BenchActor[], messagesPerThread: number, runTag: string): Operation[] {
  const auth = (a: BenchActor) => ({ authorization: `Bearer ${a.token}` });
  const jsonHeaders = (a: BenchActor) => ({ ...auth(a), "content-type": "application/json" });
  // (actor, thread) pairs interleaved across actors: i-th pair = actor i % n, that actor's thread ⌊i / n⌋.
  const perActor = actors[0]!.threads.length;
  const slots = actors.length * perActor;
  const slot = (i: number) => {
    const actor = actors[i % actors.length]!;
    return { actor, thread: actor.threads[Math.floor(i / actors.length) % perActor]! };
  };
  return [
    {
      name: "baseline",
      title: "no-op: unknown /api path → 404, no database (Next's own cost)",
      status: 404,
      request: (i) => ({ method: "GET", path: "/api/bench-baseline", headers: auth(actors[i % actors.length]!) }),
    },
    {
      name: "list-threads",
      title: "GET /api/threads?limit=20 (page of 20 with unread counts and last message)",
      status: 200,
      request: (i) => ({ method: "GET", path: "/api/threads?limit=20", headers: auth(actors[i % actors.length]!) }),
    },
    {
      name: "unread",
      title: "GET /api/unread (total and per thread)",
      status: 200,
      request: (i) => ({ method: "GET", path: "/api/unread", headers: auth(actors[i % actors.length]!) }),
    },
    {
      name: "list-messages",
      title: "GET /api/threads/{id}/messages?limit=50 (newest 50)",
      status: 200,
      request: (i) => {
        const { actor, thread } = slot(i);
        return { method: "GET", path: `/api/threads/${thread.threadId}/messages?limit=50`, headers: auth(actor) };
      },
    },
    {
      name: "mark-read",
      title: "POST /api/threads/{id}/read {upToMessageId} (one more message read each time)",
      status: 200,
      request: (i) => {
        // The seed leaves every watermark at 0. The v-th visit to a slot marks message v + 1 read: every request
        // moves the watermark by one message and recounts the unread (capped at the thread's last seeded message).
        const { actor, thread } = slot(i);
        const seq = Math.min(messagesPerThread, 1 + Math.floor(i / slots));
        return {
          method: "POST",
          path: `/api/threads/${thread.threadId}/read`,
          headers: jsonHeaders(actor),
          body: JSON.stringify({ upToMessageId: messageIdFor(thread.threadId, seq) }),
        };
      },
    },
    {
      name: "send",
      title: "POST /api/threads/{id}/messages (with a clientMessageId, as a retrying client sends)",
      status: 201,
      request: (i) => {
        // Sent by the actor's partner: the actor's side of the thread gains an unread message.
        const { thread } = slot(i);
        return {
          method: "POST",
          path: `/api/threads/${thread.threadId}/messages`,
          headers: { authorization: `Bearer ${thread.partnerToken}`, "content-type": "application/json" },
          body: JSON.stringify({ text: `Benchmark message ${i}: about as long as an ordinary chat line.`, clientMessageId: `${runTag}-${i}` }),
        };
      },
    },
    {
      name: "create-or-get",
      title: "POST /api/threads {participantIds: [other]} for an existing pair (→ 200, the thread)",
      status: 200,
      request: (i) => {
        const { actor, thread } = slot(i);
        return { method: "POST", path: "/api/threads", headers: jsonHeaders(actor), body: JSON.stringify({ participantIds: [thread.partnerId] }) };
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Statements per request (PRISMA_QUERY_EVENTS=1 instance, one request at a time)

interface StatementFigures {
  requests: number;
  statements: { min: number; max: number; mean: number };
  transactions: { min: number; max: number; mean: number };
}

function serverTimingCount(header: string | null, metric: string): number {
  const match = new RegExp(`${metric};desc="(\\d+)"`).exec(header ?? "");
  if (!match) throw new Error(`no ${metric} in Server-Timing (${JSON.stringify(header)}): is PRISMA_QUERY_EVENTS=1 set?`);
  return Number(match[1]);
}

async function send(base: string, r: Request): Promise<Response> {
  return fetch(base + r.path, { method: r.method, headers: r.headers, body: r.body, signal: stopAll.signal });
}

async function measureStatements(base: string, op: Operation, offset: number, n = 20): Promise<StatementFigures | null> {
  if (op.name === "baseline") return null;
  const statements: number[] = [];
  const transactions: number[] = [];
  // Steady state, as under load: every token about to be used is used once first (its first use records
  // lastUsedAt, which later requests within a minute skip).
  const requests = Array.from({ length: n }, (_, i) => op.request(offset + i));
  for (const authorization of new Set(requests.map((r) => r.headers.authorization!))) {
    const res = await send(base, { method: "GET", path: "/api/users/me", headers: { authorization } });
    await res.arrayBuffer();
  }
  for (const request of requests) {
    const res = await send(base, request);
    const text = await res.text();
    if (res.status !== op.status) throw new Error(`${op.name}: status ${res.status}, expected ${op.status}: ${text.slice(0, 300)}`);
    statements.push(serverTimingCount(res.headers.get("server-timing"), "db-statements"));
    transactions.push(serverTimingCount(res.headers.get("server-timing"), "db-transactions"));
  }
  const stats = (v: number[]) => ({ min: Math.min(...v), max: Math.max(...v), mean: round(v.reduce((s, x) => s + x, 0) / v.length) });
  return { requests: n, statements: stats(statements), transactions: stats(transactions) };
}

// ---------------------------------------------------------------------------------------------------------------
// Load (autocannon)

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
}
interface AutocannonResult {
  requests: { average: number; total: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: "response", listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  stop(): void;
}
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  requests: AutocannonRequest[];
  timeout?: number;
}) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

interface LoadFigures {
  /** Completed requests per second over the measured seconds. */
  rps: number;
  requests: number;
  seconds: number;
  /** Per-response latency (from autocannon's `response` events, unrounded), ms. */
  latencyMs: Summary | null;
  /** Responses whose status was not the operation's expected one, by status. */
  unexpected: Record<string, number>;
  errors: number;
  timeouts: number;
  /** CPU time of the next-server process per request, ms. */
  serverCpuMsPerRequest: number;
}

async function drive(base: string, op: Operation, seconds: number, connections: number, offset: number): Promise<{
  result: AutocannonResult;
  latencies: number[];
  statuses: Map<number, number>;
  sent: number;
}> {
  let sent = 0;
  const instance = autocannon({
    url: base,
    connections,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        setupRequest: (req) => {
          const r = op.request(offset + sent++);
          return { ...req, method: r.method, path: r.path, headers: r.headers, body: r.body };
        },
      },
    ],
  });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  instance.on("response", (_client, status, _bytes, ms) => {
    latencies.push(ms);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  });
  const onAbort = () => instance.stop();
  stopAll.signal.addEventListener("abort", onAbort);
  try {
    return { result: await instance, latencies, statuses, sent };
  } finally {
    stopAll.signal.removeEventListener("abort", onAbort);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Main

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      preset: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      connections: { type: "string" },
      ops: { type: "string" },
      "no-fsync": { type: "boolean" },
      compare: { type: "string" },
      "cpu-profile": { type: "boolean" },
      "max-minutes": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return null;
  const preset = values.preset ?? "default";
  if (!PRESETS[preset]) throw new Error(`--preset must be one of ${Object.keys(PRESETS).join(", ")}`);
  const ops = (values.ops ?? OPERATION_NAMES.join(",")).split(",").map((s) => s.trim());
  for (const op of ops) {
    if (!(OPERATION_NAMES as readonly string[]).includes(op)) throw new Error(`unknown operation ${op}; known: ${OPERATION_NAMES.join(", ")}`);
  }
  return {
    preset,
    durationS: positiveInt("--duration", values.duration, 10),
    warmupS: positiveInt("--warmup", values.warmup, 3, 0),
    connections: positiveInt("--connections", values.connections, 16),
    ops: ops as OperationName[],
    durable: !values["no-fsync"],
    compare: values.compare ?? null,
    cpuProfile: values["cpu-profile"] ?? false,
    maxMinutes: positiveInt("--max-minutes", values["max-minutes"], 40),
    port: positiveInt("BENCH_PORT", process.env.BENCH_PORT, 3900),
    skipBuild: process.env.BENCH_SKIP_BUILD === "1",
  };
}

interface OperationReport {
  name: OperationName;
  title: string;
  statementsPerRequest: StatementFigures | null;
  load: LoadFigures;
  django: { rps: number; p99: number } | null;
  /** rps ÷ Django's rps. */
  throughputFactor: number | null;
  /** At least {@link THROUGHPUT_FACTOR}× Django's throughput and p99 under {@link P99_BUDGET_MS} ms. */
  meetsBar: boolean | null;
}

async function main(opts: Options): Promise<number> {
  const startedAt = new Date();
  const loadAtStart = os.loadavg().map((l) => round(l));
  await readClockTicks();
  const preset = PRESETS[opts.preset]!;

  const db = await createBenchDatabase({ durable: opts.durable });
  log(`seeding preset ${preset.name}: ${preset.users} users, ${preset.threads} threads, ${preset.threads * preset.messagesPerThread} messages`);
  const seeded: SeededData = await seedBench(db.url, preset);
  log(`seeded in ${seeded.seconds} s: ${JSON.stringify(seeded.counts)}`);

  const monitor = new pg.Client({ connectionString: db.url, application_name: "parley-bench-monitor" });
  monitor.on("error", () => undefined); // the server stopping at cleanup ends it
  await monitor.connect();
  onCleanup("monitor connection", () => monitor.end());
  const setting = async (name: string) => (await monitor.query<Record<string, string>>(`SHOW ${name}`)).rows[0]![name]!;
  const postgres = {
    version: await setting("server_version"),
    fsync: await setting("fsync"),
    synchronousCommit: await setting("synchronous_commit"),
    sharedBuffers: await setting("shared_buffers"),
    databaseSize: (await monitor.query<{ size: string }>("SELECT pg_size_pretty(pg_database_size(current_database())) AS size")).rows[0]!.size,
  };

  const poolSize = process.env.DATABASE_POOL_SIZE ?? "10";
  await buildApp(instanceEnv(db.url), opts.skipBuild);
  const runTag = `bench-${randomBytes(3).toString("hex")}`;
  const ops = operations(seeded.actors, preset.messagesPerThread, runTag).filter((o) => opts.ops.includes(o.name));
  ops.sort((a, b) => opts.ops.indexOf(a.name) - opts.ops.indexOf(b.name));

  // Statements per request.
  log("statements per request (PRISMA_QUERY_EVENTS=1, one request at a time)");
  let counting: Instance | null = await startInstance("Q", opts.port, instanceEnv(db.url, { PRISMA_QUERY_EVENTS: "1" }));
  onCleanup("counting instance", async () => {
    if (counting) await stopInstance(counting);
  });
  const statements = new Map<OperationName, StatementFigures | null>();
  // Far from the requests the load uses first, so that both hit comparable rows.
  const statementOffset = 1_000_000;
  for (const op of ops) {
    const q = counting;
    statements.set(
      op.name,
      await measureStatements(q.base, op, statementOffset).catch((e: unknown) => {
        throw new Error(`${(e as Error).message}\n--- server log ---\n${q.logTail.join("\n")}`);
      }),
    );
  }
  await stopInstance(counting);
  counting = null;

  // Load.
  log(`load: ${opts.connections} connections, ${opts.warmupS} s warm-up + ${opts.durationS} s per operation, pool ${poolSize}`);
  const profileDir = opts.cpuProfile ? path.join(ROOT, "bench-results", `profiles-${startedAt.toISOString().replace(/[:.]/g, "-")}`) : null;
  const startServer = (op?: OperationName) =>
    startInstance("S", opts.port, instanceEnv(db.url), false, profileDir && op ? ["--cpu-prof", "--cpu-prof-dir", path.join(profileDir, op)] : []);
  let server = await startServer();
  onCleanup("server", () => stopInstance(server));
  const reports: OperationReport[] = [];
  /** Mark-read records a `thread.read` event only when the watermark moves: how many of its requests did work. */
  const watermarkMoves = async () =>
    Number((await monitor.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE type = 'thread.read'")).rows[0]!.n);
  const extra: Record<string, unknown> = {};
  for (const op of ops) {
    // Each operation counts its requests from 0 (mark-read's visits to a slot, send's clientMessageIds).
    let offset = 0;
    if (profileDir) {
      await stopInstance(server);
      server = await startServer(op.name);
    }
    if (opts.warmupS > 0) {
      const warm = await drive(server.base, op, opts.warmupS, opts.connections, offset);
      offset += warm.sent;
    }
    const readsBefore = op.name === "mark-read" ? await watermarkMoves() : 0;
    const cpuBefore = (await procStats(server.pid)).cpuMs;
    const started = now();
    const { result, latencies, statuses, sent } = await drive(server.base, op, opts.durationS, opts.connections, offset);
    const seconds = (now() - started) / 1000;
    offset += sent;
    const cpuMs = (await procStats(server.pid)).cpuMs - cpuBefore;
    if (profileDir) {
      await stopInstance(server); // the profile is written as the process exits
      server = await startServer();
    }
    if (op.name === "mark-read") extra.markReadMovedWatermark = { requests: latencies.length, moved: (await watermarkMoves()) - readsBefore };
    const completed = latencies.length;
    const unexpected: Record<string, number> = {};
    for (const [status, count] of statuses) if (status !== op.status) unexpected[String(status)] = count;
    const load: LoadFigures = {
      rps: round(completed / seconds, 1),
      requests: completed,
      seconds: round(seconds),
      latencyMs: summarize(latencies),
      unexpected,
      errors: result.errors,
      timeouts: result.timeouts,
      serverCpuMsPerRequest: round(cpuMs / Math.max(completed, 1), 3),
    };
    const django = DJANGO[op.name] ?? null;
    const factor = django ? round(load.rps / django.rps, 2) : null;
    const okStatuses = Object.keys(unexpected).length === 0 && result.errors === 0;
    reports.push({
      name: op.name,
      title: op.title,
      statementsPerRequest: statements.get(op.name) ?? null,
      load,
      django,
      throughputFactor: factor,
      meetsBar: django && factor !== null ? okStatuses && factor >= THROUGHPUT_FACTOR && (load.latencyMs?.p99 ?? Infinity) < P99_BUDGET_MS : null,
    });
    log(`${op.name}: ${load.rps} req/s, p50 ${load.latencyMs?.p50} ms, p99 ${load.latencyMs?.p99} ms${okStatuses ? "" : `, UNEXPECTED ${JSON.stringify(unexpected)} errors ${result.errors}`}`);
  }


  let comparison: Record<string, { rps: number | null; p50: number | null; p99: number | null }> | null = null;
  if (opts.compare) {
    const earlier = JSON.parse(await readFile(opts.compare, "utf8")) as { operations: OperationReport[] };
    comparison = {};
    for (const r of reports) {
      const e = earlier.operations.find((x) => x.name === r.name);
      if (!e) continue;
      const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? round(a / b, 2) : null);
      comparison[r.name] = {
        rps: ratio(r.load.rps, e.load.rps),
        p50: ratio(r.load.latencyMs?.p50, e.load.latencyMs?.p50),
        p99: ratio(r.load.latencyMs?.p99, e.load.latencyMs?.p99),
      };
    }
  }

  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(),
    machine: {
      ...(await machineInfo(postgres.version, db.server)),
      loadAverage: { atStart: loadAtStart, atEnd: os.loadavg().map((l) => round(l)) },
    },
    git: await gitInfo(),
    options: opts,
    data: { preset, counts: seeded.counts, seedSeconds: seeded.seconds, databaseSize: postgres.databaseSize, actors: seeded.actors.length },
    postgres,
    app: { databasePoolSize: Number(poolSize) },
    operations: reports,
    ...extra,
    comparedWith: opts.compare ? { file: opts.compare, ratios: comparison } : null,
    serverWarnings: server.warnings.slice(0, 20),
  };

  console.log(`\nPreset ${preset.name} (${JSON.stringify(seeded.counts)}); ${opts.connections} connections, ${opts.durationS} s per operation; PostgreSQL ${postgres.version} fsync=${postgres.fsync}`);
  console.log(
    table(
      ["operation", "req/s", "p50 ms", "p90 ms", "p99 ms", "non-2xx/err", "SQL stmts/req", "txn/req", "CPU ms/req", "Django req/s", "× Django", `≥${THROUGHPUT_FACTOR}× & p99<${P99_BUDGET_MS}`],
      reports.map((r) => [
        r.name,
        r.load.rps,
        r.load.latencyMs?.p50 ?? null,
        r.load.latencyMs?.p90 ?? null,
        r.load.latencyMs?.p99 ?? null,
        Object.values(r.load.unexpected).reduce((s, n) => s + n, 0) + r.load.errors,
        r.statementsPerRequest ? fmtRange(r.statementsPerRequest.statements) : null,
        r.statementsPerRequest ? fmtRange(r.statementsPerRequest.transactions) : null,
        r.load.serverCpuMsPerRequest,
        r.django?.rps ?? null,
        r.throughputFactor,
        r.meetsBar === null ? null : r.meetsBar ? "yes" : "NO",
      ]),
    ),
  );
  if (comparison) {
    console.log(`\nRatios to ${opts.compare} (this run ÷ that one)`);
    console.log(table(["operation", "req/s", "p50", "p99"], Object.entries(comparison).map(([k, v]) => [k, v.rps, v.p50, v.p99])));
  }
  const file = await writeReport(`api-${preset.name}`, startedAt, report);
  if (profileDir) console.log(`CPU profiles (startup, warm-up and measured seconds): ${path.relative(process.cwd(), profileDir)}/<operation>/`);
  console.log(`\nreport: ${path.relative(process.cwd(), file)}`);
  const clean = reports.every((r) => Object.keys(r.load.unexpected).length === 0 && r.load.errors === 0);
  return clean ? 0 : 1;
}

const fmtRange = (s: { min: number; max: number }) => (s.min === s.max ? String(s.min) : `${s.min}–${s.max}`);

await runBenchCli(parseOptions, USAGE.replace("operations: ", `operations: ${OPERATION_NAMES.join(", ")}`), main);
