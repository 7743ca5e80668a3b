// The app as Playwright's webServer: a fresh database, a production build, `next start`.
//
//   tsx scripts/e2e-server.ts        (PORT, default 3100; TEST_DATABASE_URL, else a throw-away embedded server)
//
// Creates database parley_e2e_<random> on the test server, applies migrations, runs `next build` (skipped with
// E2E_SKIP_BUILD=1) and `next start`. On SIGTERM/SIGINT it stops Next, drops the database and stops the embedded
// server it started.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { databaseUrlFor, type EmbeddedPostgresHandle, startEmbeddedPostgres } from "./embedded-postgres";
import { migrate } from "./migrate";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NEXT = path.join(ROOT, "node_modules", ".bin", "next");
const port = process.env.PORT ?? "3100";

let embedded: EmbeddedPostgresHandle | undefined;
let child: ChildProcess | undefined;
let adminUrl: string | undefined;
const database = `parley_e2e_${randomBytes(4).toString("hex")}`;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    child = spawn(cmd, args, { cwd: ROOT, env, stdio: "inherit" });
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function cleanup(): Promise<void> {
  if (adminUrl) {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect().then(
      () => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).finally(() => client.end()),
      () => undefined,
    );
  }
  await embedded?.stop();
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
  adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: await mkdtemp(path.join(os.tmpdir(), "parley-e2e-pg-")), persistent: false });
    adminUrl = embedded.url;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  await admin.end();
  const databaseUrl = databaseUrlFor(adminUrl, database);
  await migrate(databaseUrl);

  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    AUTH_SECRET: process.env.AUTH_SECRET ?? "e2e-secret-not-for-production-0123456789abcdef",
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: port,
  };
  if (process.env.E2E_SKIP_BUILD !== "1") {
    const built = await run(NEXT, ["build"], env);
    if (built !== 0) throw new Error(`next build failed (exit ${built})`);
  }
  const code = await run(NEXT, ["start", "-H", "127.0.0.1", "-p", port], env);
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
