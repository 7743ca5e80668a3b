"use client";

import { usePathname } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { MessagesSquare as ChatBubblesIcon, Search as SearchIcon, X as XIcon } from "lucide-react";
import { LoadError } from "@/components/load-error";
import { useDebouncedValue } from "@/hooks/use-debounced-value";
import { useNow } from "@/hooks/use-now";
import { useQueryClient } from "@tanstack/react-query";
import { queryKeys, type SearchSort, useThreads } from "@/lib/client/queries";
import type { Thread } from "@/lib/schemas/threads";
import { MessageResults } from "./search/message-results";
import { nameFilter, useSearchRequests } from "./search/search-request";
import { ThreadItem, ThreadItemSkeleton, threadName } from "./thread-list/thread-item";

/** How long the search box waits after the last keystroke before asking the server. */
const FILTER_DEBOUNCE_MS = 300;
/** Conversations shown above the messages while searching, until "Show all" is pressed. */
const SEARCH_THREADS = 4;

/**
 * The caller's conversations, most recent activity first: a search box, one row per thread with its unread badge, and
 * more threads loaded as the list scrolls to its end. Shows skeleton rows while the first page loads, and explains an
 * empty list or a failure to load.
 *
 * While the box holds text, the list becomes its results: the conversations whose people or title match (the server
 * matches the text without the search's filters against names and usernames) and, below, the messages that match
 * (`MessageResults`: `GET /api/search`, grouped by conversation). Arrow keys move between the box and the results;
 * Escape clears it. The open conversation can fill the box (`requestSearch`: "Search in conversation", `in:<id>`).
 *
 * @param meId the signed-in user's id: their own messages read "You: …" and they are left out of the names.
 */
export function ThreadList({ meId }: { meId: string }) {
  const [filter, setFilter] = useState("");
  const [sort, setSort] = useState<SearchSort>("recent");
  const [allThreads, setAllThreads] = useState(false);
  const q = useDebouncedValue(filter.trim(), FILTER_DEBOUNCE_MS);
  const searching = q !== "";
  const nameQ = nameFilter(q);
  const threads = useThreads(searching ? nameQ : "");
  const { data, isPending, isError, error, refetch, isRefetching, hasNextPage, isFetchingNextPage, fetchNextPage } = threads;
  const pathname = usePathname();
  const now = useNow();

  // A search narrowed to one conversation (`in:<id>`) names it under the box, with a way to search everywhere.
  const client = useQueryClient();
  const scope = /(?:^|\s)in:(\S+)/i.exec(filter);
  const scopeThread = scope ? client.getQueryData<Thread>(queryKeys.thread(scope[1]!)) : undefined;

  const filterRef = useRef<HTMLInputElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const sentinelRef = useRef<HTMLDivElement>(null);

  // "Search in conversation": the box takes the text and the focus, with the caret at its end, ready for the words;
  // on a phone once the list is on screen again (the conversation leaves for it).
  const focusWanted = useRef(false);
  const focusBox = () => {
    const input = filterRef.current;
    if (!focusWanted.current || !input || input.offsetParent === null) return;
    focusWanted.current = false;
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  };
  useSearchRequests((text) => {
    setFilter(text);
    setAllThreads(false);
    focusWanted.current = true;
    requestAnimationFrame(focusBox);
  });
  // The box coming on screen (the list's screen, on a phone) takes a focus asked for while it was hidden.
  useEffect(() => {
    const input = filterRef.current;
    if (!input) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) focusBox();
    });
    observer.observe(input);
    return () => observer.disconnect();
  }, []);
  const changeFilter = (text: string) => {
    setFilter(text);
    setAllThreads(false);
  };

  // Arrow keys move the focus between the box and the results (conversations, then messages).
  const onNavigationKey = (e: React.KeyboardEvent) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const scroller = scrollRef.current;
    if (!scroller || !searching) return;
    const items = [...scroller.querySelectorAll<HTMLElement>("[data-search-nav]")].filter((el) => !el.matches(":disabled"));
    if (items.length === 0) return;
    const at = items.indexOf(document.activeElement as HTMLElement);
    if (e.target === filterRef.current) {
      if (e.key !== "ArrowDown") return;
      e.preventDefault();
      items[0]!.focus();
      return;
    }
    if (at < 0) return;
    e.preventDefault();
    if (e.key === "ArrowDown") items[Math.min(at + 1, items.length - 1)]!.focus();
    else if (at === 0) filterRef.current?.focus();
    else items[at - 1]!.focus();
  };

  // Infinite scroll: when the sentinel below the last row comes within reach, fetch the next page. The observer is
  // recreated after every page, and its first callback reports the current state, so a page that does not fill the
  // list yet is followed by the next one.
  useEffect(() => {
    const root = scrollRef.current;
    const sentinel = sentinelRef.current;
    if (!root || !sentinel || !hasNextPage || isFetchingNextPage || (searching && !allThreads)) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) void fetchNextPage();
      },
      { root, rootMargin: "0px 0px 240px 0px" },
    );
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, data, searching, allThreads]);

  const items = data?.pages.flatMap((p) => p.data) ?? [];
  const typing = filter.trim() !== q;

  return (
    <div className="flex min-h-0 flex-1 flex-col" onKeyDown={onNavigationKey}>
      <div className="px-3 pb-2 pt-3">
        <div className="relative">
          <span className="pointer-events-none absolute inset-y-0 left-3 flex items-center text-zinc-400 dark:text-zinc-500">
            <SearchIcon aria-hidden="true" className="h-4 w-4" />
          </span>
          <input
            ref={filterRef}
            type="search"
            aria-label="Search conversations and messages"
            placeholder="Search people and messages"
            autoComplete="off"
            spellCheck={false}
            value={filter}
            onChange={(e) => changeFilter(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape" && filter) {
                e.preventDefault();
                changeFilter("");
              }
            }}
            className="block w-full rounded-xl border border-transparent bg-zinc-100 py-2 pl-9 pr-16 text-sm text-zinc-900 placeholder:text-zinc-500 transition-[background-color,color,border-color] outline-none hover:bg-zinc-200/70 focus:border-indigo-500 focus:bg-white focus:ring-2 focus:ring-indigo-500/25 dark:bg-zinc-900 dark:text-zinc-100 dark:placeholder:text-zinc-500 dark:hover:bg-zinc-800/80 dark:focus:bg-zinc-950 [&::-webkit-search-cancel-button]:appearance-none"
          />
          <span className="absolute inset-y-0 right-2 flex items-center gap-1.5">
            {(typing || (isPending && searching)) && (
              <span
                aria-hidden="true"
                className="h-3.5 w-3.5 animate-spin rounded-full border-2 border-zinc-300 border-t-indigo-500 dark:border-zinc-700 dark:border-t-indigo-400"
              />
            )}
            {filter && (
              <button
                type="button"
                aria-label="Clear search"
                onClick={() => {
                  changeFilter("");
                  filterRef.current?.focus();
                }}
                className="flex h-5 w-5 items-center justify-center rounded-full bg-zinc-400/80 text-white hover:bg-zinc-500 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-500 dark:bg-zinc-600 dark:text-zinc-900 dark:hover:bg-zinc-500"
              >
                <XIcon aria-hidden="true" className="h-3 w-3" />
              </button>
            )}
          </span>
        </div>
        {scope && (
          <p data-testid="search-scope" className="mt-1.5 flex items-center gap-1.5 px-1 text-xs text-zinc-500 dark:text-zinc-400">
            <span className="min-w-0 truncate">
              In <span className="font-medium text-zinc-700 dark:text-zinc-200">{scopeThread ? threadName(scopeThread, meId) : "one conversation"}</span>
            </span>
            <button
              type="button"
              onClick={() => {
                changeFilter(filter.replace(scope[0], " ").trim());
                filterRef.current?.focus();
              }}
              className="shrink-0 rounded font-medium text-indigo-600 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 dark:text-indigo-400"
            >
              Search everywhere
            </button>
          </p>
        )}
      </div>

      <div ref={scrollRef} className="min-h-0 flex-1 overflow-y-auto overscroll-contain px-2 pb-2">
        {searching ? (
          <>
            {nameQ !== "" && !threads.isPlaceholderData && items.length > 0 && (
              <section aria-labelledby="search-conversations-heading" data-testid="conversation-search">
                <h2
                  id="search-conversations-heading"
                  className="px-3 pb-1.5 pt-2 text-xs font-semibold uppercase tracking-wide text-zinc-500 dark:text-zinc-400"
                >
                  Conversations
                </h2>
                <ul aria-label="Matching conversations" className="flex flex-col gap-0.5">
                  {(allThreads ? items : items.slice(0, SEARCH_THREADS)).map((t) => (
                    <ThreadItem key={t.id} thread={t} meId={meId} active={pathname === `/t/${t.id}`} now={now} navigable />
                  ))}
                </ul>
                {allThreads ? (
                  <div ref={sentinelRef} aria-hidden="true" className="h-px" />
                ) : (
                  (items.length > SEARCH_THREADS || hasNextPage) && (
                    <button
                      type="button"
                      data-search-nav=""
                      onClick={() => setAllThreads(true)}
                      className="mx-3 mt-1 rounded text-xs font-medium text-indigo-600 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 dark:text-indigo-400"
                    >
                      Show all conversations
                    </button>
                  )
                )}
              </section>
            )}
            <MessageResults q={q} meId={meId} sort={sort} onSortChange={setSort} now={now} />
          </>
        ) : isPending ? (
          <>
            <p role="status" className="sr-only">
              Loading conversations…
            </p>
            <ul aria-hidden="true">
              {Array.from({ length: 7 }, (_, i) => (
                <ThreadItemSkeleton key={i} wide={i % 2 === 0} />
              ))}
            </ul>
          </>
        ) : isError && !data ? (
          <LoadError
            title="Couldn’t load your conversations."
            className="px-6 pb-6 pt-12"
            error={error}
            retrying={isRefetching}
            onRetry={() => void refetch()}
          />
        ) : items.length === 0 ? (
          <EmptyState
            title="No conversations yet."
            hint="Start one with the pencil button above — with one person, or several for a group."
            icon
          />
        ) : (
          <>
            <ul aria-label="Threads" className="flex flex-col gap-0.5">
              {items.map((t) => (
                <ThreadItem key={t.id} thread={t} meId={meId} active={pathname === `/t/${t.id}`} now={now} />
              ))}
            </ul>
            <div ref={sentinelRef} aria-hidden="true" className="h-px" />
            {isFetchingNextPage && (
              <p role="status" className="flex items-center justify-center gap-2 py-3 text-xs text-zinc-500 dark:text-zinc-400">
                <span className="h-3.5 w-3.5 animate-spin rounded-full border-2 border-zinc-300 border-t-indigo-500 dark:border-zinc-700 dark:border-t-indigo-400" />
                Loading more conversations…
              </p>
            )}
            {isError && (
              <p role="status" className="px-3 py-2 text-center text-xs text-amber-700 dark:text-amber-400">
                Can’t reach Parley right now. Showing the last conversations we loaded.
              </p>
            )}
          </>
        )}
      </div>
    </div>
  );
}

function EmptyState({ title, hint, icon = false }: { title: string; hint: string; icon?: boolean }) {
  return (
    <div className="flex flex-col items-center px-6 pb-6 pt-12 text-center">
      {icon && (
        <span className="mb-4 flex h-12 w-12 items-center justify-center rounded-2xl bg-indigo-50 text-indigo-600 dark:bg-indigo-500/15 dark:text-indigo-400">
          <ChatBubblesIcon aria-hidden="true" className="h-6 w-6" />
        </span>
      )}
      <p className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">{title}</p>
      <p className="mt-1 max-w-60 text-sm text-zinc-500 dark:text-zinc-400">{hint}</p>
    </div>
  );
}
