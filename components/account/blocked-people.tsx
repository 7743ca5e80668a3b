"use client";

import { UserX as UserXIcon } from "lucide-react";
import { type RefObject, useEffect, useRef } from "react";
import { toast } from "sonner";
import { LoadError } from "@/components/load-error";
import { Button } from "@/components/ui/button";
import { useNow } from "@/hooks/use-now";
import { ApiError } from "@/lib/client/api";
import { useBlocks, useSetBlocked } from "@/lib/client/queries";
import { displayName, fullDateTime, relativeTime } from "@/lib/format";
import type { BlockedUser } from "@/lib/schemas/moderation";

/**
 * The "Blocked people" list of the account page: whom the caller blocked, most recently first, a page at a time ("Load
 * more" while the API has a `nextCursor`), each with their name, @username, when, and an Unblock button that unblocks
 * at once (blocking again is a profile card away). An empty list and a failure to load are explained.
 *
 * @param headingRef the section's heading, which takes the focus after an unblocking (the row and its button go)
 */
export function BlockedPeople({ headingRef }: { headingRef: RefObject<HTMLElement | null> }) {
  const { data, isPending, isError, error, refetch, isRefetching, hasNextPage, isFetchingNextPage, fetchNextPage } = useBlocks();
  const setBlocked = useSetBlocked();
  const now = useNow();
  const blocks = data?.pages.flatMap((p) => p.data) ?? [];

  const unblock = (b: BlockedUser) =>
    setBlocked.mutate(
      { userId: b.user.id, blocked: false },
      {
        onSuccess: () => {
          headingRef.current?.focus();
          toast.success(`${displayName(b.user)} unblocked`);
        },
        onError: (e) =>
          toast.error(`${displayName(b.user)} was not unblocked`, {
            description: e instanceof ApiError ? e.detail : "Something went wrong. Please try again.",
          }),
      },
    );

  // "Load more" moves the focus to the first row it brought (its Unblock button): on the last page the button itself
  // goes away, and the focus would otherwise fall back to the page.
  const listRef = useRef<HTMLUListElement>(null);
  const focusFrom = useRef<number | null>(null);
  useEffect(() => {
    const from = focusFrom.current;
    if (from === null || blocks.length <= from) return;
    focusFrom.current = null;
    listRef.current?.querySelectorAll<HTMLButtonElement>(":scope > li button")[from]?.focus();
  }, [blocks.length]);

  if (isPending) {
    return (
      <div aria-busy="true" className="flex flex-col gap-2">
        <p role="status" className="sr-only">
          Loading the people you blocked…
        </p>
        <div className="h-16 animate-pulse rounded-xl bg-zinc-100 dark:bg-zinc-800" />
      </div>
    );
  }
  if (isError && !data) {
    return (
      <LoadError
        title="Couldn’t load the people you blocked."
        testId="blocks-error"
        className="rounded-xl border border-zinc-200 px-6 py-10 dark:border-zinc-800"
        error={error}
        retrying={isRefetching}
        onRetry={() => void refetch()}
      />
    );
  }
  if (blocks.length === 0) {
    return (
      <p data-testid="blocks-empty" className="rounded-xl border border-dashed border-zinc-300 px-4 py-6 text-center text-sm text-zinc-500 dark:border-zinc-700 dark:text-zinc-400">
        You haven&apos;t blocked anyone.
      </p>
    );
  }
  return (
    <>
      <ul
        ref={listRef}
        aria-label="Blocked people"
        className="divide-y divide-zinc-200 overflow-hidden rounded-xl border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-950"
      >
        {blocks.map((b) => {
          const pending = setBlocked.isPending && setBlocked.variables?.userId === b.user.id;
          return (
            <li key={b.user.id} data-testid="blocked-person" data-user-id={b.user.id} className="flex items-center gap-3 px-4 py-3">
              <span
                aria-hidden="true"
                className="flex h-9 w-9 shrink-0 items-center justify-center rounded-full bg-zinc-100 text-zinc-500 dark:bg-zinc-800 dark:text-zinc-400"
              >
                <UserXIcon className="h-4.5 w-4.5" />
              </span>
              <div className="min-w-0 flex-1">
                <p className="truncate text-sm font-semibold text-zinc-900 dark:text-zinc-100">{displayName(b.user)}</p>
                <p className="mt-0.5 flex min-h-4 flex-wrap gap-x-3 text-xs leading-4 text-zinc-500 dark:text-zinc-400">
                  <span className="truncate">@{b.user.username}</span>
                  {now !== null && (
                    <span>
                      Blocked{" "}
                      <time dateTime={b.blockedAt} title={fullDateTime(b.blockedAt)}>
                        {relativeTime(b.blockedAt, new Date(now))}
                      </time>
                    </span>
                  )}
                </p>
              </div>
              <Button
                variant="secondary"
                size="sm"
                aria-label={`Unblock ${displayName(b.user)}`}
                aria-disabled={pending || undefined}
                onClick={() => !pending && unblock(b)}
              >
                {pending ? "Unblocking…" : "Unblock"}
              </Button>
            </li>
          );
        })}
      </ul>
      {hasNextPage && (
        <div className="flex justify-center">
          <Button
            variant="secondary"
            size="sm"
            disabled={isFetchingNextPage}
            onClick={() => {
              focusFrom.current = blocks.length;
              void fetchNextPage();
            }}
          >
            {isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        </div>
      )}
    </>
  );
}
