// `npm run dev` / `npm start`: database, migrations, seed, secret, then Next.js.
//
//   tsx --conditions=react-server scripts/run.ts dev|start [--seed]
//
// - DATABASE_URL unset: starts the embedded PostgreSQL kept in .data/postgres (stopped again on exit). While another
//   run uses it, refuses to start and prints the DATABASE_URL that shares it.
// - Always: applies pending migrations (under Prisma's advisory lock: instances starting together take turns).
// - Demo data (prisma/seed.ts, `demoSeedPlan`): into the embedded database when it has no users; into DATABASE_URL's
//   only with --seed or SEED_DEMO=true, and with NODE_ENV=production only with SEED_DEMO=production. Whether to seed
//   an empty database is decided under an advisory lock, so instances starting together seed once. The log says
//   what was (not) seeded and why.
// - AUTH_SECRET unset: uses .data/auth-secret (generated once, mode 0600), so sessions survive restarts.
// - Then runs `next dev`, or for `start` the production server as the Docker image runs it (`node server.mjs` in the
//   build's assembled directory, .next/servers/<BUILD_ID>-<hash>, shared with other instances of the same build and never
//   changed under them: scripts/assembled-server.ts), on PORT (default 3000). SIGINT/SIGTERM/SIGHUP go to it; when it
//   has exited, the embedded database is stopped and this process exits with its code.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { constants as osConstants } from "node:os";
import { disconnectPrisma } from "../lib/db";
import { demoSeedPlan, seedDemo } from "../prisma/seed";
import { assembledServer, type AssembledServer } from "./assembled-server";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "./embedded-postgres";
import { describeError, migrate } from "./migrate";

type Mode = "dev" | "start";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DATA_DIR = path.join(ROOT, ".data");
const BIN = path.join(ROOT, "node_modules", ".bin");
const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
/** After forwarding a signal, how long Next gets to exit before it is killed. */
const CHILD_EXIT_GRACE_MS = 20_000;

/** Raised between start-up steps when a signal arrived meanwhile. */
class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (osConstants.signals[signal] ?? 0);
}

let current: ChildProcess | undefined;
let receivedSignal: NodeJS.Signals | undefined;

function onSignal(signal: NodeJS.Signals): void {
  receivedSignal ??= signal;
  const child = current;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) {
      console.error(`[run] ${path.basename(String(child.spawnfile))} did not exit ${CHILD_EXIT_GRACE_MS / 1000} s after ${signal}; killing it`);
      child.kill("SIGKILL");
    }
  }, CHILD_EXIT_GRACE_MS).unref();
}

function checkInterrupted(): void {
  if (receivedSignal) throw new Interrupted(receivedSignal);
}

/** Runs a child with inherited stdio, forwarding our signals to it; resolves with its exit code (128+n on signal n). */
function runChild(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: "inherit" });
    current = child;
    child.once("error", (error) => {
      current = undefined;
      reject(error);
    });
    child.once("exit", (code, signal) => {
      current = undefined;
      resolve(code ?? (signal ? signalExitCode(signal) : 1));
    });
  });
}

async function loadOrCreateAuthSecret(): Promise<string> {
  const file = path.join(DATA_DIR, "auth-secret");
  await mkdir(DATA_DIR, { recursive: true });
  try {
    const secret = (await readFile(file, "utf8")).trim();
    if (secret) return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const secret = randomBytes(32).toString("base64url");
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  console.log(`[run] Generated AUTH_SECRET in ${path.relative(ROOT, file)}`);
  return secret;
}

function parsePort(value: string | undefined): string {
  const port = value ?? "3000";
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new Error(`PORT must be a TCP port number, got ${JSON.stringify(value)}`);
  }
  return port;
}

async function main(mode: Mode, seedFlag: boolean): Promise<number> {
  if (mode === "start" && !existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    console.error("[run] No production build in .next: run `npm run build` first.");
    return 1;
  }
  const port = parsePort(process.env.PORT);
  const env: NodeJS.ProcessEnv = { ...process.env };
  let database: EmbeddedPostgresHandle | undefined;
  let server: AssembledServer | undefined;
  try {
    // Decided before anything starts: a refused request to seed stops here, with the reason.
    const seedPlan = demoSeedPlan({
      database: env.DATABASE_URL ? "external" : "embedded",
      seedFlag,
      SEED_DEMO: env.SEED_DEMO,
      NODE_ENV: env.NODE_ENV,
    });
    env.AUTH_SECRET ||= await loadOrCreateAuthSecret();

    if (!env.DATABASE_URL) {
      const dataDir = path.join(DATA_DIR, "postgres");
      database = await startEmbeddedPostgres({ dataDir, persistent: true });
      env.DATABASE_URL = database.url;
      console.log(`[run] Embedded PostgreSQL on port ${database.port} (data in ${path.relative(ROOT, dataDir)})`);
    }
    checkInterrupted();

    const applied = await migrate(env.DATABASE_URL, { log: (line) => console.log(`[run] ${line}`) });
    if (applied.length === 0) console.log("[run] No pending migrations.");
    checkInterrupted();

    if (seedPlan.seed) {
      console.log(`[run] Demo data goes into an empty database here (${seedPlan.why}).`);
      // In this process, over the app's own modules (lib/db reads the settings from the environment).
      Object.assign(process.env, { DATABASE_URL: env.DATABASE_URL, AUTH_SECRET: env.AUTH_SECRET });
      try {
        await seedDemo((line) => console.log(`[run] ${line}`));
      } finally {
        await disconnectPrisma();
      }
    } else {
      console.log(`[run] Not seeding demo data: ${seedPlan.why}.`);
    }
    checkInterrupted();

    env.PORT = port;
    if (mode === "dev") return await runChild(path.join(BIN, "next"), ["dev", "--port", port], env);
    // The production server as the Docker image runs it (scripts/standalone-server.mjs), from the same files.
    server = await assembledServer({ log: (line) => console.log(`[run] ${line}`) });
    checkInterrupted();
    return await runChild(process.execPath, [path.join(server.dir, "server.mjs")], env);
  } catch (error) {
    // A signal also reaches the database directly (same process group), so a step may fail because of it: quietly.
    if (error instanceof Interrupted || receivedSignal) return signalExitCode(receivedSignal ?? "SIGINT");
    console.error(`[run] ${describeError(error)}`);
    return 1;
  } finally {
    await server?.release().catch(() => undefined);
    if (database) {
      await database.stop().catch((error: unknown) => console.error(`[run] Stopping PostgreSQL: ${describeError(error)}`));
      console.log("[run] Embedded PostgreSQL stopped.");
    }
  }
}

const [mode, ...flags] = process.argv.slice(2);
if ((mode !== "dev" && mode !== "start") || flags.some((f) => f !== "--seed")) {
  console.error("usage: tsx --conditions=react-server scripts/run.ts dev|start [--seed]");
  process.exit(2);
}
for (const signal of FORWARDED_SIGNALS) process.on(signal, onSignal);
process.exit(await main(mode, flags.includes("--seed")));
