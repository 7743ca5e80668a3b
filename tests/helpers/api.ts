/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are checked field by field by each test; `any` keeps those assertions readable. */
/**
 * Calls Parley's route handlers in-process with real `Request` objects, as Next would, against the test file's own
 * PostgreSQL database. Tests read like HTTP: `await api.post("/api/threads", { token, body })`.
 */
import path from "node:path";
import * as fallback from "@/app/api/[...path]/route";
import * as openapi from "@/app/api/openapi.json/route";
import { operations } from "@/lib/openapi";
import { checkResponse } from "./contract";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Module = Partial<Record<"GET" | "POST" | "PATCH" | "PUT" | "DELETE", Handler>>;

const APP_API = path.join(process.cwd(), "app", "api");

/**
 * The route table, from the operations' declarations (lib/openapi): each path template once, as a pattern with named
 * groups, and the route file Next serves it from (`/api/threads/{id}/read` → `app/api/threads/[id]/read/route.ts`).
 * Static segments rank before dynamic ones, as in Next's router; the OpenAPI document's own route and the unknown-path
 * fallback come last. `/api/events` is only for answers that end at once (errors): a stream's body never ends;
 * tests/helpers/sse.ts reads streams.
 */
const routes: [RegExp, Module][] = [
  ...(await Promise.all(
    [...new Set(operations.map((op) => op.path))]
      .sort((a, b) => (a.match(/\{/g) ?? []).length - (b.match(/\{/g) ?? []).length)
      .map(async (template): Promise<[RegExp, Module]> => {
        const pattern = new RegExp("^" + template.replace(/\./g, "\\.").replace(/\{(\w+)\}/g, "(?<$1>[^/]+)") + "$");
        const file = path.join(APP_API, ...template.replace(/^\/api\//, "").split("/").map((s) => s.replace(/^\{(\w+)\}$/, "[$1]")), "route.ts");
        return [pattern, (await import(/* @vite-ignore */ file)) as Module];
      }),
  )),
  [/^\/api\/openapi\.json$/, openapi],
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
  put: <T = any>(path: string, opts?: CallOptions) => call<T>("PUT", path, opts),
  delete: <T = any>(path: string, opts?: CallOptions) => call<T>("DELETE", path, opts),
};
