"use client";

import { useEffect, useRef } from "react";

/**
 * Asking the thread list's search box for a search from elsewhere (the open conversation's "Search in conversation"):
 * a tiny broadcast outside React, since the box lives in the shell's sidebar and the conversation in the page.
 */
const listeners = new Set<(text: string) => void>();

/** Puts `text` in the search box (replacing what is there) and focuses it. */
export function requestSearch(text: string): void {
  for (const listener of listeners) listener(text);
}

/** Calls `onRequest` with each {@link requestSearch}'s text while the calling component is mounted. */
export function useSearchRequests(onRequest: (text: string) => void): void {
  const latest = useRef(onRequest);
  useEffect(() => {
    latest.current = onRequest;
  });
  useEffect(() => {
    const listener = (text: string) => latest.current(text);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
}

/** The filter words of the search syntax (lib/server/search-query.ts): `from:`, `in:`, `before:`, `after:`, `has:`. */
const FILTER = /^(from|in|before|after|has):\S+$/i;

/**
 * What of a search box's text to match conversation names against: the text without the search's filters and
 * quotes, cut to the thread filter's 64 characters; "" when nothing is left (then no conversation is matched).
 */
export function nameFilter(text: string): string {
  return text
    .split(/\s+/)
    .filter((w) => w && !FILTER.test(w))
    .join(" ")
    .replace(/["“”„«»]/g, "")
    .trim()
    .slice(0, 64)
    .trim();
}
