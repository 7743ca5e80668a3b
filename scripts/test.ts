// `npm test`: the whole suite against a real PostgreSQL; `npm run test:e2e`: the browser suite alone.
//
//   tsx --conditions=react-server scripts/test.ts [vitest args…]
//   tsx --conditions=react-server scripts/test.ts --e2e [playwright args…]
//
// 1. Database: TEST_DATABASE_URL when set (its role needs CREATEDB), else a throw-away embedded PostgreSQL in a fresh
//    temporary directory on a free port; exported to the children as TEST_DATABASE_URL.
// 2. `vitest run [args…]` (each test file gets its own migrated database: tests/setup/README.md); skipped with --e2e.
// 3. `playwright test`, when playwright.config.ts exists (also after a Vitest failure, so one run shows everything);
//    with --e2e, `playwright test [args…]`. Its two app instances share one database on this server; the first one
//    makes the production build.
// 4. `tsx --conditions=react-server tests/smoke/standalone.ts` (also after earlier failures): the Docker image's steps
//    without Docker, on that production build (it builds when there is none) and its own empty PostgreSQL. Skipped
//    with --e2e, which is the browser suite alone.
// 5. `tsx --conditions=react-server tests/smoke/start.ts` (also after earlier failures): `npm start` from this
//    checkout, several at a time, on that build and databases of this server. Skipped with --e2e.
// 6. Stops the database (also on Ctrl-C / SIGTERM) and exits non-zero when any step failed.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getFreePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "./embedded-postgres";
import { describeError } from "./migrate";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = path.join(ROOT, "node_modules", ".bin");

let current: ChildProcess | undefined;
let receivedSignal: NodeJS.Signals | undefined;

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    receivedSignal ??= signal;
    if (current && current.exitCode === null && current.signalCode === null) current.kill(signal);
  });
}

function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 0);
}

/** Runs a child with inherited stdio; resolves with its exit code (128+n when killed by signal n). */
function runChild(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: "inherit" });
    current = child;
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      current = undefined;
      resolve(code ?? (signal ? signalExitCode(signal) : 1));
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const e2eOnly = argv[0] === "--e2e";
  const args = e2eOnly ? argv.slice(1) : argv;
  let database: EmbeddedPostgresHandle | undefined;
  try {
    let url = process.env.TEST_DATABASE_URL;
    if (!url) {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), "parley-test-pg-"));
      database = await startEmbeddedPostgres({ dataDir, port: await getFreePort(), persistent: false });
      url = database.url;
      console.log(`[test] Embedded PostgreSQL on port ${database.port} (throw-away, ${dataDir})`);
    }
    const env: NodeJS.ProcessEnv = { ...process.env, TEST_DATABASE_URL: url };

    const failed: string[] = [];
    if (!e2eOnly && !receivedSignal && (await runChild(path.join(BIN, "vitest"), ["run", ...args], env)) !== 0) {
      failed.push("vitest");
    }
    if (!receivedSignal && existsSync(path.join(ROOT, "playwright.config.ts"))) {
      const playwrightArgs = ["test", ...(e2eOnly ? args : [])];
      if ((await runChild(path.join(BIN, "playwright"), playwrightArgs, env)) !== 0) failed.push("playwright");
    }
    if (!e2eOnly && !receivedSignal) {
      const smoke = [path.join(ROOT, "tests", "smoke", "standalone.ts")];
      if ((await runChild(path.join(BIN, "tsx"), ["--conditions=react-server", ...smoke], env)) !== 0) failed.push("standalone smoke test");
    }
    if (!e2eOnly && !receivedSignal) {
      const starts = [path.join(ROOT, "tests", "smoke", "start.ts")];
      if ((await runChild(path.join(BIN, "tsx"), ["--conditions=react-server", ...starts], env)) !== 0) failed.push("npm start smoke test");
    }

    if (receivedSignal) return signalExitCode(receivedSignal);
    if (failed.length > 0) {
      console.error(`[test] Failed: ${failed.join(", ")}`);
      return 1;
    }
    return 0;
  } catch (error) {
    if (receivedSignal) return signalExitCode(receivedSignal);
    console.error(`[test] ${describeError(error)}`);
    return 1;
  } finally {
    await database?.stop().catch((error: unknown) => console.error(`[test] Stopping PostgreSQL: ${describeError(error)}`));
  }
}

process.exit(await main(process.argv.slice(2)));
