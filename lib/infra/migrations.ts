import "server-only";
// Applies prisma/migrations the way `prisma migrate deploy` does, without Prisma's native schema engine (which the
// Prisma CLI downloads on first use, and which machines without internet access cannot get). The `_prisma_migrations`
// rows it writes are Prisma's own, so `prisma migrate status|deploy` keep working on the same database wherever that
// engine exists.
//
// Used by the server at start (`MIGRATE_ON_START`, lib/infra/boot.ts), by `npm run db:migrate` (scripts/migrate.ts),
// and by the dev, test and bench scripts.
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/** Prisma Migrate's advisory lock key (prisma-engines, sql-schema-connector `flavour/postgres.rs`). */
export const PRISMA_MIGRATE_LOCK_KEY = 72707369;

// Exactly the DDL of prisma-engines' `create_migrations_table` for PostgreSQL.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

export interface MigrateOptions {
  /** Directory of `<name>/migration.sql` folders: the project's `prisma/migrations`. */
  migrationsDir: string;
  /** Receives one line per applied migration and per warning. Default: silent. */
  log?: (line: string) => void;
  /** How long to wait for another process holding the migration lock, in ms. Default 60 000. */
  lockTimeoutMs?: number;
}

/** A migration that cannot be applied, or a history that must not be built on. The message says which and why. */
export class MigrationError extends Error {
  override name = "MigrationError";
}

/** One migration folder on disk. */
export interface MigrationFile {
  /** Folder name, e.g. `20261120224456_init`; migrations apply in ascending name order. */
  name: string;
  /** Contents of `migration.sql`. */
  sql: string;
  /** Lowercase hex SHA-256 of the `migration.sql` bytes: what Prisma stores in `_prisma_migrations.checksum`. */
  checksum: string;
}

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  started_at: Date;
}

/**
 * Applies the pending migrations of `prisma/migrations` to a PostgreSQL database, recording each in
 * `_prisma_migrations` exactly as `prisma migrate deploy` does (table created with Prisma's DDL when missing; row with a
 * random UUID, the SHA-256 checksum, `started_at`, `finished_at`, `applied_steps_count = 1`, `logs` NULL).
 *
 * Migrations apply in ascending folder-name order, each in its own transaction together with its row: a migration
 * that fails is rolled back completely and leaves no row, so fixing it and running again is safe. (Statements that
 * cannot run inside a transaction, such as `CREATE INDEX CONCURRENTLY`, are therefore not supported.) Everything
 * happens under Prisma Migrate's session advisory lock, so concurrent callers — two app instances starting together,
 * or Prisma's own CLI — apply each migration once. Uses the connection's default schema (`public`); Prisma's
 * `?schema=` URL parameter is refused, as `lib/db.ts` does not use it either.
 *
 * @param databaseUrl `postgres://` URL of the database to migrate (must exist).
 * @param options see {@link MigrateOptions}
 * @returns the names of the migrations applied now, in order (empty when none were pending).
 * @throws MigrationError when the history holds a failed migration (a row with neither `finished_at` nor
 *   `rolled_back_at`: Prisma's P3009), when an applied migration's file changed since (checksum mismatch, compared as
 *   Prisma does: line-ending agnostic), when a migration fails, or when the lock is not free within the timeout.
 * @throws Error from `pg` when the database cannot be reached, and from `fs` when the migrations cannot be read.
 */
export async function migrate(databaseUrl: string, options: MigrateOptions): Promise<string[]> {
  const log = options.log ?? (() => {});
  const lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
  const schema = new URL(databaseUrl).searchParams.get("schema");
  if (schema !== null && schema !== "public") {
    throw new MigrationError(`the ?schema=${schema} URL parameter is not supported; use a database of its own`);
  }
  const files = await readMigrations(options.migrationsDir);

  const client = new pg.Client({ connectionString: databaseUrl, application_name: "parley-migrate" });
  await client.connect();
  try {
    await acquireLock(client, lockTimeoutMs);
    try {
      await client.query("SET search_path TO public");
      const exists = await client.query<{ table: string | null }>(
        "SELECT to_regclass('public._prisma_migrations')::text AS table",
      );
      if (!exists.rows[0]?.table) await client.query(CREATE_MIGRATIONS_TABLE);

      const { rows } = await client.query<MigrationRow>(
        `SELECT migration_name, checksum, finished_at, rolled_back_at, started_at
           FROM _prisma_migrations ORDER BY started_at`,
      );
      const pending = planMigrations(files, rows, log);
      for (const file of pending) {
        await applyMigration(client, file);
        log(`Applied migration ${file.name}`);
      }
      return pending.map((file) => file.name);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK_KEY]).catch(() => {});
    }
  } finally {
    await client.end();
  }
}

/**
 * Reads the migration folders of `migrationsDir` (every sub-directory; `migration_lock.toml` and other files are
 * ignored), sorted by name.
 *
 * @returns one {@link MigrationFile} per folder.
 * @throws MigrationError when a folder has no `migration.sql`; fs errors when the directory cannot be read.
 */
export async function readMigrations(migrationsDir: string): Promise<MigrationFile[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(migrationsDir, name, "migration.sql");
      const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") throw new MigrationError(`migration ${name} has no migration.sql (${file})`);
        throw error;
      });
      return { name, sql: bytes.toString("utf8"), checksum: sha256Hex(bytes) };
    }),
  );
}

/**
 * Whether `script` matches a checksum stored by Prisma, by Prisma's rule (schema-connector `checksum.rs`): the
 * SHA-256 of the script as is, with CRLF turned into LF, or with LF turned into CRLF (git may change line endings);
 * a stored checksum that is not 64 characters long was written without zero-padding by old Prisma versions.
 */
export function scriptMatchesChecksum(script: string, checksum: string): boolean {
  const variants = [script, script.replaceAll("\r\n", "\n"), script.replaceAll("\n", "\r\n")];
  return variants.some((variant) => {
    const digest = createHash("sha256").update(variant, "utf8").digest();
    const rendered =
      checksum.length !== 0 && checksum.length !== 64
        ? Array.from(digest, (byte) => byte.toString(16)).join("")
        : digest.toString("hex");
    return rendered === checksum;
  });
}

/**
 * Turns any error into one line for a terminal: `pg` errors with their SQLSTATE, `AggregateError`s (Node's connection
 * errors when several addresses were tried) with their parts.
 */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map((inner) => describeError(inner)).join("; ");
  }
  if (error instanceof pg.DatabaseError) return `${error.message} (SQLSTATE ${error.code})`;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error.message || error.name;
    return code && !message.includes(code) ? `${message} (${code})` : message;
  }
  return String(error);
}

async function acquireLock(client: pg.Client, timeoutMs: number): Promise<void> {
  await client.query(`SET lock_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK_KEY]);
  } catch (error) {
    if (error instanceof pg.DatabaseError && error.code === "55P03") {
      throw new MigrationError(
        `another process has held the migration lock (pg_advisory_lock(${PRISMA_MIGRATE_LOCK_KEY})) ` +
          `for more than ${timeoutMs} ms`,
      );
    }
    throw error;
  }
  await client.query("RESET lock_timeout");
}

function planMigrations(
  files: MigrationFile[],
  rows: MigrationRow[],
  log: (line: string) => void,
): MigrationFile[] {
  const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new MigrationError(
      `migration ${failed.migration_name} (started ${failed.started_at.toISOString()}) failed and is not resolved ` +
        `(Prisma P3009); repair the database, then run \`prisma migrate resolve --rolled-back ` +
        `${failed.migration_name}\` or \`--applied ${failed.migration_name}\``,
    );
  }
  const applied = new Map<string, MigrationRow>();
  for (const row of rows) {
    if (row.finished_at !== null && row.rolled_back_at === null) applied.set(row.migration_name, row);
  }
  const fileNames = new Set(files.map((file) => file.name));
  for (const name of applied.keys()) {
    if (!fileNames.has(name)) log(`Warning: migration ${name} is applied but missing from prisma/migrations`);
  }
  for (const file of files) {
    const row = applied.get(file.name);
    if (row && !scriptMatchesChecksum(file.sql, row.checksum)) {
      throw new MigrationError(
        `migration ${file.name} was modified after it was applied: its migration.sql has checksum ` +
          `${file.checksum}, the database recorded ${row.checksum}; restore the file, or add a new migration instead`,
      );
    }
  }
  return files.filter((file) => !applied.has(file.name));
}

async function applyMigration(client: pg.Client, file: MigrationFile): Promise<void> {
  const id = randomUUID();
  await client.query("BEGIN");
  try {
    await client.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ($1, $2, $3, clock_timestamp(), 0)`,
      [id, file.checksum, file.name],
    );
    try {
      await client.query(file.sql);
    } catch (error) {
      throw new MigrationError(
        `migration ${file.name} failed and was rolled back: ${describeError(error)}${errorLocation(file.sql, error)}`,
      );
    }
    await client.query(
      "UPDATE _prisma_migrations SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1",
      [id],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/** `" at line N"` for a `pg` error that carries a 1-based character position into `sql`. */
function errorLocation(sql: string, error: unknown): string {
  if (!(error instanceof pg.DatabaseError) || !error.position) return "";
  const offset = Number(error.position) - 1;
  if (!Number.isInteger(offset) || offset < 0) return "";
  const line = Array.from(sql).slice(0, offset).join("").split("\n").length;
  return ` at line ${line} of migration.sql`;
}

function sha256Hex(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

