/**
 * The security headers of every response, in one place: next.config.ts sends the fixed ones, proxy.ts the pages'
 * Content-Security-Policy with its per-request nonce.
 */

/**
 * A page's Content-Security-Policy (CSP Level 3). Scripts: only those carrying `nonce`, and what they load
 * (`'strict-dynamic'`), per Next's CSP guide and web.dev's "strict CSP". Styles allow inline: React's `style`
 * attributes and the API reference's (Scalar) run-time style sheets need it, and injected CSS cannot run code.
 * Everything else comes from this origin; no page may be framed (`frame-ancestors 'none'`, clickjacking).
 * @param nonce base64, fresh per request.
 * @param opts.dev adds `'unsafe-eval'`, which React needs in development only (Next's guide).
 * @param opts.https adds `upgrade-insecure-requests`, which over plain HTTP would break the page's own requests.
 */
export function contentSecurityPolicy(nonce: string, opts: { dev: boolean; https: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(opts.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** The API's policy: its answers are data, never documents to render or frame. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** Headers for every response, pages and API alike. */
export const SECURITY_HEADERS: { key: string; value: string }[] = [
  // Browsers must not guess a type other than the declared one (a JSON body rendered as HTML, say).
  { key: "X-Content-Type-Options", value: "nosniff" },
  // Thread ids are in page URLs: other sites get the origin at most.
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  // frame-ancestors' predecessor, for browsers without CSP Level 2.
  { key: "X-Frame-Options", value: "DENY" },
  // No other site's window keeps a handle on ours (window.opener), and ours none on theirs.
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
];
