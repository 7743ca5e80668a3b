"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useId } from "react";
import { LoadError } from "@/components/load-error";
import { Button } from "@/components/ui/button";
import { type SearchSort, useSearch } from "@/lib/client/queries";
import { displayName, fullDateTime, listTime, plainPreview } from "@/lib/format";
import type { SearchResult, SearchThread } from "@/lib/schemas/search";
import { Avatar } from "../avatar";
import { HighlightedText } from "./highlighted-text";

/** A search result's conversation, named as the thread list names it: a group's title, else the other people. */
export function searchThreadName(thread: SearchThread): string {
  if (thread.title !== null) return thread.title;
  const names = thread.others.map(displayName);
  const more = thread.participantCount - 1 - thread.others.length;
  if (names.length === 0) return "Just you";
  return more > 0 ? `${names.join(", ")} and ${more} more` : names.join(", ");
}

/** Results grouped by conversation, each group where its first (best or newest) result comes. */
function groupByThread(results: readonly SearchResult[]) {
  const groups = new Map<string, { thread: SearchThread; results: SearchResult[] }>();
  for (const r of results) {
    const group = groups.get(r.thread.id);
    if (group) group.results.push(r);
    else groups.set(r.thread.id, { thread: r.thread, results: [r] });
  }
  return [...groups.values()];
}

const SORTS: { value: SearchSort; label: string }[] = [
  { value: "recent", label: "Recent" },
  { value: "relevance", label: "Relevance" },
];

/**
 * The messages part of the sidebar's search: results of `GET /api/search` for `q`, grouped by conversation, each a
 * link to the conversation at that message (`/t/<id>?m=<message id>`) showing the sender, the time and the matched
 * fragments (`<mark>`); a Recent / Relevance toggle, "Load more", and loading, empty and error states. A result in the
 * conversation already open jumps there without a page load.
 *
 * @param q the search text (not blank)
 * @param now the current time in ms (`useNow`), or null while hydrating
 */
export function MessageResults({
  q,
  meId,
  sort,
  onSortChange,
  now,
}: {
  q: string;
  meId: string;
  sort: SearchSort;
  onSortChange: (sort: SearchSort) => void;
  now: number | null;
}) {
  const search = useSearch(q, sort);
  const { data, isPending, isError, error, refetch, isRefetching, hasNextPage, isFetchingNextPage, fetchNextPage, isPlaceholderData } =
    search;
  const pathname = usePathname();
  const headingId = useId();
  const results = data?.pages.flatMap((p) => p.data) ?? [];
  const groups = groupByThread(results);
  const stale = isPlaceholderData;

  return (
    <section aria-labelledby={headingId} aria-busy={isPending || stale} data-testid="message-search" data-q={q} className="pb-2">
      <div className="flex items-center justify-between gap-2 px-3 pb-1.5 pt-3">
        <h2 id={headingId} className="text-xs font-semibold uppercase tracking-wide text-zinc-500 dark:text-zinc-400">
          Messages
        </h2>
        <div role="group" aria-label="Sort messages by" className="inline-flex rounded-lg bg-zinc-100 p-0.5 dark:bg-zinc-900">
          {SORTS.map((s) => (
            <button
              key={s.value}
              type="button"
              aria-pressed={sort === s.value}
              onClick={() => onSortChange(s.value)}
              className="rounded-md px-2 py-0.5 text-xs font-medium text-zinc-600 transition-colors hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-indigo-500 aria-pressed:bg-white aria-pressed:text-zinc-900 aria-pressed:shadow-sm dark:text-zinc-400 dark:hover:text-zinc-100 dark:aria-pressed:bg-zinc-700 dark:aria-pressed:text-white"
            >
              {s.label}
            </button>
          ))}
        </div>
      </div>

      {isPending ? (
        <>
          <p role="status" className="sr-only">
            Searching messages…
          </p>
          <ul aria-hidden="true" className="flex flex-col gap-1 px-1">
            {[70, 55, 80].map((w, i) => (
              <li key={i} className="flex flex-col gap-2 rounded-xl px-3 py-2.5">
                <span className="h-3 w-24 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
                <span className="h-3 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800/70" style={{ width: `${w}%` }} />
              </li>
            ))}
          </ul>
        </>
      ) : isError && !data ? (
        <LoadError
          testId="search-error"
          title="Couldn’t search your messages."
          className="px-6 pb-6 pt-6"
          error={error}
          retrying={isRefetching}
          onRetry={() => void refetch()}
        />
      ) : results.length === 0 ? (
        <div data-testid="search-empty" className="px-6 pb-4 pt-4 text-center">
          <p className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">No messages match “{q}”.</p>
          <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">
            Try other words, or filters such as <code className="text-xs">from:@name</code>.
          </p>
        </div>
      ) : (
        <div className={stale ? "opacity-60 transition-opacity" : "transition-opacity"}>
          <p role="status" className="sr-only">
            {stale ? "Searching messages…" : `${results.length}${hasNextPage ? "+" : ""} ${results.length === 1 ? "message" : "messages"} found`}
          </p>
          {groups.map(({ thread, results: found }) => {
            const name = searchThreadName(thread);
            return (
              <section key={thread.id} aria-label={name} data-testid="search-group" data-thread-id={thread.id} className="mt-1">
                <h3 className="flex items-center gap-2 px-3 pb-1 pt-2 text-sm font-semibold text-zinc-900 dark:text-zinc-100">
                  <Avatar
                    user={thread.title !== null ? { id: thread.id, username: thread.title, name: thread.title } : (thread.others[0] ?? { id: meId, username: "?", name: null })}
                    size="xs"
                  />
                  <span className="truncate">{name}</span>
                </h3>
                <ul className="ml-3 flex flex-col gap-0.5 border-l border-zinc-200 pl-1 dark:border-zinc-800">
                  {found.map(({ message, highlights }) => {
                    const href = `/t/${thread.id}?m=${encodeURIComponent(message.id)}`;
                    const sender = message.sender.id === meId ? "You" : displayName(message.sender);
                    return (
                      <li key={message.id}>
                        <Link
                          href={href}
                          data-testid="search-result"
                          data-search-nav=""
                          data-thread-id={thread.id}
                          data-message-id={message.id}
                          onClick={(e) => {
                            if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                            // The open conversation jumps by itself when its address gains `?m=`: no page load.
                            if (pathname === `/t/${thread.id}`) {
                              e.preventDefault();
                              window.history.pushState(null, "", href);
                            }
                          }}
                          className="flex flex-col gap-0.5 rounded-xl px-3 py-2 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-500 dark:hover:bg-zinc-800/70"
                        >
                          <span className="flex items-baseline gap-2">
                            <span className="min-w-0 flex-1 truncate text-xs font-medium text-zinc-500 dark:text-zinc-400">
                              {sender}
                            </span>
                            <time
                              dateTime={message.createdAt}
                              title={fullDateTime(message.createdAt)}
                              className="shrink-0 text-xs tabular-nums text-zinc-500 dark:text-zinc-400"
                            >
                              {now === null ? "" : listTime(message.createdAt, new Date(now))}
                            </time>
                          </span>
                          <span className="line-clamp-3 text-sm leading-snug text-zinc-800 [overflow-wrap:anywhere] dark:text-zinc-200">
                            {highlights.length > 0
                              ? highlights.map((fragment, i) => (
                                  <span key={i} className="block">
                                    <HighlightedText segments={fragment} />
                                  </span>
                                ))
                              : plainPreview(message.text)}
                          </span>
                        </Link>
                      </li>
                    );
                  })}
                </ul>
              </section>
            );
          })}
          {hasNextPage && (
            <div className="flex justify-center px-3 pt-2">
              <Button
                variant="secondary"
                size="sm"
                data-search-nav=""
                disabled={isFetchingNextPage}
                onClick={() => void fetchNextPage()}
              >
                {isFetchingNextPage ? "Loading…" : "Load more"}
              </Button>
            </div>
          )}
          {isError && (
            <p role="status" className="px-3 py-2 text-center text-xs text-amber-700 dark:text-amber-400">
              Couldn’t load more results. Try again in a moment.
            </p>
          )}
        </div>
      )}
    </section>
  );
}
