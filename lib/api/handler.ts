import "server-only";
import etag from "etag";
import fresh from "fresh";
import { z } from "zod";
import { queryEventsEnabled, tallyStatements } from "../db";
import { AppError } from "../errors";
import { JsonText } from "../json-text";
import { log } from "../log";
import { consume, rateLimitHeaders, type RateLimitName } from "../infra/rate-limit";
import type { Authenticated } from "../server/credentials";
import { isActiveAdmin } from "../server/roles";
import { authenticateToken } from "../server/tokens";
import { rateLimitsOf, UNSAFE_METHODS, type Operation } from "../openapi/operation";
import { findNul, parseBody, parseQuery } from "./parse";
import { errorResponse, problemResponse } from "./problem";
import { sessionCaller } from "./session";

/** Who is calling, and the credential they showed (a bearer token or a browser session: lib/server/credentials.ts). */
export type Caller = Authenticated;

interface BaseContext<P> {
  req: Request;
  params: P;
  requestId: string;
  /** Headers added to the response, whether the handler answers or throws (`RateLimit-*`, say). */
  responseHeaders: Headers;
}

/** What a route's second argument carries in Next 16: the dynamic segments, as a promise. */
type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };
type RouteHandler = (req: Request, ctx: RouteContext) => Promise<Response>;

/** A well-formed incoming X-Request-Id (from a load balancer, say) is kept; otherwise a new UUID. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function requestIdOf(req: Request): string {
  const incoming = req.headers.get("x-request-id");
  return incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
}

/**
 * Resolves the caller: a bearer token when an `Authorization` header is present (cookies are then ignored),
 * else the Auth.js session cookie, whose session must not have ended.
 * @returns `null` when neither is present, or the cookie's session is not current.
 * @throws AppError `unauthorized` (401) for a malformed, unknown or revoked token.
 */
export async function resolveCaller(req: Request): Promise<Caller | null> {
  const header = req.headers.get("authorization");
  if (header !== null) {
    const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
    const caller = match?.[1] ? await authenticateToken(match[1]) : null;
    if (!caller) {
      throw new AppError("unauthorized", "The bearer token is invalid or has been revoked.", undefined, {
        "www-authenticate": 'Bearer realm="parley", error="invalid_token"',
      });
    }
    return caller;
  }
  return sessionCaller(req);
}

/** What an unknown API path answers (app/api/[...path]/route.ts), and so every admin operation to a non-admin. */
export const UNKNOWN_PATH = "No such API endpoint.";

/**
 * The caller when they are an active admin (lib/server/roles.ts), else `null`: anonymous, a bad or revoked token, an
 * ended session, a member, a suspended or deleted account. The admin operations answer all of those alike (404).
 */
async function resolveAdmin(req: Request): Promise<Caller | null> {
  let caller: Caller | null;
  try {
    caller = await resolveCaller(req);
  } catch (e) {
    if (e instanceof AppError && e.type === "unauthorized") return null;
    throw e;
  }
  return caller && (await isActiveAdmin(caller.userId)) ? caller : null;
}

/** The host the client addressed: the proxy's `X-Forwarded-Host` first, then `Host`, then the URL's. */
function requestHost(req: Request): string {
  return req.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || req.headers.get("host") || new URL(req.url).host;
}

/**
 * True when a browser sent `req` from another origin: `Sec-Fetch-Site` says so (`cross-site`, `same-site`), or,
 * from browsers that do not send it, `Origin` names another host than the request's. Requests with neither come
 * from outside a browser (or from one old enough to leave both out of same-origin requests) and are let through.
 * The rule of Go 1.25's `net/http.CrossOriginProtection` (after Filippo Valsorda's "CSRF" write-up), which needs no
 * token in the page.
 */
export function isCrossOriginBrowserRequest(req: Request): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site !== null) return site !== "same-origin" && site !== "none";
  const origin = req.headers.get("origin");
  if (origin === null) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return true; // "null" (sandboxed frames, some redirects) or garbage: not this origin
  }
  const host = requestHost(req);
  return originHost !== host;
}

/**
 * True when `req` proves it came from this origin's own pages: `Sec-Fetch-Site: same-origin`, or, from browsers that
 * send no fetch metadata (they send it only to secure origins: a plain-HTTP deployment), a `Referer` on this host
 * (the app's own pages send one: `Referrer-Policy: strict-origin-when-cross-origin`, lib/security-headers.ts).
 * Stricter than {@link isCrossOriginBrowserRequest}, for the `sameOrigin` operations: a cross-site GET carries no
 * `Origin`, so the absence of evidence is not enough there.
 */
export function isProvenSameOrigin(req: Request): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site !== null) return site === "same-origin";
  const referer = req.headers.get("referer");
  if (referer === null) return false;
  let refererHost: string;
  try {
    refererHost = new URL(referer).host;
  } catch {
    return false;
  }
  const host = requestHost(req);
  return refererHost === host;
}

async function parseParams<P>(ctx: RouteContext | undefined, schema: z.ZodType<P> | undefined): Promise<P> {
  if (!schema) return {} as P;
  const raw = ctx ? await ctx.params : {};
  const parsed = schema.safeParse(raw);
  if (findNul(raw)) throw new AppError("not_found", "Not found.");
  if (parsed.success) return parsed.data;
  // Ids (`id`, `userId`) are opaque: one that cannot be valid names nothing, exactly like one that does not exist.
  // Any other parameter (a reaction's emoji) is input, and its problem is said.
  const isId = (key: PropertyKey | undefined) => typeof key === "string" && (key === "id" || key.endsWith("Id"));
  if (parsed.error.issues.some((issue) => isId(issue.path[0]))) throw new AppError("not_found", "Not found.");
  throw new AppError(
    "validation",
    "Invalid path.",
    parsed.error.issues.map((issue) => ({ parameter: String(issue.path[0]), detail: issue.message })),
  );
}

/**
 * One access-log line per API request (lib/log.ts): method, path, status, duration in ms (to the response's headers;
 * a stream's lifetime is not included) and the request id that `X-Request-Id` carries. Never the query string (it can
 * carry a `lastEventId` only, but stays out on principle), a body, or a header. 5xx lines are warnings.
 */
function logRequest(req: Request, res: Response, requestId: string, started: number, quiet: boolean): void {
  const level = res.status >= 500 ? "warn" : quiet ? "debug" : "info";
  if (!log.isLevelEnabled(level)) return;
  const ms = Math.round((performance.now() - started) * 10) / 10;
  log[level]({ requestId, method: req.method, path: new URL(req.url).pathname, status: res.status, ms }, "request");
}

type Inner = (
  req: Request,
  ctx: RouteContext | undefined,
  requestId: string,
  responseHeaders: Headers,
  admin: Caller | null,
) => Promise<Response>;

interface RunOptions {
  /** `debug`: log successful answers at debug level (health probes, which come every few seconds). */
  accessLog?: "debug";
  /**
   * An admin operation: before anything else (the cross-site check included), the caller must be an active admin,
   * or the answer is the 404 of an unknown API path; the admin is handed to `fn`.
   */
  admin?: true;
  /** Refuse cross-site browser requests whatever the method (the operation's `sameOrigin`). */
  sameOrigin?: true;
}

function run(fn: Inner, opts: RunOptions = {}): RouteHandler {
  const handle = async (req: Request, ctx: RouteContext | undefined) => {
    const requestId = requestIdOf(req);
    const responseHeaders = new Headers();
    const started = performance.now();
    let res: Response;
    try {
      let admin: Caller | null = null;
      if (opts.admin) {
        admin = await resolveAdmin(req);
        if (!admin) throw new AppError("not_found", UNKNOWN_PATH);
      }
      // Cookie-authenticated writes from another site's page (CSRF). Bearer requests carry their own proof: a page
      // cannot add an Authorization header to a cross-site request without a CORS preflight, which Parley refuses.
      const cookieAuthenticated = !req.headers.has("authorization");
      const refused =
        cookieAuthenticated &&
        (opts.sameOrigin ? !isProvenSameOrigin(req) : UNSAFE_METHODS.has(req.method as Operation["method"]) && isCrossOriginBrowserRequest(req));
      if (refused) {
        throw new AppError(
          "forbidden",
          opts.sameOrigin
            ? "With a session cookie, only this site's own pages may make this request. Use a bearer token."
            : "Cross-origin requests may not change anything here. Use a bearer token.",
        );
      }
      res = await fn(req, ctx, requestId, responseHeaders, admin);
      res.headers.set("x-request-id", requestId);
    } catch (e) {
      res = errorResponse(e, requestId, req);
    }
    for (const [name, value] of responseHeaders) if (!res.headers.has(name)) res.headers.set(name, value);
    logRequest(req, res, requestId, started, opts.accessLog === "debug");
    return res;
  };
  // Diagnostics for statement budgets and `npm run bench`: what this request cost the database, as Server-Timing
  // (W3C Server Timing) metrics. Only with PRISMA_QUERY_EVENTS=1: query events cost time.
  return async (req, ctx) => {
    if (!queryEventsEnabled()) return handle(req, ctx);
    const { result: res, tally } = await tallyStatements(() => handle(req, ctx));
    res.headers.append("server-timing", `db-statements;desc="${tally.statements}", db-transactions;desc="${tally.transactions}"`);
    return res;
  };
}

/** What a declared schema parses to; `undefined` when the operation declares none, or reads its query itself. */
type Parsed<O, K extends "params" | "query" | "body"> = K extends "query"
  ? O extends { parseQuery: false }
    ? undefined
    : Declared<O, K>
  : Declared<O, K>;
type Declared<O, K extends string> = O extends { [P in K]: infer S extends z.ZodType } ? z.output<S> : undefined;

/** The caller a handler gets, by its operation's `auth`: always one, one or `null`, or none (credentials unread). */
type CallerFor<O> = O extends { auth: "required" | "admin" } ? Caller : O extends { auth: "optional" } ? Caller | null : null;

/** What an operation's handler is given: the request, its parsed path, query and body, and the caller. */
export type OperationContext<O extends Operation> = BaseContext<Parsed<O, "params">> & {
  query: Parsed<O, "query">;
  body: Parsed<O, "body">;
  caller: CallerFor<O>;
};

/**
 * The route handler of a declared operation (lib/openapi/<resource>.ts), in the order every request goes through:
 * 1. request id, access log, problem+json for anything thrown (lib/api/problem.ts); for an admin operation, anyone but
 *    an active admin answered as an unknown path (404); cross-site browser writes refused (403);
 * 2. the caller: `auth: "required"` answers anonymous requests 401 before anything else; `optional` resolves it;
 *    `none` does not read credentials at all (`admin`: step 1 did);
 * 3. the `writes` rate limit, when the operation counts against it ({@link rateLimitsOf}), so that a limited request
 *    (429) does nothing; the answer carries the `RateLimit-*` fields;
 * 4. path parameters (404 for an id that cannot exist), then the query (unless the operation reads it itself) and the
 *    JSON body (400, 413, 415);
 * 5. `handler`. It returns a `Response`, or the data of the operation's one success answer: `undefined` for 204,
 *    otherwise JSON with that status (a {@link JsonText} is sent as the text it holds), revalidatable (`ETag`, 304)
 *    when the operation is `conditional`.
 * A handler of an operation with several success answers (200 or 201, say) returns the `Response` itself; data from
 * it is a programming error, answered 500. The function returned carries `operation`, the declaration it serves.
 */
export function route<O extends Operation>(
  op: O,
  handler: (ctx: OperationContext<O>) => Promise<Response | object | void>,
): RouteHandler & { operation: O } {
  const statuses = Object.keys(op.ok).map(Number);
  const sole = statuses.length === 1 ? statuses[0]! : null;
  const countsWrites = rateLimitsOf(op).includes("writes");
  const routeHandler = run(
    async (req, ctx, requestId, responseHeaders, admin) => {
      let caller: Caller | null = admin;
      if (op.auth !== "none" && op.auth !== "admin") caller = await resolveCaller(req);
      if (op.auth === "required" && !caller) {
        return problemResponse("unauthorized", "Sign in, or send Authorization: Bearer <token>.", requestId);
      }
      if (countsWrites && caller) await countAgainst("writes", caller.userId, responseHeaders);
      const params = await parseParams(ctx, op.params);
      const query = op.query && op.parseQuery !== false ? parseQuery(req, op.query) : undefined;
      const body = op.body ? await parseBody(req, op.body) : undefined;
      const result = await handler({ req, params, query, body, caller, requestId, responseHeaders } as OperationContext<O>);
      if (result instanceof Response) return result;
      if (sole === null) throw new Error(`${op.operationId} has several success answers: its handler must return a Response`);
      if (sole === 204) return noContent();
      return op.conditional ? conditionalJson(req, result) : json(result, sole);
    },
    { accessLog: op.accessLog, ...(op.auth === "admin" ? { admin: true as const } : {}), ...(op.sameOrigin ? { sameOrigin: true as const } : {}) },
  );
  // Which operation this handler serves, for tests/openapi.test.ts to check against the file and method it is in.
  return Object.assign(routeHandler, { operation: op });
}

/**
 * Wraps a route handler that is not an operation of the API (the OpenAPI document itself): request id, access log and
 * problem+json errors only.
 */
export function undeclaredRoute(handler: (ctx: BaseContext<Record<string, never>>) => Promise<Response>): RouteHandler {
  return run(async (req, _ctx, requestId, responseHeaders) => handler({ req, params: {}, requestId, responseHeaders }));
}

/**
 * Counts the request against rate limit `name` for `subject` and puts the resulting `RateLimit-*` fields in
 * `responseHeaders` (see lib/infra/rate-limit.ts).
 * @throws AppError `too_many_requests` (429) when the allowance is spent.
 */
export async function countAgainst(name: RateLimitName, subject: string, responseHeaders: Headers): Promise<void> {
  const state = await consume(name, subject);
  if (state) for (const [header, value] of Object.entries(rateLimitHeaders(state))) responseHeaders.set(header, value);
}

/** JSON text of `data`: a {@link JsonText}'s own text, anything else through `JSON.stringify`. */
const jsonBody = (data: unknown): string => (data instanceof JsonText ? data.text : JSON.stringify(data));

/** A JSON response (`data` may be a {@link JsonText}, sent as it is). */
export function json(data: unknown, status = 200, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  h.set("cache-control", "no-store");
  return new Response(jsonBody(data), { status, headers: h });
}

/**
 * A JSON `200` that can be revalidated: a weak `ETag` of the body (the `etag` package, as Express makes them) and
 * `Cache-Control: private, no-cache` (a client may keep it, but must ask again before each use; shared caches may
 * not keep it). When the request's `If-None-Match` names that tag (RFC 9110 §13.1.2, weak comparison, checked by
 * the `fresh` package), the answer is `304 Not Modified` with no body. The tag is of the bytes the caller would get,
 * which include their own unread counts, so it differs between users and changes whenever anything shown changes.
 */
export function conditionalJson(req: Request, data: unknown): Response {
  const body = jsonBody(data);
  const headers = new Headers({ etag: etag(body, { weak: true }), "cache-control": "private, no-cache", vary: "Authorization, Cookie" });
  const requestHeaders = {
    "if-none-match": req.headers.get("if-none-match") ?? undefined,
    // `Cache-Control: no-cache` on the request (a forced reload) always gets the full answer.
    "cache-control": req.headers.get("cache-control") ?? undefined,
  };
  if (fresh(requestHeaders, { etag: headers.get("etag")! })) return new Response(null, { status: 304, headers });
  headers.set("content-type", "application/json");
  return new Response(body, { status: 200, headers });
}

/** `204 No Content`. */
export const noContent = () => new Response(null, { status: 204 });
