"use client";

import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { apiFetch } from "@/lib/client/api";
import { queryKeys } from "@/lib/client/query-keys";
import { cn } from "@/lib/cn";
import type { AdminReport, ResolveReportInput } from "@/lib/schemas/admin";
import type { Page } from "@/lib/schemas/common";
import { REPORT_REASON_LABELS } from "@/lib/schemas/moderation";
import { Badge, utcTime } from "./format";
import { ReasonDialog } from "./reason-dialog";

type Status = "open" | "resolved";

/** One tab of the queue, under the prefix that live report events refetch (lib/client/query-keys.ts). */
const reportsKey = (status: Status) => [...queryKeys.adminReports, status] as const;

const RESOLUTION_LABELS: Record<NonNullable<AdminReport["resolution"]>, string> = {
  message_removed: "Message removed",
  sender_suspended: "Sender suspended",
  dismissed: "Dismissed",
};

const ACTIONS: Record<ResolveReportInput["action"], { label: string; title: string; description: string; danger: boolean }> = {
  remove_message: {
    label: "Remove message",
    title: "Remove the reported message?",
    description: "Everyone in the conversation sees “Removed by a moderator” in its place. Every open report of it is resolved.",
    danger: true,
  },
  suspend_sender: {
    label: "Suspend sender",
    title: "Suspend the sender?",
    description: "They are signed out everywhere and cannot sign in until unsuspended; they are shown your reason. The message stays.",
    danger: true,
  },
  dismiss: {
    label: "Dismiss",
    title: "Dismiss the report?",
    description: "Nothing changes for anyone. Every open report of this message is dismissed with it.",
    danger: false,
  },
};

/**
 * The reports queue: open reports oldest first (or resolved ones, newest first), each with the message in context,
 * who reported it and why, and the three resolutions, each asking for a reason. Live: a new report or another admin's
 * resolution refreshes it (`report.created`, `report.resolved`).
 */
export function ReportsQueue({ status, initial }: { status: Status; initial: Page<AdminReport> }) {
  const client = useQueryClient();
  const reports = useInfiniteQuery({
    queryKey: reportsKey(status),
    queryFn: ({ pageParam, signal }) =>
      apiFetch<Page<AdminReport>>(`/api/admin/reports?${new URLSearchParams({ status, ...(pageParam ? { cursor: pageParam } : {}) })}`, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: { pages: [initial], pageParams: [null] },
  });
  const [resolving, setResolving] = useState<{ report: AdminReport; action: ResolveReportInput["action"] } | null>(null);
  const all = reports.data.pages.flatMap((p) => p.data);
  return (
    <div className="flex flex-col gap-4">
      <div role="tablist" aria-label="Reports" className="flex gap-1">
        {(["open", "resolved"] as const).map((s) => (
          <Link
            key={s}
            role="tab"
            aria-selected={s === status}
            href={s === "open" ? "/admin/reports" : "/admin/reports?status=resolved"}
            className={cn(
              "rounded-lg px-3 py-1.5 text-sm font-medium text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800",
              "aria-selected:bg-indigo-50 aria-selected:text-indigo-700 dark:aria-selected:bg-indigo-500/15 dark:aria-selected:text-indigo-300",
            )}
          >
            {s === "open" ? "Open" : "Resolved"}
          </Link>
        ))}
      </div>
      {all.length === 0 && (
        <p className="rounded-xl border border-dashed border-zinc-300 p-8 text-center text-sm text-zinc-500 dark:border-zinc-700 dark:text-zinc-400">
          {status === "open" ? "No open reports. Nice." : "No resolved reports yet."}
        </p>
      )}
      <ol className="flex flex-col gap-4">
        {all.map((r) => (
          <li key={r.id} data-testid="report" className="flex flex-col gap-3 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
            <div className="flex flex-wrap items-center gap-2 text-sm">
              <Badge tone="amber">{REPORT_REASON_LABELS[r.reason]}</Badge>
              <span className="text-zinc-600 dark:text-zinc-400">
                reported by{" "}
                <Link href={`/admin/people/${r.reporter.id}`} className="font-medium text-zinc-900 hover:underline dark:text-zinc-100">
                  @{r.reporter.username}
                </Link>{" "}
                · {utcTime(r.createdAt)}
              </span>
            </div>
            {r.details && <p className="text-sm italic text-zinc-700 dark:text-zinc-300">“{r.details}”</p>}
            <div className="flex flex-col gap-1 rounded-lg bg-zinc-50 p-3 dark:bg-zinc-950">
              <p className="text-xs text-zinc-500 dark:text-zinc-400">
                In{" "}
                <Link href={`/admin/conversations/${r.threadId}`} className="hover:underline">
                  its conversation
                </Link>
                , from{" "}
                <Link href={`/admin/people/${r.sender.id}`} className="font-medium hover:underline">
                  @{r.sender.username}
                </Link>
                {r.sender.suspendedAt && " (suspended)"}
                {r.message.state !== "visible" && ` — message ${r.message.state === "removed" ? "removed by a moderator" : "deleted by its sender"}`}
              </p>
              {r.context.length === 0 ? (
                <p className="whitespace-pre-wrap break-words text-sm font-medium">{r.message.text}</p>
              ) : (
                <ol className="flex flex-col gap-1.5">
                  {r.context.map((m) => (
                    <li
                      key={m.id}
                      data-reported={m.id === r.message.id ? "" : undefined}
                      className={cn(
                        "rounded-md px-2 py-1 text-sm",
                        m.id === r.message.id ? "bg-amber-100 font-medium dark:bg-amber-500/20" : "text-zinc-600 dark:text-zinc-400",
                      )}
                    >
                      <span
                        className={cn(
                          "mr-1.5 text-xs",
                          m.id === r.message.id ? "text-zinc-600 dark:text-zinc-300" : "text-zinc-500 dark:text-zinc-400",
                        )}
                      >
                        @{m.sender.username}
                      </span>
                      <span className={cn("whitespace-pre-wrap break-words", m.kind === "removed" && "line-through")}>
                        {m.id === r.message.id ? r.message.text : m.text}
                      </span>
                    </li>
                  ))}
                </ol>
              )}
            </div>
            {r.resolution ? (
              <p className="text-sm text-zinc-600 dark:text-zinc-400">
                <Badge tone={r.resolution === "dismissed" ? "zinc" : "green"}>{RESOLUTION_LABELS[r.resolution]}</Badge>{" "}
                by @{r.resolvedBy?.username ?? "?"} · {utcTime(r.resolvedAt)}
              </p>
            ) : (
              <div className="flex flex-wrap gap-2">
                {(["remove_message", "suspend_sender", "dismiss"] as const).map((action) => (
                  <Button
                    key={action}
                    size="sm"
                    variant={ACTIONS[action].danger ? "danger-secondary" : "secondary"}
                    disabled={(action === "remove_message" && r.message.state !== "visible") || (action === "suspend_sender" && (r.sender.suspendedAt !== null || r.sender.deletedAt !== null))}
                    onClick={() => setResolving({ report: r, action })}
                  >
                    {ACTIONS[action].label}
                  </Button>
                ))}
              </div>
            )}
          </li>
        ))}
      </ol>
      {reports.hasNextPage && (
        <div>
          <Button variant="secondary" size="sm" disabled={reports.isFetchingNextPage} onClick={() => void reports.fetchNextPage()}>
            Load more
          </Button>
        </div>
      )}
      {(["remove_message", "suspend_sender", "dismiss"] as const).map((action) => (
        <ReasonDialog
          key={action}
          open={resolving?.action === action}
          title={ACTIONS[action].title}
          description={ACTIONS[action].description}
          confirmLabel={ACTIONS[action].label}
          danger={ACTIONS[action].danger}
          onConfirm={async (reason) => {
            await apiFetch(`/api/admin/reports/${resolving!.report.id}/resolution`, { method: "POST", body: { action, reason } });
            toast.success(RESOLUTION_LABELS[action === "remove_message" ? "message_removed" : action === "suspend_sender" ? "sender_suspended" : "dismissed"]);
            await client.invalidateQueries({ queryKey: queryKeys.adminReports });
          }}
          onClose={() => setResolving(null)}
        />
      ))}
    </div>
  );
}
