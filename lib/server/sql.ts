import "server-only";
import { getPrisma } from "../db";
import { Prisma, type PrismaClient } from "../generated/prisma/client";

/** The client or an interactive transaction: the domain functions take either. */
export type Db = PrismaClient | Prisma.TransactionClient;

export { Prisma, getPrisma };

/**
 * SQL: the timestamptz `expr` as ISO 8601 UTC text with milliseconds, exactly as JavaScript's `toISOString` writes it
 * (the wire format of every timestamp: lib/schemas/common.ts, `timestamp`). The SQL function files spell the same
 * pattern out (prisma/sql/functions/, e.g. parley_message_json).
 */
export const isoTime = (expr: Prisma.Sql) => Prisma.sql`to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Escapes LIKE/ILIKE wildcards (`%`, `_`) and the escape character itself, so user text matches literally
 * (PostgreSQL's default LIKE escape character is the backslash).
 */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, "\\$&");

/**
 * Recognises PostgreSQL's unique_violation (SQLSTATE 23505) whether it reaches us as Prisma's P2002 (query builder)
 * or as a raw driver error (`$queryRaw` through the pg adapter, reported as P2010 with the original code).
 */
export function isUniqueViolation(e: unknown): boolean {
  return hasSqlState(e, "P2002", "23505");
}

/** Recognises PostgreSQL's foreign_key_violation (SQLSTATE 23503), as Prisma's P2003 or a raw driver error. */
export function isForeignKeyViolation(e: unknown): boolean {
  return hasSqlState(e, "P2003", "23503");
}

function hasSqlState(e: unknown, prismaCode: string, sqlState: string): boolean {
  if (typeof e !== "object" || e === null) return false;
  const err = e as { code?: string; meta?: { code?: string; driverAdapterError?: { cause?: { originalCode?: string } } } };
  if (err.code === prismaCode || err.code === sqlState) return true;
  return err.meta?.code === sqlState || err.meta?.driverAdapterError?.cause?.originalCode === sqlState;
}
