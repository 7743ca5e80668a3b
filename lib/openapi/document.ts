import { z } from "zod";
import {
  createDocument,
  createSchema,
  type ZodOpenApiObject,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
} from "zod-openapi";
import { eventPayloads } from "../schemas/events";
import { DESCRIPTION, TAGS } from "./description";
import { impliedErrors, type Operation, rateLimitsOf, UNSAFE_METHODS } from "./operation";
import { operations } from "./operations";
import {
  CROSS_SITE_403,
  errorResponse,
  RATE_LIMIT_DESCRIPTIONS,
  rateLimitHeaders,
  requestIdHeader,
} from "./responses";

/** A response status as zod-openapi types the keys of `responses`. */
type StatusKey = `${1 | 2 | 3 | 4 | 5}${string}`;

/**
 * One operation's OpenAPI object, derived from its declaration: its success answers (with the `RateLimit-*` fields
 * on those of rate-limited operations, `ETag` on revalidatable ones, `text/event-stream` for the stream), every error
 * answer its shape implies ({@link impliedErrors}) with the declaration's additions, its security requirements and
 * its parameters.
 */
function describe(op: Operation): ZodOpenApiOperationObject {
  const limits = rateLimitsOf(op);
  const responses: ZodOpenApiOperationObject["responses"] = {};
  for (const [status, answer] of Object.entries(op.ok)) {
    const headers: Record<string, z.ZodType> = { "X-Request-Id": requestIdHeader };
    if (answer.location) headers.Location = z.string().meta({ description: "The resource's URL path." });
    if (limits.length > 0) for (const [name, schema] of Object.entries(rateLimitHeaders)) headers[name] = schema.optional();
    if (op.conditional && status === "200") {
      headers.ETag = z.string().meta({ description: "A weak tag of this answer, for `If-None-Match`.", example: 'W/"2f1-q0Y8yXcP0D1m6x3gZ2u8Jr2QeQw"' });
      headers["Cache-Control"] = z.string().meta({ example: "private, no-cache" });
    }
    const content = op.stream
      ? { "text/event-stream": { schema: z.string() } }
      : answer.schema
        ? { "application/json": { schema: answer.schema } }
        : undefined;
    responses[status as StatusKey] = { description: answer.description, headers: z.object(headers), ...(content ? { content } : {}) };
  }
  if (op.conditional) {
    responses["304"] = {
      description: "Not modified: the copy whose `ETag` you sent is still current. No body.",
      headers: z.object({ "X-Request-Id": requestIdHeader, ETag: z.string() }),
    };
  }

  const details = new Map<number, string | undefined>(impliedErrors(op).map((status) => [status, undefined]));
  for (const [status, detail] of Object.entries(op.errors ?? {})) details.set(Number(status), detail);
  if (UNSAFE_METHODS.has(op.method) || op.sameOrigin) details.set(403, [details.get(403), CROSS_SITE_403].filter(Boolean).join(" "));
  if (limits.length > 0) details.set(429, limits.map((name) => RATE_LIMIT_DESCRIPTIONS[name]).join(" "));
  for (const status of [...details.keys()].sort()) {
    responses[`${status}` as StatusKey] = errorResponse(status as Parameters<typeof errorResponse>[0], details.get(status));
  }

  const header = op.conditional
    ? z.object({ "If-None-Match": z.string().optional().meta({ description: "The `ETag` of a copy you hold: `304` if it is still current." }) })
    : undefined;
  const requestParams = { ...(op.params && { path: op.params }), ...(op.query && { query: op.query }), ...(header && { header }) };
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    security:
      op.auth === "required" || op.auth === "admin"
        ? [{ bearerAuth: [] }, { sessionCookie: [] }]
        : op.auth === "optional"
          ? [{}, { bearerAuth: [] }, { sessionCookie: [] }]
          : [],
    ...(Object.keys(requestParams).length > 0 ? { requestParams } : {}),
    ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: op.body } } } } : {}),
    responses,
  };
}

/** The live events' `data` schemas by component name: `Event_messageCreated`, …. */
const eventSchemas = Object.entries(eventPayloads).map(([type, schema]) => ({
  id: `Event_${type.replace(/\.(\w)/, (_, c: string) => c.toUpperCase())}`,
  schema: schema.meta({ description: `\`data\` of a \`${type}\` event.` }),
}));

/**
 * Builds the document. The events' schemas are added as components afterwards, rendered as output: given to
 * createDocument as components, they would also be rendered as input and split every shared schema in two
 * (`Thread` and `ThreadOutput`).
 */
function build(): ReturnType<typeof createDocument> {
  const paths: ZodOpenApiPathsObject = {};
  for (const op of operations) {
    const item = (paths[op.path] ??= {});
    item[op.method.toLowerCase() as "get"] = describe(op);
  }
  const spec: ZodOpenApiObject = {
    openapi: "3.1.0",
    info: { title: "Parley API", version: "1.0.0", description: DESCRIPTION, license: { name: "MIT", identifier: "MIT" } },
    servers: [{ url: "/", description: "This Parley instance" }],
    tags: TAGS,
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "A personal access token (`prly_…`) from `POST /api/tokens`." },
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: "authjs.session-token",
          description: "The web app's session cookie (`__Secure-authjs.session-token` over HTTPS).",
        },
      },
    },
    paths,
  };
  const document = createDocument(spec);
  const schemas = (document.components ??= {}).schemas ??= {};
  for (const { id, schema } of eventSchemas) {
    const { schema: rendered, components } = createSchema(schema, { io: "output" });
    for (const [name, component] of Object.entries(components ?? {})) {
      if (schemas[name] && JSON.stringify(schemas[name]) !== JSON.stringify(component)) {
        throw new Error(`OpenAPI: the events render ${name} differently from the operations`);
      }
      schemas[name] = component;
    }
    schemas[id] = rendered;
  }
  return document;
}

let cached: ReturnType<typeof createDocument> | undefined;

/**
 * The OpenAPI 3.1 document of `/api` (a plain JSON-serialisable object), built once per process from the operations'
 * declarations (lib/openapi/<resource>.ts) and the zod schemas the handlers validate with and answer by, so the
 * two cannot disagree by construction; tests/helpers/contract.ts holds every answer the tests see to it. Served at
 * `/api/openapi.json`, rendered at `/docs`.
 * @throws Error when a schema cannot be represented (a programming error, caught by tests/openapi.test.ts).
 */
export function openApiDocument(): ReturnType<typeof createDocument> {
  cached ??= build();
  return cached;
}

