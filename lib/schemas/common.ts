import { z } from "zod";
import { codePointLength } from "./constants";

// In the browser, zod's first object schema probes whether it may compile parsers (`new Function("")`, caught). The
// pages' Content-Security-Policy forbids that (lib/security-headers.ts), and Chromium reports the blocked probe as a
// CSP issue even though zod swallows the error (Lighthouse: best practices, "Issues were logged"). `jitless` skips the
// probe; parsing is the same, minus the compiled fast path the policy rules out anyway. Every contract file imports
// this one before it builds a schema, so this runs first. The server keeps the fast path.
if (typeof window !== "undefined") z.config({ jitless: true });

/** Largest request body accepted, in bytes (larger: 413). A 4,000-character message is at most 16 KiB of UTF-8. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Opaque resource id as the API accepts it (ids are UUIDv7 strings today; clients must not rely on that). */
export const id = z.string().min(1).max(64).meta({ description: "Opaque id. Compare it, store it; do not parse it." });

/** `{ id }` route params. */
export const idParams = z.object({ id });

/** `limit` query parameter: 1..100, with a per-endpoint default. */
export const limit = (defaultValue: number) =>
  z.coerce.number().int().min(1).max(100).default(defaultValue).meta({ description: "Page size, 1–100." });

/** Opaque page cursor as returned in `nextCursor`. */
export const cursor = z
  .string()
  .min(1)
  .max(512)
  .optional()
  .meta({ description: "The `nextCursor` of the previous page. Omit it for the first page." });

/** ISO 8601 UTC timestamp on the wire. */
export const timestamp = z.iso.datetime();

/** A page of a list endpoint: `{ data, nextCursor }`, `nextCursor` null on the last page. */
export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    nextCursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next page; `null` on the last page." }),
  });

export type Page<T> = { data: T[]; nextCursor: string | null };

export { codePointLength };

/**
 * Text that must not be blank: 1 to `max` Unicode code points after trimming (a message, a group's title).
 * @param empty the error when it is blank
 */
export const requiredText = (max: number, empty: string) =>
  z
    .string()
    .trim()
    .min(1, empty)
    .refine((s) => codePointLength(s) <= max, `Use at most ${max} characters.`)
    .meta({ description: `1 to ${max} characters (Unicode code points) after trimming.` });

/** Text one may clear: 0 to `max` code points after trimming; empty or `null` clears it (parsed as `null`). */
export const clearableText = (max: number) =>
  z
    .string()
    .trim()
    .refine((s) => codePointLength(s) <= max, `Use at most ${max} characters.`)
    .transform((s) => (s === "" ? null : s))
    .nullable()
    .meta({ description: `0 to ${max} characters after trimming; empty or \`null\` clears it.` });

/** One invalid input field: `pointer` into the body (RFC 6901 JSON Pointer) or a query/path `parameter`. */
export const fieldError = z
  .object({
    pointer: z.string().optional().meta({ description: "JSON Pointer (RFC 6901) into the request body, as `#/text`." }),
    parameter: z.string().optional().meta({ description: "The query or path parameter at fault." }),
    detail: z.string(),
  })
  .meta({ id: "FieldError" });

/** Every API error: `application/problem+json` (RFC 9457). Built by lib/api/problem.ts. */
export const problem = z
  .object({
    type: z.string().meta({ description: "A relative URI naming the kind of problem, as `/problems/validation`.", example: "/problems/not-found" }),
    title: z.string().meta({ description: "The kind's short name; the same for every problem of a kind." }),
    status: z.number().int().meta({ description: "The HTTP status code." }),
    detail: z.string().meta({ description: "What went wrong with this request, written for a person." }),
    requestId: z.string().meta({ description: "Also in the `X-Request-Id` header. Quote it when reporting a problem." }),
    errors: z.array(fieldError).optional().meta({ description: "For invalid input: one entry per field at fault." }),
  })
  .meta({ id: "Problem" });
