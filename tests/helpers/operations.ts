/**
 * The API's operations as the OpenAPI document (lib/openapi) lists them, and a way to send one of them any request
 * at all: any bytes as the body (invalid UTF-8 included), any headers, any path parameter values, and to hold the
 * answer to the document. tests/helpers/api.ts covers the requests a well-behaved client sends; this is for
 * tests/fuzz.test.ts, which needs the others.
 */
import path from "node:path";
import { openApiDocument } from "@/lib/openapi";
import { checkResponse, operationFor } from "./contract";

/** A JSON Schema (2020-12, as OpenAPI 3.1 has it), with `$ref`s resolved by {@link resolveRef}. */
export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  format?: string;
};

interface ParameterDoc {
  in: "path" | "query" | "header" | "cookie";
  name: string;
  schema?: JsonSchema;
}

interface OperationDoc {
  operationId: string;
  parameters?: ParameterDoc[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
  security?: Record<string, string[]>[];
}

export interface Operation {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The document's path template, as `/api/threads/{id}/messages`. */
  template: string;
  operationId: string;
  pathParams: string[];
  query: { name: string; schema: JsonSchema }[];
  /** The `application/json` request body's schema, when the operation takes a body. */
  body?: JsonSchema;
  /** False when the document lets anonymous callers in (an empty security requirement `{}`, or none at all). */
  authRequired: boolean;
  /** True when the operation reads no credentials at all (`security: []`): a bad `Authorization` is no fault there. */
  authIgnored: boolean;
  /**
   * True for an admin operation (`auth: "admin"`): its security is a required one's, but it never answers 401 (it is
   * not documented): to anyone but an active admin it answers 404, as an unknown path does.
   */
  adminOnly: boolean;
  /** True when a success answer is a stream (`text/event-stream`): it never ends; {@link sendRaw} cancels it unread. */
  streams: boolean;
}

const document = openApiDocument() as unknown as { paths: Record<string, Record<string, OperationDoc>>; components: unknown };

/** The schema a `#/components/…` reference points to (or `schema` itself when it is not a reference). */
export function resolveRef(schema: JsonSchema): JsonSchema {
  if (!schema.$ref) return schema;
  const target = schema.$ref
    .replace(/^#\//, "")
    .split("/")
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replaceAll("~1", "/").replaceAll("~0", "~")], document);
  if (!target) throw new Error(`unresolvable $ref ${schema.$ref}`);
  return resolveRef(target as JsonSchema);
}

/** Whether an operation needs credentials: it has security requirements, none of them empty (`{}`: anonymous). */
const required = (op: OperationDoc) => (op.security ?? []).length > 0 && !(op.security ?? []).some((requirement) => Object.keys(requirement).length === 0);

/** Every operation of the document, in its order. */
export function documentOperations(): Operation[] {
  return Object.entries(document.paths).flatMap(([template, item]) =>
    Object.entries(item).map(([method, op]): Operation => {
      const params = op.parameters ?? [];
      const body = op.requestBody?.content?.["application/json"]?.schema;
      return {
        method: method.toUpperCase() as Operation["method"],
        template,
        operationId: op.operationId,
        pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
        query: params.filter((p) => p.in === "query").map((p) => ({ name: p.name, schema: resolveRef(p.schema ?? {}) })),
        ...(body ? { body: resolveRef(body) } : {}),
        authRequired: required(op),
        adminOnly: required(op) && !("401" in op.responses),
        authIgnored: (op.security ?? []).length === 0,
        streams: Object.values(op.responses).some((r) => Object.keys(r.content ?? {}).includes("text/event-stream")),
      };
    }),
  );
}

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

const handlers = new Map<string, Promise<Handler>>();

/** The route handler Next would run for an operation: `app/api/threads/[id]/route.ts`'s export named by the method. */
function handlerFor(op: Operation): Promise<Handler> {
  const key = `${op.method} ${op.template}`;
  let found = handlers.get(key);
  if (!found) {
    const dir = op.template.replace(/^\/api\/?/, "").replace(/\{(\w+)\}/g, "[$1]");
    const file = path.join(process.cwd(), "app", "api", dir, "route.ts");
    found = import(/* @vite-ignore */ file).then((mod: Record<string, unknown>) => {
      const handler = mod[op.method];
      if (typeof handler !== "function") throw new Error(`${file} exports no ${op.method} handler`);
      return handler as Handler;
    });
    handlers.set(key, found);
  }
  return found;
}

/** `value` with lone surrogates replaced by U+FFFD, as a URL carries them (WHATWG URL encodes USVStrings). */
export const wellFormed = (value: string) =>
  value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

/** `encodeURIComponent` that does not throw on lone surrogates (they go as U+FFFD, as a browser sends them). */
export const encodeSegment = (value: string) => encodeURIComponent(wellFormed(value));

export interface RawRequest {
  /** Path parameter values as the handler receives them (Next decodes them from the URL). */
  params: Record<string, string>;
  /** The query string without `?`, sent as is. */
  query: string;
  headers: Headers;
  body?: Uint8Array<ArrayBuffer>;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or `null` for an empty body or a stream. */
  body: unknown;
  /** True when the answer was a `text/event-stream`: it was cancelled at once, unread (it would never end). */
  streamed: boolean;
}

/**
 * Sends `req` to the route handler of `op` in-process, as Next would. A stream is cancelled unread. The answer is not
 * checked here: hold it to the document with {@link checkAnswer} (after looking at what matters more, such as a 5xx).
 * @throws Error when the body of an answer that is not a stream is not JSON.
 */
export async function sendRaw(op: Operation, req: RawRequest): Promise<RawResponse> {
  const handler = await handlerFor(op);
  const pathname = op.template.replace(/\{(\w+)\}/g, (_, name: string) => encodeSegment(req.params[name] ?? ""));
  const url = new URL(`http://parley.test${pathname}`);
  url.search = req.query;
  const request = new Request(url, { method: op.method, headers: req.headers, body: req.body });
  const res = await handler(request, { params: Promise.resolve({ ...req.params }) });
  const streamed = res.headers.get("content-type")?.startsWith("text/event-stream") ?? false;
  let body: unknown = null;
  if (streamed) {
    await res.body?.cancel();
  } else {
    const text = await res.text();
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      throw new Error(`${op.method} ${op.template} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
  }
  return { status: res.status, headers: res.headers, body, streamed };
}

/**
 * Holds an answer of `op` to the document with tests/helpers/contract.ts, as tests/helpers/api.ts does for every
 * test: status, content type, headers, and the body's schema (a stream's events are not checked).
 * @throws Error describing how the answer departs from the document.
 */
export function checkAnswer(op: Operation, res: RawResponse): void {
  // Check against this operation, whatever the path parameters look like: `/api/users/{id}` with the id `me` would
  // otherwise be taken for `/api/users/me`. A placeholder segment that no static route uses keeps the match exact.
  const checkedPath = op.template.replace(/\{\w+\}/g, "-fuzz-param-");
  if (operationFor(op.method, checkedPath)?.operation.operationId !== op.operationId) {
    throw new Error(`cannot address ${op.operationId} by its template ${op.template}`);
  }
  checkResponse(op.method, checkedPath, res.status, res.headers, res.body);
}
