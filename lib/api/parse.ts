import "server-only";
import { z } from "zod";
import { AppError, type FieldError } from "../errors";
import { MAX_BODY_BYTES } from "../schemas/common";

const toPointer = (path: PropertyKey[]) => "#" + path.map((p) => "/" + String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("");

/** Zod issues as RFC 9457 field errors; unknown keys get one entry each. */
function fieldErrors(error: z.ZodError, where: "body" | "query"): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const paths = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    const detail = issue.code === "unrecognized_keys" ? "Unknown field." : issue.message;
    for (const path of paths) {
      out.push(where === "body" ? { pointer: toPointer(path), detail } : { parameter: String(path[0] ?? ""), detail });
    }
  }
  return out;
}

/**
 * Reads `req`'s body, refusing it as soon as it passes `max` bytes (by `Content-Length`, or while streaming when the
 * length is not declared), so that no route buffers more than it accepts.
 * @returns the raw bytes.
 * @throws AppError `payload_too_large` (413).
 */
export async function readBodyLimited(req: Request, max: number): Promise<Buffer> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > max) throw tooLarge(max);
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

async function readLimited(req: Request): Promise<string> {
  const bytes = await readBodyLimited(req, MAX_BODY_BYTES);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("bad_request", "The body is not valid UTF-8.");
  }
}

/**
 * The JSON Pointer of the first string (or object key) in `value` that contains U+0000, or `null`. PostgreSQL text
 * cannot hold NUL (it fails with SQLSTATE 22021), so such input is invalid everywhere in the API.
 */
export function findNul(value: unknown, path: PropertyKey[] = []): PropertyKey[] | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], [...path, i]);
      if (found) return found;
    }
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes("\u0000")) return [...path, k];
      const found = findNul(v, [...path, k]);
      if (found) return found;
    }
  }
  return null;
}

const NUL_DETAIL = "Contains a NUL character (U+0000), which is not allowed.";

const tooLarge = (max: number) => new AppError("payload_too_large", `The body is larger than ${max} bytes.`);

/**
 * Reads a JSON body (at most {@link MAX_BODY_BYTES}) and validates it. An empty body counts as `{}`, so that
 * endpoints whose fields are all optional accept none, and others report each missing field.
 * @throws AppError `unsupported_media_type` (415) for a non-JSON content type, `payload_too_large` (413),
 *   `bad_request` (400) for malformed JSON, `validation` (400) with per-field errors.
 */
export async function parseBody<T extends z.ZodType>(req: Request, schema: T): Promise<z.infer<T>> {
  const text = await readLimited(req);
  let data: unknown = {};
  if (text.trim() !== "") {
    const type = req.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
    if (type !== "application/json" && !type.endsWith("+json")) {
      throw new AppError("unsupported_media_type", "Send the body as JSON with Content-Type: application/json.");
    }
    try {
      data = JSON.parse(text);
    } catch {
      throw new AppError("bad_request", "The body is not valid JSON.");
    }
  }
  const nul = findNul(data);
  if (nul) throw new AppError("validation", "The request body is invalid.", [{ pointer: toPointer(nul), detail: NUL_DETAIL }]);
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new AppError("validation", "The request body is invalid.", fieldErrors(parsed.error, "body"));
  return parsed.data;
}

/**
 * Validates the query string. Unknown parameters are ignored; a repeated parameter keeps its last value.
 * @throws AppError `validation` (400) naming each invalid parameter.
 */
export function parseQuery<T extends z.ZodType>(req: Request, schema: T): z.infer<T> {
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const nul = findNul(params);
  if (nul) {
    throw new AppError("validation", "The query parameters are invalid.", [{ parameter: String(nul[0]), detail: NUL_DETAIL }]);
  }
  const parsed = schema.safeParse(params);
  if (!parsed.success) {
    throw new AppError("validation", "The query parameters are invalid.", fieldErrors(parsed.error, "query"));
  }
  return parsed.data;
}
