"use client";

import { useSyncExternalStore } from "react";

const TICK_MS = 30_000;

function subscribe(onChange: () => void): () => void {
  const timer = setInterval(onChange, TICK_MS);
  return () => clearInterval(timer);
}

/** The current time, rounded down to the tick, so that the snapshot is stable between ticks. */
const getSnapshot = () => Math.floor(Date.now() / TICK_MS) * TICK_MS;

/** On the server and while hydrating the time is unknown: the server's clock and time zone are not the reader's. */
const getServerSnapshot = () => null;

/**
 * The current time (ms since epoch), refreshed every 30 s, for relative times such as "5m"; `null` during server
 * rendering and hydration, so that times render in the reader's own clock and time zone without hydration mismatches.
 */
export function useNow(): number | null {
  return useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
}
