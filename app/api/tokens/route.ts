import { countAgainst, json, route } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { clientIp } from "@/lib/infra/rate-limit";
import { createToken, listTokens } from "@/lib/openapi/accounts";
import * as tokens from "@/lib/server/tokens";
import type { Credential } from "@/lib/server/credentials";
import { verifyCredentialsLimited } from "@/lib/server/users";

/** The caller's tokens, newest first, without secrets. */
export const GET = route(listTokens, async ({ query, caller }) => tokens.listTokens(caller.userId, query));

/**
 * Issues a token → 201 `{id, name, token, createdAt}`, the only response that ever holds the secret.
 * With `username` and `password` no session is needed (how a third party gets its first token); wrong passwords
 * count against the `signIn` limit like the sign-in form's. Otherwise the caller must be signed in or hold a token.
 * Either way, issued tokens count against the user's `tokenCreation` limit.
 */
export const POST = route(createToken, async ({ req, body, caller, responseHeaders }) => {
  let userId: string;
  let issuer: Credential | null = null;
  let passwordHash: string | null = null;
  if (body.username !== undefined && body.password !== undefined) {
    const user = await verifyCredentialsLimited(clientIp(req.headers), body.username, body.password);
    if (!user) throw new AppError("unauthorized", "Invalid username or password.");
    userId = user.id;
    passwordHash = user.passwordHash;
  } else if (caller) {
    userId = caller.userId;
    issuer = caller.credential;
  } else {
    throw new AppError("unauthorized", "Send username and password, or sign in first.");
  }
  await countAgainst("tokenCreation", userId, responseHeaders);
  const token = await tokens.createToken(userId, body.name, issuer, passwordHash);
  return json(token, 201, { location: `/api/tokens/${token.id}` });
});
