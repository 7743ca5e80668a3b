/** Placeholder rows in the token list's frame while the first page loads; hidden from assistive technology. */
export function TokenListSkeleton({ rows = 3 }: { rows?: number }) {
  return (
    <ul aria-hidden="true" className="divide-y divide-zinc-200 overflow-hidden rounded-xl border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
      {Array.from({ length: rows }, (_, i) => (
        <li key={i} className="flex items-center gap-3 px-4 py-3">
          <span className="h-9 w-9 shrink-0 animate-pulse rounded-xl bg-zinc-100 dark:bg-zinc-800" />
          <span className="flex flex-1 flex-col gap-2">
            <span className={`h-3.5 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800 ${i % 2 ? "w-1/3" : "w-1/2"}`} />
            <span className="h-3 w-2/3 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800" />
          </span>
          <span className="h-8 w-18 shrink-0 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-800" />
        </li>
      ))}
    </ul>
  );
}
