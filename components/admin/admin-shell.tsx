"use client";

import { ChevronLeft, Flag, LayoutDashboard, MessagesSquare, ScrollText, Users } from "lucide-react";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { usePathname } from "next/navigation";
import { apiFetch } from "@/lib/client/api";
import { useLiveEvents } from "@/lib/client/live/event-stream";
import { queryKeys } from "@/lib/client/query-keys";
import { cn } from "@/lib/cn";
import { badgeCount } from "@/lib/format";
import type { AdminReport } from "@/lib/schemas/admin";
import type { Page } from "@/lib/schemas/common";

const SECTIONS = [
  { href: "/admin", label: "Overview", icon: LayoutDashboard },
  { href: "/admin/reports", label: "Reports", icon: Flag },
  { href: "/admin/people", label: "People", icon: Users },
  { href: "/admin/conversations", label: "Conversations", icon: MessagesSquare },
  { href: "/admin/audit", label: "Audit log", icon: ScrollText },
] as const;

/**
 * The admin area's frame: its sections as a side bar (a row of tabs on phones) beside the page, and a link back to
 * the conversations. The tab's live stream runs here as in the chat, so the reports queue hears of new reports.
 *
 * @param openReports the open reports when the page was rendered, shown beside "Reports"; then kept up to date under
 *   the reports queue's query key, which the live report events refetch
 */
export function AdminShell({ meId, openReports, children }: { meId: string; openReports: number; children: React.ReactNode }) {
  const pathname = usePathname();
  useLiveEvents(meId);
  const open =
    useQuery({
      queryKey: [...queryKeys.adminReports, "open-count"],
      queryFn: async ({ signal }) => {
        const page = await apiFetch<Page<AdminReport>>("/api/admin/reports?status=open&limit=100", { signal });
        return page.nextCursor ? 100 : page.data.length;
      },
      initialData: openReports,
      staleTime: 30_000,
    }).data ?? openReports;
  const current = (href: string) => (href === "/admin" ? pathname === "/admin" : pathname === href || pathname.startsWith(`${href}/`));
  return (
    <div className="flex h-dvh flex-col bg-zinc-50 text-zinc-900 md:flex-row dark:bg-zinc-950 dark:text-zinc-100">
      <nav
        aria-label="Admin"
        className="flex shrink-0 flex-col border-b border-zinc-200 bg-white md:w-60 md:border-r md:border-b-0 dark:border-zinc-800 dark:bg-zinc-900"
      >
        <div className="flex h-14 items-center gap-2 px-3 md:h-16">
          <Link
            href="/"
            className="flex items-center gap-1 rounded-lg px-2 py-1.5 text-sm text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
          >
            <ChevronLeft aria-hidden="true" className="h-4 w-4" />
            Parley
          </Link>
          <span className="text-sm font-semibold">Admin</span>
        </div>
        <ul className="flex gap-1 overflow-x-auto px-2 pb-2 md:flex-col md:overflow-visible md:pb-4">
          {SECTIONS.map(({ href, label, icon: Icon }) => (
            <li key={href} className="shrink-0">
              <Link
                href={href}
                aria-current={current(href) ? "page" : undefined}
                className={cn(
                  "flex items-center gap-2.5 rounded-lg px-3 py-2 text-sm font-medium text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:hover:text-zinc-100",
                  "aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-700 dark:aria-[current=page]:bg-indigo-500/15 dark:aria-[current=page]:text-indigo-300",
                )}
              >
                <Icon aria-hidden="true" className="h-4 w-4" />
                {label}
                {href === "/admin/reports" && open > 0 && (
                  <span className="ml-auto rounded-full bg-red-600 px-1.5 text-xs font-semibold text-white" aria-label={`${badgeCount(open)} open`}>
                    {badgeCount(open)}
                  </span>
                )}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main className="min-h-0 min-w-0 flex-1 overflow-y-auto">
        <div className="mx-auto flex w-full max-w-6xl flex-col gap-6 px-4 py-6 md:px-8 md:py-8">{children}</div>
      </main>
    </div>
  );
}

/** A page's title and what it is for. */
export function AdminHeading({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      {children && <p className="text-sm text-zinc-600 dark:text-zinc-400">{children}</p>}
    </div>
  );
}
