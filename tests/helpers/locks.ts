/** Seeing requests queue behind a lock a test holds, without timing: what PostgreSQL says each backend waits for. */
import { getPrisma } from "@/lib/db";
import type { Db } from "@/lib/server/sql";

/** The backend of `tx` (call it inside the transaction that holds the lock). */
export async function backendPid(tx: Db): Promise<number> {
  return (await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
}

/**
 * The backends queued behind `holderPid`: blocked by it, or by one blocked by it, and so on (`pg_blocking_pids`
 * names who a waiter waits for: the holder of the row, or the waiter ahead of it on the row's lock). Unlike a count of
 * every backend waiting for some lock, nothing else waiting in the database (a presence heartbeat, say) is counted.
 */
export async function queuedBehind(holderPid: number): Promise<number> {
  const [row] = await getPrisma().$queryRaw<{ n: number }[]>`
    WITH RECURSIVE queue AS (
      SELECT a.pid FROM pg_stat_activity a WHERE ${holderPid}::int = ANY(pg_blocking_pids(a.pid))
      UNION
      SELECT a.pid FROM pg_stat_activity a JOIN queue q ON q.pid = ANY(pg_blocking_pids(a.pid))
    )
    SELECT count(*)::int AS n FROM queue`;
  return row!.n;
}
