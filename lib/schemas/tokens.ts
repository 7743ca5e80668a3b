import { z } from "zod";
import { id, timestamp } from "./common";
import { username } from "./users";

const tokenName = z.string().trim().min(1).max(64);

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

export const apiToken = z.object({
  id,
  name: z.string(),
  createdAt: timestamp,
  lastUsedAt: timestamp.nullable(),
});

/** Returned once, at creation: the only time the secret is shown. */
export const createdToken = z.object({ id, name: z.string(), token: z.string(), createdAt: timestamp });

export type ApiTokenView = z.infer<typeof apiToken>;
export type CreatedToken = z.infer<typeof createdToken>;
