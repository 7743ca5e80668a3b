"use client";

import { ArrowDown as ArrowDownIcon } from "lucide-react";
import { useImperativeHandle, useRef, useSyncExternalStore } from "react";
import { Button } from "@/components/ui/button";
import { dayLabel } from "@/lib/format";
import { type MessageHandlers, MessageItem } from "./message-item";
import type { TimelineRow } from "./timeline";
import { useStickToBottom } from "./use-stick-to-bottom";

/** What the conversation can ask of the list. */
export interface MessageListHandle {
  /** Jump to the newest message and stay there (used when the person sends). */
  pinToBottom: () => void;
}

const noSubscription = () => () => {};

/**
 * The scrolling message log (`role="log"`): day separators, messages grouped by sender, own on the right, a group's
 * system entries ("Alice added Bob") centred between them. Newest at
 * the bottom and pinned there while the reader is; a "New messages" pill when something arrives while they are
 * scrolled up; older pages load near the top without moving what the reader is looking at.
 * @param intro who the conversation is with (avatar and names), shown above the first message once the whole
 *   history is loaded, and in the empty state
 */
export function MessageList({
  ref,
  rows,
  hasOlder,
  loadingOlder,
  onLoadOlder,
  groupThread,
  handlers,
  intro,
}: {
  ref?: React.Ref<MessageListHandle>;
  rows: readonly TimelineRow[];
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  groupThread: boolean;
  handlers: MessageHandlers;
  intro: React.ReactNode;
}) {
  const containerRef = useRef<HTMLDivElement>(null);
  const last = rows[rows.length - 1];
  const { showNewPill, scrollToBottom } = useStickToBottom({
    containerRef,
    newestKey: last?.key ?? null,
    onNearTop: onLoadOlder,
  });
  useImperativeHandle(ref, () => ({ pinToBottom: () => scrollToBottom(false) }), [scrollToBottom]);
  // Server HTML cannot know the scroll position: keep the log invisible until it has been pinned to the bottom
  // after hydration, instead of flashing the top of the page first.
  const hydrated = useSyncExternalStore(noSubscription, () => true, () => false);
  const empty = rows.length === 0;

  return (
    <div className="relative flex min-h-0 flex-1 flex-col">
      <div
        ref={containerRef}
        role="log"
        aria-label="Messages"
        aria-busy={loadingOlder}
        data-testid="message-list"
        tabIndex={0}
        className={`min-h-0 flex-1 overflow-y-auto overscroll-contain [overflow-anchor:none] focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-500 ${hydrated ? "" : "invisible"}`}
      >
        <div className={`mx-auto flex min-h-full max-w-3xl flex-col px-3 pb-4 md:px-6 ${empty ? "justify-center" : "justify-end pt-2"}`}>
          {empty ? (
            !hasOlder && (
              <div className="flex flex-col items-center gap-2 py-10 text-center">
                {intro}
                <p className="text-sm text-zinc-500 dark:text-zinc-400">No messages yet. Say hello!</p>
              </div>
            )
          ) : (
            <>
              {!hasOlder && (
                <div className="flex flex-col items-center gap-2 pb-2 pt-10 text-center">
                  {intro}
                  <p data-testid="history-start" className="text-sm text-zinc-500 dark:text-zinc-400">
                    This is the beginning of your conversation
                  </p>
                </div>
              )}
              {loadingOlder && (
                <div className="pointer-events-none sticky top-0 z-20 h-0">
                  <p role="status" className="mx-auto mt-3 w-fit rounded-full bg-white px-3 py-1.5 text-xs font-medium text-zinc-600 shadow-md ring-1 ring-zinc-900/5 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-white/10">
                    Loading earlier messages…
                  </p>
                </div>
              )}
              {rows.map((row) =>
                row.kind === "day" ? (
                  <div
                    key={row.key}
                    data-testid="day-separator"
                    className="mb-1 mt-5 flex items-center gap-3 first:mt-2"
                  >
                    <span aria-hidden="true" className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
                    <span suppressHydrationWarning className="text-xs font-medium text-zinc-500 dark:text-zinc-400">
                      {dayLabel(row.at)}
                    </span>
                    <span aria-hidden="true" className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
                  </div>
                ) : row.kind === "system" ? (
                  <p
                    key={row.key}
                    data-testid="system-entry"
                    className="mx-auto my-2 max-w-[85%] rounded-2xl bg-zinc-100 px-3 py-1 text-center text-xs text-zinc-600 dark:bg-zinc-800/70 dark:text-zinc-300"
                  >
                    {row.text}
                  </p>
                ) : (
                  <MessageItem
                    key={row.key}
                    item={row.item}
                    first={row.first}
                    last={row.last}
                    groupThread={groupThread}
                    handlers={handlers}
                  />
                ),
              )}
            </>
          )}
        </div>
      </div>
      {showNewPill && (
        <Button
          data-testid="new-messages-pill"
          onClick={() => scrollToBottom(true)}
          className="absolute bottom-4 left-1/2 z-20 -translate-x-1/2 gap-1.5 rounded-full pl-3 pr-4 font-medium shadow-lg shadow-indigo-600/25"
        >
          <ArrowDownIcon aria-hidden="true" className="h-4 w-4" />
          New messages
        </Button>
      )}
    </div>
  );
}
