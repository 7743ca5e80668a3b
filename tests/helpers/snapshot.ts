/**
 * "Nothing changed": a digest of every table a request could change, to compare before and after requests that must
 * be refused (tests/admin.test.ts, tests/moderation.test.ts, tests/fuzz.test.ts).
 */
import { getPrisma } from "@/lib/db";

/** The tables, each with the columns that legitimately change on any authenticated read (presence, token use). */
export const SNAPSHOT_TABLES: [table: string, ignored: string[]][] = [
  ["users", ["last_seen_at", "online"]],
  ["api_tokens", ["last_used_at"]],
  ["sessions", []],
  ["threads", []],
  ["participants", []],
  ["messages", []],
  ["message_reactions", []],
  ["events", []],
  ["reports", []],
  ["blocks", []],
  ["audit_log", []],
];

/**
 * The SQL of a snapshot: per table, its row count and the MD5 of its rows as JSON without the ignored columns.
 * @param where a condition on the rows hashed, per table (fuzz.test.ts counts admins' audited reads apart)
 */
export const snapshotSql = (where: Record<string, string> = {}) =>
  SNAPSHOT_TABLES.map(
    ([table, ignored]) =>
      `SELECT '${table}' AS "table", count(*)::int AS rows, md5(coalesce(string_agg(r, ',' ORDER BY r), '')) AS hash ` +
      `FROM (SELECT (to_jsonb(t)${ignored.map((c) => ` - '${c}'`).join("")})::text AS r FROM ${table} t` +
      `${where[table] ? ` WHERE ${where[table]}` : ""}) s`,
  ).join(" UNION ALL ");

const SQL = snapshotSql();

/** Row count and MD5 of every row (as JSON, the ignored columns removed) of each table, one line per table. */
export async function dataSnapshot(): Promise<string> {
  const rows = await getPrisma().$queryRawUnsafe<{ table: string; rows: number; hash: string }[]>(SQL);
  return rows.map((r) => `${r.table}: ${r.rows} rows, ${r.hash}`).join("\n");
}
