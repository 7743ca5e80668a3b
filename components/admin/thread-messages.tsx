"use client";

import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { apiFetch } from "@/lib/client/api";
import type { AdminMessage } from "@/lib/schemas/admin";
import type { Page } from "@/lib/schemas/common";
import { Badge, utcTime } from "./format";
import { ReasonDialog } from "./reason-dialog";

/**
 * A conversation's messages for an admin: nothing is read until they give a reason, which goes to the audit log with
 * every page read (`GET /api/admin/threads/{id}/messages?reason=`). Newest first, "Load older" for more; each
 * person's message can be removed (with a reason).
 */
export function ThreadMessages({ threadId }: { threadId: string }) {
  const [draft, setDraft] = useState("");
  const [reason, setReason] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<AdminMessage | null>(null);
  const client = useQueryClient();
  const key = ["admin", "thread-messages", threadId, reason] as const;
  const messages = useInfiniteQuery({
    queryKey: key,
    enabled: reason !== null,
    queryFn: ({ pageParam, signal }) =>
      apiFetch<Page<AdminMessage>>(
        `/api/admin/threads/${threadId}/messages?${new URLSearchParams({ reason: reason ?? "", ...(pageParam ? { cursor: pageParam } : {}) })}`,
        { signal },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    // Every fetch is an audited reading: never again by itself (focus, reconnect, the live stream's `ready`), only
    // when asked.
    meta: { audited: true },
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
    retry: false,
  });

  if (reason === null) {
    const submit = (e: FormEvent) => {
      e.preventDefault();
      if (!draft.trim()) return setError("Give a reason: it is kept in the audit log.");
      setReason(draft.trim());
    };
    return (
      <form onSubmit={submit} className="flex flex-col gap-2">
        <label className="flex flex-col gap-1.5 text-sm font-medium">
          Why do you need to read this conversation?
          <input
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
              setError(null);
            }}
            maxLength={500}
            aria-invalid={error ? true : undefined}
            className="h-10 rounded-lg border border-zinc-300 bg-white px-3 text-sm font-normal outline-none focus-visible:border-indigo-500 focus-visible:ring-2 focus-visible:ring-indigo-500/30 dark:border-zinc-700 dark:bg-zinc-900"
          />
        </label>
        {error && (
          <p role="alert" className="text-sm text-red-600 dark:text-red-400">
            {error}
          </p>
        )}
        <p className="text-xs text-zinc-500 dark:text-zinc-400">Every page you read is written to the audit log with this reason.</p>
        <div>
          <Button type="submit" variant="secondary" size="sm">
            Read messages
          </Button>
        </div>
      </form>
    );
  }

  const all = messages.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <div className="flex flex-col gap-3">
      {messages.isError && <p className="text-sm text-red-600 dark:text-red-400">The messages could not be loaded.</p>}
      {messages.isPending && <p className="text-sm text-zinc-500 dark:text-zinc-400">Loading…</p>}
      {!messages.isPending && all.length === 0 && <p className="text-sm text-zinc-500 dark:text-zinc-400">No messages.</p>}
      <ol className="flex flex-col divide-y divide-zinc-100 dark:divide-zinc-800">
        {all.map((m) => (
          <li key={m.id} data-testid="admin-message" className="flex flex-col gap-1 py-2.5">
            <div className="flex flex-wrap items-center gap-2 text-xs text-zinc-500 dark:text-zinc-400">
              <span className="font-medium text-zinc-800 dark:text-zinc-200">{m.sender.name ?? m.sender.username}</span>
              <span>@{m.sender.username}</span>
              <span>{utcTime(m.createdAt)}</span>
              {m.editedAt && <span>(edited)</span>}
              {m.kind === "removed" && <Badge tone="red">Removed {utcTime(m.removedAt)}</Badge>}
              {m.kind === "system" && <Badge tone="zinc">System</Badge>}
            </div>
            <div className="flex items-start justify-between gap-3">
              <p className={`whitespace-pre-wrap break-words text-sm ${m.kind === "removed" ? "text-zinc-500 line-through dark:text-zinc-400" : ""}`}>{m.text}</p>
              {m.kind === "text" && (
                <Button variant="danger-secondary" size="xs" onClick={() => setRemoving(m)} aria-label={`Remove message from ${m.sender.username}`}>
                  Remove
                </Button>
              )}
            </div>
          </li>
        ))}
      </ol>
      {messages.hasNextPage && (
        <div>
          <Button variant="secondary" size="sm" disabled={messages.isFetchingNextPage} onClick={() => void messages.fetchNextPage()}>
            Load older
          </Button>
        </div>
      )}
      <ReasonDialog
        open={removing !== null}
        title="Remove this message?"
        description="Everyone in the conversation sees “Removed by a moderator” in its place, at once. Its text stays visible here."
        confirmLabel="Remove message"
        danger
        onConfirm={async (why) => {
          await apiFetch(`/api/admin/messages/${removing!.id}`, { method: "DELETE", body: { reason: why } });
          toast.success("Message removed");
          await client.invalidateQueries({ queryKey: key });
        }}
        onClose={() => setRemoving(null)}
      />
    </div>
  );
}
