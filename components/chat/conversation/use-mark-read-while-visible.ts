"use client";

import { useEffect, useRef } from "react";
import { useMarkRead } from "@/lib/client/queries";

/**
 * Marks the open thread read up to its newest message while the page is visible: when it opens, when a newer
 * message arrives, and when the tab becomes visible again. Each newest message is marked once; a failed attempt is
 * tried again on the next visibility change.
 * @param newest the newest server message (`isRead` from the caller's point of view), if any
 */
export function useMarkReadWhileVisible(threadId: string, newest: { id: string; isRead: boolean } | undefined) {
  const { mutate } = useMarkRead(threadId);
  const marked = useRef<string | null>(null);
  const id = newest?.id;
  const unread = newest ? !newest.isRead : false;

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
