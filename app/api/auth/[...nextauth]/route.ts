import { NextRequest } from "next/server";
import { requestIdOf } from "@/lib/api/handler";
import { readBodyLimited } from "@/lib/api/parse";
import { errorResponse } from "@/lib/api/problem";
import { endSessionOf } from "@/lib/api/session";
import { handlers } from "@/lib/auth";
import { clientIp } from "@/lib/infra/rate-limit";
import { checkSignInAllowed } from "@/lib/server/users";

export const { GET } = handlers;

/** Auth.js's forms (sign-in, sign-out, CSRF token) are a few hundred bytes; nothing larger is read. */
const MAX_AUTH_BODY_BYTES = 16 * 1024;

/**
 * Whether Auth.js's answer clears the session cookie, which its sign-out does once it has checked the CSRF token: it
 * sets the cookie (or each of its chunks, `.0`, `.1` …) to an empty value (`@auth/core` `SessionStore.clean`).
 */
const clearsSessionCookie = (res: Response) =>
  res.headers.getSetCookie().some((c) => /^(__Secure-)?authjs\.session-token(\.\d+)?=;/.test(c));

/**
 * Auth.js's endpoints, behind checks of ours. The body is read at most {@link MAX_AUTH_BODY_BYTES} (413 past it;
 * Auth.js itself would read any size). A credentials sign-in posted here directly (not through the app's form, whose
 * server action calls Auth.js in-process) is answered `429` with `Retry-After` while the `signIn` limit holds for its
 * client IP and username, instead of Auth.js's redirect to the sign-in page; `authorize` enforces the same limit
 * either way. A sign-out that Auth.js accepted ends the server-side session (lib/server/sessions.ts) before it is
 * answered; if that fails (503), the cookie is not cleared either, so the browser is not told it signed out.
 */
export async function POST(req: NextRequest): Promise<Response> {
  try {
    const body = await readBodyLimited(req, MAX_AUTH_BODY_BYTES);
    const buffered = new NextRequest(req.url, { method: "POST", headers: req.headers, body: new Uint8Array(body) });
    if (buffered.nextUrl.pathname.endsWith("/callback/credentials")) {
      const form = await buffered
        .clone()
        .formData()
        .catch(() => null);
      const username = form?.get("username");
      if (typeof username === "string" && username.length <= 64) {
        await checkSignInAllowed(clientIp(req.headers), username);
      }
    }
    if (buffered.nextUrl.pathname.endsWith("/signout")) {
      const res = await handlers.POST(buffered);
      if (clearsSessionCookie(res)) await endSessionOf(buffered);
      return res;
    }
    return handlers.POST(buffered);
  } catch (e) {
    return errorResponse(e, requestIdOf(req), req);
  }
}
