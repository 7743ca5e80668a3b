import { z } from "zod";

/** Opaque resource id as the API accepts it (ids are UUIDv7 strings today; clients must not rely on that). */
export const id = z.string().min(1).max(64);

/** `{ id }` route params. */
export const idParams = z.object({ id });

/** `limit` query parameter: 1..100, with a per-endpoint default. */
export const limit = (defaultValue: number) => z.coerce.number().int().min(1).max(100).default(defaultValue);

/** Opaque page cursor as returned in `nextCursor`. */
export const cursor = z.string().min(1).max(512).optional();

/** ISO 8601 UTC timestamp on the wire. */
export const timestamp = z.iso.datetime();

/** A page of a list endpoint: `{ data, nextCursor }`, `nextCursor` null on the last page. */
export const page = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() });

export type Page<T> = { data: T[]; nextCursor: string | null };

/** Counts characters as people do (Unicode code points), not UTF-16 units. */
export const codePointLength = (s: string) => [...s].length;
