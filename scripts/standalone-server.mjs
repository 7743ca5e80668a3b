// @ts-check
// The production server: `node server.mjs` in the directory scripts/assemble-standalone.sh builds from Next's
// `output: "standalone"` (the Docker image's CMD; `npm start` and the browser tests run it too).
//
// It does what the generated `server.js` does (Next's own request handler, the build's config), with two differences:
//
// It owns its HTTP server, so that SIGTERM drains instead of exiting (docs/decisions.md, "Graceful shutdown"):
//   1. readiness fails, event streams end (clients reconnect elsewhere with Last-Event-ID), LISTEN connections close;
//   2. the server stops accepting connections; idle keep-alive connections close; in-flight requests finish, for at
//      most SHUTDOWN_GRACE_SECONDS (default 8, under `docker stop`'s 10), after which the rest are cut;
//   3. Next's own cleanup runs (`after()` callbacks), then the database pool ends; exit code 0.
// A second SIGTERM or SIGINT, a second or more after the first, exits at once (code 130/143). (Sooner, it is the same
// one: a terminal's Ctrl-C reaches every process of its group, and `npm start` forwards it as well.)
//
// It can run several processes on one port (WEB_CONCURRENCY, as gunicorn and Heroku name it; scripts/web-concurrency.mjs):
// a primary forks that many workers with node:cluster, which share the listening socket; each worker is the server
// above, with its own database pool and its own LISTEN connections. On SIGTERM the primary tells every worker to
// drain and exits once all have exited, with 0 only if each exited 0. A worker that dies is replaced (and logged); a
// replacement that fails before it listens is tried again after 1 s, 2 s, 4 s … (30 s at most); more than 10
// replacements within a minute stop the server. At start, though, a worker that fails before it listens (a bad
// setting, say) stops the whole server with its exit code: repeating it would change nothing.
//
//   PORT (default 3000), HOSTNAME (default 0.0.0.0), KEEP_ALIVE_TIMEOUT (ms, Node's default when unset),
//   WEB_CONCURRENCY (default 1: one process, no cluster; `auto`: one per available CPU)
//   Everything else is the app's: lib/config.ts, validated when Next loads instrumentation.ts.
import cluster from "node:cluster";
import http from "node:http";
import module from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { webConcurrency } from "./web-concurrency.mjs";

const require = module.createRequire(import.meta.url);
const dir = path.dirname(fileURLToPath(import.meta.url));
process.env.NODE_ENV = "production";
process.chdir(dir);

const port = Number(process.env.PORT || 3000);
const hostname = process.env.HOSTNAME || "0.0.0.0";
const graceSeconds = Number(process.env.SHUTDOWN_GRACE_SECONDS || 8);
const keepAliveTimeout = Number(process.env.KEEP_ALIVE_TIMEOUT);
if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`Invalid setting PORT: expected a TCP port, got "${process.env.PORT}"`);
if (!Number.isFinite(graceSeconds) || graceSeconds < 0) fail(`Invalid setting SHUTDOWN_GRACE_SECONDS: expected a number of seconds`);
/** Signals this soon after the first are the same request to stop, not a second one (see the top). */
const REPEAT_SIGNAL_MS = 1000;
/** More replacements than this within {@link RESTART_WINDOW_MS}: the workers keep crashing; the primary gives up. */
const MAX_RESTARTS = 10;
const RESTART_WINDOW_MS = 60_000;
/** The primary's message asking a worker to drain (a worker does not rely on getting the signal itself). */
const SHUTDOWN_MESSAGE = "parley:shutdown";

/** One JSON line, as the app's pino logger writes them (level numbers are pino's). */
function logLine(level, msg, fields = {}) {
  const worker = cluster.isWorker ? { pid: process.pid } : {};
  process.stdout.write(`${JSON.stringify({ level, time: Date.now(), service: "parley", msg, ...worker, ...fields })}\n`);
}

/** @param {string} msg */
function fail(msg) {
  logLine(60, `Cannot start: ${msg}`);
  process.exit(1);
}

const exitCodeOf = (/** @type {NodeJS.Signals} */ signal) => (signal === "SIGINT" ? 130 : 143);

if (cluster.isPrimary) {
  let workers = 1;
  try {
    workers = webConcurrency();
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (workers > 1) runPrimary(workers);
  else await serve();
} else {
  await serve();
}

/**
 * The cluster's primary: forks `count` workers, replaces those that die, and on SIGTERM/SIGINT has them all drain.
 * It loads nothing of the app itself.
 * @param {number} count
 */
function runPrimary(count) {
  logLine(30, `starting ${count} worker processes (WEB_CONCURRENCY)`, { workers: count });
  /** Workers that have listened: one that exits before it did failed to start. */
  const started = new Set();
  /** When workers were replaced, for the crash-loop limit. */
  const restarts = [];
  /** Replacements in a row that failed before they listened (the database away, say): each waits longer. */
  let failedStarts = 0;
  let stopping = false;
  let stoppedAt = 0;
  let exitCode = 0;
  let announced = false;

  // A worker leaves `cluster.workers` only once it has both exited and disconnected, in either order (Node docs,
  // "cluster.workers"): in an `exit` handler it may still be listed.
  const alive = () => Object.values(cluster.workers ?? {}).filter((w) => w !== undefined && !w.isDead());
  const stopAll = () => {
    for (const worker of alive()) if (worker.isConnected()) worker.send(SHUTDOWN_MESSAGE);
    if (alive().length === 0) finish();
  };
  const finish = () => {
    logLine(30, exitCode === 0 ? "stopped: every worker drained" : "stopped", { exitCode });
    process.exit(exitCode);
  };

  cluster.on("listening", (worker) => {
    started.add(worker.id);
    failedStarts = 0;
    if (!announced && started.size === count) {
      announced = true;
      logLine(30, `listening on http://${hostname}:${port}`, { workers: count });
    }
  });
  cluster.on("exit", (worker, code, signal) => {
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (stopping) {
      if (code !== 0) exitCode = 1;
      if (alive().length === 0) finish();
      return;
    }
    const listened = started.delete(worker.id);
    if (!announced && !listened && code !== 0) {
      // At start: a bad setting or a build that cannot run; replacing it would only repeat the failure.
      logLine(60, `worker ${worker.process.pid} failed to start (${how}): stopping`);
      stopping = true;
      exitCode = code || 1;
      return stopAll();
    }
    failedStarts = listened ? 0 : failedStarts + 1;
    const now = Date.now();
    restarts.push(now);
    while (restarts.length && restarts[0] < now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS) {
      logLine(60, `workers died ${restarts.length} times within ${RESTART_WINDOW_MS / 1000} s: stopping`);
      stopping = true;
      exitCode = 1;
      return stopAll();
    }
    // A replacement that failed before it listened waits 1 s, 2 s, 4 s … (at most 30 s) before the next try.
    const delay = failedStarts === 0 ? 0 : Math.min(30_000, 1000 * 2 ** (failedStarts - 1));
    logLine(50, `worker ${worker.process.pid} exited (${how}): starting a replacement${delay ? ` in ${delay / 1000} s` : ""}`, {
      exitCode: code,
      signal,
    });
    setTimeout(() => {
      if (!stopping) cluster.fork();
    }, delay);
  });

  for (const signal of /** @type {const} */ (["SIGTERM", "SIGINT"])) {
    process.on(signal, () => {
      if (stopping) {
        if (Date.now() - stoppedAt < REPEAT_SIGNAL_MS) return;
        logLine(40, `${signal} again: workers told to exit without waiting`);
        for (const worker of alive()) worker.process.kill(signal);
        process.exit(exitCodeOf(signal));
      }
      stopping = true;
      stoppedAt = Date.now();
      logLine(30, `${signal}: draining ${alive().length} workers`);
      stopAll();
    });
  }
  for (let i = 0; i < count; i++) cluster.fork();
}

/**
 * What the app publishes for the shutdown (lib/infra/lifecycle.ts); absent until instrumentation.ts has run.
 * @returns {{ beginDrain(): Promise<void>, closeResources(): Promise<void> } | undefined}
 */
function lifecycle() {
  return /** @type {any} */ (globalThis)[Symbol.for("parley.lifecycle")];
}

/** One server process: Next's handler behind our own HTTP server, which drains on SIGTERM (see the top). */
async function serve() {
  let stopping = false;
  let stoppedAt = 0;
  /** Drains the server once it listens; until then a stop ends the process at once (there is nothing to drain). */
  let drain = (/** @type {string} */ why) => {
    logLine(30, `${why} while starting: stopped`);
    process.exit(0);
  };
  const requestStop = (/** @type {string} */ why, /** @type {NodeJS.Signals | null} */ signal) => {
    if (!stopping) {
      stopping = true;
      stoppedAt = Date.now();
      return void drain(why);
    }
    if (signal === null || Date.now() - stoppedAt < REPEAT_SIGNAL_MS) return;
    logLine(40, `${signal} again: exiting without waiting`);
    process.exit(exitCodeOf(signal));
  };
  for (const signal of /** @type {const} */ (["SIGTERM", "SIGINT"])) process.on(signal, () => requestStop(signal, signal));
  // In a cluster, the primary asks for the drain (it may be the only one that got the signal).
  process.on("message", (message) => {
    if (message === SHUTDOWN_MESSAGE) requestStop("asked to stop by the primary", null);
  });

  // The config Next wrote at build time (the generated server.js embeds the same object).
  const { config } = require("./.next/required-server-files.json");
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(config);
  const next = require("next");

  const app = next({ dir, dev: false, conf: config, hostname, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  // Next runs instrumentation.ts's register() (settings checked, migrations applied: lib/infra/boot.ts) while it
  // prepares, but does not hold prepare() for it: listen only once it has published the lifecycle. A failing boot
  // ends the process itself.
  for (let waited = 0; !lifecycle(); waited += 50) {
    if (waited === 5000) logLine(30, "waiting for start-up (migrations)");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const server = http.createServer((req, res) => {
    // While draining, a keep-alive connection closes as soon as its request is answered.
    if (stopping) res.setHeader("connection", "close");
    else res.once("finish", () => stopping && setImmediate(() => server.closeIdleConnections()));
    handle(req, res).catch((error) => {
      logLine(50, "request failed outside the app", { err: { message: String(error?.message ?? error) } });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  if (Number.isFinite(keepAliveTimeout) && keepAliveTimeout >= 0) server.keepAliveTimeout = keepAliveTimeout;
  server.on("error", (error) => fail(`cannot listen on ${hostname}:${port}: ${error.message}`));
  server.listen(port, hostname, () => logLine(30, `listening on http://${hostname}:${port}`));

  drain = async (why) => {
    logLine(30, `${why}: draining`, { graceSeconds });
    const closed = new Promise((resolve) => server.close(resolve));
    await lifecycle()?.beginDrain().catch((error) => logLine(50, "draining failed", { err: { message: String(error) } }));
    server.closeIdleConnections();
    const timer = setTimeout(() => {
      logLine(40, `requests still running after ${graceSeconds} s: closing their connections`);
      server.closeAllConnections();
    }, graceSeconds * 1000);
    await closed;
    clearTimeout(timer);
    await app.close().catch((error) => logLine(50, "closing Next failed", { err: { message: String(error) } }));
    await lifecycle()?.closeResources().catch((error) => logLine(50, "closing the pool failed", { err: { message: String(error) } }));
    logLine(30, "stopped");
    process.exit(0);
  };
}
