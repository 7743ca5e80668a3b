import { z } from "zod";
import { queryEventsEnabled, tallyStatements } from "../db";
import { AppError } from "../errors";
import { authenticateToken } from "../server/tokens";
import { findNul } from "./parse";
import { errorResponse, problemResponse } from "./problem";
import { sessionUserId } from "./session";

/** How a request proved who it is. */
export type AuthMethod = "session" | "token";

export interface Caller {
  userId: string;
  via: AuthMethod;
}

interface BaseContext<P> {
  req: Request;
  params: P;
  requestId: string;
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
 * else the Auth.js session cookie.
 * @returns `null` when neither is present.
 * @throws AppError `unauthorized` (401) for a malformed, unknown or revoked token.
 */
export async function resolveCaller(req: Request): Promise<Caller | null> {
  const header = req.headers.get("authorization");
  if (header !== null) {
    const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
    const userId = match?.[1] ? await authenticateToken(match[1]) : null;
    if (!userId) {
      throw new AppError("unauthorized", "The bearer token is invalid or has been revoked.", undefined, {
        "www-authenticate": 'Bearer realm="parley", error="invalid_token"',
      });
    }
    return { userId, via: "token" };
  }
  const userId = await sessionUserId(req);
  return userId ? { userId, via: "session" } : null;
}

async function parseParams<P>(ctx: RouteContext | undefined, schema: z.ZodType<P> | undefined): Promise<P> {
  if (!schema) return {} as P;
  const raw = ctx ? await ctx.params : {};
  const parsed = schema.safeParse(raw);
  // Ids are opaque: one that cannot be valid names nothing, exactly like one that does not exist.
  if (!parsed.success || findNul(raw)) throw new AppError("not_found", "Not found.");
  return parsed.data;
}

function run(fn: (req: Request, ctx: RouteContext | undefined, requestId: string) => Promise<Response>): RouteHandler {
  const handle = async (req: Request, ctx: RouteContext | undefined) => {
    const requestId = requestIdOf(req);
    try {
      const res = await fn(req, ctx, requestId);
      res.headers.set("x-request-id", requestId);
      return res;
    } catch (e) {
      return errorResponse(e, requestId, req);
    }
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
 * Anonymous requests get 401 before the handler runs.
 */
export function withUser<P = Record<string, never>>(
  handler: (ctx: BaseContext<P> & { caller: Caller }) => Promise<Response>,
  opts: { params?: z.ZodType<P> } = {},
): RouteHandler {
  return run(async (req, ctx, requestId) => {
    const caller = await resolveCaller(req);
    if (!caller) {
      return problemResponse("unauthorized", "Sign in, or send Authorization: Bearer <token>.", requestId);
    }
    const params = await parseParams(ctx, opts.params);
    return handler({ req, params, requestId, caller });
  });
}

/** Wraps a route handler open to anonymous callers; `caller` is set when the request is authenticated. */
export function withOptionalUser(
  handler: (ctx: BaseContext<Record<string, never>> & { caller: Caller | null }) => Promise<Response>,
): RouteHandler {
  return run(async (req, _ctx, requestId) => handler({ req, params: {}, requestId, caller: await resolveCaller(req) }));
}

/** Wraps a route handler that needs no caller (public documents): request id and problem+json errors only. */
export function withoutUser(handler: (ctx: BaseContext<Record<string, never>>) => Promise<Response>): RouteHandler {
  return run(async (req, _ctx, requestId) => handler({ req, params: {}, requestId }));
}

/** A JSON response. */
export function json(data: unknown, status = 200, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  h.set("cache-control", "no-store");
  return new Response(JSON.stringify(data), { status, headers: h });
}

/** `204 No Content`. */
export const noContent = () => new Response(null, { status: 204 });
