import { z } from "zod";
import type { ZodOpenApiResponseObject } from "zod-openapi";
import type { RateLimitName } from "../infra/rate-limit";
import { MAX_BODY_BYTES, problem } from "../schemas/common";
import type { ErrorStatus } from "./operation";

/** What each error status means, whichever operation answers it. */
export const ERROR_STATUSES: Record<ErrorStatus, string> = {
  400: "Invalid input: `errors` names each field (`pointer`) or parameter (`parameter`) at fault. Nothing changed.",
  401: "No valid credentials: sign in, or send `Authorization: Bearer <token>`. Carries a `WWW-Authenticate` challenge.",
  403: "Authenticated, but not allowed to do this.",
  404: "No such resource, or not one the caller can see (the two are not told apart).",
  409: "Conflicts with the current state.",
  413: `The body is larger than ${MAX_BODY_BYTES} bytes.`,
  415: "The body is not JSON (`Content-Type: application/json`).",
  429: "Rate limited: nothing changed. Retry after `Retry-After` seconds; `RateLimit-*` say how the limit stands.",
  503: "The database is unavailable for a moment (restarting, or this instance is shutting down). Retry after `Retry-After` seconds. A write cut off by the outage may have been applied: retry sends with the same `clientMessageId`.",
};

/** Why a 403 can come from any unsafe method (lib/api/handler.ts refuses cross-site browser writes). */
export const CROSS_SITE_403 = "Also for a browser request from another site that carries no bearer token.";

/** What each rate limit counts, for the 429s of the operations that count against it (lib/infra/rate-limit.ts). */
export const RATE_LIMIT_DESCRIPTIONS: Record<RateLimitName, string> = {
  writes: "Too many writes by this user (`RATE_LIMIT_WRITES`).",
  signUp: "Too many accounts created from this IP address (`RATE_LIMIT_SIGN_UP`).",
  tokenCreation: "Too many tokens issued to this user (`RATE_LIMIT_TOKEN_CREATION`).",
  signIn: "Too many wrong passwords for this username from this IP address (`RATE_LIMIT_SIGN_IN`).",
};

export const requestIdHeader = z.string().meta({ description: "The request's id (a well-formed incoming one is kept)." });

/** draft-ietf-httpapi-ratelimit-headers-06, as lib/infra/rate-limit.ts sends them. */
export const rateLimitHeaders = {
  "RateLimit-Limit": z.string().meta({ description: "Requests allowed per window.", example: "300" }),
  "RateLimit-Remaining": z.string().meta({ description: "Requests left in the current window.", example: "299" }),
  "RateLimit-Reset": z.string().meta({ description: "Seconds until the window ends.", example: "42" }),
  "RateLimit-Policy": z.string().meta({ description: "`<limit>;w=<window seconds>`.", example: "300;w=60" }),
};

/** An error answer: problem+json with the headers its status carries; `detail` is added to the status's meaning. */
export function errorResponse(status: ErrorStatus, detail?: string): ZodOpenApiResponseObject {
  const headers: Record<string, z.ZodType> = { "X-Request-Id": requestIdHeader };
  if (status === 401) headers["WWW-Authenticate"] = z.string().meta({ example: 'Bearer realm="parley"' });
  if (status === 503 || status === 429) headers["Retry-After"] = z.string().meta({ description: "Seconds.", example: "2" });
  if (status === 429) Object.assign(headers, rateLimitHeaders);
  return {
    description: detail ? `${ERROR_STATUSES[status]} ${detail}` : ERROR_STATUSES[status],
    headers: z.object(headers),
    content: { "application/problem+json": { schema: problem } },
  };
}
