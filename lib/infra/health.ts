import "server-only";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { countStatement, getPool } from "../db";
import { AppError } from "../errors";
import { isDraining } from "./lifecycle";

let expected: Promise<string[]> | undefined;

/**
 * The migrations this version of Parley needs: the folder names of `prisma/migrations` under the working directory
 * (the project root in development, the standalone directory in the image, `/var/task` on Vercel, where
 * next.config.ts `outputFileTracingIncludes` ships them). Read once.
 */
function expectedMigrations(): Promise<string[]> {
  expected ??= readdir(path.join(process.cwd(), "prisma", "migrations"), { withFileTypes: true }).then((entries) =>
    entries.filter((e) => e.isDirectory()).map((e) => e.name).sort(),
  );
  return expected;
}

/**
 * Whether this instance can serve: not shutting down, the database answers, and every migration of this version is
 * applied (rows of Prisma's `_prisma_migrations`, finished and not rolled back). One query on the app's pool, so a
 * database that is down fails as fast as the pool's connect timeout.
 * @returns how many migrations are applied.
 * @throws AppError `service_unavailable` (503) saying which of the three failed. Errors of the database itself are
 *   thrown as they are (lib/api/problem.ts maps them to 503 too).
 */
export async function checkReadiness(): Promise<{ migrations: number }> {
  if (isDraining()) throw new AppError("service_unavailable", "This instance is shutting down.");
  const [files, result] = await Promise.all([
    expectedMigrations(),
    getPool().query<{ name: string }>(
      `SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    ).catch((e: unknown) => {
      // 42P01: no _prisma_migrations table, the database was never migrated.
      if ((e as { code?: string }).code === "42P01") return { rows: [] };
      throw e;
    }),
  ]);
  countStatement();
  const applied = new Set(result.rows.map((row) => row.name));
  const pending = files.filter((name) => !applied.has(name));
  if (pending.length > 0) {
    throw new AppError(
      "service_unavailable",
      `${pending.length} migration(s) not applied: ${pending.join(", ")}. Run npm run db:migrate, or start with MIGRATE_ON_START=true.`,
    );
  }
  return { migrations: files.length };
}
