import type { z } from "zod";
import { AppError, type FieldError, type ProblemType, statusOf } from "../errors";
import type { problem } from "../schemas/common";
import { isUniqueViolation } from "../server/prisma-errors";

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
  h.set("content-type", "application/problem+json");
  h.set("x-request-id", requestId);
  h.set("cache-control", "no-store");
  return new Response(JSON.stringify(body), { status, headers: h });
}

/** True when `test` holds for `e` or any error it wraps (`cause`, or a Prisma error's driver adapter error). */
function anyCause(e: unknown, test: (o: Record<string, unknown>) => boolean): boolean {
  const seen = new Set<unknown>();
  let cur: unknown = e;
  while (cur && typeof cur === "object" && !seen.has(cur)) {
    seen.add(cur);
    const o = cur as Record<string, unknown>;
    if (test(o)) return true;
    cur = o.cause ?? (o.meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError;
  }
  return false;
}

/** True when `e` carries SQLSTATE `code` (driver adapter errors keep it as `originalCode`). */
const hasCode = (e: unknown, code: string) => anyCause(e, (o) => o.code === code || o.originalCode === code);

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "57P01", "57P03", "P1001", "P1017"]);

/** True for errors that mean the database cannot be reached right now (server down, restarting, refusing). */
const isUnavailable = (e: unknown) =>
  anyCause(
    e,
    (o) =>
      (typeof o.code === "string" && CONNECTION_CODES.has(o.code)) ||
      o.kind === "DatabaseNotReachable" ||
      o.kind === "ConnectionClosed",
  );

/**
 * Maps anything thrown by a handler to a problem response. Known failures keep their status; database
 * unavailability is 503; anything else is logged with the request id and answered with a bare 500 (no stack, no SQL).
 */
export function errorResponse(e: unknown, requestId: string, req: Request): Response {
  if (e instanceof AppError) return problemResponse(e.type, e.detail, requestId, e.errors, e.headers);
  if (hasCode(e, "22021") || hasCode(e, "22P05")) {
    // Text PostgreSQL cannot store (invalid encoding) that got past validation.
    return problemResponse("bad_request", "The request contains characters that cannot be stored.", requestId);
  }
  if (isUniqueViolation(e)) return problemResponse("conflict", "The resource already exists.", requestId);
  if (isUnavailable(e)) {
    return problemResponse("service_unavailable", "The database is unavailable. Try again shortly.", requestId, undefined, {
      "retry-after": "2",
    });
  }
  const err = e instanceof Error ? e : new Error(String(e));
  console.error(
    JSON.stringify({
      level: "error",
      msg: "unhandled error",
      requestId,
      method: req.method,
      path: new URL(req.url).pathname,
      error: { name: err.name, message: err.message, stack: err.stack },
    }),
  );
  return problemResponse("internal", "Something went wrong on our side. Quote the request id when reporting it.", requestId);
}
