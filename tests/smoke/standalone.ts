// The Docker image's steps, without Docker: CI has no Docker engine, so this runs what the image runs and checks it
// over HTTP.
//
//   tsx --conditions=react-server tests/smoke/standalone.ts   (npm run test:standalone; step 4 of `npm test`)
//
// 1. `npm run build` when there is no standalone build in .next yet, or when SMOKE_BUILD=1.
// 2. scripts/assemble-standalone.sh into a fresh temporary directory: the script the Dockerfile runs.
// 3. A throw-away embedded PostgreSQL with an empty database.
// 4. `node server.mjs` in that directory with the image's environment only (NODE_ENV=production,
//    MIGRATE_ON_START=true, DATABASE_URL, AUTH_SECRET, PORT, HOSTNAME; nothing inherited but PATH), as the
//    container starts it; waits for GET /api/ready.
// 5. Over HTTP: two people register and get tokens, one sends the other a message in a new thread, the other's unread
//    count is 1 and 0 after reading; /api/health answers; /sign-in renders and every /_next/static asset it names is
//    served (the assets were copied); every folder of prisma/migrations is recorded as applied (the server migrated
//    the empty database itself).
// 6. SIGTERM with an event stream open and a request still uploading: the stream ends, new connections are refused,
//    the request is answered 201 (and stored), the pool is closed and the server exits 0 within SHUTDOWN_TIMEOUT_MS.
// 7. The server's output: JSON access lines carrying every response's X-Request-Id; no password, token, secret,
//    connection URL or message text anywhere.
// Prints one line per step; on failure, the reason and the server's output, and exits 1.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import http from "node:http";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { getFreePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../../scripts/embedded-postgres";
import { describeError } from "../../scripts/migrate";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The container's entry point, inside the assembled directory (the Dockerfile's CMD). */
const ENTRY = "server.mjs";
const READY_TIMEOUT_MS = 60_000;
const SHUTDOWN_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 15_000;
/** How much of the server's output is kept for a failure report. */
const OUTPUT_LIMIT = 200_000;

class SmokeFailure extends Error {}

/** The child being waited for (build, assembly) and the server: both get our SIGINT/SIGTERM/SIGHUP. */
let current: ChildProcess | undefined;
let serverChild: ChildProcess | undefined;
let receivedSignal: NodeJS.Signals | undefined;

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    receivedSignal ??= signal;
    for (const child of [current, serverChild]) if (child && isRunning(child)) child.kill(signal);
  });
}

function checkInterrupted(): void {
  if (receivedSignal) throw new SmokeFailure(`interrupted by ${receivedSignal}`);
}

function step(message: string): void {
  console.log(`[smoke] ${message}`);
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new SmokeFailure(message);
}

/** Runs a command with inherited stdio; rejects unless it exits with 0. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: "inherit" });
    current = child;
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      current = undefined;
      if (code === 0) resolve();
      else reject(new SmokeFailure(`${command} ${args.join(" ")} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

/** The server process with its combined output and a promise of its exit. */
interface Server {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startServer(cwd: string, env: NodeJS.ProcessEnv): Server {
  const child = spawn(process.execPath, [ENTRY], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  serverChild = child;
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  exited.catch(() => {}); // Read where it matters; an unobserved rejection must not end this script early.
  return { child, output: () => output, exited };
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked field by field where it is read
  json: any;
}

function client(base: string) {
  return async (method: string, url: string, options: { token?: string; body?: unknown } = {}): Promise<HttpResult> => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(new URL(url, base), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      redirect: "manual",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let json: unknown = null;
    if ((response.headers.get("content-type") ?? "").includes("json") && text !== "") json = JSON.parse(text);
    return { status: response.status, headers: response.headers, text, json };
  };
}

function expectStatus(result: HttpResult, expected: number, what: string): void {
  check(result.status === expected, `${what}: expected ${expected}, got ${result.status} ${result.text.slice(0, 500)}`);
}

async function waitUntilReady(server: Server, base: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (!isRunning(server.child)) {
      const { code, signal } = await server.exited;
      throw new SmokeFailure(`the server exited before it was ready (${signal ?? `exit code ${code}`})`);
    }
    try {
      const response = await fetch(new URL("/api/ready", base), { signal: AbortSignal.timeout(5_000) });
      if (response.status === 200) return;
      last = `${response.status} ${(await response.text()).slice(0, 300)}`;
    } catch (error) {
      last = describeError(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new SmokeFailure(`GET /api/ready did not answer 200 within ${READY_TIMEOUT_MS / 1000} s (last: ${last})`);
}

/** Resolves `true` when `promise` does, `false` after `ms`. */
async function withTimeout(promise: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `condition` every 50 ms until it holds. @throws SmokeFailure after `ms`. */
async function waitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new SmokeFailure(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A JSON POST whose headers and first half of the body go out now and the rest on `finish()`: a request that is
 * in flight for as long as the caller wants (node:http, since fetch cannot hold a body back).
 */
function startUpload(base: string, url: string, token: string, body: unknown) {
  const bytes = Buffer.from(JSON.stringify(body));
  const req = http.request(new URL(url, base), {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": bytes.length },
  });
  const response = new Promise<{ status: number; text: string; headers: Headers }>((resolve, reject) => {
    req.once("error", reject);
    req.once("response", (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      res.once("end", () => resolve({ status: res.statusCode ?? 0, text, headers: new Headers(res.headers as Record<string, string>) }));
    });
  });
  response.catch(() => {});
  const half = Math.floor(bytes.length / 2);
  const headersSent = new Promise<void>((resolve) => req.write(bytes.subarray(0, half), () => resolve()));
  return {
    headersSent,
    finish: () => {
      req.end(bytes.subarray(half));
      return response;
    },
  };
}

async function main(): Promise<number> {
  let outDir: string | undefined;
  let database: EmbeddedPostgresHandle | undefined;
  let server: Server | undefined;
  let failed = false;
  try {
    const built =
      existsSync(path.join(ROOT, ".next", "BUILD_ID")) && existsSync(path.join(ROOT, ".next", "standalone", "server.js"));
    if (!built || process.env.SMOKE_BUILD === "1") {
      step(built ? "SMOKE_BUILD=1: npm run build" : "No standalone build in .next: npm run build");
      await run("npm", ["run", "build"], { ...process.env, NEXT_TELEMETRY_DISABLED: "1" });
    } else {
      step("Using the existing build in .next (SMOKE_BUILD=1 rebuilds)");
    }

    checkInterrupted();
    outDir = await mkdtemp(path.join(os.tmpdir(), "parley-standalone-"));
    await run("sh", [path.join(ROOT, "scripts", "assemble-standalone.sh"), outDir]);
    check(existsSync(path.join(outDir, ENTRY)), `${ENTRY} is missing from ${outDir}`);

    const dataDir = await mkdtemp(path.join(os.tmpdir(), "parley-smoke-pg-"));
    database = await startEmbeddedPostgres({ dataDir, port: await getFreePort(), persistent: false });
    step(`Embedded PostgreSQL on port ${database.port}: an empty database`);

    checkInterrupted();
    const port = await getFreePort();
    const base = `http://127.0.0.1:${port}`;
    // What the container has (Dockerfile ENV, docker-compose.yml environment) and nothing else from this process.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      MIGRATE_ON_START: "true",
      DATABASE_URL: database.url,
      AUTH_SECRET: randomBytes(32).toString("base64url"),
    };
    const startedAt = Date.now();
    server = startServer(outDir, env);
    step(`node ${ENTRY} (pid ${server.child.pid}) on ${base}, MIGRATE_ON_START=true`);
    await waitUntilReady(server, base);
    step(`GET /api/ready: 200 after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

    const http = client(base);
    expectStatus(await http("GET", "/api/health"), 200, "GET /api/health");
    step("GET /api/health: 200");

    // The project's folders, not the assembled copy: a folder the assembly missed counts as not applied.
    const migrationsDir = path.join(ROOT, "prisma", "migrations");
    const expected = (await readdir(migrationsDir, { withFileTypes: true }))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    const pgClient = new pg.Client({ connectionString: database.url });
    await pgClient.connect();
    let applied: string[];
    try {
      const { rows } = await pgClient.query<{ migration_name: string }>(
        `SELECT migration_name FROM _prisma_migrations
          WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
      );
      applied = rows.map((row) => row.migration_name);
    } finally {
      await pgClient.end();
    }
    const missing = expected.filter((name) => !applied.includes(name));
    check(expected.length > 0, `no migration folders in ${migrationsDir}`);
    check(missing.length === 0, `migrations not applied by the server: ${missing.join(", ")}`);
    step(`_prisma_migrations: all ${expected.length} migrations applied by the server at start`);

    const suffix = randomBytes(4).toString("hex");
    const password = "smoke-test-password";
    const people = [`ada_${suffix}`, `grace_${suffix}`];
    const ids: string[] = [];
    const tokens: string[] = [];
    for (const username of people) {
      const registered = await http("POST", "/api/auth/register", { body: { username, password } });
      expectStatus(registered, 201, `POST /api/auth/register (${username})`);
      check(typeof registered.json?.id === "string", `POST /api/auth/register: no id in ${registered.text}`);
      ids.push(registered.json.id);
      const issued = await http("POST", "/api/tokens", { body: { username, password, name: "smoke" } });
      expectStatus(issued, 201, `POST /api/tokens (${username})`);
      check(typeof issued.json?.token === "string", `POST /api/tokens: no token in ${issued.text}`);
      tokens.push(issued.json.token);
    }
    const [ada, grace] = tokens as [string, string];
    step(`Registered ${people.join(" and ")}, a token for each`);

    const thread = await http("POST", "/api/threads", { token: ada, body: { participantIds: [ids[1]] } });
    expectStatus(thread, 201, "POST /api/threads");
    const threadId: string = thread.json.id;
    const sent = await http("POST", `/api/threads/${threadId}/messages`, {
      token: ada,
      body: { text: "Hello from the standalone smoke test", clientMessageId: `smoke-${suffix}` },
    });
    expectStatus(sent, 201, "POST /api/threads/{id}/messages");
    step("Created a thread and sent a message: 201, 201");

    const unread = await http("GET", "/api/unread", { token: grace });
    expectStatus(unread, 200, "GET /api/unread");
    check(unread.json?.total === 1, `GET /api/unread: expected total 1, got ${unread.text}`);
    const read = await http("POST", `/api/threads/${threadId}/read`, { token: grace });
    expectStatus(read, 200, "POST /api/threads/{id}/read");
    check(read.json?.unreadCount === 0, `POST /api/threads/{id}/read: expected unreadCount 0, got ${read.text}`);
    const after = await http("GET", "/api/unread", { token: grace });
    expectStatus(after, 200, "GET /api/unread");
    check(after.json?.total === 0, `GET /api/unread after reading: expected total 0, got ${after.text}`);
    step("Recipient's unread total: 1, then 0 after reading");

    const page = await http("GET", "/sign-in");
    expectStatus(page, 200, "GET /sign-in");
    const assets = [...new Set(page.text.match(/\/_next\/static\/[^"'\s<>\\)]+/g) ?? [])];
    check(assets.some((asset) => asset.endsWith(".js")), "GET /sign-in: the page names no /_next/static/…js asset");
    for (const asset of assets.slice(0, 50)) {
      const response = await fetch(new URL(asset, base), { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      await response.arrayBuffer();
      check(response.status === 200, `GET ${asset}: expected 200, got ${response.status} (static assets not copied?)`);
    }
    const css = assets.filter((asset) => asset.endsWith(".css")).length;
    step(`GET /sign-in: 200; its ${assets.length} /_next/static assets (${css} CSS): 200`);

    // Graceful shutdown, as `docker stop` asks for it: an open event stream and a request still being uploaded when
    // SIGTERM arrives. The stream must end, new connections must be refused, the upload must still be answered 201,
    // and the server must close its pool and exit 0.
    const stream = await fetch(new URL("/api/events", base), { headers: { authorization: `Bearer ${grace}` } });
    check(stream.status === 200 && stream.body, `GET /api/events: expected a stream, got ${stream.status}`);
    const streamReader = stream.body.getReader();
    const streamEnded = (async () => {
      for (;;) if ((await streamReader.read()).done) return true;
    })();
    const lateText = `sent while the server drains ${suffix}`;
    const upload = startUpload(base, `/api/threads/${threadId}/messages`, ada, { text: lateText, clientMessageId: `late-${suffix}` });
    await upload.headersSent;

    const { child } = server;
    child.kill("SIGTERM");
    const stopping = Date.now();
    await waitFor(() => server!.output().includes("SIGTERM: draining"), SHUTDOWN_TIMEOUT_MS, "the server to log that it drains");
    check(await withTimeout(streamEnded, SHUTDOWN_TIMEOUT_MS), "the event stream did not end after SIGTERM");
    const refused = await fetch(new URL("/api/health", base), { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }).then(
      (r) => `answered ${r.status}`,
      (e: unknown) => describeError((e as { cause?: unknown }).cause ?? e),
    );
    check(/ECONNREFUSED/.test(refused), `a new connection after SIGTERM was not refused: ${refused}`);
    const late = await upload.finish();
    check(late.status === 201, `the request in flight at SIGTERM: expected 201, got ${late.status} ${late.text.slice(0, 300)}`);
    step("SIGTERM: event stream ended, new connections refused, the request in flight answered 201");

    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      server.exited,
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), SHUTDOWN_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    check(outcome !== null, `the server did not exit within ${SHUTDOWN_TIMEOUT_MS / 1000} s of SIGTERM`);
    const seconds = ((Date.now() - stopping) / 1000).toFixed(1);
    check(outcome.code === 0, `after SIGTERM the server exited with ${outcome.signal ?? `code ${outcome.code}`}, not 0`);
    check(server.output().includes('"msg":"database pool closed"'), "the server exited without closing its database pool");
    step(`SIGTERM: pool closed, exited with code 0 after ${seconds} s`);

    const stored = new pg.Client({ connectionString: database.url });
    await stored.connect();
    try {
      const { rowCount } = await stored.query("SELECT 1 FROM messages WHERE text = $1", [lateText]);
      check(rowCount === 1, "the message answered 201 during the drain is not in the database");
    } finally {
      await stored.end();
    }

    // Logs: JSON lines; an access line per API request carrying the response's X-Request-Id; no secrets, no texts.
    const lines = server.output().split("\n").filter((line) => line.startsWith("{"));
    const accessIds = new Set(lines.map((line) => JSON.parse(line) as { msg?: string; requestId?: string }).filter((l) => l.msg === "request").map((l) => l.requestId));
    const seenIds = [sent, unread, read, after, late].map((r) => r.headers.get("x-request-id"));
    check(seenIds.every((id) => id && accessIds.has(id)), `access lines lack request ids ${seenIds.filter((id) => !accessIds.has(id ?? "")).join(", ")}`);
    for (const secret of [password, ada, grace, "Hello from the standalone smoke test", lateText, env.AUTH_SECRET!, database.url]) {
      check(!server.output().includes(secret), `the server's output contains a secret or a message text: ${secret.slice(0, 12)}…`);
    }
    step(`Logs: ${lines.length} JSON lines, access lines carry X-Request-Id, no passwords, tokens or message texts`);

    checkInterrupted();
    step("Passed");
    return 0;
  } catch (error) {
    failed = true;
    if (receivedSignal) {
      console.error(`[smoke] Interrupted by ${receivedSignal}`);
      return 128 + (os.constants.signals[receivedSignal] ?? 0);
    }
    console.error(`[smoke] FAILED: ${error instanceof SmokeFailure ? error.message : describeError(error)}`);
    if (server) {
      console.error(`[smoke] --- output of node ${ENTRY} ---\n${server.output().trimEnd()}\n[smoke] --- end of output ---`);
    }
    if (outDir) console.error(`[smoke] The assembled directory is kept for inspection: ${outDir}`);
    return 1;
  } finally {
    if (server && isRunning(server.child)) {
      server.child.kill("SIGKILL");
      await server.exited.catch(() => {});
    }
    await database?.stop().catch((error: unknown) => console.error(`[smoke] Stopping PostgreSQL: ${describeError(error)}`));
    if (outDir && (!failed || receivedSignal)) await rm(outDir, { recursive: true, force: true });
  }
}

process.exit(await main());
