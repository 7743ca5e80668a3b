import "server-only";
import etag from "etag";
import fresh from "fresh";
import { z } from "zod";
import { queryEventsEnabled, tallyStatements } from "../db";
import { AppError } from "../errors";
import { log } from "../log";
import { consume, rateLimitHeaders, type RateLimitName } from "../infra/rate-limit";
import type { Authenticated } from "../server/credentials";
import { authenticateToken } from "../server/tokens";
import { findNul } from "./parse";
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

/** Methods that change something (RFC 9110 §9.2.1: not safe). */
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

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
  const host = req.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || req.headers.get("host") || new URL(req.url).host;
  return originHost !== host;
}

async function parseParams<P>(ctx: RouteContext | undefined, schema: z.ZodType<P> | undefined): Promise<P> {
  if (!schema) return {} as P;
  const raw = ctx ? await ctx.params : {};
  const parsed = schema.safeParse(raw);
  // Ids are opaque: one that cannot be valid names nothing, exactly like one that does not exist.
  if (!parsed.success || findNul(raw)) throw new AppError("not_found", "Not found.");
  return parsed.data;
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

type Inner = (req: Request, ctx: RouteContext | undefined, requestId: string, responseHeaders: Headers) => Promise<Response>;

interface RunOptions {
  /** `debug`: log successful answers at debug level (health probes, which come every few seconds). */
  accessLog?: "debug";
}

function run(fn: Inner, opts: RunOptions = {}): RouteHandler {
  const handle = async (req: Request, ctx: RouteContext | undefined) => {
    const requestId = requestIdOf(req);
    const responseHeaders = new Headers();
    const started = performance.now();
    let res: Response;
    try {
      // Cookie-authenticated writes from another site's page (CSRF). Bearer requests carry their own proof: a page
      // cannot add an Authorization header to a cross-site request without a CORS preflight, which Parley refuses.
      if (UNSAFE.has(req.method) && !req.headers.has("authorization") && isCrossOriginBrowserRequest(req)) {
        throw new AppError("forbidden", "Cross-origin requests may not change anything here. Use a bearer token.");
      }
      res = await fn(req, ctx, requestId, responseHeaders);
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

/**
 * Wraps a route handler that needs a signed-in caller (session cookie or bearer token).
 * Parses route params with `opts.params`; maps every thrown error to problem+json (see `errorResponse`).
 * Anonymous requests get 401 before the handler runs. Writes (POST, PUT, PATCH, DELETE) count against the caller's
 * `writes` rate limit first, so that a limited request (429) does nothing; the answer carries `RateLimit-*` headers.
 */
export function withUser<P = Record<string, never>>(
  handler: (ctx: BaseContext<P> & { caller: Caller }) => Promise<Response>,
  opts: { params?: z.ZodType<P> } = {},
): RouteHandler {
  return run(async (req, ctx, requestId, responseHeaders) => {
    const caller = await resolveCaller(req);
    if (!caller) {
      return problemResponse("unauthorized", "Sign in, or send Authorization: Bearer <token>.", requestId);
    }
    if (UNSAFE.has(req.method)) await countAgainst("writes", caller.userId, responseHeaders);
    const params = await parseParams(ctx, opts.params);
    return handler({ req, params, requestId, caller, responseHeaders });
  });
}

/** Wraps a route handler open to anonymous callers; `caller` is set when the request is authenticated. */
export function withOptionalUser(
  handler: (ctx: BaseContext<Record<string, never>> & { caller: Caller | null }) => Promise<Response>,
): RouteHandler {
  return run(async (req, _ctx, requestId, responseHeaders) =>
    handler({ req, params: {}, requestId, responseHeaders, caller: await resolveCaller(req) }),
  );
}

/**
 * Wraps a route handler that needs no caller (public documents, health probes): request id, access log and
 * problem+json errors only.
 */
export function withoutUser(
  handler: (ctx: BaseContext<Record<string, never>>) => Promise<Response>,
  opts: RunOptions = {},
): RouteHandler {
  return run(async (req, _ctx, requestId, responseHeaders) => handler({ req, params: {}, requestId, responseHeaders }), opts);
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

/** A JSON response. */
export function json(data: unknown, status = 200, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  h.set("cache-control", "no-store");
  return new Response(JSON.stringify(data), { status, headers: h });
}

/**
 * A JSON `200` that can be revalidated: a weak `ETag` of the body (the `etag` package, as Express makes them) and
 * `Cache-Control: private, no-cache` (a client may keep it, but must ask again before each use; shared caches may
 * not keep it). When the request's `If-None-Match` names that tag (RFC 9110 §13.1.2, weak comparison, checked by
 * the `fresh` package), the answer is `304 Not Modified` with no body. The tag is of the bytes the caller would get,
 * which include their own unread counts, so it differs between users and changes whenever anything shown changes.
 */
export function conditionalJson(req: Request, data: unknown): Response {
  const body = JSON.stringify(data);
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
