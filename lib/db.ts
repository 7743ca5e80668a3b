import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { config } from "./config";
import { PrismaClient } from "./generated/prisma/client";

/**
 * The one PrismaClient of the process, over node-postgres through `@prisma/adapter-pg`.
 *
 * Created on first use (not at import) so that scripts and tests can choose `DATABASE_URL` before touching the
 * database. Cached on `globalThis` so that Next's dev-mode module reloading does not open a new pool per edit.
 * Pool size: `DATABASE_POOL_SIZE` (default 10, node-postgres' own default); the pool is also {@link getPool}'s.
 * Settings come from lib/config.ts.
 * With `PRISMA_QUERY_EVENTS=1` the client reports every SQL statement to {@link onQuery} listeners (statement
 * budgets in tests and benchmarks).
 *
 * @throws ConfigError when `DATABASE_URL` is not set or a setting is invalid.
 */
export function getPrisma(): PrismaClient {
  const cached = globalForPrisma.parleyPrisma;
  if (cached) return cached;
  const { DATABASE_URL: connectionString } = config();
  const pool = new pg.Pool({
    connectionString,
    max: config().DATABASE_POOL_SIZE,
    // How long a query waits for a connection, ms: to open one, or for one to come free in a full pool. node-postgres'
    // default, 0, waits forever, so a server that accepts connections but does not answer (overloaded, frozen, behind
    // a dropped route) would hang every request; past this, the query fails and the request is answered 503.
    connectionTimeoutMillis: connectTimeoutMs(),
    // And how long a query sent on a connection may go unanswered (see queryTimeoutMs).
    query_timeout: queryTimeoutMs(),
    Client: EndOnQueryTimeout,
  });
  // An idle client's error (the server went away) must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const withEvents = queryEventsEnabled();
  const client = withEvents
    ? new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] })
    : new PrismaClient({ adapter });
  if (withEvents) {
    (client as PrismaClient<"query">).$on("query", (e) => {
      const tally = statementTallies.getStore();
      if (tally) {
        if (/^\s*COMMIT\b/i.test(e.query)) tally.transactions++;
        else if (!/^\s*(BEGIN|ROLLBACK)\b/i.test(e.query)) tally.statements++;
      }
      for (const listener of queryListeners) listener(e.query, e.params);
    });
  }
  globalForPrisma.parleyPrisma = client;
  globalForPrisma.parleyPool = pool;
  return client;
}

/**
 * The node-postgres pool under {@link getPrisma}'s client, for libraries that speak to node-postgres directly (the
 * rate limiter). Shares the client's connections and its `DATABASE_POOL_SIZE`.
 * @throws ConfigError when `DATABASE_URL` is not set or a setting is invalid.
 */
export function getPool(): pg.Pool {
  getPrisma();
  return globalForPrisma.parleyPool!;
}

const globalForPrisma = globalThis as unknown as { parleyPrisma?: PrismaClient; parleyPool?: pg.Pool };

/** node-postgres' error when a query got no answer within `query_timeout` (pg `client.js`). */
const QUERY_READ_TIMEOUT = "Query read timeout";

/**
 * The pool's client: node-postgres' own, except that a query that times out ends its connection (`end()` destroys the
 * socket of a client whose query hangs), so the pool drops it whoever releases it. pg-pool does that by itself only
 * for its own `pool.query()`; a transaction's connection (Prisma's interactive transactions) is released without the
 * error, and would go back to the pool with the unanswered query, and the transaction, still open on it: the next
 * statement sent on it would run, uncommitted, inside that transaction once the server answers again.
 */
class EndOnQueryTimeout extends pg.Client {
  override query(...args: never[]): never {
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) {
      result.then(undefined, (error: unknown) => {
        if (error instanceof Error && error.message === QUERY_READ_TIMEOUT) void this.end().catch(() => undefined);
      });
    }
    return result as never;
  }
}

const queryListeners = new Set<(sql: string, params: string) => void>();

/**
 * Calls `listener` with the text of every SQL statement the client sends and its parameters (a JSON array, as
 * Prisma's query events give them; a transaction appears as its statements followed by `COMMIT`). Needs
 * `PRISMA_QUERY_EVENTS=1` before the client is created.
 * @returns a function that removes the listener.
 */
export function onQuery(listener: (sql: string, params: string) => void): () => void {
  queryListeners.add(listener);
  return () => queryListeners.delete(listener);
}

/** SQL sent on behalf of one unit of work (an HTTP request, say). */
export interface StatementTally {
  /** Statements other than `BEGIN`, `COMMIT` and `ROLLBACK`. */
  statements: number;
  /** Committed transactions (`COMMIT`s). */
  transactions: number;
}

const statementTallies = new AsyncLocalStorage<StatementTally>();

/** Whether the client reports its statements (`PRISMA_QUERY_EVENTS=1`), so that {@link tallyStatements} can count. */
export const queryEventsEnabled = (): boolean => config().PRISMA_QUERY_EVENTS;

/**
 * Runs `fn` and counts the SQL that the client sends while it runs, including from everything `fn` starts and awaits
 * (the count follows the async context, so concurrent requests are counted apart). Counts stay 0 unless
 * {@link queryEventsEnabled}.
 * @returns `fn`'s result and the tally.
 */
export async function tallyStatements<T>(fn: () => Promise<T>): Promise<{ result: T; tally: StatementTally }> {
  const tally: StatementTally = { statements: 0, transactions: 0 };
  const result = await statementTallies.run(tally, fn);
  return { result, tally };
}

/**
 * Counts one statement sent around Prisma (straight to {@link getPool}) in the current {@link tallyStatements} tally,
 * so that statement budgets and `Server-Timing` include it. A no-op outside a tally.
 */
export function countStatement(): void {
  const tally = statementTallies.getStore();
  if (tally) tally.statements++;
}

/** Closes the pool (tests, scripts, graceful shutdown). The next {@link getPrisma} opens a new one. */
export async function disconnectPrisma(): Promise<void> {
  const client = globalForPrisma.parleyPrisma;
  const pool = globalForPrisma.parleyPool;
  globalForPrisma.parleyPrisma = undefined;
  globalForPrisma.parleyPool = undefined;
  await client?.$disconnect();
  // $disconnect ends the pool only if Prisma itself connected; the rate limiter may have used it alone.
  if (pool && !pool.ending) await pool.end();
}

/**
 * The URL for connections that must be direct, not through a transaction-mode pooler (PgBouncer, Neon's or
 * Supabase's pooled endpoints): `LISTEN` connections and migrations. `DATABASE_URL_UNPOOLED` when set, else
 * `DATABASE_URL`.
 * @throws ConfigError when `DATABASE_URL` is not set or a setting is invalid.
 */
export function directDatabaseUrl(): string {
  const { DATABASE_URL_UNPOOLED, DATABASE_URL } = config();
  return DATABASE_URL_UNPOOLED ?? DATABASE_URL;
}

/**
 * How long any connection attempt may take before it fails, ms (`DATABASE_CONNECT_TIMEOUT_MS`): the pool's, and the
 * `LISTEN` connections', whose reconnect loops would otherwise wait forever on a server that does not answer.
 */
export const connectTimeoutMs = (): number => config().DATABASE_CONNECT_TIMEOUT_MS;

/**
 * How long a query may go unanswered, ms (`DATABASE_QUERY_TIMEOUT_MS`): node-postgres' client-side `query_timeout`,
 * on the pool's connections and the `LISTEN` connections' pings ({@link watchListener}).
 *
 * Client-side, because the case it is for is a database that does not answer at all: a stopped server process or a
 * dead network path, where a server-side `statement_timeout` cannot fire and TCP keepalive sees nothing (a stopped
 * process's kernel still acknowledges) or takes minutes. A pool query that times out rejects with "Query read timeout"
 * (answered 503, lib/api/problem.ts), and its connection is closed rather than reused ({@link EndOnQueryTimeout}), so
 * no later query queues behind the unanswered one, or runs inside its unfinished transaction. What it does not do:
 * cancel the query on the server; a healthy server that is merely slow finishes it, or fails it when it next writes
 * to the closed connection.
 */
export const queryTimeoutMs = (): number => config().DATABASE_QUERY_TIMEOUT_MS;

/** How often a `LISTEN` connection checks that the server still answers, ms. */
export const LISTENER_PING_MS = 15_000;

/**
 * Checks every `intervalMs` (default {@link LISTENER_PING_MS}) that a `LISTEN` connection's server still answers
 * (`SELECT 1` within {@link queryTimeoutMs}), and calls `onLost` once when it does not: a connection whose server
 * froze or whose network path died reports nothing by itself, and would sit there, silently missing every
 * notification, for as long as the operating system keeps the socket. The caller treats it as it treats a closed
 * connection (reconnect, forget what the notifications kept current). The checks stop when the connection ends or one
 * fails.
 * @returns a function that stops the checks.
 */
export function watchListener(client: pg.Client, onLost: () => void, intervalMs = LISTENER_PING_MS): () => void {
  let inFlight = false;
  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = true;
    client
      .query({ text: "SELECT 1", query_timeout: queryTimeoutMs() } as pg.QueryConfig)
      .then(
        () => undefined,
        () => {
          clearInterval(timer);
          onLost();
        },
      )
      .finally(() => {
        inFlight = false;
      });
  }, intervalMs);
  timer.unref();
  const stop = () => clearInterval(timer);
  client.once("end", stop);
  return stop;
}
