import "server-only";
import type { z } from "zod";
import { AppError, type FieldError, type ProblemType, statusOf } from "../errors";
import type { problem } from "../schemas/common";
import { log } from "../log";
import { isUniqueViolation } from "../server/sql";

/**
 * An `application/problem+json` response (RFC 9457): `type`, `title`, `status`, `detail`, the request id, and
 * per-field `errors` for invalid input. `type` is a relative URI reference naming the problem kind.
 */
export function problemResponse(
  type: ProblemType,
  detail: string,
  requestId: string,
  errors?: FieldError[],
  headers?: HeadersInit,
): Response {
  const { status, title } = statusOf(type);
  // Typed by the schema the OpenAPI document publishes (lib/schemas/common.ts), so the two cannot part.
  const body: z.infer<typeof problem> = { type: `/problems/${type.replaceAll("_", "-")}`, title, status, detail, requestId, ...(errors ? { errors } : {}) };
  const h = new Headers(headers);
  // A 401 must say how to authenticate (RFC 9110 §11.6.1); RFC 6750 §3 gives the Bearer form.
  if (status === 401 && !h.has("www-authenticate")) h.set("www-authenticate", 'Bearer realm="parley"');
  // Every 503 is temporary (the database restarting, an instance draining): say when to try again (RFC 9110 §10.2.3).
  if (status === 503 && !h.has("retry-after")) h.set("retry-after", "2");
  h.set("content-type", "application/problem+json");
  h.set("x-request-id", requestId);
  h.set("cache-control", "no-store");
  return new Response(JSON.stringify(body), { status, headers: h });
}

/**
 * True when `test` holds for `e` or any error it wraps: its `cause`, a Prisma error's driver adapter error (and that
 * one's `cause`, where `@prisma/adapter-pg` keeps the SQLSTATE), or the parts of an `AggregateError` (what Node's
 * `net` reports when every address of a host refused). Looks at no more than 32 errors, each once.
 */
function anyCause(e: unknown, test: (o: Record<string, unknown>) => boolean): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [e];
  while (pending.length > 0 && seen.size < 32) {
    const cur = pending.shift();
    if (!cur || typeof cur !== "object" || seen.has(cur)) continue;
    seen.add(cur);
    const o = cur as Record<string, unknown>;
    if (test(o)) return true;
    pending.push(o.cause, (o.meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError);
    if (cur instanceof AggregateError) pending.push(...cur.errors);
  }
  return false;
}

/** True when `e` carries SQLSTATE `code` (driver adapter errors keep it as `originalCode`). */
const hasCode = (e: unknown, code: string) => anyCause(e, (o) => o.code === code || o.originalCode === code);

/**
 * Codes that mean the database cannot be used right now, but can be again without anyone changing anything:
 * - socket errors (Node): refused (server down or restarting), reset, broken pipe, timed out;
 * - SQLSTATEs (PostgreSQL, Appendix A): class 08 connection exceptions (08P01, a protocol violation, is left out: that
 *   is a bug); 57P01 admin_shutdown (fast shutdown terminating the backend), 57P02 crash_shutdown (another backend
 *   crashed), 57P03 cannot_connect_now (starting up, shutting down, in recovery), 57P05 idle_session_timeout;
 *   53300 too_many_connections (the server refuses new connections until others close);
 * - Prisma's codes for the same (the driver adapter's error kinds, mapped by `@prisma/client`): P1001 can't reach the
 *   server, P1002 and P1008 timed out, P1017 the server closed the connection, P2037 too many connections.
 * Everything else is not the database's absence and stays a 500 (a bad query, a constraint nobody handled, a bug).
 */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "08007",
  "57P01",
  "57P02",
  "57P03",
  "57P05",
  "53300",
  "P1001",
  "P1002",
  "P1008",
  "P1017",
  "P2037",
]);

/** The driver adapter's error kinds for the same conditions (`@prisma/adapter-pg` maps socket errors to them). */
const CONNECTION_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

/**
 * node-postgres' errors that carry no code, by their exact message (pg `client.js`, pg-pool `index.js`): the server
 * closed the connection under a query (a restart or crash: PostgreSQL's own 57P01 notice may not arrive first); no
 * connection within `connectionTimeoutMillis` (connecting, or waiting for a free one in a full pool); a query on a
 * client whose connection already failed. `@prisma/adapter-pg` passes such errors on unchanged.
 */
const CONNECTION_MESSAGES = new Set([
  "Connection terminated unexpectedly",
  "Connection terminated due to connection timeout",
  "timeout exceeded when trying to connect",
  "Client has encountered a connection error and is not queryable",
  // No answer within DATABASE_QUERY_TIMEOUT_MS (node-postgres' query_timeout): the server froze or the path died.
  "Query read timeout",
]);

/** True for errors that mean the database cannot be reached right now (server down, restarting, refusing, silent). */
export const isDatabaseUnavailable = (e: unknown): boolean =>
  anyCause(
    e,
    (o) =>
      (typeof o.code === "string" && CONNECTION_CODES.has(o.code)) ||
      (typeof o.originalCode === "string" && CONNECTION_CODES.has(o.originalCode)) ||
      (typeof o.kind === "string" && CONNECTION_KINDS.has(o.kind)) ||
      (o.code === undefined && o instanceof Error && CONNECTION_MESSAGES.has(o.message)),
  );

/**
 * Maps anything thrown by a handler to a problem response. Known failures keep their status; database
 * unavailability is 503; anything else is logged (lib/log.ts) with the request id and answered with a bare 500 (no stack,
 * no SQL).
 */
export function errorResponse(e: unknown, requestId: string, req: Request): Response {
  if (e instanceof AppError) return problemResponse(e.type, e.detail, requestId, e.errors, e.headers);
  if (hasCode(e, "22021") || hasCode(e, "22P05")) {
    // Text PostgreSQL cannot store (invalid encoding) that got past validation.
    return problemResponse("bad_request", "The request contains characters that cannot be stored.", requestId);
  }
  if (isUniqueViolation(e)) return problemResponse("conflict", "The resource already exists.", requestId);
  if (isDatabaseUnavailable(e)) {
    return problemResponse("service_unavailable", "The database is unavailable. Try again shortly.", requestId, undefined, {
      "retry-after": "2",
    });
  }
  // The one place an unexpected error is logged: with its cause chain and stack, never sent to the client.
  log.error({ requestId, method: req.method, path: new URL(req.url).pathname, err: e }, "unhandled error");
  return problemResponse("internal", "Something went wrong on our side. Quote the request id when reporting it.", requestId);
}
