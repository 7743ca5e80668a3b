// Shared by the admin area's server pages and client components: no hooks, no "use client".
import type { AdminThread } from "@/lib/schemas/admin";

/**
 * A date and time in UTC, "2026-12-05 09:30 UTC": built from its numbers, not the locale's formatter, so the server's
 * and the browser's renderings are the same string (ICU versions differ in spaces and punctuation: no hydration
 * mismatch).
 */
export function utcTime(iso: string | null): string {
  if (!iso) return "—";
  const [date, time] = new Date(iso).toISOString().split("T");
  return `${date} ${time!.slice(0, 5)} UTC`;
}

/** A small coloured label: a role, a state. */
export function Badge({ tone, children }: { tone: "zinc" | "indigo" | "red" | "amber" | "green"; children: React.ReactNode }) {
  const tones = {
    zinc: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
    indigo: "bg-indigo-50 text-indigo-700 dark:bg-indigo-500/15 dark:text-indigo-300",
    red: "bg-red-50 text-red-700 dark:bg-red-500/15 dark:text-red-300",
    amber: "bg-amber-50 text-amber-800 dark:bg-amber-500/15 dark:text-amber-300",
    green: "bg-emerald-50 text-emerald-700 dark:bg-emerald-500/15 dark:text-emerald-300",
  };
  return <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ${tones[tone]}`}>{children}</span>;
}

/** A conversation's name in the admin area: a group's title, else its people's usernames. */
export const conversationName = (t: Pick<AdminThread, "title" | "participants">) =>
  t.title ?? t.participants.map((p) => `@${p.username}`).join(", ");


/** A titled card of an admin page (its heading labels it). */
export function AdminSection({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <section aria-labelledby={id} className="flex flex-col gap-3 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <h2 id={id} className="text-base font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}
