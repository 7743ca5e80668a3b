import type { z } from "zod";
import type { RateLimitName } from "../infra/rate-limit";

/**
 * How an API operation is declared: once, in `lib/openapi/<resource>.ts`. From the one declaration come
 * - the route handler's behaviour (lib/api/handler.ts `route`): who may call, which rate limit it counts against,
 *   how its path, query and body are parsed, and whether its 200 can be revalidated with an `ETag`;
 * - its OpenAPI description (lib/openapi/document.ts), with every error answer those choices imply;
 * - the tests' table of routes (tests/helpers/api.ts) and the contract every answer is held to.
 * docs/architecture.md says, step by step, where a new endpoint goes.
 */

/** The HTTP methods the API uses. */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Who may call: `required` (a session cookie or a bearer token; anonymous callers get 401), `admin` (an active
 * admin's session or token, lib/server/roles.ts; everyone else, anonymous callers and bad credentials included, gets
 * 404, as if the operation did not exist), `optional` (the handler gets the caller or `null`), `none` (credentials
 * are not even read: a stale or malformed one is no reason to fail).
 */
export type Auth = "required" | "admin" | "optional" | "none";

/** The error statuses the API answers with (their meanings: lib/openapi/responses.ts). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503;

/** The document's tags, one per resource file (lib/openapi/<resource>.ts). */
export type Tag = "Threads" | "Groups" | "Messages" | "Read state" | "Search" | "Live" | "Accounts" | "Moderation" | "Admin" | "Operations";

/** One success answer: its description, its JSON body's schema (none for 204), and whether it names a `Location`. */
export interface SuccessAnswer {
  description: string;
  schema?: z.ZodType;
  location?: boolean;
}

/** An API operation: one method on one path. */
export interface Operation {
  method: HttpMethod;
  /** The OpenAPI path template, as `/api/threads/{id}/messages`; the route file is `app/api/threads/[id]/messages/route.ts`. */
  path: `/api/${string}`;
  /** Unique; also the name the declaration is exported under. */
  operationId: string;
  summary: string;
  description?: string;
  tag: Tag;
  auth: Auth;
  /** The path parameters (an unparseable id answers 404, as an unknown one does). */
  params?: z.ZodObject;
  /** The query parameters (400 naming each invalid one; unknown ones are ignored). */
  query?: z.ZodObject;
  /**
   * `false`: `query` only documents the parameters, and the handler reads them itself. For the event stream, whose
   * resume position comes from the `Last-Event-ID` header first and the query only as a fallback.
   */
  parseQuery?: false;
  /** The JSON body (400, 413, 415). */
  body?: z.ZodType;
  /**
   * Success answers by status. A handler of an operation with exactly one returns its data and the wrapper answers
   * with that status (204 with no body); with several, it returns the `Response` itself.
   */
  ok: Partial<Record<200 | 201 | 204, SuccessAnswer>>;
  /** Error statuses besides the ones the declaration implies ({@link impliedErrors}), or what to add to them. */
  errors?: Partial<Record<ErrorStatus, string>>;
  /**
   * The rate limits a request counts against (lib/infra/rate-limit.ts); default {@link rateLimitsOf}. The wrapper
   * counts `writes` against the caller before the handler runs; the others' subject (a client IP, a username) comes
   * from the request, and the handler counts them with `countAgainst`.
   */
  rateLimits?: readonly RateLimitName[];
  /** The 200 carries a weak `ETag` and `If-None-Match` gets 304 (lib/api/handler.ts `conditionalJson`). */
  conditional?: true;
  /** The 200 is a Server-Sent Events stream (lib/api/event-stream.ts), not JSON. */
  stream?: true;
  /** `false` for an operation that never touches the database (no 503). */
  database?: false;
  /** `debug`: successful answers are logged at debug level (probes, which come every few seconds). */
  accessLog?: "debug";
  /**
   * A safe method that writes all the same (an audited read): like the unsafe methods, cookie-authenticated requests
   * from another site's page are refused (403), so that a link elsewhere cannot make one in the caller's name.
   */
  sameOrigin?: true;
}

/**
 * Declares an operation. An identity function: it checks the shape and keeps the literal types the route wrapper
 * infers its handler's parameters from.
 */
export function defineOperation<const O extends Operation>(operation: O): O {
  return operation;
}

/** Methods that change something (RFC 9110 §9.2.1: not safe). */
export const UNSAFE_METHODS: ReadonlySet<HttpMethod> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * The rate limits `op` counts against: its declared ones, or by default `writes` for every unsafe method a signed-in
 * caller (or an admin) must use.
 */
export function rateLimitsOf(op: Operation): readonly RateLimitName[] {
  return op.rateLimits ?? (UNSAFE_METHODS.has(op.method) && (op.auth === "required" || op.auth === "admin") ? ["writes"] : []);
}

/**
 * The error answers an operation has by its shape: 400 for a query or a body; 401 when it needs a caller; 403
 * (cross-site browser writes, lib/api/handler.ts) for every unsafe method and `sameOrigin` operation; 404 for a path parameter, and for every
 * admin operation (what anyone but an admin gets); 413 and 415 for a
 * body; 429 when it counts against a rate limit; 503 for every operation that uses the database.
 */
export function impliedErrors(op: Operation): ErrorStatus[] {
  const statuses: ErrorStatus[] = [];
  if (op.query || op.body) statuses.push(400);
  if (op.auth === "required") statuses.push(401);
  if (UNSAFE_METHODS.has(op.method) || op.sameOrigin) statuses.push(403);
  if (op.params || op.auth === "admin") statuses.push(404);
  if (op.body) statuses.push(413, 415);
  if (rateLimitsOf(op).length > 0) statuses.push(429);
  if (op.database !== false) statuses.push(503);
  return statuses;
}
