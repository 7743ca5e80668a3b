"use client";

import { type RefObject, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";

/** Within this many pixels of the end counts as "at the bottom". */
const BOTTOM_SLACK_PX = 48;
/** Older history is requested when the reader is this close to the top (newer, in a detached window, to the bottom). */
const LOAD_OLDER_PX = 600;
/** Where {@link scrollToElement}'s "top" puts an element: this far below the top of the view, at most a fifth of it. */
const TOP_MARGIN_PX = 72;

/**
 * Scroll behaviour of a chat log (`overflow-anchor: none` on the container; this hook does the anchoring).
 *
 * - While the reader is at the bottom, the view stays pinned there as content arrives or the box resizes; a scroll up
 *   that a render comes before (its scroll event arrives on the next frame) is the reader's, not undone.
 * - Otherwise the message at the top of the viewport (the first `[data-anchor]` element) is kept exactly where it
 *   was across renders and resizes: when an older page is prepended, when the newest pages are refetched, when a
 *   message above is edited or deleted. (This generalises "scrollTop += scrollHeight delta": that only holds when
 *   nothing else changed in the same render.)
 * - When something newer arrives while the reader is scrolled up, `showNewPill` turns on; `scrollToBottom` clears it.
 * - Near the top, `onNearTop` is called (on scroll, and after renders while still near the top).
 * - `detached`: the loaded messages are a window into history that does not reach the present (a jump to an old
 *   message). Its end is not the newest message: reaching it does not pin the view, and near it `onNearBottom` is
 *   called to load what comes next; `showNewPill` stays off (the list offers a way back to the present instead).
 * - `scrollToElement` puts a row in the middle of the view, or near its top (a "New messages" divider), and keeps it
 *   there as content changes around it; it pins when that lands at the bottom of an attached list.
 *
 * @param newestKey key of the newest item; a change while scrolled up means "new messages"
 */
export function useStickToBottom({
  containerRef,
  newestKey,
  onNearTop,
  detached = false,
  onNearBottom,
}: {
  containerRef: RefObject<HTMLElement | null>;
  newestKey: string | null;
  onNearTop: () => void;
  detached?: boolean;
  onNearBottom?: () => void;
}) {
  const pinned = useRef(true);
  /** Where pinning last put `scrollTop`: below it, and not at the bottom, the reader has scrolled up. */
  const pinnedTop = useRef<number | null>(null);
  const anchor = useRef<{ key: string; offset: number } | null>(null);
  const autoScrolling = useRef(false);
  const newest = useRef(newestKey);
  const nearTop = useRef(onNearTop);
  const nearBottom = useRef(onNearBottom);
  const isDetached = useRef(detached);
  const [atBottom, setAtBottom] = useState(true);
  /** The newest key when the reader left the bottom; anything else newest since then is "new". */
  const [leftAt, setLeftAt] = useState<string | null>(null);

  useLayoutEffect(() => {
    newest.current = newestKey;
    nearTop.current = onNearTop;
    nearBottom.current = onNearBottom;
    isDetached.current = detached;
  });

  // What a detached window loads below it is not "new": back at the present, only what arrives from then on is.
  const [wasDetached, setWasDetached] = useState(detached);
  if (wasDetached !== detached) {
    setWasDetached(detached);
    if (!detached) setLeftAt(newestKey);
  }

  const measureAnchor = useCallback(() => {
    const el = containerRef.current;
    if (!el) return;
    const top = el.getBoundingClientRect().top;
    for (const node of el.querySelectorAll<HTMLElement>("[data-anchor]")) {
      const box = node.getBoundingClientRect();
      if (box.bottom > top) {
        anchor.current = { key: node.dataset.anchor!, offset: box.top - top };
        return;
      }
    }
    anchor.current = null;
  }, [containerRef]);

  /** Re-applies the scroll rule after the content or the box changed. */
  const settle = useCallback(() => {
    const el = containerRef.current;
    if (!el) return;
    if (pinned.current) {
      // The reader may have scrolled up since the last pinning, with the scroll event not delivered yet (it comes on
      // the next frame): a render in between must not pull them back down. Content that grew below leaves scrollTop
      // where pinning put it, and a box that grew clamps it to the (new) bottom, so neither counts.
      const bottom = el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK_PX;
      if (!bottom && !autoScrolling.current && pinnedTop.current !== null && el.scrollTop < pinnedTop.current - 1) {
        pinned.current = false;
        setLeftAt(newest.current);
        setAtBottom(false);
        measureAnchor();
        return;
      }
      el.scrollTop = el.scrollHeight;
      pinnedTop.current = el.scrollTop;
      return;
    }
    const a = anchor.current;
    const node = a && el.querySelector<HTMLElement>(`[data-anchor="${CSS.escape(a.key)}"]`);
    if (!a || !node) return measureAnchor();
    const delta = node.getBoundingClientRect().top - el.getBoundingClientRect().top - a.offset;
    if (Math.abs(delta) >= 1) el.scrollTop += delta;
  }, [containerRef, measureAnchor]);

  // After every commit: keep the reader's place (runs before paint, so nothing visibly jumps).
  useLayoutEffect(settle);

  // And after size changes React does not see (the composer growing, the window or keyboard resizing).
  useEffect(() => {
    const el = containerRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => settle());
    observer.observe(el);
    if (el.firstElementChild) observer.observe(el.firstElementChild);
    return () => observer.disconnect();
  }, [containerRef, settle]);

  // Still near the top (or, detached, the bottom) after a render (a short first page, or a page that did not fill the
  // view): ask for more.
  useEffect(() => {
    const el = containerRef.current;
    if (el && el.scrollTop < LOAD_OLDER_PX) nearTop.current();
    if (el && isDetached.current && el.scrollHeight - el.scrollTop - el.clientHeight < LOAD_OLDER_PX) nearBottom.current?.();
  });

  useEffect(() => {
    const el = containerRef.current;
    if (!el) return;
    const onScroll = () => {
      const below = el.scrollHeight - el.scrollTop - el.clientHeight;
      // The end of a detached window is not the present: it never pins.
      const bottom = below <= BOTTOM_SLACK_PX && !isDetached.current;
      if (autoScrolling.current) {
        // A smooth scroll to the end is running: its intermediate positions are not the reader's choice.
        if (bottom) autoScrolling.current = false;
        return;
      }
      if (pinned.current && !bottom) setLeftAt(newest.current);
      pinned.current = bottom;
      if (bottom) pinnedTop.current = el.scrollTop;
      setAtBottom(bottom);
      if (!bottom) measureAnchor();
      if (el.scrollTop < LOAD_OLDER_PX) nearTop.current();
      if (isDetached.current && below < LOAD_OLDER_PX) nearBottom.current?.();
    };
    // The reader taking over cancels a smooth scroll in progress.
    const onTakeOver = () => {
      autoScrolling.current = false;
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    el.addEventListener("wheel", onTakeOver, { passive: true });
    el.addEventListener("touchstart", onTakeOver, { passive: true });
    el.addEventListener("keydown", onTakeOver);
    return () => {
      el.removeEventListener("scroll", onScroll);
      el.removeEventListener("wheel", onTakeOver);
      el.removeEventListener("touchstart", onTakeOver);
      el.removeEventListener("keydown", onTakeOver);
    };
  }, [containerRef, measureAnchor]);

  /** Pins the view to the newest message (smoothly unless the person prefers reduced motion). */
  const scrollToBottom = useCallback(
    (smooth = false) => {
      const el = containerRef.current;
      pinned.current = true;
      setAtBottom(true);
      if (!el) return;
      const reduce = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      if (smooth && !reduce) {
        autoScrolling.current = true;
        el.scrollTo({ top: el.scrollHeight, behavior: "smooth" });
      } else {
        el.scrollTop = el.scrollHeight;
        pinnedTop.current = el.scrollTop;
      }
    },
    [containerRef],
  );

  /**
   * Scrolls `node` (inside the container) to the middle of the view (`center`) or just below its top (`top`), at once,
   * and keeps it where it lands as content changes; the view pins when that is the bottom of an attached list.
   */
  const scrollToElement = useCallback(
    (node: HTMLElement, align: "center" | "top") => {
      const el = containerRef.current;
      if (!el) return;
      autoScrolling.current = false;
      const box = node.getBoundingClientRect();
      const offset =
        align === "center" ? Math.max(0, (el.clientHeight - box.height) / 2) : Math.min(TOP_MARGIN_PX, el.clientHeight / 5);
      el.scrollTop += box.top - el.getBoundingClientRect().top - offset;
      const bottom = el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK_PX && !isDetached.current;
      if (!bottom && pinned.current) setLeftAt(newest.current);
      pinned.current = bottom;
      pinnedTop.current = bottom ? el.scrollTop : null;
      setAtBottom(bottom);
      if (!bottom) measureAnchor();
    },
    [containerRef, measureAnchor],
  );

  return { showNewPill: !atBottom && !detached && leftAt !== null && newestKey !== leftAt, scrollToBottom, scrollToElement };
}
