// @ts-check
// The production server: `node server.mjs` in the directory scripts/assemble-standalone.sh builds from Next's
// `output: "standalone"` (the Docker image's CMD; `npm start` and the browser tests run it too).
//
// It does what the generated `server.js` does (Next's own request handler, the build's config), with one difference:
// it owns its HTTP server, so that SIGTERM drains instead of exiting (docs/decisions.md, "Graceful shutdown"):
//   1. readiness fails, event streams end (clients reconnect elsewhere with Last-Event-ID), LISTEN connections close;
//   2. the server stops accepting connections; idle keep-alive connections close; in-flight requests finish, for at
//      most SHUTDOWN_GRACE_SECONDS (default 8, under `docker stop`'s 10), after which the rest are cut;
//   3. Next's own cleanup runs (`after()` callbacks), then the database pool ends; exit code 0.
// A second SIGTERM or SIGINT exits at once (code 130/143).
//
//   PORT (default 3000), HOSTNAME (default 0.0.0.0), KEEP_ALIVE_TIMEOUT (ms, Node's default when unset)
//   Everything else is the app's: lib/config.ts, validated when Next loads instrumentation.ts.
import http from "node:http";
import module from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

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

/** One JSON line, as the app's pino logger writes them (level numbers are pino's). */
function logLine(level, msg, fields = {}) {
  process.stdout.write(`${JSON.stringify({ level, time: Date.now(), service: "parley", msg, ...fields })}\n`);
}

/** @param {string} msg */
function fail(msg) {
  logLine(60, `Cannot start: ${msg}`);
  process.exit(1);
}

/**
 * What the app publishes for the shutdown (lib/server/lifecycle.ts); absent until instrumentation.ts has run.
 * @returns {{ beginDrain(): Promise<void>, closeResources(): Promise<void> } | undefined}
 */
const lifecycle = () => /** @type {any} */ (globalThis)[Symbol.for("parley.lifecycle")];

// The config Next wrote at build time (the generated server.js embeds the same object).
const { config } = require("./.next/required-server-files.json");
process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(config);
const next = require("next");

const app = next({ dir, dev: false, conf: config, hostname, port });
await app.prepare();
const handle = app.getRequestHandler();
// Next runs instrumentation.ts's register() (settings checked, migrations applied: lib/server/boot.ts) while it
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

let stopping = false;
/** @param {NodeJS.Signals} signal */
async function shutdown(signal) {
  if (stopping) {
    logLine(40, `${signal} again: exiting without waiting`);
    process.exit(signal === "SIGINT" ? 130 : 143);
  }
  stopping = true;
  logLine(30, `${signal}: draining`, { graceSeconds });
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
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
