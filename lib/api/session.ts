import { getToken } from "next-auth/jwt";

/** Auth.js names its session cookie with the `__Secure-` prefix when it was set over HTTPS. */
const SECURE_COOKIE = "__Secure-authjs.session-token";

/**
 * The user id in the Auth.js session cookie of `req`, or `null` without a valid session.
 *
 * Reads the cookie with Auth.js's own `getToken` (same secret, cookie name and salt as `auth()`), which works on
 * any `Request` — in route handlers and in tests alike — without Next's request-scoped `headers()`.
 */
export async function sessionUserId(req: Request): Promise<string | null> {
  const cookie = req.headers.get("cookie");
  if (!cookie || !process.env.AUTH_SECRET) return null;
  const secureCookie = cookie.includes(`${SECURE_COOKIE}=`) || cookie.includes(`${SECURE_COOKIE}.0=`);
  const token = await getToken({ req, secret: process.env.AUTH_SECRET, secureCookie });
  return typeof token?.sub === "string" ? token.sub : null;
}
