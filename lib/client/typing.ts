"use client";

/**
 * Typing indicators, both ways.
 *
 * - Receiving: who is typing in which thread, fed by the live `typing` events (lib/client/live/cache-updates.ts).
 *   Each entry lasts the event's `expiresInMs` and is extended by repeats; a message from that person ends it at once.
 * - Sending: {@link createTypingSender} tells the server "I am typing" (`POST /api/threads/{id}/typing`) at most
 *   every {@link TYPING_THROTTLE_MS} while the person types non-empty text.
 */
import { useMemo, useSyncExternalStore } from "react";
import { apiFetch } from "./api";

/** The sender repeats "I am typing" at most this often (ms); the server's expiry is longer, so it stays shown. */
export const TYPING_THROTTLE_MS = 3000;

const EMPTY: readonly string[] = [];

/** threadId → ids of the people typing there, in the order they started. Replaced (never mutated) on change. */
let typingByThread = new Map<string, readonly string[]>();
/** `${threadId} ${userId}` → the timer that ends that entry. */
const timers = new Map<string, ReturnType<typeof setTimeout>>();
const listeners = new Set<() => void>();

const timerKey = (threadId: string, userId: string) => `${threadId} ${userId}`;

function setThread(threadId: string, userIds: readonly string[]) {
  const next = new Map(typingByThread);
  if (userIds.length > 0) next.set(threadId, userIds);
  else next.delete(threadId);
  typingByThread = next;
  for (const l of listeners) l();
}

/**
 * Shows that `userId` is typing in `threadId` for `expiresInMs` from now (a repeat restarts the clock).
 * @param expiresInMs from the `typing` event; values below 0 are treated as 0
 */
export function showTyping(threadId: string, userId: string, expiresInMs: number): void {
  const key = timerKey(threadId, userId);
  const existing = timers.get(key);
  if (existing !== undefined) clearTimeout(existing);
  timers.set(
    key,
    setTimeout(() => clearTyping(threadId, userId), Math.max(0, expiresInMs)),
  );
  const current = typingByThread.get(threadId) ?? EMPTY;
  if (!current.includes(userId)) setThread(threadId, [...current, userId]);
}

/** Stops showing `userId` typing in `threadId` (they sent, or the entry expired); without `userId`, everyone there. */
export function clearTyping(threadId: string, userId?: string): void {
  const current = typingByThread.get(threadId);
  if (!current) return;
  const gone = userId === undefined ? current : current.filter((id) => id === userId);
  for (const id of gone) {
    const key = timerKey(threadId, id);
    const timer = timers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    timers.delete(key);
  }
  if (gone.length > 0) setThread(threadId, userId === undefined ? EMPTY : current.filter((id) => id !== userId));
}

/** Forgets every indicator (sign-out, tests). */
export function clearAllTyping(): void {
  for (const timer of timers.values()) clearTimeout(timer);
  timers.clear();
  if (typingByThread.size > 0) {
    typingByThread = new Map();
    for (const l of listeners) l();
  }
}

/** The ids of the people typing in `threadId` now, in the order they started (empty when nobody is). */
export function getTypingUserIds(threadId: string): readonly string[] {
  return typingByThread.get(threadId) ?? EMPTY;
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
};

/** {@link getTypingUserIds} as React state: re-renders when that thread's typists change. */
export function useTypingUserIds(threadId: string): readonly string[] {
  return useSyncExternalStore(
    subscribe,
    () => getTypingUserIds(threadId),
    () => EMPTY,
  );
}

/**
 * The indicator's words: "Bob is typing…", "Bob and Carol are typing…", "Bob, Carol and Dave are typing…", and
 * "Several people are typing…" beyond three; "" when `names` is empty.
 */
export function typingLabel(names: readonly string[]): string {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length <= 3) return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]} are typing…`;
  return "Several people are typing…";
}

/** What the composer calls while the person types. */
export interface TypingSender {
  /** The text changed to `text`: tells the server when it is non-blank and the last notice is old enough. */
  notify: (text: string) => void;
  /** The message went out (the server ends the indicator): the next keystroke notifies again at once. */
  reset: () => void;
}

/**
 * A throttled "I am typing" sender for one thread: leading edge, then at most one `POST
 * /api/threads/{threadId}/typing` per {@link TYPING_THROTTLE_MS}. Failures (offline, 404 after the thread was
 * deleted) are ignored — the indicator is a courtesy.
 * @param post sends one notice (replaceable in tests)
 * @param now the clock in ms (replaceable in tests)
 */
export function createTypingSender(
  threadId: string,
  post: (threadId: string) => Promise<unknown> = (id) => apiFetch<void>(`/api/threads/${encodeURIComponent(id)}/typing`, { method: "POST" }),
  now: () => number = Date.now,
): TypingSender {
  let last = Number.NEGATIVE_INFINITY;
  return {
    notify(text) {
      if (text.trim() === "") return;
      const t = now();
      if (t - last < TYPING_THROTTLE_MS) return;
      last = t;
      post(threadId).catch(() => undefined);
    },
    reset() {
      last = Number.NEGATIVE_INFINITY;
    },
  };
}

/** {@link createTypingSender} for the open thread, stable while `threadId` is. */
export function useTypingSender(threadId: string): TypingSender {
  return useMemo(() => createTypingSender(threadId), [threadId]);
}
