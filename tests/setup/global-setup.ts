// Vitest global setup (runs once, in the main process): a migrated template database for the per-file copies made by
// tests/setup/per-file.ts. See tests/setup/README.md.
import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import {
  databaseUrlFor,
  getFreePort,
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
} from "../../scripts/embedded-postgres";
import { migrate } from "../../scripts/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    /** URL of the test server as given (any database on it); databases are created and dropped through it. */
    testAdminDatabaseUrl: string;
    /** The migrated template database. Connections to it are disallowed, so copying it never races. */
    testTemplateDatabase: string;
    /** Name prefix of this run's per-file databases (`t_<run>_`), so teardown can drop any a crashed file left. */
    testDatabasePrefix: string;
  }
}

/**
 * Creates `parley_tpl_<run>` on the test server, applies `prisma/migrations` to it with {@link migrate}, disallows
 * connections to it, and provides its name and the server URL to test files (`inject`).
 *
 * The server is `TEST_DATABASE_URL` (its role needs CREATEDB), else — when Vitest was started directly, not through
 * `npm test` — a throw-away embedded PostgreSQL started here.
 *
 * @returns the teardown: drops the template and this run's leftover per-file databases, stops an embedded server.
 * @throws when the server cannot be reached or started, or a migration fails (Vitest then runs no test file).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let embedded: EmbeddedPostgresHandle | undefined;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "parley-vitest-pg-"));
    embedded = await startEmbeddedPostgres({ dataDir, port: await getFreePort(), persistent: false });
    adminUrl = embedded.url;
  }

  const run = randomBytes(4).toString("hex");
  const template = `parley_tpl_${run}`;
  const prefix = `t_${run}_`;
  const teardown = async (): Promise<void> => {
    try {
      await dropDatabases(adminUrl, template, prefix);
    } finally {
      await embedded?.stop();
    }
  };

  try {
    await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(template)}`));
    // migrate() closes its connection before returning; CREATE DATABASE … TEMPLATE also waits up to 5 s for a
    // closing backend to go away, and ALLOW_CONNECTIONS false keeps anyone else from connecting later.
    await migrate(databaseUrlFor(adminUrl, template));
    await withClient(adminUrl, (client) =>
      client.query(`ALTER DATABASE ${client.escapeIdentifier(template)} WITH ALLOW_CONNECTIONS false`),
    );
  } catch (error) {
    await teardown().catch(() => {});
    throw error;
  }

  project.provide("testAdminDatabaseUrl", adminUrl);
  project.provide("testTemplateDatabase", template);
  project.provide("testDatabasePrefix", prefix);
  return teardown;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: "parley-test-setup" });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function dropDatabases(adminUrl: string, template: string, prefix: string): Promise<void> {
  await withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname = $1 OR left(datname, length($2)) = $2",
      [template, prefix],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`);
    }
  });
}
