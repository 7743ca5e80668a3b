// One app instance as Playwright's webServer: a production build, run as the Docker image runs it (the standalone
// output assembled by scripts/assemble-standalone.sh, `node server.mjs`), on a database of the test server.
//
//   tsx --conditions=react-server scripts/e2e-server.ts
//
//   TEST_DATABASE_URL   the test server (required; its role needs CREATEDB). `npm test` and `npm run test:e2e` set it.
//   E2E_DATABASE        the database's name (default: parley_e2e_<random>)
//   E2E_JOIN_DATABASE=1 join that database, which another instance created and migrated, instead of creating it
//   E2E_SKIP_BUILD=1    use the existing `.next` build
//   PORT                default 3100
//
// playwright.config.ts starts two of these on one database: the first builds, creates and migrates; the second joins.
// On SIGTERM/SIGINT it stops Next and, when it created the database, drops it.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { assembledServer } from "./assembled-server";
import { databaseUrlFor } from "./embedded-postgres";
import { migrate } from "./migrate";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NEXT = path.join(ROOT, "node_modules", ".bin", "next");
const port = process.env.PORT ?? "3100";
const adminUrl = process.env.TEST_DATABASE_URL;
const database = process.env.E2E_DATABASE || `parley_e2e_${randomBytes(4).toString("hex")}`;
const joins = process.env.E2E_JOIN_DATABASE === "1";

let child: ChildProcess | undefined;
/** Whether this process created the database (and so drops it). */
let created = false;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    child = spawn(cmd, args, { cwd: ROOT, env, stdio: "inherit" });
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function admin(sql: (client: pg.Client) => string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql(client));
  } finally {
    await client.end();
  }
}

async function cleanup(): Promise<void> {
  if (created) await admin((c) => `DROP DATABASE IF EXISTS ${c.escapeIdentifier(database)} WITH (FORCE)`).catch(() => undefined);
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    if (child && child.exitCode === null) child.kill("SIGTERM");
    void cleanup().finally(() => process.exit(0));
  });
}

async function main(): Promise<void> {
  if (!adminUrl) throw new Error("TEST_DATABASE_URL is not set: start the browser suite with `npm test` or `npm run test:e2e`.");
  if (!joins) {
    await admin((c) => `CREATE DATABASE ${c.escapeIdentifier(database)}`);
    created = true;
  }
  const databaseUrl = databaseUrlFor(adminUrl, database);
  if (!joins) await migrate(databaseUrl);

  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    AUTH_SECRET: process.env.AUTH_SECRET ?? "e2e-secret-not-for-production-0123456789abcdef",
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: port,
    // Every browser test signs up and writes from 127.0.0.1: those limits stay out of reach. Wrong passwords are
    // counted per username, so e2e/auth.spec.ts can meet that limit without touching other tests.
    RATE_LIMIT_WRITES: process.env.RATE_LIMIT_WRITES ?? "100000/60",
    RATE_LIMIT_SIGN_UP: process.env.RATE_LIMIT_SIGN_UP ?? "100000/60",
    RATE_LIMIT_TOKEN_CREATION: process.env.RATE_LIMIT_TOKEN_CREATION ?? "100000/60",
    RATE_LIMIT_SIGN_IN: process.env.RATE_LIMIT_SIGN_IN ?? "3/900",
    // Playwright prints what the servers write: access lines would bury the test report.
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  };
  if (process.env.E2E_SKIP_BUILD !== "1") {
    const built = await run(NEXT, ["build"], env);
    if (built !== 0) throw new Error(`next build failed (exit ${built})`);
  }
  // The production server as the Docker image runs it: the standalone output, assembled, behind server.mjs. Both
  // instances use the build's one directory (scripts/assembled-server.ts).
  const server = await assembledServer({ log: (line) => console.log(line) });
  const code = await run(process.execPath, [path.join(server.dir, "server.mjs")], { ...env, HOSTNAME: "127.0.0.1" });
  await server.release();
  if (!stopping) {
    await cleanup();
    process.exit(code);
  }
}

main().catch(async (e) => {
  console.error(`e2e-server: ${e instanceof Error ? e.message : String(e)}`);
  await cleanup();
  process.exit(1);
});
