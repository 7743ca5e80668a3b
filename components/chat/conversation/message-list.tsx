"use client";

import { ArrowDown as ArrowDownIcon, ArrowUp as ArrowUpIcon, ChevronsDown as ChevronsDownIcon } from "lucide-react";
import { Fragment, useEffect, useId, useImperativeHandle, useLayoutEffect, useRef, useState, useSyncExternalStore } from "react";
import { InlineScript } from "@/components/inline-script";
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

/**
 * Where the conversation wants the view, once the list can show it (`n` tells one request from the next):
 * a message in the middle of the view, highlighted briefly; the "New messages" divider near the top; or the bottom,
 * once the loaded messages reach the present again.
 */
export type ListTarget = { n: number } & ({ kind: "message"; id: string } | { kind: "divider" } | { kind: "bottom" });

const noSubscription = () => () => {};

/**
 * The script that shows the server's HTML of the log at its bottom once parsed (the first frame after it), instead of
 * keeping it invisible until hydration has pinned it there (which made the messages, the page's largest content, wait
 * for all of the page's JavaScript). Whenever the log or its content changes size — when it appears (streamed pages arrive in
 * a hidden container that React reveals later), when the composer parsed after it shrinks it — it puts the view at
 * the bottom and makes the log visible, after layout and before that frame is painted (ResizeObserver). It stops once
 * React has hydrated the log (`data-hydrated`: useStickToBottom keeps it pinned from then on), when the reader scrolls,
 * presses a key or touches it, and after 10 s.
 */
const pinUntilHydrated = (id: string) =>
  `(function(){var e=document.getElementById(${JSON.stringify(id)});if(!e||!window.ResizeObserver)return;` +
  `var o=new ResizeObserver(function(){if(e.hasAttribute("data-hydrated"))return s();` +
  `if(e.getClientRects().length){e.scrollTop=e.scrollHeight;e.classList.remove("invisible")}}),t=setTimeout(s,1e4);` +
  `function s(){o.disconnect();clearTimeout(t)}` +
  `["wheel","touchstart","pointerdown","keydown"].forEach(function(n){e.addEventListener(n,s,{passive:true,once:true})});` +
  `o.observe(e);if(e.firstElementChild)o.observe(e.firstElementChild)})()`;

/**
 * A brief background flash on a row (a held tint without the fade for those who prefer reduced motion), and the mark
 * `data-jump-target` on it, which stays until another row is jumped to.
 */
function flash(row: HTMLElement) {
  const reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
  const tint = dark ? "rgb(129 140 248 / 0.22)" : "rgb(253 224 71 / 0.4)";
  const on = { backgroundColor: tint, borderRadius: "0.75rem" };
  const off = { backgroundColor: "transparent", borderRadius: "0.75rem" };
  row.dataset.highlighted = "true";
  // Which row the last jump went to, until the next jump (the flash itself is over in two seconds).
  for (const other of (row.closest("[role=log]") ?? document).querySelectorAll("[data-jump-target]")) if (other !== row) other.removeAttribute("data-jump-target");
  row.dataset.jumpTarget = "true";
  const animation = row.animate(
    reduce ? [on, { ...on, offset: 0.999 }, off] : [on, { ...on, offset: 0.35 }, off],
    { duration: reduce ? 2000 : 2400, easing: reduce ? "linear" : "ease-out" },
  );
  const done = () => delete row.dataset.highlighted;
  animation.onfinish = done;
  animation.oncancel = done;
}

/**
 * The scrolling message log (`role="log"`): day separators, messages grouped by sender, own on the right, a group's
 * system entries ("Alice added Bob") centred between them. Newest at
 * the bottom and pinned there while the reader is; a "New messages" pill when something arrives while they are
 * scrolled up; older pages load near the top without moving what the reader is looking at.
 *
 * Unread navigation: a "New messages" divider above the message with `seq` {@link dividerSeq}, and while it is above
 * the view (or above what is loaded: `unreadAbove`) an "N new messages" pill at the top that asks for it
 * (`onJumpToFirstUnread`). A window of history away from the present (`hasNewer`, after a jump to an old message)
 * loads newer pages near its end, never pins there, and offers "Jump to present".
 *
 * @param intro who the conversation is with (avatar and names), shown above the first message once the whole
 *   history is loaded, and in the empty state
 * @param logRef also receives the scrolling log element (the conversation watches which messages are seen)
 * @param target where to bring the view once it can (see {@link ListTarget}); `onTargetReached` is called with its `n`
 * @param concealed the list is still finding where it opens: it stays hidden (a loading status instead) meanwhile
 */
export function MessageList({
  ref,
  rows,
  hasOlder,
  loadingOlder,
  onLoadOlder,
  groupThread,
  handlers,
  people,
  viewerId,
  intro,
  logRef,
  hasNewer = false,
  loadingNewer = false,
  onLoadNewer,
  onReturnToPresent,
  dividerSeq = null,
  unreadAbove = false,
  unreadCount = 0,
  onJumpToFirstUnread,
  target = null,
  onTargetReached,
  concealed = false,
  nonce,
}: {
  ref?: React.Ref<MessageListHandle>;
  rows: readonly TimelineRow[];
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  groupThread: boolean;
  handlers: MessageHandlers;
  /** The thread's participants and the caller, for the messages' `@mentions`. */
  people: readonly { id: string; username: string }[];
  viewerId: string;
  intro: React.ReactNode;
  logRef?: React.RefObject<HTMLDivElement | null>;
  /** The loaded messages stop before the present (a window around an older message): newer pages can be loaded. */
  hasNewer?: boolean;
  loadingNewer?: boolean;
  onLoadNewer?: () => void;
  onReturnToPresent?: () => void;
  /** `seq` of the first unread message when the conversation was opened: the divider goes above it. */
  dividerSeq?: number | null;
  /** The first unread message is older than the loaded ones. */
  unreadAbove?: boolean;
  /** Unread messages when the conversation was opened, for the pill's label. */
  unreadCount?: number;
  onJumpToFirstUnread?: () => void;
  target?: ListTarget | null;
  onTargetReached?: (n: number) => void;
  concealed?: boolean;
  /** The request's CSP nonce (server render only): the log is then shown at its bottom before hydration. */
  nonce?: string;
}) {
  const ownRef = useRef<HTMLDivElement>(null);
  const containerRef = logRef ?? ownRef;
  const dividerRef = useRef<HTMLDivElement>(null);
  const last = rows[rows.length - 1];
  const { showNewPill, scrollToBottom, scrollToElement } = useStickToBottom({
    containerRef,
    newestKey: last?.key ?? null,
    onNearTop: onLoadOlder,
    detached: hasNewer,
    onNearBottom: onLoadNewer,
  });
  useImperativeHandle(ref, () => ({ pinToBottom: () => scrollToBottom(false) }), [scrollToBottom]);
  // Server HTML cannot know the scroll position: the log stays invisible until it has been pinned to the bottom after
  // hydration, instead of flashing the top of the page first; or, given the nonce, until the inline script has pinned
  // it before the first paint (pinUntilHydrated).
  const hydrated = useSyncExternalStore(noSubscription, () => true, () => false);
  const logId = useId();
  const empty = rows.length === 0;

  // Bring the view to the target as soon as what it names is rendered (after the scroll rule of this commit).
  const reached = useRef<number | null>(null);
  useLayoutEffect(() => {
    const el = containerRef.current;
    if (!el || !target || reached.current === target.n) return;
    if (target.kind === "message") {
      const bubble = el.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(target.id)}"]`);
      if (!bubble) return;
      scrollToElement(bubble, "center");
      const row = bubble.closest<HTMLElement>("[data-anchor]") ?? bubble;
      flash(row);
    } else if (target.kind === "divider") {
      if (!dividerRef.current) return;
      scrollToElement(dividerRef.current, "top");
    } else {
      if (hasNewer) return;
      scrollToBottom(false);
    }
    reached.current = target.n;
    onTargetReached?.(target.n);
  });

  // Whether the divider is above the view (the pill at the top offers it then). Observed afresh whenever the rows or
  // the view's place may have changed without the divider crossing the view's edge (a jump that replaced the loaded
  // messages keeps the same divider element, from above the view to below it): the first report tells where it is.
  const [dividerAbove, setDividerAbove] = useState(false);
  const showDivider = dividerSeq !== null && !empty;
  useEffect(() => {
    const root = containerRef.current;
    const node = dividerRef.current;
    if (!root || !node) return;
    const observer = new IntersectionObserver(
      ([entry]) => {
        if (entry) setDividerAbove(!entry.isIntersecting && entry.boundingClientRect.bottom <= (entry.rootBounds?.top ?? 0));
      },
      { root },
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, [containerRef, showDivider, dividerSeq, rows, concealed, hasNewer]);
  const showUnreadPill = !concealed && !!onJumpToFirstUnread && (unreadAbove || (showDivider && dividerAbove));

  return (
    <div className="relative flex min-h-0 flex-1 flex-col">
      <div
        ref={containerRef}
        id={logId}
        data-hydrated={hydrated ? "" : undefined}
        // The inline script below may have made the server's HTML visible already.
        suppressHydrationWarning
        role="log"
        aria-label="Messages"
        aria-busy={loadingOlder || loadingNewer || concealed}
        data-testid="message-list"
        data-detached={hasNewer ? "true" : undefined}
        tabIndex={0}
        className={`min-h-0 flex-1 overflow-y-auto overscroll-contain [overflow-anchor:none] focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-500 ${hydrated && !concealed ? "" : "invisible"}`}
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
              {rows.map((row) => {
                const divider = showDivider && row.kind === "message" && row.item.seq === dividerSeq && (
                  <div
                    ref={dividerRef}
                    data-testid="unread-divider"
                    role="separator"
                    aria-label="New messages"
                    className="mb-1 mt-4 flex items-center gap-3"
                  >
                    <span aria-hidden="true" className="h-px flex-1 bg-rose-500/60 dark:bg-rose-400/50" />
                    <span aria-hidden="true" className="text-xs font-semibold text-rose-600 dark:text-rose-400">
                      New messages
                    </span>
                    <span aria-hidden="true" className="h-px flex-1 bg-rose-500/60 dark:bg-rose-400/50" />
                  </div>
                );
                return row.kind === "day" ? (
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
                    data-anchor={row.key}
                    data-message-id={row.key}
                    data-testid="system-entry"
                    className="mx-auto my-2 max-w-[85%] rounded-2xl bg-zinc-100 px-3 py-1 text-center text-xs text-zinc-600 dark:bg-zinc-800/70 dark:text-zinc-300"
                  >
                    {row.text}
                  </p>
                ) : (
                  <Fragment key={row.key}>
                    {divider}
                    <MessageItem
                      item={row.item}
                      first={row.first}
                      last={row.last}
                      groupThread={groupThread}
                      handlers={handlers}
                      people={people}
                      viewerId={viewerId}
                    />
                  </Fragment>
                );
              })}
              {loadingNewer && (
                <p role="status" className="py-3 text-center text-xs font-medium text-zinc-500 dark:text-zinc-400">
                  Loading newer messages…
                </p>
              )}
            </>
          )}
        </div>
      </div>
      {nonce && !hydrated && !concealed && <InlineScript nonce={nonce} html={pinUntilHydrated(logId)} />}
      {concealed && (
        <div className="pointer-events-none absolute inset-0 flex items-center justify-center">
          <p role="status" className="flex items-center gap-2 text-sm text-zinc-500 dark:text-zinc-400">
            <span
              aria-hidden="true"
              className="h-4 w-4 animate-spin rounded-full border-2 border-zinc-300 border-t-indigo-500 dark:border-zinc-700 dark:border-t-indigo-400"
            />
            Loading messages…
          </p>
        </div>
      )}
      {showUnreadPill && (
        <Button
          data-testid="first-unread-pill"
          onClick={onJumpToFirstUnread}
          className="absolute left-1/2 top-3 z-20 -translate-x-1/2 gap-1.5 rounded-full pl-3 pr-4 font-medium shadow-lg shadow-indigo-600/25"
        >
          <ArrowUpIcon aria-hidden="true" className="h-4 w-4" />
          {unreadCount > 0 ? `${unreadCount} new ${unreadCount === 1 ? "message" : "messages"}` : "New messages"}
          <span className="sr-only">, jump to the first unread</span>
        </Button>
      )}
      {hasNewer && onReturnToPresent && (
        <Button
          data-testid="jump-to-present"
          variant="secondary"
          onClick={onReturnToPresent}
          className="absolute bottom-4 left-1/2 z-20 -translate-x-1/2 gap-1.5 rounded-full pl-3 pr-4 font-medium shadow-lg"
        >
          <ChevronsDownIcon aria-hidden="true" className="h-4 w-4" />
          Jump to present
        </Button>
      )}
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
