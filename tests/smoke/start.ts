// `npm start` as people run it, several at a time (issue 14): from this checkout's production build, against a test
// PostgreSQL server, each as a process group stopped the way a terminal's Ctrl-C stops it.
//
//   tsx --conditions=react-server tests/smoke/start.ts [seed|checkout|together|workers …]
//                                    (npm run test:start; step 5 of `npm test`)
//
// With names, only those scenarios run (numbered below in that order).
// TEST_DATABASE_URL names the server (its role needs CREATEDB); without it a throw-away embedded one is started.
// `npm run build` runs first when there is no build. Each scenario gets a database of its own:
// 1. Demo accounts only where asked: `DATABASE_URL=… npm start` seeds nothing and says why; with NODE_ENV=production
//    and SEED_DEMO=true it refuses to start and seeds nothing; `npm start -- --seed` seeds the empty database.
// 2. A second instance from the same checkout (another PORT) leaves the first one serving its pages and assets.
// 3. Two instances started together on one empty database with --seed both start, and the demo data is there once.
// 4. WEB_CONCURRENCY=2: two worker processes serve; one killed is replaced and the server keeps answering; Ctrl-C
//    drains both and the server exits 0.
// Prints one line per check; on failure, the reason and the servers' output, and exits 1.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { databaseUrlFor, getFreePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../../scripts/embedded-postgres";
import { describeError } from "../../scripts/migrate";
import { childrenOf } from "../../scripts/processes";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const READY_TIMEOUT_MS = 90_000;
const EXIT_TIMEOUT_MS = 30_000;
const AUTH_SECRET = "smoke-start-secret-not-for-production-0123456789";

class SmokeFailure extends Error {}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new SmokeFailure(message);
}

const step = (message: string) => console.log(`[smoke-start] ${message}`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 100 ms; throws naming `what` after `ms`. */
async function waitFor(condition: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new SmokeFailure(`gave up waiting for ${what}`);
    await pause(100);
  }
}

/** One `npm start` (scripts/run.ts start) in a process group of its own, with its output. */
class Instance {
  readonly child: ChildProcess;
  output = "";
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  readonly base: string;

  constructor(
    readonly name: string,
    port: number,
    env: Record<string, string>,
    args: string[] = [],
  ) {
    this.base = `http://127.0.0.1:${port}`;
    this.child = spawn(TSX, ["--conditions=react-server", "scripts/run.ts", "start", ...args], {
      cwd: ROOT,
      // Only what a person's shell would have, plus the settings of the scenario.
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        PORT: String(port),
        HOSTNAME: "127.0.0.1",
        AUTH_SECRET,
        LOG_LEVEL: "warn",
        ...env,
      } as unknown as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const collect = (chunk: Buffer) => (this.output += chunk.toString("utf8"));
    this.child.stdout?.on("data", collect);
    this.child.stderr?.on("data", collect);
    this.child.once("exit", (code, signal) => (this.exit = { code, signal }));
    instances.push(this);
  }

  get running(): boolean {
    return this.exit === null;
  }

  async status(urlPath: string): Promise<number> {
    try {
      return (await fetch(`${this.base}${urlPath}`, { signal: AbortSignal.timeout(10_000) })).status;
    } catch {
      return 0;
    }
  }

  async ready(): Promise<void> {
    await waitFor(async () => {
      if (!this.running) throw new SmokeFailure(`${this.name} exited before it was ready (${JSON.stringify(this.exit)})`);
      return (await this.status("/api/ready")) === 200;
    }, READY_TIMEOUT_MS, `${this.name} to answer /api/ready`);
  }

  /** Ctrl-C, as a terminal sends it: SIGINT to every process of the group. */
  interrupt(): void {
    if (this.running) process.kill(-this.child.pid!, "SIGINT");
  }

  async exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    await waitFor(() => !this.running, EXIT_TIMEOUT_MS, `${this.name} to exit`);
    return this.exit!;
  }

  async stop(): Promise<void> {
    this.interrupt();
    const { code, signal } = await this.exited();
    check(code === 0, `${this.name} exited with ${signal ?? `code ${code}`} after Ctrl-C, not 0`);
  }
}

const instances: Instance[] = [];

let admin: string;
const databases: string[] = [];

async function sql<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** A new empty database on the test server; its URL. */
async function freshDatabase(): Promise<string> {
  const name = `parley_start_${Math.random().toString(16).slice(2, 10)}`;
  await sql(admin, `CREATE DATABASE ${name}`);
  databases.push(name);
  return databaseUrlFor(admin, name);
}

const userCount = async (url: string) => Number((await sql<{ n: number }>(url, "SELECT count(*)::int AS n FROM users"))[0]!.n);

/** The pid of the `server.mjs` process under `instance` (the single server, or the cluster's primary). */
async function serverPid(instance: Instance): Promise<number> {
  const queue = [instance.child.pid!];
  while (queue.length) {
    const pid = queue.shift()!;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes("server.mjs")) return pid;
    queue.push(...(await childrenOf(pid)));
  }
  throw new SmokeFailure(`no server.mjs process under ${instance.name}`);
}

async function demoDataOnlyWhereAsked(): Promise<void> {
  const url = await freshDatabase();
  const plain = new Instance("npm start", await getFreePort(), { DATABASE_URL: url });
  await plain.ready();
  check((await userCount(url)) === 0, "npm start seeded the demo accounts into DATABASE_URL's database");
  check(plain.output.includes("Not seeding demo data: DATABASE_URL names a database of your own"), "npm start did not say why it did not seed");
  await plain.stop();
  step("DATABASE_URL=… npm start: no demo accounts, and the log says why");

  const production = new Instance("production", await getFreePort(), { DATABASE_URL: url, NODE_ENV: "production", SEED_DEMO: "true" });
  const { code } = await production.exited();
  check(code === 1, `NODE_ENV=production SEED_DEMO=true npm start exited with ${code}, not 1`);
  check(production.output.includes("set SEED_DEMO=production"), "the refusal does not say how to insist");
  check((await userCount(url)) === 0, "the refused start seeded anyway");
  step("NODE_ENV=production SEED_DEMO=true: refused before anything started, nothing seeded");

  const asked = new Instance("npm start -- --seed", await getFreePort(), { DATABASE_URL: url }, ["--seed"]);
  await asked.ready();
  check((await userCount(url)) === 5, "npm start -- --seed did not seed the five demo accounts");
  await asked.stop();
  step("npm start -- --seed: the empty database got the demo accounts");
}

async function twoInstancesFromOneCheckout(): Promise<void> {
  const url = await freshDatabase();
  const first = new Instance("first", await getFreePort(), { DATABASE_URL: url });
  await first.ready();
  const page = await fetch(`${first.base}/sign-in`);
  check(page.status === 200, `the first instance's /sign-in answered ${page.status}`);
  const asset = /\/_next\/static\/[^"]+\.js/.exec(await page.text())?.[0];
  check(asset, "no script on /sign-in");

  // The first instance is asked for its pages all the while the second starts, including pages it has not rendered
  // yet (Next loads each route's files on first use).
  const paths = ["/sign-in", "/sign-up", "/docs", "/", asset];
  const answers: string[] = [];
  const second = new Instance("second", await getFreePort(), { DATABASE_URL: url });
  let polling = true;
  const poller = (async () => {
    for (let i = 0; polling; i++) {
      const urlPath = paths[i % paths.length]!;
      const status = await first.status(urlPath);
      // (`/` redirects a signed-out visitor to /sign-in, which fetch follows.)
      if (status !== 200) answers.push(`${urlPath}: ${status}`);
    }
  })();
  try {
    await second.ready();
  } finally {
    polling = false;
    await poller;
  }
  check(answers.length === 0, `the first instance failed while the second started: ${answers.slice(0, 5).join(", ")}`);
  for (const instance of [first, second]) {
    for (const urlPath of ["/sign-in", "/sign-up", asset]) {
      const status = await instance.status(urlPath);
      check(status === 200, `${instance.name} instance answered ${urlPath} with ${status} once both ran`);
    }
  }
  await Promise.all([first.stop(), second.stop()]);
  step("a second npm start from the same checkout: both serve pages and assets");
}

async function twoInstancesOnOneEmptyDatabase(): Promise<void> {
  const url = await freshDatabase();
  const pair = [
    new Instance("left", await getFreePort(), { DATABASE_URL: url }, ["--seed"]),
    new Instance("right", await getFreePort(), { DATABASE_URL: url }, ["--seed"]),
  ];
  await Promise.all(pair.map((i) => i.ready()));
  check((await userCount(url)) === 5, `${await userCount(url)} users after two seeding starts, not 5`);
  check(pair.filter((i) => i.output.includes("not seeding")).length === 1, "not exactly one instance found the database seeded");
  await Promise.all(pair.map((i) => i.stop()));
  step("two npm start --seed at once on one empty database: both started, demo data seeded once");
}

async function workers(): Promise<void> {
  const url = await freshDatabase();
  const server = new Instance("WEB_CONCURRENCY=2", await getFreePort(), { DATABASE_URL: url, WEB_CONCURRENCY: "2", LOG_LEVEL: "info" });
  await server.ready();
  const primary = await serverPid(server);
  const before = await childrenOf(primary);
  check(before.length === 2, `${before.length} worker processes, not 2`);
  process.kill(before[0]!, "SIGKILL");
  await waitFor(() => server.output.includes(`worker ${before[0]} exited (signal SIGKILL): starting a replacement`), READY_TIMEOUT_MS, "the replacement to be logged");
  let replacement = 0;
  await waitFor(async () => {
    const now = await childrenOf(primary);
    replacement = now.find((pid) => !before.includes(pid)) ?? 0;
    return now.length === 2 && replacement > 0;
  }, READY_TIMEOUT_MS, "a replacement worker");
  const listens = (pid: number) => server.output.split("\n").some((line) => line.includes('"msg":"listening on') && line.includes(`"pid":${pid}`));
  await waitFor(() => listens(replacement), READY_TIMEOUT_MS, "the replacement to listen");
  for (let i = 0; i < 20; i++) {
    const status = await server.status("/api/ready");
    check(status === 200, `the server answered ${status} after a worker was replaced`);
  }
  await server.stop();
  check(server.output.includes("stopped: every worker drained"), "the primary did not report that every worker drained");
  step("WEB_CONCURRENCY=2: two workers, a killed one replaced, Ctrl-C drained both and exited 0");
}

async function main(): Promise<number> {
  let embedded: EmbeddedPostgresHandle | undefined;
  let dataDir: string | undefined;
  try {
    if (!existsSync(path.join(ROOT, ".next", "standalone", "server.js"))) {
      step("no standalone build: npm run build");
      const code = await new Promise<number | null>((resolve) =>
        spawn("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" }).once("exit", resolve),
      );
      check(code === 0, "npm run build failed");
    }
    admin = process.env.TEST_DATABASE_URL ?? "";
    if (!admin) {
      dataDir = await mkdtemp(path.join(os.tmpdir(), "parley-smoke-start-pg-"));
      embedded = await startEmbeddedPostgres({ dataDir, port: await getFreePort(), persistent: false });
      admin = embedded.url;
    }
    const scenarios = { seed: demoDataOnlyWhereAsked, checkout: twoInstancesFromOneCheckout, together: twoInstancesOnOneEmptyDatabase, workers };
    const chosen = process.argv.slice(2);
    const unknown = chosen.filter((name) => !Object.hasOwn(scenarios, name));
    check(unknown.length === 0, `unknown scenario ${unknown.join(", ")}: choose among ${Object.keys(scenarios).join(", ")}`);
    for (const [name, run] of Object.entries(scenarios)) if (chosen.length === 0 || chosen.includes(name)) await run();
    step("Passed");
    return 0;
  } catch (error) {
    console.error(`[smoke-start] FAILED: ${error instanceof SmokeFailure ? error.message : describeError(error)}`);
    for (const instance of instances) console.error(`\n--- ${instance.name} (${JSON.stringify(instance.exit)}) ---\n${instance.output.slice(-20_000)}`);
    return 1;
  } finally {
    for (const instance of instances) {
      if (instance.running) process.kill(-instance.child.pid!, "SIGKILL");
    }
    for (const name of databases) await sql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { force: true, recursive: true }).catch(() => undefined);
  }
}

process.exit(await main());
