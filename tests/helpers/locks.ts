/** Seeing requests queue behind a lock a test holds, without timing: what PostgreSQL says each backend waits for. */
import { getPrisma } from "@/lib/db";
import type { Db, Prisma } from "@/lib/server/sql";

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

/**
 * Runs `statement` (a call of one of the write functions) in a transaction that stays open, holding its locks, until
 * `commit()`: a write caught halfway, for another request to run into. `pid` is its backend, for {@link queuedBehind}.
 * @throws Error when the statement fails (the transaction ends before it is held).
 */
export async function holdOpen(statement: Prisma.Sql): Promise<{ pid: number; commit(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let ran!: (pid: number) => void;
  const hasRun = new Promise<number>((resolve) => (ran = resolve));
  const transaction = getPrisma().$transaction(
    async (tx) => {
      await tx.$queryRaw(statement);
      ran(await backendPid(tx));
      await released;
    },
    { timeout: 60_000 },
  );
  const pid = await Promise.race([hasRun, transaction.then(() => Promise.reject(new Error("the held transaction ended early")))]);
  return {
    pid,
    async commit() {
      release();
      await transaction;
    },
  };
}
