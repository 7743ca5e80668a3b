/**
 * Recognises PostgreSQL's unique_violation (SQLSTATE 23505) whether it reaches us as Prisma's P2002 (query builder)
 * or as a raw driver error (`$queryRaw` through the pg adapter, reported as P2010 with the original code).
 */
export function isUniqueViolation(e: unknown): boolean {
  if (typeof e !== "object" || e === null) return false;
  const err = e as { code?: string; meta?: { code?: string; driverAdapterError?: { cause?: { originalCode?: string } } } };
  if (err.code === "P2002" || err.code === "23505") return true;
  return err.meta?.code === "23505" || err.meta?.driverAdapterError?.cause?.originalCode === "23505";
}
