"use client";

import { useEffect, useRef } from "react";
import { useMarkRead } from "@/lib/client/queries";

/**
 * Marks the open thread read up to its newest message while the page is visible: when it opens, when a newer
 * message arrives, and when the tab becomes visible again. Each newest message is marked once; a failed attempt is
 * tried again on the next visibility change.
 * @param newestId the newest server message's id, if any
 * @param unread whether anything in the thread is unread for the caller. Not the newest message's `isRead` alone: a
 *   group's newest entry can be a system entry, read by everyone, above messages the caller has not read.
 */
export function useMarkReadWhileVisible(threadId: string, newestId: string | undefined, unread: boolean) {
  const { mutate } = useMarkRead(threadId);
  const marked = useRef<string | null>(null);
  const id = newestId;

  useEffect(() => {
    if (!id || !unread) return;
    const mark = () => {
      if (document.visibilityState !== "visible" || marked.current === id) return;
      marked.current = id;
      mutate(id, {
        onError: () => {
          if (marked.current === id) marked.current = null;
        },
      });
    };
    mark();
    document.addEventListener("visibilitychange", mark);
    return () => document.removeEventListener("visibilitychange", mark);
  }, [id, unread, mutate]);
}
