// Vitest setup file: runs in each test file's worker before the file itself is imported. Gives the file a database of
// its own, copied from the migrated template of tests/setup/global-setup.ts, and drops it when the file is done.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, inject } from "vitest";
import { disconnectPrisma } from "@/lib/db";
import { getCredentialCache } from "@/lib/infra/credential-cache";
import { databaseUrlFor } from "../../scripts/embedded-postgres";

/** AUTH_SECRET for tests when the environment sets none: fixed, so failures reproduce. */
const TEST_AUTH_SECRET = "parley-test-secret-0123456789abcdef0123456789abcdef";

const adminUrl = inject("testAdminDatabaseUrl");
const template = inject("testTemplateDatabase");
const database = `${inject("testDatabasePrefix")}${randomBytes(6).toString("hex")}`;

async function admin(sql: (client: pg.Client) => string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: "parley-test-setup" });
  await client.connect();
  try {
    await client.query(sql(client));
  } finally {
    await client.end();
  }
}

await admin((c) => `CREATE DATABASE ${c.escapeIdentifier(database)} TEMPLATE ${c.escapeIdentifier(template)}`);
process.env.DATABASE_URL = databaseUrlFor(adminUrl, database);
process.env.AUTH_SECRET ||= TEST_AUTH_SECRET;
// Access lines and expected 503 warnings would bury the report; lib/log.ts reads this when first imported.
process.env.LOG_LEVEL ||= "error";
// Rate limits stay on (their statements and headers are part of every write) but out of reach: tests write fast and
// in-process calls share one client IP. tests/rate-limits.test.ts lowers them.
for (const name of ["RATE_LIMIT_WRITES", "RATE_LIMIT_SIGN_IN", "RATE_LIMIT_TOKEN_CREATION", "RATE_LIMIT_SIGN_UP"]) {
  process.env[name] ||= "1000000/60";
}

afterAll(async () => {
  await getCredentialCache().close();
  await disconnectPrisma();
  await admin((c) => `DROP DATABASE IF EXISTS ${c.escapeIdentifier(database)} WITH (FORCE)`);
});
