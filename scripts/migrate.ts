// `npm run db:migrate`: applies pending migrations to DATABASE_URL_UNPOOLED, else DATABASE_URL (lib/infra/migrations.ts
// does the work). Also the dev, test and bench scripts' way to migrate: `migrate(url)` defaults to this project's
// prisma/migrations.
import { stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { isMainModule } from "./processes";
import { migrate as migrateFrom, MigrationError, describeError, type MigrateOptions } from "../lib/infra/migrations";

export { describeError, MigrationError, PRISMA_MIGRATE_LOCK_KEY, readMigrations, scriptMatchesChecksum } from "../lib/infra/migrations";
export type { MigrationFile } from "../lib/infra/migrations";

/** The migrations directory of this project. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL("../prisma/migrations", import.meta.url));

/**
 * {@link migrateFrom} with this project's `prisma/migrations` unless `options.migrationsDir` says otherwise.
 * @returns the names of the migrations applied now. @throws as {@link migrateFrom} does.
 */
export function migrate(databaseUrl: string, options: Partial<MigrateOptions> = {}): Promise<string[]> {
  return migrateFrom(databaseUrl, { ...options, migrationsDir: options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR });
}

async function main(): Promise<number> {
  // A direct connection when there is one: a transaction-mode pooler cannot hold the advisory lock.
  const databaseUrl = process.env.DATABASE_URL_UNPOOLED || process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error(
      "db:migrate: neither DATABASE_URL_UNPOOLED nor DATABASE_URL is set (npm run dev / npm start migrate their embedded database themselves)",
    );
    return 1;
  }
  try {
    const directory = await stat(DEFAULT_MIGRATIONS_DIR).catch(() => undefined);
    if (!directory?.isDirectory()) throw new MigrationError(`no migrations directory at ${DEFAULT_MIGRATIONS_DIR}`);
    const applied = await migrate(databaseUrl, { log: (line) => console.log(line) });
    console.log(applied.length === 0 ? "No pending migrations." : `Applied ${applied.length} migration(s).`);
    return 0;
  } catch (error) {
    console.error(`db:migrate: ${describeError(error)}`);
    return 1;
  }
}

if (isMainModule(import.meta.url)) {
  process.exitCode = await main();
}
