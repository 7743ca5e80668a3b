/**
 * A script in the server's HTML that the browser runs while it parses the page, before the first paint: for the few
 * corrections server HTML cannot make itself (Next's guide "How to prevent flash before hydration"). It must carry
 * the request's CSP nonce (proxy.ts; pages allow no other inline script). React does not run a script it renders in
 * the browser (a client navigation): the component rendering it does the same work after hydration anyway. `text/plain`
 * there keeps React from warning about a script tag; `suppressHydrationWarning` covers that difference and the nonce,
 * which browsers hide from the DOM once parsed.
 * @param html the script's source: a statement, wrapped by the caller so that it declares no globals
 */
export function InlineScript({ html, nonce }: { html: string; nonce: string }) {
  return (
    <script
      type={typeof window === "undefined" ? "text/javascript" : "text/plain"}
      nonce={nonce}
      suppressHydrationWarning
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}
