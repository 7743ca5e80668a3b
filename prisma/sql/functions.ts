// `npm run db:functions -- <name>`: writes the migration that brings the database's SQL functions to what
// prisma/sql/functions/ says (one file per function, each a `CREATE OR REPLACE FUNCTION`), as
// prisma/migrations/<UTC stamp>_<name>/migration.sql. `npm run db:functions -- --check` writes nothing and exits 1 when
// such a migration is due. See prisma/sql/README.md.
//
// Which files changed is read from the migrations themselves, without a database: a file is current when the last
// migration that defines its function holds the file's text verbatim (this script writes them that way). The
// migrations stay the history that deployed databases have applied (their checksums are checked:
// lib/infra/migrations.ts); the files are where a function is read and edited. tests/sql-functions.test.ts holds each
// file to the function a migrated database has.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readMigrations, type MigrationFile } from "../../lib/infra/migrations";
import { isMainModule } from "../../scripts/processes";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The function files: `<function name>.sql`. */
export const FUNCTIONS_DIR = path.join(ROOT, "prisma/sql/functions");
/** The project's migrations. */
export const MIGRATIONS_DIR = path.join(ROOT, "prisma/migrations");

/** A function file that cannot be used, or a migration name that cannot be written. The message says which. */
export class FunctionsError extends Error {
  override name = "FunctionsError";
}

/** One function's source file. */
export interface FunctionFile {
  /** The function's name, which is also the file's name without `.sql`. */
  name: string;
  /** The file's path from the project root, with `/` (named in the generated migration). */
  file: string;
  /** The file's text without leading or trailing white space: what a migration carries verbatim. */
  sql: string;
}

/** What a functions migration does: drop these, then create or replace those, in this order. */
export interface FunctionsPlan {
  /** `DROP FUNCTION` statements. */
  drop: string[];
  /** The files to apply, each function after those it calls. */
  create: FunctionFile[];
}

const DEFINITION = /\b(CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION|DROP\s+FUNCTION(?:\s+IF\s+EXISTS)?)\s+("?)([A-Za-z_][A-Za-z0-9_]*)\2\s*\(/gi;
const DOLLAR_QUOTE = /\$[A-Za-z_]*\$/g;

interface Definition {
  kind: "create" | "drop";
  name: string;
  /** The parameter list, without its parentheses. */
  args: string;
  /** From CREATE to the body's opening dollar quote: name, parameters, result and options. */
  header: string;
}

/**
 * The function definitions and drops in `sql`, in textual order. Line comments are skipped; a definition is
 * `CREATE [OR REPLACE] FUNCTION name(…) … AS $…$` with a dollar-quoted body, a drop `DROP FUNCTION [IF EXISTS] name(…)`.
 */
function definitionsIn(sql: string): Definition[] {
  // Blank out line comments (keeping offsets), so that prose about functions is not taken for a definition.
  const scan = sql.replace(/--[^\n]*/g, (comment) => " ".repeat(comment.length));
  const found: Definition[] = [];
  for (const match of scan.matchAll(DEFINITION)) {
    const open = match.index + match[0].length - 1;
    const close = closingParen(scan, open);
    const kind = /^DROP/i.test(match[1]!) ? "drop" : "create";
    let header = "";
    if (kind === "create") {
      DOLLAR_QUOTE.lastIndex = close;
      const body = DOLLAR_QUOTE.exec(scan);
      if (!body) throw new FunctionsError(`CREATE FUNCTION ${match[3]} has no dollar-quoted body`);
      header = scan.slice(match.index, body.index);
    }
    found.push({ kind, name: match[3]!, args: scan.slice(open + 1, close), header });
  }
  return found;
}

function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return i;
  }
  throw new FunctionsError(`unbalanced parentheses after offset ${open}`);
}

/** A header in a form that compares equal when only spacing, quoting, case or `OR REPLACE` differ. */
function normalizeHeader(header: string): string {
  return header
    .replace(/^CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+/i, "")
    .replaceAll('"', "")
    .replace(/\s+/g, " ")
    .replace(/\s*([(),])\s*/g, "$1")
    .trim()
    .toLowerCase();
}

/** The parameter list as `DROP FUNCTION` takes it: defaults removed (PostgreSQL refuses them there). */
function dropArgs(args: string): string {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= args.length; i++) {
    const c = args[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if ((c === "," && depth === 0) || i === args.length) {
      const part = args.slice(start, i).replace(/\s+(?:DEFAULT\b|=)[\s\S]*$/i, "").replace(/\s+/g, " ").trim();
      if (part) parts.push(part);
      start = i + 1;
    }
  }
  return parts.join(", ");
}

/**
 * Reads the function files of `dir` (every `*.sql`), sorted by name.
 * @returns one {@link FunctionFile} per file.
 * @throws FunctionsError when a file is not one `CREATE OR REPLACE FUNCTION` of the function it is named after.
 */
export async function readFunctionFiles(dir = FUNCTIONS_DIR): Promise<FunctionFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith(".sql")).sort();
  return Promise.all(
    names.map(async (base) => {
      const file = path.relative(ROOT, path.join(dir, base)).split(path.sep).join("/");
      const sql = (await readFile(path.join(dir, base), "utf8")).trim();
      const name = base.slice(0, -".sql".length);
      const definitions = definitionsIn(sql);
      const [only] = definitions;
      if (definitions.length !== 1 || only?.kind !== "create" || only.name !== name) {
        throw new FunctionsError(`${file} must hold exactly one CREATE OR REPLACE FUNCTION "${name}"(…), and nothing else`);
      }
      if (!/^CREATE\s+OR\s+REPLACE\b/i.test(only.header)) {
        throw new FunctionsError(`${file}: write CREATE OR REPLACE FUNCTION, so that a migration can apply it again`);
      }
      return { name, file, sql };
    }),
  );
}

/**
 * What a new migration must do so that the database's functions are the files' (`files`), given the migrations so
 * far (`migrations`, in the order they apply).
 *
 * A file is current when the last migration that creates its function holds the file's text verbatim. A changed file
 * is applied as it is; when its header (parameters, result, language, volatility…) differs from the last definition's,
 * the old function is dropped first, since `CREATE OR REPLACE` cannot change those (PostgreSQL docs, CREATE FUNCTION)
 * and would otherwise add an overload beside it. A function that migrations created and that has no file any more is
 * dropped. A function that a trigger or a view depends on cannot be dropped: change such a header by hand.
 * @returns empty lists when nothing is due.
 */
export function planFunctionsMigration(files: FunctionFile[], migrations: MigrationFile[]): FunctionsPlan {
  const last = new Map<string, { migration: MigrationFile; definition: Definition }>();
  for (const migration of migrations) {
    for (const definition of definitionsIn(migration.sql)) {
      if (definition.kind === "drop") last.delete(definition.name);
      else last.set(definition.name, { migration, definition });
    }
  }
  const drop: string[] = [];
  const changed: FunctionFile[] = [];
  for (const file of files) {
    const before = last.get(file.name);
    if (before?.migration.sql.includes(file.sql)) continue;
    const [now] = definitionsIn(file.sql);
    if (before && normalizeHeader(before.definition.header) !== normalizeHeader(now!.header)) {
      drop.push(`DROP FUNCTION "${file.name}"(${dropArgs(before.definition.args)});`);
    }
    changed.push(file);
  }
  const named = new Set(files.map((file) => file.name));
  for (const [name, { definition }] of last) {
    if (!named.has(name)) drop.push(`DROP FUNCTION "${name}"(${dropArgs(definition.args)});`);
  }
  return { drop, create: callOrder(changed, files) };
}

/**
 * `changed` ordered so that each function comes after the functions of `all` it names that are changed too: a
 * `LANGUAGE sql` function's body is checked when it is created, so what it calls must exist by then. Ties (and
 * cycles, which only PL/pgSQL bodies can have) go by name.
 */
function callOrder(changed: FunctionFile[], all: FunctionFile[]): FunctionFile[] {
  const pending = new Map(changed.map((file) => [file.name, file]));
  const calls = (file: FunctionFile) =>
    all.filter((other) => other.name !== file.name && new RegExp(`\\b${other.name}"?\\s*\\(`).test(file.sql)).map((o) => o.name);
  const ordered: FunctionFile[] = [];
  while (pending.size > 0) {
    const ready = [...pending.values()].filter((file) => calls(file).every((name) => !pending.has(name)));
    const next = (ready.length > 0 ? ready : [...pending.values()]).sort((a, b) => (a.name < b.name ? -1 : 1))[0]!;
    ordered.push(next);
    pending.delete(next.name);
  }
  return ordered;
}

/** The text of a functions migration for `plan`. */
export function renderFunctionsMigration(plan: FunctionsPlan): string {
  const parts = [
    "-- Written by `npm run db:functions` from prisma/sql/functions/ (one file per function, docs/decisions.md, \"One home\n" +
      "-- per rule\"). Edit those files and run it again; an applied migration must not change.",
  ];
  if (plan.drop.length > 0) {
    parts.push(
      "-- Functions whose parameters, result or options changed (CREATE OR REPLACE cannot change them), or whose file is\n" +
        `-- gone:\n${plan.drop.join("\n")}`,
    );
  }
  for (const file of plan.create) parts.push(`-- ${file.file}\n${file.sql}`);
  return `${parts.join("\n\n")}\n`;
}

/**
 * The folder name of a new migration: `<UTC stamp YYYYMMDDHHMMSS>_<name>`, like Prisma's, and always after the
 * existing folders (`existing`), so that it applies last even when this machine's clock is behind theirs.
 */
export function migrationFolderName(name: string, existing: string[], now = new Date()): string {
  if (!/^[a-z0-9_]+$/.test(name)) throw new FunctionsError(`migration name "${name}": use a-z, 0-9 and _`);
  const stampOf = (date: Date) => date.toISOString().replace(/\D/g, "").slice(0, 14);
  let stamp = stampOf(now);
  const latest = existing.map((folder) => folder.slice(0, 14)).filter((s) => /^\d{14}$/.test(s)).sort().at(-1);
  if (latest && stamp <= latest) {
    const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((at, i) => Number(latest.slice(at, at + (i === 0 ? 4 : 2))));
    stamp = stampOf(new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s! + 1)));
  }
  return `${stamp}_${name}`;
}

async function main(args: string[]): Promise<number> {
  const check = args.includes("--check");
  const name = args.find((arg) => !arg.startsWith("--")) ?? "functions";
  try {
    const migrations = await readMigrations(MIGRATIONS_DIR);
    const plan = planFunctionsMigration(await readFunctionFiles(), migrations);
    const changes = [...plan.drop.map((statement) => statement.slice(0, -1)), ...plan.create.map((file) => file.file)];
    if (changes.length === 0) {
      console.log("db:functions: the migrations hold every file of prisma/sql/functions/ as it is; nothing to write.");
      return 0;
    }
    if (check) {
      console.error(`db:functions: a migration is due (npm run db:functions -- <name>):\n  ${changes.join("\n  ")}`);
      return 1;
    }
    const folder = migrationFolderName(name, migrations.map((migration) => migration.name));
    const target = path.join(MIGRATIONS_DIR, folder, "migration.sql");
    await mkdir(path.dirname(target));
    await writeFile(target, renderFunctionsMigration(plan));
    console.log(`db:functions: wrote ${path.relative(ROOT, target)}:`);
    for (const change of changes) console.log(`  ${change}`);
    return 0;
  } catch (error) {
    console.error(`db:functions: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (isMainModule(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
