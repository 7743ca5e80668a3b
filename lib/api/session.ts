import "server-only";
import { getToken } from "next-auth/jwt";
import { config } from "../config";
import { type Authenticated } from "../server/credentials";
import { authenticateSession, endSession, type SessionClaims } from "../server/sessions";

/** Auth.js names its session cookie with the `__Secure-` prefix when it was set over HTTPS. */
const SECURE_COOKIE = "__Secure-authjs.session-token";

/**
 * The claims of the Auth.js session cookie that `req` carries, or `null` without one that is sealed with this
 * server's secret and unexpired. Says nothing of whether its session has been ended: see {@link sessionCaller}.
 *
 * Reads the cookie with Auth.js's own `getToken` (same secret, cookie name and salt as `auth()`), which works on
 * any `Request` — in route handlers, server actions (`{ headers: await headers() }`) and tests alike.
 */
export async function sessionClaims(req: Request | { headers: Headers }): Promise<SessionClaims | null> {
  const cookie = req.headers.get("cookie");
  const secret = config().AUTH_SECRET;
  if (!cookie || !secret) return null;
  const secureCookie = cookie.includes(`${SECURE_COOKIE}=`) || cookie.includes(`${SECURE_COOKIE}.0=`);
  return getToken({ req, secret, secureCookie });
}

/**
 * The caller that the session cookie of `req` names, or `null` without a valid cookie whose session is current
 * (lib/server/sessions.ts).
 */
export async function sessionCaller(req: Request | { headers: Headers }): Promise<Authenticated | null> {
  const claims = await sessionClaims(req);
  return claims ? authenticateSession(claims) : null;
}

/**
 * Signs the cookie of `req` out on the server: ends the session it names, if it names one (lib/server/sessions.ts).
 * The sign-out action and Auth.js's sign-out endpoint both call it before the cookie is cleared.
 * @throws when the database cannot be reached (the caller then must not tell the browser it signed out).
 */
export async function endSessionOf(req: Request | { headers: Headers }): Promise<void> {
  const claims = await sessionClaims(req);
  if (typeof claims?.sid === "string") await endSession(claims.sid);
}
