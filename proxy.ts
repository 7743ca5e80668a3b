import { type NextRequest, NextResponse } from "next/server";
import { contentSecurityPolicy } from "@/lib/security-headers";

/**
 * Next's request proxy (the Next 16 name of middleware), for pages only: a fresh nonce per request and the
 * Content-Security-Policy that allows only scripts carrying it, as Next's "Content Security Policy" guide does it.
 * Next reads the policy from the request headers and puts the nonce on its own scripts; pages are rendered per
 * request for that (app/layout.tsx). API routes get a fixed policy from next.config.ts instead.
 */
export function proxy(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const https = (request.headers.get("x-forwarded-proto") ?? request.nextUrl.protocol.replace(":", "")) === "https";
  const policy = contentSecurityPolicy(nonce, { dev: process.env.NODE_ENV === "development", https });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export const config = {
  matcher: [
    {
      // Pages, not the API, build output, or static files; prefetches carry no document of their own.
      source: "/((?!api/|_next/static|_next/image|favicon.ico|icon.svg).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
