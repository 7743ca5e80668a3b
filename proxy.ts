import { type NextRequest, NextResponse } from "next/server";

/**
 * Sends people without a session cookie from chat pages to sign-in, remembering where they were going (a path
 * only). An optimistic check on the cookie's presence, as Next's authentication guide recommends for the proxy;
 * the pages verify the session itself.
 */
export function proxy(req: NextRequest) {
  // Auth.js may split a large session cookie into chunks named `<name>.0`, `<name>.1`, …
  const hasSession = req.cookies
    .getAll()
    .some((c) => c.name.startsWith("authjs.session-token") || c.name.startsWith("__Secure-authjs.session-token"));
  if (hasSession) return NextResponse.next();
  const target = req.nextUrl.pathname + req.nextUrl.search;
  // A relative Location (RFC 9110 §10.2.2): behind a proxy Next may not know its public origin.
  return new NextResponse(null, {
    status: 307,
    headers: { location: `/sign-in?callbackUrl=${encodeURIComponent(target)}` },
  });
}

export const config = {
  // Chat pages only: not the API (which answers 401), auth pages, or static assets.
  matcher: ["/", "/t/:path*"],
};
