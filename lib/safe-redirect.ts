/**
 * A post-sign-in destination reduced to a same-origin path. Anything else — absolute URLs, protocol-relative
 * `//host`, backslash tricks — becomes "/", which closes open redirects (OWASP "Unvalidated Redirects").
 */
export function safeCallbackPath(raw: unknown): string {
  if (typeof raw !== "string" || !raw.startsWith("/") || raw.startsWith("//") || raw.includes("\\")) return "/";
  try {
    const url = new URL(raw, "http://parley.invalid");
    if (url.origin !== "http://parley.invalid") return "/";
    return url.pathname + url.search + url.hash;
  } catch {
    return "/";
  }
}
