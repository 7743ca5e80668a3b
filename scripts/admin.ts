// `npm run admin -- <command>`: the operator's way to the admin role, without the admin area (the first admin).
//
//   npm run admin -- list                               the admins (active, suspended)
//   npm run admin -- grant <username> [--reason "…"]    make an admin
//   npm run admin -- revoke <username> [--reason "…"]   take the role away (never from the last active admin)
//
// Database: DATABASE_URL when set; otherwise the embedded one of `npm run dev` / `npm start` (.data/postgres): the
// running one when a run is using it, else started for the command and stopped after. Pending migrations are applied
// first, as at start-up. Every change is written to the audit log with no actor ("operator"), like an admin's
// change in the admin area, and by the same function (lib/server/roles.ts, setUserRole), so the last-admin rule holds
// here too.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { disconnectPrisma, getPrisma } from "../lib/db";
import { setUserRole } from "../lib/server/roles";
import { EmbeddedPostgresInUse, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "./embedded-postgres";
import { describeError, migrate } from "./migrate";
import { isMainModule } from "./processes";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const USAGE = `Usage: npm run admin -- list | grant <username> [--reason "…"] | revoke <username> [--reason "…"]`;

async function run(command: string, username: string | undefined, reason: string | null): Promise<number> {
  const prisma = getPrisma();
  if (command === "list") {
    const admins = await prisma.$queryRaw<{ username: string; name: string | null; suspended_at: Date | null }[]>`
      SELECT username, name, suspended_at FROM users WHERE role = 'admin' AND deleted_at IS NULL ORDER BY username`;
    if (admins.length === 0) console.log("No admins yet. Make one: npm run admin -- grant <username>");
    for (const a of admins) console.log(`${a.username}${a.name ? ` (${a.name})` : ""}${a.suspended_at ? "  [suspended]" : ""}`);
    return 0;
  }
  if (!username) {
    console.error(USAGE);
    return 2;
  }
  const [user] = await prisma.$queryRaw<{ id: string }[]>`
    SELECT id FROM users WHERE username = ${username.trim().toLowerCase()} AND deleted_at IS NULL`;
  if (!user) {
    console.error(`No account named ${username}.`);
    return 1;
  }
  const role = command === "grant" ? "admin" : "member";
  const changed = await prisma.$transaction((tx) => setUserRole(tx, null, user.id, role, reason));
  console.log(changed ? `${username} is now ${role === "admin" ? "an admin" : "a member"}.` : `${username} already was ${role === "admin" ? "an admin" : "a member"}.`);
  return 0;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { reason: { type: "string" } } });
  } catch (e) {
    console.error(`${describeError(e)}\n${USAGE}`);
    return 2;
  }
  const [command, username, ...rest] = parsed.positionals;
  if (!command || !["list", "grant", "revoke"].includes(command) || rest.length > 0 || (command === "list" && username)) {
    console.error(USAGE);
    return 2;
  }
  let database: EmbeddedPostgresHandle | undefined;
  try {
    if (!process.env.DATABASE_URL) {
      try {
        database = await startEmbeddedPostgres({ dataDir: path.join(ROOT, ".data", "postgres"), persistent: true });
        process.env.DATABASE_URL = database.url;
      } catch (e) {
        if (!(e instanceof EmbeddedPostgresInUse)) throw e;
        process.env.DATABASE_URL = e.url; // an `npm run dev` or `npm start` is running on it: share it
      }
    }
    await migrate(process.env.DATABASE_URL!, { log: () => undefined });
    return await run(command, username, parsed.values.reason ?? null);
  } catch (e) {
    console.error(describeError(e));
    return 1;
  } finally {
    await disconnectPrisma();
    await database?.stop().catch(() => undefined);
  }
}

if (isMainModule(import.meta.url)) process.exitCode = await main();
