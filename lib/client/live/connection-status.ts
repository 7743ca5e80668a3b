"use client";

/**
 * Whether the tab's live stream (lib/client/live/event-stream.ts) is connected: a small external store that the
 * stream writes and the query hooks (lib/client/queries.ts) read — they poll only while it is not connected.
 *
 * It imports nothing from lib/client, so both sides can depend on it without depending on each other.
 */
import { useSyncExternalStore } from "react";

/**
 * `connecting`: the stream is opening and has not said `ready` yet; `connected`: it has; `disconnected`: it failed
 * (a reconnect is scheduled) or was closed.
 */
export type LiveStatus = "connecting" | "connected" | "disconnected";

let status: LiveStatus = "connecting";
const statusListeners = new Set<() => void>();

/**
 * Records the stream's state and notifies the subscribed components (only when it changed). For the stream's own
 * use (lib/client/live/event-stream.ts); everything else only reads the status.
 */
export function setLiveStatus(next: LiveStatus): void {
  if (status === next) return;
  status = next;
  for (const l of statusListeners) l();
}

const subscribeStatus = (l: () => void) => {
  statusListeners.add(l);
  return () => {
    statusListeners.delete(l);
  };
};

/** The stream's state now. */
export const getLiveStatus = (): LiveStatus => status;

/** True while the stream is connected: caches are kept current by events, so polling is not needed. */
export const isLiveConnected = (): boolean => status === "connected";

/** {@link getLiveStatus} as React state. Server render (and hydration): `connecting`. */
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(subscribeStatus, getLiveStatus, () => "connecting");
}

/** {@link isLiveConnected} as React state. */
export function useLiveConnected(): boolean {
  return useLiveStatus() === "connected";
}
