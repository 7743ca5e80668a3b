import "server-only";
import path from "node:path";
import { config, ConfigError } from "../config";
import { directDatabaseUrl } from "../db";
import { log } from "../log";
import { publishLifecycle } from "./lifecycle";
import { describeError, migrate } from "./migrations";

/**
 * Runs once when the server process starts (instrumentation.ts `register()`, Node.js runtime), before it answers
 * requests:
 * 1. Validates every setting (lib/config.ts). A bad one ends the process with exit code 1 and one log line naming the
 *    variable, e.g. `Cannot start: Invalid setting AUTH_SECRET: is required in production (…)`; no stack trace.
 * 2. With `MIGRATE_ON_START=true` (the Docker image), applies pending migrations from `prisma/migrations` under the
 *    working directory, over the direct connection; a failure ends the process the same way. Instances starting
 *    together take turns on Prisma's advisory lock.
 * 3. Publishes the shutdown steps for the server (lib/infra/lifecycle.ts).
 */
export async function boot(): Promise<void> {
  try {
    const settings = config();
    if (settings.MIGRATE_ON_START) {
      const applied = await migrate(directDatabaseUrl(), {
        migrationsDir: path.join(process.cwd(), "prisma", "migrations"),
        log: (line) => log.info(line),
      });
      log.info({ applied: applied.length }, applied.length ? `applied ${applied.length} migration(s)` : "no pending migrations");
    }
  } catch (error) {
    const reason = error instanceof ConfigError ? error.message : `Migrations failed: ${describeError(error)}`;
    log.fatal(`Cannot start: ${reason}`);
    process.exit(1);
  }
  publishLifecycle();
}
