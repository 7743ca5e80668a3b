/**
 * The SQL functions' sources (prisma/sql/functions/, one file per function) against what the migrations leave in a
 * database, and `npm run db:functions`, which writes the migration for changed files (prisma/sql/functions.ts).
 */
import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MigrationFile } from "@/lib/infra/migrations";
import { readMigrations } from "@/lib/infra/migrations";
import {
  type FunctionFile,
  FunctionsError,
  MIGRATIONS_DIR,
  migrationFolderName,
  planFunctionsMigration,
  readFunctionFiles,
  renderFunctionsMigration,
} from "@/prisma/sql/functions";

let client: pg.Client;

beforeAll(async () => {
  // This file's own database: a copy of the template that global-setup migrated (tests/setup/README.md).
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
});

afterAll(async () => {
  await client.end();
});

/** Every function of schema public: name → `pg_get_functiondef` of each (several when overloaded). */
async function functionsInDatabase(): Promise<Map<string, string[]>> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `SELECT p.proname AS name, pg_get_functiondef(p.oid) AS definition
     FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prokind IN ('f', 'p')
     ORDER BY p.proname, pg_get_function_identity_arguments(p.oid)`,
  );
  const byName = new Map<string, string[]>();
  for (const row of rows) byName.set(row.name, [...(byName.get(row.name) ?? []), row.definition]);
  return byName;
}

/**
 * Where `files` and the database disagree, one line each: functions without a file, and files that change the
 * database when applied. Each file is applied in a transaction that is rolled back, so the database compares its own
 * rendering of both (`pg_get_functiondef`: parameters, result, language, options and body). A file with other
 * parameters adds an overload; one with another result or parameter names is refused by PostgreSQL: both count.
 */
async function differences(files: FunctionFile[]): Promise<string[]> {
  const before = await functionsInDatabase();
  const problems = [...before.keys()]
    .filter((name) => !files.some((file) => file.name === name))
    .map((name) => `${name}: in the database, but no file in prisma/sql/functions/`);
  await client.query("BEGIN");
  try {
    for (const file of files) {
      await client.query("SAVEPOINT apply_file");
      try {
        await client.query(file.sql);
        const now = (await functionsInDatabase()).get(file.name) ?? [];
        const was = before.get(file.name) ?? [];
        if (JSON.stringify(now) !== JSON.stringify(was)) {
          problems.push(`${file.file} is not what the migrations leave:\n--- database\n${was.join("\n")}\n--- file\n${now.join("\n")}`);
        }
      } catch (error) {
        problems.push(`${file.file} cannot replace the database's function: ${(error as Error).message}`);
      }
      await client.query("ROLLBACK TO SAVEPOINT apply_file");
    }
  } finally {
    await client.query("ROLLBACK");
  }
  return problems;
}

describe("prisma/sql/functions/ and the migrated database", () => {
  it("has a file for every function of the database, and each file is exactly what the migrations left", async () => {
    const files = await readFunctionFiles();
    expect(files.map((file) => file.name)).toContain("parley_send_message");
    expect(await differences(files)).toEqual([]);
  });

  it("tells when a file's body, parameters or result differ from the database, or a function has no file", async () => {
    const files = await readFunctionFiles();
    const edit = (name: string, change: (sql: string) => string) =>
      files.map((file) => (file.name === name ? { ...file, sql: change(file.sql) } : file));

    const body = await differences(edit("parley_is_read", (sql) => sql.replace("p_seq <= ", "p_seq < ")));
    expect(body).toEqual([expect.stringContaining("prisma/sql/functions/parley_is_read.sql is not what the migrations leave")]);

    const parameters = await differences(edit("parley_delete_message", (sql) => sql.replace("p_user_id text)", "p_user_id text, p_extra int)")));
    expect(parameters).toEqual([expect.stringContaining("parley_delete_message.sql is not what the migrations leave")]);

    const result = await differences(edit("parley_is_read", (sql) => sql.replace("RETURNS boolean", "RETURNS int")));
    expect(result).toEqual([expect.stringContaining("parley_is_read.sql cannot replace the database's function")]);

    const missing = await differences(files.filter((file) => file.name !== "parley_mark_read"));
    expect(missing).toEqual(["parley_mark_read: in the database, but no file in prisma/sql/functions/"]);
  });

  it("needs no new migration: the migrations hold every file as it is (npm run db:functions -- --check)", async () => {
    const plan = planFunctionsMigration(await readFunctionFiles(), await readMigrations(MIGRATIONS_DIR));
    expect(plan).toEqual({ drop: [], create: [] });
  });
});

describe("npm run db:functions", () => {
  const migration = (name: string, sql: string): MigrationFile => ({ name, sql, checksum: "" });
  const file = (name: string, sql: string): FunctionFile => ({ name, file: `prisma/sql/functions/${name}.sql`, sql });
  const isOne = file("is_one", 'CREATE OR REPLACE FUNCTION "is_one"(p int) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT p = 1 $$;');
  const history = [
    migration("20260101000000_init", "CREATE TABLE t (id int);"),
    migration("20260102000000_functions", `-- CREATE FUNCTION in a comment is not a definition\n${isOne.sql}\n`),
  ];

  it("writes nothing for a file that the last migration defining its function holds verbatim", () => {
    expect(planFunctionsMigration([isOne], history)).toEqual({ drop: [], create: [] });
  });

  it("replaces a function whose body changed, without dropping it", () => {
    const changed = file("is_one", isOne.sql.replace("p = 1", "p = 1 AND p IS NOT NULL"));
    expect(planFunctionsMigration([changed], history)).toEqual({ drop: [], create: [changed] });
  });

  it("drops the old signature first when the parameters or the result changed, defaults left out", () => {
    const old = migration(
      "20260103000000_more",
      'CREATE FUNCTION "pick"(a text, b int DEFAULT 2, c jsonb = \'{}\') RETURNS int LANGUAGE sql AS $$ SELECT b $$;',
    );
    const pick = file("pick", 'CREATE OR REPLACE FUNCTION "pick"(a text, b int) RETURNS int LANGUAGE sql AS $$ SELECT b $$;');
    expect(planFunctionsMigration([isOne, pick], [...history, old])).toEqual({
      drop: ['DROP FUNCTION "pick"(a text, b int, c jsonb);'],
      create: [pick],
    });
    const sameHeader = file("pick", 'CREATE OR REPLACE FUNCTION pick(a text, b int DEFAULT 2, c jsonb = \'{}\') RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;');
    expect(planFunctionsMigration([isOne, sameHeader], [...history, old]).drop).toEqual([]);
  });

  it("drops a function whose file is gone, and forgets one a migration dropped", () => {
    expect(planFunctionsMigration([], history)).toEqual({ drop: ['DROP FUNCTION "is_one"(p int);'], create: [] });
    const dropped = [...history, migration("20260104000000_drop", 'DROP FUNCTION IF EXISTS "is_one"(int);')];
    expect(planFunctionsMigration([], dropped)).toEqual({ drop: [], create: [] });
  });

  it("creates a function after the changed functions it calls, so that a SQL function's body can be checked", () => {
    const caller = file("a_caller", 'CREATE OR REPLACE FUNCTION "a_caller"() RETURNS boolean LANGUAGE sql AS $$ SELECT is_one(1) $$;');
    const changed = file("is_one", isOne.sql.replace("p = 1", "p = 1 OR false"));
    const plan = planFunctionsMigration([caller, changed], history);
    expect(plan.create.map((f) => f.name)).toEqual(["is_one", "a_caller"]);
    const text = renderFunctionsMigration(plan);
    expect(text.indexOf(changed.sql)).toBeLessThan(text.indexOf(caller.sql));
    expect(text).toContain(`-- prisma/sql/functions/is_one.sql\n${changed.sql}\n`);
  });

  it("names the migration after the newest existing one, even when the clock is behind", () => {
    const existing = ["20261204222859_browser_sessions", "20261205001922_one_home_per_rule"];
    expect(migrationFolderName("later", existing, new Date("2026-12-06T01:02:03Z"))).toBe("20261206010203_later");
    expect(migrationFolderName("behind", existing, new Date("2026-01-01T00:00:00Z"))).toBe("20261205001923_behind");
    expect(migrationFolderName("edge", ["20261231235959_x"], new Date("2026-01-01T00:00:00Z"))).toBe("20270101000000_edge");
    expect(() => migrationFolderName("Bad name", existing)).toThrow(FunctionsError);
  });

  it("refuses a file that is not one CREATE OR REPLACE FUNCTION of the function it is named after", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "parley-functions-"));
    const write = async (name: string, sql: string) => {
      const sub = path.join(dir, name);
      await mkdir(sub);
      await writeFile(path.join(sub, `${name}.sql`), sql);
      return sub;
    };
    await expect(readFunctionFiles(await write("good", isOne.sql.replaceAll("is_one", "good")))).resolves.toHaveLength(1);
    await expect(readFunctionFiles(await write("misnamed", isOne.sql))).rejects.toThrow(FunctionsError);
    await expect(readFunctionFiles(await write("plain", isOne.sql.replace("OR REPLACE ", "").replaceAll("is_one", "plain")))).rejects.toThrow(
      /CREATE OR REPLACE/,
    );
    const two = `${isOne.sql.replaceAll("is_one", "two")}\n${isOne.sql.replaceAll("is_one", "two_b")}`;
    await expect(readFunctionFiles(await write("two", two))).rejects.toThrow(FunctionsError);
  });
});
