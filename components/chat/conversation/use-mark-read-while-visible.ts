"use client";

import { type RefObject, useCallback, useEffect, useLayoutEffect, useRef, useSyncExternalStore } from "react";
import { useMarkRead } from "@/lib/client/queries";
import type { Message } from "@/lib/schemas/messages";

// Threads whose automatic mark-read is on hold: the person marked something unread there ("Mark unread from here"),
// and marking it read again at once would undo that. Kept outside React so that the menu's action, the composer and
// the hook below share it; `resumeMarkRead` lifts the hold when the person scrolls the log, sends a message or opens
// the conversation again.
// The hook marks only what was on screen; the hold still matters: a message marked unread is usually still on screen,
// and a message arriving at the bottom would otherwise mark it read again at once.
const suspended = new Set<string>();
const listeners = new Set<() => void>();
const notify = () => {
  for (const l of listeners) l();
};
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

/** Stops the open conversation from marking `threadId` read by itself until {@link resumeMarkRead}. */
export function suspendMarkRead(threadId: string): void {
  if (suspended.has(threadId)) return;
  suspended.add(threadId);
  notify();
}

/** Lets the conversation mark `threadId` read by itself again (after a scroll of the log, a send, a reopening). */
export function resumeMarkRead(threadId: string): void {
  if (!suspended.delete(threadId)) return;
  notify();
}

/** Whether automatic mark-read is on hold for `threadId` (see {@link suspendMarkRead}). */
export function isMarkReadSuspended(threadId: string): boolean {
  return suspended.has(threadId);
}

/** Keys that scroll a focused log (a person reading on with the keyboard). */
const SCROLL_KEYS = new Set(["ArrowUp", "ArrowDown", "PageUp", "PageDown", "Home", "End", " "]);

/** A message row counts as seen once this share of its bubble (or of the log's height, for a taller one) was on screen. */
const SEEN_SHARE = 0.75;
const THRESHOLDS = Array.from({ length: 21 }, (_, i) => i / 20);
/** A mark waits this long (ms) after the highest seen message last changed… */
const MARK_DEBOUNCE_MS = 400;
/** …but no longer than this (ms) while the person keeps reading on. */
const MARK_MAX_WAIT_MS = 2000;
/** The rows watched: server messages (an outbox entry has no `data-seq`). */
const ROWS = '[data-testid="message"][data-seq][data-message-id]';

/**
 * Marks the open thread read up to the newest message that has actually been on screen while the page was visible
 * (an IntersectionObserver on the log's message rows: most of a bubble in view), never further. One request per change
 * of the highest seen message, debounced ({@link MARK_DEBOUNCE_MS}, at most {@link MARK_MAX_WAIT_MS}), and sent at once
 * when the tab is hidden, the page goes away or the conversation closes. A mark is never sent for a position at or
 * before one already sent (the server's watermark only moves forward on read, so marking up to the highest seen
 * message is always safe), nor when nothing up to it is unread.
 *
 * Not while the thread is on hold after a mark unread ({@link suspendMarkRead}): the hold ends when the person scrolls
 * the message log themselves (wheel, touch or keys, not the list's own pinning), sends, or opens the conversation again
 * (this hook mounting). The rows on screen when the hold ends were seen before the mark unread: they count again only
 * once they have left the view and come back.
 *
 * @param meId the caller (their read position in the cache follows the server's answer)
 * @param logRef the scrolling message log (`role="log"`), the observer's root
 * @param messages the thread's cached server messages (their `isRead` says whether a mark is worth sending)
 * @param enabled false while the list has not settled where it opens (what it shows meanwhile is not being read)
 */
export function useMarkReadWhileVisible({
  threadId,
  meId,
  logRef,
  messages,
  enabled,
}: {
  threadId: string;
  meId: string;
  logRef: RefObject<HTMLElement | null>;
  messages: readonly Message[];
  enabled: boolean;
}) {
  const { mutate } = useMarkRead(threadId, meId);
  const onHold = useSyncExternalStore(
    subscribe,
    () => suspended.has(threadId),
    () => false,
  );
  const current = useRef({ enabled, onHold, messages });
  /** When `enabled` last turned on (`performance.now()`): the observer's reports from before then are out of date. */
  const enabledAt = useRef(0);
  useLayoutEffect(() => {
    if (enabled && !current.current.enabled) enabledAt.current = performance.now();
    current.current = { enabled, onHold, messages };
  });
  /** The highest message seen (this visit, since the last hold). */
  const seen = useRef<{ seq: number; id: string } | null>(null);
  /** The highest `seq` a mark was sent for. */
  const sent = useRef(0);
  const observer = useRef<IntersectionObserver | null>(null);
  const observed = useRef(new Set<Element>());
  /** Rows mostly in view now. */
  const inView = useRef(new Set<Element>());
  /** Rows that were in view when a hold ended (see above). */
  const ignored = useRef(new Set<Element>());
  const timer = useRef<{ id: ReturnType<typeof setTimeout>; since: number } | null>(null);

  // Opening the conversation (again) lifts a hold left from an earlier visit.
  useEffect(() => resumeMarkRead(threadId), [threadId]);

  // While on hold, the person's own scrolling of the log lifts it.
  useEffect(() => {
    if (!onHold) return;
    const inLog = (e: Event) => e.target instanceof Element && e.target.closest('[role="log"]') !== null;
    const onScrollIntent = (e: Event) => {
      if (!inLog(e)) return;
      if (e instanceof KeyboardEvent && (!SCROLL_KEYS.has(e.key) || !(e.target as Element).matches('[role="log"]'))) return;
      resumeMarkRead(threadId);
    };
    const options = { capture: true, passive: true } as const;
    for (const type of ["wheel", "touchmove", "keydown"]) document.addEventListener(type, onScrollIntent, options);
    return () => {
      for (const type of ["wheel", "touchmove", "keydown"]) document.removeEventListener(type, onScrollIntent, options);
    };
  }, [onHold, threadId]);

  /** Sends the pending mark, if there is one worth sending. */
  const flush = useCallback(() => {
    if (timer.current) clearTimeout(timer.current.id);
    timer.current = null;
    const target = seen.current;
    const floor = sent.current;
    if (!target || target.seq <= floor || current.current.onHold) return;
    if (!current.current.messages.some((m) => !m.isRead && m.seq > floor && m.seq <= target.seq)) return;
    sent.current = target.seq;
    mutate(target.id, {
      // Tried again on the next change of what is seen, or when the tab is shown again.
      onError: () => {
        if (sent.current === target.seq) sent.current = floor;
      },
    });
  }, [mutate]);

  /** Counts the rows in view now as seen, when the person can be reading them. */
  const countInView = useCallback(() => {
    const { enabled, onHold } = current.current;
    if (!enabled || onHold || document.visibilityState !== "visible") return;
    let best = seen.current;
    for (const el of inView.current) {
      if (ignored.current.has(el) || !(el instanceof HTMLElement)) continue;
      const seq = Number(el.dataset.seq);
      const id = el.dataset.messageId;
      if (id && Number.isFinite(seq) && (!best || seq > best.seq)) best = { seq, id };
    }
    // A new highest, or one whose mark is still to be sent (it failed: tried again now).
    if (!best || (best === seen.current && best.seq <= sent.current)) return;
    seen.current = best;
    const now = Date.now();
    if (timer.current && now - timer.current.since >= MARK_MAX_WAIT_MS) return flush();
    if (timer.current) clearTimeout(timer.current.id);
    timer.current = { id: setTimeout(flush, MARK_DEBOUNCE_MS), since: timer.current?.since ?? now };
  }, [flush]);

  /**
   * Measures which watched rows are mostly in view now, from their boxes: for the moments the observer's last report
   * may be out of date (the list has just been scrolled to where it opens, in the same frame; the tab comes back).
   */
  const measureInView = useCallback(() => {
    const root = observer.current?.root;
    if (!(root instanceof Element)) return;
    const view = root.getBoundingClientRect();
    for (const el of observed.current) {
      const box = el.getBoundingClientRect();
      const shown = Math.max(0, Math.min(box.bottom, view.bottom) - Math.max(box.top, view.top));
      const mostly = box.height > 0 && (shown >= SEEN_SHARE * box.height || shown >= SEEN_SHARE * view.height);
      if (mostly) inView.current.add(el);
      else {
        inView.current.delete(el);
        ignored.current.delete(el);
      }
    }
  }, []);

  // After every commit: watch the log's rows (new ones, and not those that left); the observer is made once the log
  // exists (the conversation shows a placeholder until its data is there).
  useEffect(() => {
    const root = logRef.current;
    if (observer.current && observer.current.root !== root) {
      observer.current.disconnect();
      observer.current = null;
      observed.current.clear();
      inView.current.clear();
    }
    if (!root) return;
    if (!observer.current) {
      observer.current = new IntersectionObserver(
        (entries) => {
          for (const e of entries) {
            if (e.time < enabledAt.current) continue;
            const rootHeight = e.rootBounds?.height ?? 0;
            const mostly =
              e.isIntersecting &&
              (e.intersectionRatio >= SEEN_SHARE || (rootHeight > 0 && e.intersectionRect.height >= SEEN_SHARE * rootHeight));
            if (mostly) inView.current.add(e.target);
            else {
              inView.current.delete(e.target);
              ignored.current.delete(e.target);
            }
          }
          countInView();
        },
        { root, threshold: THRESHOLDS },
      );
    }
    const io = observer.current;
    for (const el of root.querySelectorAll(ROWS)) {
      if (observed.current.has(el)) continue;
      observed.current.add(el);
      io.observe(el);
    }
    for (const el of observed.current) {
      if (el.isConnected) continue;
      io.unobserve(el);
      observed.current.delete(el);
      inView.current.delete(el);
      ignored.current.delete(el);
    }
  });

  // A hold forgets what was seen and sent (the watermark moved back); when it ends, what is on screen waits (above).
  const held = useRef(onHold);
  useEffect(() => {
    if (onHold) {
      if (timer.current) clearTimeout(timer.current.id);
      timer.current = null;
      seen.current = null;
      sent.current = 0;
    } else if (held.current) {
      for (const el of inView.current) ignored.current.add(el);
    }
    held.current = onHold;
  }, [onHold]);

  // Settling where the list opens, or the hold ending: what is in view now counts.
  useEffect(() => {
    if (!enabled || onHold) return;
    measureInView();
    countInView();
  }, [enabled, onHold, countInView, measureInView]);

  // Hidden: send what is pending now. Shown again: what is in view counts.
  useEffect(() => {
    const onVisibility = () => {
      if (document.visibilityState !== "visible") return flush();
      measureInView();
      countInView();
    };
    document.addEventListener("visibilitychange", onVisibility);
    window.addEventListener("pagehide", flush);
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      window.removeEventListener("pagehide", flush);
    };
  }, [countInView, flush, measureInView]);

  // Leaving the conversation sends what is pending.
  useEffect(
    () => () => {
      flush();
      observer.current?.disconnect();
      observer.current = null;
      // A new observer watches every row again (React's StrictMode unmounts and mounts once in development).
      observed.current.clear();
      inView.current.clear();
      ignored.current.clear();
    },
    [flush],
  );
}
