import { z } from "zod";
import { cursor, id, limit, timestamp } from "./common";
import { username } from "./users";

/** A token's name: 1–64 characters after trimming. Shared by `POST /api/tokens` and the tokens page's form. */
export const tokenName = z.string().trim().min(1, "Give the token a name.").max(64, "Use at most 64 characters.");

/**
 * `POST /api/tokens`: with `username` and `password` (no session needed), or with only `name` when the caller is
 * already signed in or holds a token.
 */
export const createTokenBody = z
  .strictObject({
    username: username.optional(),
    password: z.string().min(1).max(256).optional(),
    name: tokenName.optional(),
  })
  .refine((b) => (b.username === undefined) === (b.password === undefined), {
    message: "Send username and password together.",
    path: ["password"],
  });

/** `GET /api/tokens`. */
export const listTokensQuery = z.object({ limit: limit(20), cursor });

export const apiToken = z
  .object({
    id,
    name: z.string(),
    createdAt: timestamp,
    lastUsedAt: timestamp.nullable().meta({ description: "Updated at most once a minute." }),
  })
  .meta({ id: "ApiToken" });

/** Returned once, at creation: the only time the secret is shown. */
export const createdToken = z
  .object({ id, name: z.string(), token: z.string().meta({ description: "The secret. Send it as `Authorization: Bearer <token>`." }), createdAt: timestamp })
  .meta({ id: "CreatedToken" });

export type ApiTokenView = z.infer<typeof apiToken>;
export type CreatedToken = z.infer<typeof createdToken>;
