/**
 * Holds every API answer the tests see to the OpenAPI document (lib/openapi): the status must be one the
 * operation documents, with the documented content type, the documented headers, and a body that validates against
 * the documented schema (JSON Schema 2020-12, as OpenAPI 3.1 uses, with Ajv). tests/helpers/api.ts calls
 * {@link checkResponse} on every response, so the whole suite is a contract test; tests/openapi.test.ts walks the
 * document operation by operation.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsImport from "ajv-formats";
import { openApiDocument } from "@/lib/openapi";

// ajv-formats is CommonJS with `exports.default`; under ESM interop the function may sit one level down.
const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ?? addFormatsImport) as typeof addFormatsImport;

const BASE = "https://parley.test/openapi.json";

type Json = Record<string, unknown>;
interface ResponseDoc {
  headers?: Record<string, { required?: boolean }>;
  content?: Record<string, { schema?: Json }>;
}
interface OperationDoc {
  operationId: string;
  responses: Record<string, ResponseDoc>;
  security?: Record<string, string[]>[];
}

const document = openApiDocument() as unknown as { paths: Record<string, Record<string, OperationDoc>>; components: Json };

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: BASE, components: document.components });

/** The schema with its `#/components/…` references made absolute, so that it compiles on its own. */
function absolute(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(absolute);
  if (schema && typeof schema === "object") {
    return Object.fromEntries(
      Object.entries(schema).map(([k, v]) => [k, k === "$ref" && typeof v === "string" && v.startsWith("#/") ? BASE + v : absolute(v)]),
    );
  }
  return schema;
}

const validators = new Map<Json, ValidateFunction>();
function validatorFor(schema: Json): ValidateFunction {
  let v = validators.get(schema);
  if (!v) {
    v = ajv.compile(absolute(schema) as Json);
    validators.set(schema, v);
  }
  return v;
}

/** The document's path templates as patterns, static ones first (as Next ranks routes: `/api/users/me` before `{id}`). */
const templates = Object.keys(document.paths)
  .map((template) => ({
    template,
    pattern: new RegExp("^" + template.replace(/\{[^}]+\}/g, "[^/]+") + "$"),
    params: (template.match(/\{/g) ?? []).length,
  }))
  .sort((a, b) => a.params - b.params);

/** The documented operation for a request, or `undefined` when the document has none. */
export function operationFor(method: string, pathname: string): { template: string; operation: OperationDoc } | undefined {
  for (const { template, pattern } of templates) {
    if (!pattern.test(pathname)) continue;
    const operation = document.paths[template]![method.toLowerCase()];
    return operation ? { template, operation } : undefined;
  }
  return undefined;
}

/** Every documented operation: method, path template and the operation. */
export function documentedOperations(): { method: string; template: string; operation: OperationDoc }[] {
  return Object.entries(document.paths).flatMap(([template, item]) =>
    Object.entries(item).map(([method, operation]) => ({ method: method.toUpperCase(), template, operation })),
  );
}

/**
 * Checks one answer against the document.
 * @throws Error describing the first way it departs from the document (an undocumented path, method or status, a
 *   missing header, another content type, or a body the schema rejects).
 */
export function checkResponse(method: string, pathname: string, status: number, headers: Headers, body: unknown): void {
  const where = `${method} ${pathname} → ${status}`;
  const found = operationFor(method, pathname);
  if (!found) throw new Error(`OpenAPI contract: ${method} ${pathname} is not in the document`);
  const documented = found.operation.responses[String(status)];
  if (!documented) {
    throw new Error(
      `OpenAPI contract: ${where} is not documented for ${found.operation.operationId} ` +
        `(documented: ${Object.keys(found.operation.responses).join(", ")}); body: ${JSON.stringify(body)}`,
    );
  }
  for (const [name, header] of Object.entries(documented.headers ?? {})) {
    if (header.required && !headers.has(name)) throw new Error(`OpenAPI contract: ${where} lacks the documented ${name} header`);
  }
  const type = headers.get("content-type")?.split(";")[0]?.trim() ?? null;
  const content = documented.content ?? {};
  if (Object.keys(content).length === 0) {
    if (body !== null) throw new Error(`OpenAPI contract: ${where} is documented without a body but has one`);
    return;
  }
  const media = type ? content[type] : undefined;
  if (!media) throw new Error(`OpenAPI contract: ${where} answered ${type}; documented: ${Object.keys(content).join(", ")}`);
  if (!media.schema || type === "text/event-stream") return;
  const validate = validatorFor(media.schema);
  if (!validate(body)) {
    throw new Error(`OpenAPI contract: ${where}: the body does not match the schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
  }
}
