// Shared parts of the benchmarks (bench/api.ts, bench/live.ts, bench/explain.ts): a fresh database on a throw-away
// embedded PostgreSQL or BENCH_DATABASE_URL, `next build`, `next start` instances on 127.0.0.1, cleanup of
// everything started (at the end, on errors, on Ctrl-C and when the time budget runs out), and the report helpers.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { databaseUrlFor, getFreePort, isPortFree, startEmbeddedPostgres } from "../scripts/embedded-postgres";
import { describeError, migrate } from "../scripts/migrate";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const NEXT = path.join(ROOT, "node_modules", ".bin", "next");
const NEXT_JS = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");
export const HOST = "127.0.0.1";
export const run = promisify(execFile);

export function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const now = () => performance.now();
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function log(line: string): void {
  process.stdout.write(`[bench] ${line}\n`);
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every `everyMs` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface Summary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles, in milliseconds rounded to 0.01. */
export function summarize(values: number[]): Summary | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
  return {
    count: sorted.length,
    p50: round(rank(0.5)),
    p90: round(rank(0.9)),
    p99: round(rank(0.99)),
    max: round(sorted[sorted.length - 1]!),
    mean: round(sorted.reduce((s, v) => s + v, 0) / sorted.length),
  };
}

export function errorText(error: unknown): string {
  if (error instanceof Error && error.cause) return `${describeError(error)} (${describeError(error.cause)})`;
  return describeError(error);
}

// ---------------------------------------------------------------------------------------------------------------
// Cleanup: everything started registers how to stop it; stopped in reverse order, once.

const cleanups: { name: string; fn: () => Promise<void> }[] = [];
let cleaning: Promise<void> | undefined;

export function onCleanup(name: string, fn: () => Promise<void>): void {
  cleanups.push({ name, fn });
}

export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const { name, fn } of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        console.error(`[bench] cleanup of ${name} failed: ${errorText(error)}`);
      }
    }
  })();
  return cleaning;
}

/** Aborted on SIGINT/SIGTERM and when the time budget runs out: every open stream listens to it. */
export const stopAll = new AbortController();

// ---------------------------------------------------------------------------------------------------------------
// Processes and /proc

/** The pid listening on 127.0.0.1:`port`, from `ss -ltnp` (the `next-server` process, not the `next` launcher). */
export async function listenerPid(port: number): Promise<number | null> {
  const { stdout } = await run("ss", ["-Hltnp", `sport = :${port}`]);
  const match = /pid=(\d+)/.exec(stdout);
  return match ? Number(match[1]) : null;
}

/** Established TCP connections whose local port is `port` (the server side of our streams). */
export async function establishedOn(port: number): Promise<number> {
  const { stdout } = await run("ss", ["-Htn", "state", "established", `sport = :${port}`], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.split("\n").filter((line) => line.trim() !== "").length;
}

let clockTicks = 100;

/** Reads the kernel's clock tick rate once (for {@link procStats}' CPU times). */
export async function readClockTicks(): Promise<void> {
  clockTicks = Number((await run("getconf", ["CLK_TCK"])).stdout.trim()) || 100;
}

export interface ProcStats {
  /** Resident set size (VmRSS), KiB. */
  rssKiB: number;
  /** Open file descriptors (entries of /proc/<pid>/fd). */
  fds: number;
  /** User + system CPU time used so far, ms. */
  cpuMs: number;
}

export async function procStats(pid: number): Promise<ProcStats> {
  const [status, stat, fds] = await Promise.all([
    readFile(`/proc/${pid}/status`, "utf8"),
    readFile(`/proc/${pid}/stat`, "utf8"),
    readdir(`/proc/${pid}/fd`),
  ]);
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
  // Fields after "pid (comm) ": state is field 3, utime 14 and stime 15 (proc(5)).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssKiB: rss ? Number(rss[1]) : NaN, fds: fds.length, cpuMs: (ticks * 1000) / clockTicks };
}

/**
 * CPU time (user + system, ms) used so far by each process tree rooted at `roots`: the root and its live descendants,
 * each counting its own time and that of its exited, reaped children (cutime, cstime), so that a PostgreSQL backend
 * that ended is still counted, in the postmaster (as ../shared/peers-bench/lib/cpu_ticks.py does). Take it before and
 * after, and subtract.
 */
export async function treeCpuMs(roots: number[]): Promise<number[]> {
  const procs = new Map<number, { ppid: number; ticks: number }>();
  await Promise.all(
    (await readdir("/proc"))
      .filter((d) => /^\d+$/.test(d))
      .map(async (d) => {
        try {
          const stat = await readFile(`/proc/${d}/stat`, "utf8");
          const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
          procs.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
        } catch {
          // exited meanwhile
        }
      }),
  );
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of procs) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  return roots.map((root) => {
    let ticks = 0;
    const todo = [root];
    while (todo.length) {
      const pid = todo.pop()!;
      const p = procs.get(pid);
      if (!p) continue;
      ticks += p.ticks;
      todo.push(...(children.get(pid) ?? []));
    }
    return (ticks * 1000) / clockTicks;
  });
}

/** The whole machine's CPU time so far from /proc/stat, ms summed over cores: busy (not idle or iowait), and steal. */
export async function machineCpuMs(): Promise<{ busyMs: number; stealMs: number; totalMs: number }> {
  const line = (await readFile("/proc/stat", "utf8")).split("\n")[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  const toMs = (t: number) => (t * 1000) / clockTicks;
  const total = user! + nice! + system! + idle! + iowait! + irq! + softirq! + steal!;
  return { busyMs: toMs(total - idle! - iowait! - steal!), stealMs: toMs(steal!), totalMs: toMs(total) };
}

/** The soft limit on open files of this process (instances inherit it). */
export async function openFilesLimit(): Promise<number> {
  const limits = await readFile("/proc/self/limits", "utf8");
  const match = /^Max open files\s+(\S+)/m.exec(limits);
  return match && match[1] !== "unlimited" ? Number(match[1]) : Number.POSITIVE_INFINITY;
}

export interface Instance {
  name: string;
  port: number;
  base: string;
  child: ChildProcess;
  /** The process listening on the port (where RSS is read). */
  pid: number;
  /** The last lines it printed. */
  logTail: string[];
  /** Lines it logged at level warn or error. */
  warnings: string[];
  exited: Promise<void>;
  /** Port of its inspector (127.0.0.1) when started with one. */
  inspectPort: number | null;
}

const instances = new Set<Instance>();

// Last resort if the process exits without cleanup: kill the instances' process groups.
process.on("exit", () => {
  for (const instance of instances) {
    try {
      process.kill(-instance.child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/**
 * Starts `next start` on 127.0.0.1:`port` and waits until it answers.
 * @param withInspector open Node's inspector on a free 127.0.0.1 port (heap figures in bench/live.ts).
 * @param nodeArgs flags for `node` itself that NODE_OPTIONS does not take (`--cpu-prof`, say).
 */
export async function startInstance(
  name: string,
  port: number,
  env: NodeJS.ProcessEnv,
  withInspector = false,
  nodeArgs: string[] = [],
): Promise<Instance> {
  if (!(await isPortFree(port))) throw new Error(`port ${port} (instance ${name}) is in use; set BENCH_PORT_${name}`);
  const inspectPort = withInspector ? await getFreePort() : null;
  const nodeOptions = [env.NODE_OPTIONS, inspectPort ? `--inspect=${HOST}:${inspectPort}` : undefined].filter(Boolean).join(" ");
  const args = ["start", "-H", HOST, "-p", String(port)];
  // Own process group, so that the launcher and next-server stop together and Ctrl-C reaches only us.
  const child = spawn(nodeArgs.length ? process.execPath : NEXT, nodeArgs.length ? [...nodeArgs, NEXT_JS, ...args] : args, {
    cwd: ROOT,
    env: { ...env, PORT: String(port), ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const instance: Instance = { name, port, base: `http://${HOST}:${port}`, child, pid: 0, logTail: [], warnings: [], exited, inspectPort };
  instances.add(instance);
  const onOutput = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.trim() === "") continue;
      instance.logTail.push(line);
      if (/"level":"(warn|error)"|⨯|Error/.test(line)) instance.warnings.push(line);
    }
    instance.logTail.splice(0, Math.max(0, instance.logTail.length - 80));
  };
  child.stdout?.on("data", onOutput);
  child.stderr?.on("data", onOutput);

  let gone = false;
  void exited.then(() => (gone = true));
  const up = await waitFor(
    async () => {
      if (gone) return true;
      try {
        const res = await fetch(`${instance.base}/api/users/me`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        return true;
      } catch {
        return false;
      }
    },
    60_000,
    250,
  );
  if (gone || !up) {
    await stopInstance(instance);
    throw new Error(`instance ${name} did not start on port ${port}:\n${instance.logTail.join("\n")}`);
  }
  const pid = await listenerPid(port);
  if (!pid) throw new Error(`no process found listening on port ${port}`);
  instance.pid = pid;
  return instance;
}

/** SIGTERM to the instance's process group, SIGKILL after 10 s; waits until the port is free. */
export async function stopInstance(instance: Instance): Promise<void> {
  if (!instances.has(instance)) return;
  const group = -instance.child.pid!;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(group, sig);
    } catch {
      // already gone
    }
  };
  if (instance.child.exitCode === null && instance.child.signalCode === null) {
    signal("SIGTERM");
    const done = await Promise.race([instance.exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!done) signal("SIGKILL");
  }
  // next-server may outlive the launcher for a moment; the group takes it along.
  const freed = await waitFor(async () => (await listenerPid(instance.port)) === null, 10_000, 200);
  if (!freed) {
    signal("SIGKILL");
    await waitFor(async () => (await listenerPid(instance.port)) === null, 5_000, 200);
  }
  instances.delete(instance);
}

export function runToEnd(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: "inherit" });
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Report

export function table(headers: string[], rows: (string | number | null)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null ? "-" : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

export async function gitInfo(): Promise<{ commit: string | null; dirty: boolean | null }> {
  try {
    const [{ stdout: commit }, { stdout: status }] = await Promise.all([
      run("git", ["rev-parse", "HEAD"], { cwd: ROOT }),
      run("git", ["status", "--porcelain"], { cwd: ROOT }),
    ]);
    return { commit: commit.trim(), dirty: status.trim() !== "" };
  } catch {
    return { commit: null, dirty: null };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Database, build, machine

export interface BenchDatabase {
  /** URL of the fresh, migrated database. */
  url: string;
  /** `"BENCH_DATABASE_URL"` or a description of the embedded server. */
  server: string;
}

/**
 * Creates and migrates a fresh database `parley_bench_<random>`: on BENCH_DATABASE_URL's server (dropped at cleanup),
 * or on a throw-away embedded PostgreSQL (deleted whole at cleanup).
 * @param durable run the embedded server with PostgreSQL's default durability (`fsync`, `synchronous_commit`);
 *   when false it runs like the test clusters, with both off.
 * @param statementStats load pg_stat_statements on the embedded server (tracking statements inside functions too)
 *   and create the extension in the database; on BENCH_DATABASE_URL's server only when that server preloads it.
 */
export async function createBenchDatabase(opts: { durable: boolean; statementStats?: boolean }): Promise<BenchDatabase> {
  let adminUrl = process.env.BENCH_DATABASE_URL;
  let server = "BENCH_DATABASE_URL";
  if (!adminUrl) {
    log(`starting a throw-away embedded PostgreSQL${opts.durable ? " (durable commits)" : " (fsync=off)"}`);
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "parley-bench-pg-"));
    // `persistent` is what turns durability on; the directory is deleted here either way.
    const embedded = await startEmbeddedPostgres({
      dataDir,
      persistent: opts.durable,
      extraFlags: opts.statementStats ? ["-c", "shared_preload_libraries=pg_stat_statements", "-c", "pg_stat_statements.track=all"] : [],
    });
    onCleanup("embedded PostgreSQL", async () => {
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
    adminUrl = embedded.url;
    server = opts.durable ? "embedded (durable)" : "embedded (fsync=off)";
  }
  const database = `parley_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  await admin.end();
  if (process.env.BENCH_DATABASE_URL) {
    const dropUrl = adminUrl;
    onCleanup(`database ${database}`, async () => {
      const client = new pg.Client({ connectionString: dropUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    });
  }
  const url = databaseUrlFor(adminUrl, database);
  await migrate(url);
  if (opts.statementStats) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ libs: string }>("SELECT current_setting('shared_preload_libraries') AS libs");
      if (rows[0]?.libs.includes("pg_stat_statements")) await client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      else log("pg_stat_statements is not loaded on this server: no statement figures");
    } finally {
      await client.end();
    }
  }
  return { url, server };
}

/** `next build` (after `prisma generate` when the client is missing), or checks that `.next` holds a build. */
export async function buildApp(env: NodeJS.ProcessEnv, skip: boolean): Promise<void> {
  if (skip) {
    if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) throw new Error("BENCH_SKIP_BUILD=1 but there is no build in .next");
    log("using the existing build in .next (BENCH_SKIP_BUILD=1)");
    return;
  }
  log("next build");
  if (!existsSync(path.join(ROOT, "lib", "generated"))) await runToEnd(process.execPath, [path.join(ROOT, "scripts", "prisma-generate.mjs")], env);
  const code = await runToEnd(NEXT, ["build"], env);
  if (code !== 0) throw new Error(`next build failed (exit ${code})`);
}

/** The environment `next start` instances run with: production, the bench database, a throw-away secret. */
export function instanceEnv(databaseUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    AUTH_SECRET: process.env.AUTH_SECRET ?? `bench-${randomBytes(24).toString("hex")}`,
    NEXT_TELEMETRY_DISABLED: "1",
    // A few actors write thousands of times a second: limits are counted (their cost is part of the figures) but out
    // of reach, unless the environment sets them.
    RATE_LIMIT_WRITES: process.env.RATE_LIMIT_WRITES ?? "100000000/60",
    RATE_LIMIT_TOKEN_CREATION: process.env.RATE_LIMIT_TOKEN_CREATION ?? "100000000/60",
    RATE_LIMIT_SIGN_UP: process.env.RATE_LIMIT_SIGN_UP ?? "100000000/60",
    ...extra,
    NODE_ENV: "production",
  };
}

/** What a report records about the machine, so that figures are compared with their context. */
export async function machineInfo(postgresVersion: string | null, databaseServer: string) {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    next: (JSON.parse(await readFile(path.join(ROOT, "node_modules", "next", "package.json"), "utf8")) as { version: string }).version,
    postgres: postgresVersion,
    database: databaseServer,
    /** 1/5/15-minute load averages: other work on the machine skews the figures. */
    loadAverage: os.loadavg().map((l) => round(l)),
  };
}

/** Writes `report` to bench-results/<prefix>-<timestamp>.json (not committed) and returns the path. */
export async function writeReport(prefix: string, startedAt: Date, report: unknown): Promise<string> {
  await mkdir(path.join(ROOT, "bench-results"), { recursive: true });
  const file = path.join(ROOT, "bench-results", `${prefix}-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

/**
 * A benchmark's command line: parses the options (usage on `--help`, exit 2 on a bad option), then runs `main` with a
 * time budget of `maxMinutes`. Everything registered with {@link onCleanup} is stopped at the end, on an error, on
 * SIGINT/SIGTERM and when the budget runs out; then the process exits with `main`'s code.
 */
export async function runBenchCli<O extends { maxMinutes: number }>(
  parse: (argv: string[]) => O | null,
  usage: string,
  main: (options: O) => Promise<number>,
): Promise<never> {
  let options: O | null;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(`[bench] ${errorText(error)}\n${usage}`);
    process.exit(2);
  }
  if (!options) {
    console.log(usage);
    process.exit(0);
  }
  const parsed = options;
  return runBench(() => main(parsed), parsed.maxMinutes);
}

/** Runs `main` with a time budget and cleanup; see {@link runBenchCli}. */
export async function runBench(main: () => Promise<number>, maxMinutes: number): Promise<never> {
  let exiting = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (exiting) return;
      exiting = true;
      console.error(`[bench] ${signal}: stopping`);
      stopAll.abort();
      void cleanup().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
    });
  }
  const watchdog = setTimeout(() => {
    console.error(`[bench] time budget of ${maxMinutes} min exceeded: stopping`);
    exiting = true;
    stopAll.abort();
    void cleanup().finally(() => process.exit(1));
  }, maxMinutes * 60_000);
  try {
    process.exitCode = await main();
  } catch (error) {
    console.error(`[bench] ${errorText(error)}`);
    process.exitCode = 1;
  } finally {
    stopAll.abort();
    await cleanup();
    clearTimeout(watchdog);
  }
  process.exit(process.exitCode);
}
