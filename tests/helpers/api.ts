/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are checked field by field by each test; `any` keeps those assertions readable. */
/**
 * Calls Parley's route handlers in-process with real `Request` objects, as Next would, against the test file's own
 * PostgreSQL database. Tests read like HTTP: `await api.post("/api/threads", { token, body })`.
 */
import * as register from "@/app/api/auth/register/route";
import * as tokens from "@/app/api/tokens/route";
import * as token from "@/app/api/tokens/[id]/route";
import * as users from "@/app/api/users/route";
import * as me from "@/app/api/users/me/route";
import * as user from "@/app/api/users/[id]/route";
import * as threads from "@/app/api/threads/route";
import * as thread from "@/app/api/threads/[id]/route";
import * as threadRead from "@/app/api/threads/[id]/read/route";
import * as threadMessages from "@/app/api/threads/[id]/messages/route";
import * as threadTyping from "@/app/api/threads/[id]/typing/route";
import * as message from "@/app/api/messages/[id]/route";
import * as messageRead from "@/app/api/messages/[id]/read/route";
import * as unreadMessages from "@/app/api/messages/unread/route";
import * as unread from "@/app/api/unread/route";
import * as fallback from "@/app/api/[...path]/route";
import * as openapi from "@/app/api/openapi.json/route";
import * as events from "@/app/api/events/route";
import * as health from "@/app/api/health/route";
import * as ready from "@/app/api/ready/route";
import { checkResponse } from "./contract";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Module = Partial<Record<"GET" | "POST" | "PATCH" | "PUT" | "DELETE", Handler>>;

// Static segments before dynamic ones, as Next's router ranks them.
const routes: [RegExp, Module][] = [
  [/^\/api\/auth\/register$/, register],
  [/^\/api\/tokens$/, tokens],
  [/^\/api\/tokens\/(?<id>[^/]+)$/, token],
  [/^\/api\/users$/, users],
  [/^\/api\/users\/me$/, me],
  [/^\/api\/users\/(?<id>[^/]+)$/, user],
  [/^\/api\/threads$/, threads],
  [/^\/api\/threads\/(?<id>[^/]+)$/, thread],
  [/^\/api\/threads\/(?<id>[^/]+)\/read$/, threadRead],
  [/^\/api\/threads\/(?<id>[^/]+)\/messages$/, threadMessages],
  [/^\/api\/threads\/(?<id>[^/]+)\/typing$/, threadTyping],
  [/^\/api\/messages\/unread$/, unreadMessages],
  [/^\/api\/messages\/(?<id>[^/]+)$/, message],
  [/^\/api\/messages\/(?<id>[^/]+)\/read$/, messageRead],
  [/^\/api\/unread$/, unread],
  [/^\/api\/openapi\.json$/, openapi],
  [/^\/api\/health$/, health],
  [/^\/api\/ready$/, ready],
  // Only for answers that end at once (errors): a stream's body never ends; tests/helpers/sse.ts reads streams.
  [/^\/api\/events$/, events],
  [/^\/api\/.*$/, fallback],
];

export interface CallOptions {
  /** Bearer token (sent as `Authorization: Bearer …`). */
  token?: string;
  /** Raw `Authorization` header, for malformed-header tests. */
  authorization?: string;
  /** Raw `Cookie` header (session tests). */
  cookie?: string;
  /** JSON-encoded unless it is already a string. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or `null` for an empty body. */
  body: T;
}

/** Sends one request through the matching route handler. Unknown methods answer 405 as Next does. */
export async function call<T = any>(method: string, path: string, opts: CallOptions = {}): Promise<ApiResponse<T>> {
  const url = new URL(path, "http://parley.test");
  const match = routes.map(([re, mod]) => ({ m: re.exec(url.pathname), mod })).find((r) => r.m);
  if (!match) throw new Error(`no route for ${path}`);
  const handler = match.mod[method as keyof Module];
  if (!handler) return { status: 405, headers: new Headers(), body: null as T };
  const headers = new Headers(opts.headers);
  if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
  if (opts.authorization !== undefined) headers.set("authorization", opts.authorization);
  if (opts.cookie) headers.set("cookie", opts.cookie);
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const req = new Request(url, { method, headers, body });
  const params = Object.fromEntries(Object.entries(match.m!.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
  const res = await handler(req, { params: Promise.resolve(params) });
  const text = await res.text();
  const parsed = (text ? JSON.parse(text) : null) as T;
  // Every answer of a documented route is held to the OpenAPI document; unknown paths (the fallback) are not in it.
  if (match.mod !== fallback && match.mod !== openapi) checkResponse(method, url.pathname, res.status, res.headers, parsed);
  return { status: res.status, headers: res.headers, body: parsed };
}

export const api = {
  get: <T = any>(path: string, opts?: CallOptions) => call<T>("GET", path, opts),
  post: <T = any>(path: string, opts?: CallOptions) => call<T>("POST", path, opts),
  patch: <T = any>(path: string, opts?: CallOptions) => call<T>("PATCH", path, opts),
  delete: <T = any>(path: string, opts?: CallOptions) => call<T>("DELETE", path, opts),
};
