import "server-only";
import { z } from "zod";
import { AppError } from "../errors";

/**
 * Opaque page cursors: base64url of a small JSON object. Clients treat them as strings; the server validates them
 * like any other input, so a forged or corrupted cursor is a 400, never a 500.
 */

/** Encodes a cursor payload. */
export function encodeCursor(payload: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
}

/**
 * Decodes a cursor made by {@link encodeCursor} and checks its shape.
 * @returns the payload, or `undefined` when `cursor` is undefined.
 * @throws AppError `validation` (400) naming the `cursor` parameter when it is malformed.
 */
export function decodeCursor<T extends z.ZodType>(cursor: string | undefined, schema: T): z.infer<T> | undefined {
  if (cursor === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    raw = undefined;
  }
  const parsed = schema.safeParse(raw);
  // PostgreSQL text cannot hold U+0000: a cursor carrying one was not issued by us.
  if (!parsed.success || JSON.stringify(raw ?? null).includes("\\u0000")) {
    throw new AppError("validation", "The cursor is not valid. Use a nextCursor value returned by this endpoint.", [
      { parameter: "cursor", detail: "Not a cursor issued by this endpoint." },
    ]);
  }
  return parsed.data;
}

/**
 * A cursor field holding a timestamp (ms precision, as stored), in years 1 to 9999: PostgreSQL's `timestamptz` has no
 * year 0, which ISO 8601 (and so `z.iso.datetime`) allows.
 */
export const cursorTime = z.iso
  .datetime()
  .refine((s) => !s.startsWith("0000"), "Not a time of a stored row.")
  .transform((s) => new Date(s));
/** A cursor field holding a per-thread sequence number. */
export const cursorSeq = z.number().int().min(0).max(2_147_483_647);

/** Cursor of lists ordered by a timestamp with an id as tie-breaker: `{t, i}`. */
export const timeIdCursor = z.strictObject({ t: cursorTime, i: z.string().min(1).max(64) });
