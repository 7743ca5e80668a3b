/**
 * Next.js calls `register()` once per server process, before the first request (Next docs, "instrumentation.js").
 * Parley validates its settings and, in containers, migrates there: lib/infra/boot.ts.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { boot } = await import("./lib/infra/boot");
  await boot();
}
