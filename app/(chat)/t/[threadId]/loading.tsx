/** Conversation skeleton while the server prefetches the thread. */
export default function Loading() {
  return (
    <div aria-busy="true" aria-label="Loading conversation" className="flex flex-1 flex-col">
      <div className="h-16 border-b border-zinc-200 dark:border-zinc-800" />
      <div className="flex flex-1 flex-col justify-end gap-3 p-4">
        {[40, 60, 35, 55].map((w, i) => (
          <div key={i} className={`h-10 animate-pulse rounded-2xl bg-zinc-100 dark:bg-zinc-800 ${i % 2 ? "self-end" : ""}`} style={{ width: `${w}%` }} />
        ))}
      </div>
    </div>
  );
}
