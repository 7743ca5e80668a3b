"use client";

/**
 * Live delivery in the browser: one `EventSource` per tab on `GET /api/events` (Server-Sent Events, see
 * lib/schemas/events.ts), whose events go to {@link applyEvent} (lib/client/live/cache-updates.ts) and whose state
 * goes to the connection-status store (lib/client/live/connection-status.ts) — the query hooks poll only while it is
 * not connected.
 *
 * Reconnecting: on an error the stream is closed and opened again after 1 s, 2 s, 4 s … (at most 30 s, with
 * jitter), passing the id of the last event received as `?lastEventId=` so the server replays what was missed (or
 * sends `resync`). The delay starts over once a stream says `ready`.
 *
 * Signed out: a stream ends with `unauthorized` when its session ends (signed out in another tab or everywhere,
 * expired). `EventSource` cannot tell a refused connection (401) from a network failure, so after that event, and
 * whenever a connection fails before it opened, the tab asks the API who is signed in: nobody, and it goes to the
 * sign-in page (coming back here afterwards) instead of retrying forever; someone else (signed in from another tab
 * meanwhile), and it reloads the page as them.
 */
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { clearAllTyping } from "../typing";
import { applyEvent } from "./cache-updates";
import { setLiveStatus } from "./connection-status";

/** The path of the stream. */
export const EVENTS_PATH = "/api/events";
/** What the tab asks to learn whether it is still signed in (401 when not). */
const SIGNED_IN_PROBE_PATH = "/api/users/me";
/** First reconnect delay (ms); doubles per failed attempt. */
export const RECONNECT_BASE_MS = 1000;
/** Longest reconnect delay (ms). */
export const RECONNECT_MAX_MS = 30_000;

/**
 * The wait before reconnect attempt `attempt` (0-based), in ms: {@link RECONNECT_BASE_MS} · 2^attempt capped at
 * {@link RECONNECT_MAX_MS}, times a jitter factor in [0.5, 1) so that tabs dropped together do not come back
 * together ("equal jitter", AWS Architecture Blog, "Exponential Backoff And Jitter").
 * @param random a number in [0, 1)
 */
export function backoffDelay(attempt: number, random: number = Math.random()): number {
  const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

// ---------------------------------------------------------------------------------------------------------------
// The signed-in probe

/**
 * Who the browser's session cookie signs in now, as far as the tab must know: `same` (still `meId`, or the API could
 * not tell: a network failure or another error keeps the stream retrying, and the page's own requests show the
 * failure), `other` (another tab signed in as someone else since), or `none` (401).
 */
async function whoIsSignedIn(meId: string): Promise<"same" | "other" | "none"> {
  try {
    const res = await fetch(SIGNED_IN_PROBE_PATH, { credentials: "same-origin", cache: "no-store" });
    if (res.status === 401) return "none";
    if (!res.ok) return "same";
    const me = (await res.json()) as { id?: unknown };
    return me.id === meId ? "same" : "other";
  } catch {
    return "same";
  }
}

/**
 * Leaves for the sign-in page, which brings the person back to this page once they have signed in again. A full page
 * load on purpose, not a client-side navigation: it drops every cache that holds the signed-out person's messages.
 */
function goToSignIn(): void {
  const here = `${window.location.pathname}${window.location.search}`;
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination -- see above: the caches must go
  window.location.assign(`/sign-in?callbackUrl=${encodeURIComponent(here)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The parser

type Parser = typeof import("./events");
let parser: Promise<Parser> | undefined;

/**
 * The events' parser (lib/client/live/events.ts), and with it the contract's schemas and zod: loaded when the first
 * stream opens, after the page has rendered, rather than with the page (it was a tenth of a chat page's JavaScript).
 * A failed load is tried again with the next connection attempt.
 */
function loadParser(): Promise<Parser> {
  parser ??= import("./events").catch((error: unknown) => {
    parser = undefined;
    throw error;
  });
  return parser;
}

// ---------------------------------------------------------------------------------------------------------------
// The connection

interface Connection {
  close: () => void;
}

let current: Connection | null = null;

/**
 * Opens the tab's stream and keeps it open until {@link stopLive} (or the next `startLive`, which replaces it).
 * Marks the status `connected` on `ready` (and refetches everything once, to close the gap between the first
 * fetch and the stream), `disconnected` on an error (the hooks then poll) until a reconnect is ready again.
 * Without `EventSource` (very old browsers) it does nothing and the hooks keep polling.
 * @param meId the signed-in user's id (to tell own messages and own typing apart)
 * @returns a function that closes this connection (the same as {@link stopLive} while it is the current one)
 */
export function startLive(client: QueryClient, meId: string): () => void {
  current?.close();
  if (typeof EventSource === "undefined") {
    setLiveStatus("disconnected");
    return () => undefined;
  }

  let source: EventSource | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let lastEventId: string | null = null;
  let closed = false;

  /**
   * Drops `es` and opens a new stream after `delay` ms — unless `checkSignedIn` and the session no longer works,
   * then the tab goes to the sign-in page instead.
   */
  const reconnect = (es: EventSource, delay: number, checkSignedIn: boolean) => {
    es.close();
    if (source !== es || closed) return;
    source = null;
    setLiveStatus("disconnected");
    const schedule = () => {
      if (!closed) retry = setTimeout(open, delay);
    };
    if (!checkSignedIn) return schedule();
    void whoIsSignedIn(meId).then((who) => {
      if (closed) return;
      if (who === "same") return schedule();
      connection.close();
      // Someone else's session must not feed this person's caches: load the page afresh, as the cookie's user.
      if (who === "other") return window.location.reload();
      goToSignIn();
    });
  };

  const open = () => {
    retry = undefined;
    loadParser().then(
      (events) => {
        if (!closed) connect(events);
      },
      // Offline, say: as a connection that failed before it opened, without the sign-in check (the API was not asked).
      () => {
        if (closed) return;
        setLiveStatus("disconnected");
        retry = setTimeout(open, backoffDelay(attempt++));
      },
    );
  };

  const connect = ({ parseEvent, EVENT_TYPES }: Parser) => {
    const url = lastEventId ? `${EVENTS_PATH}?lastEventId=${encodeURIComponent(lastEventId)}` : EVENTS_PATH;
    const es = new EventSource(url);
    source = es;
    let opened = false;
    es.onopen = () => {
      opened = true;
    };
    const onEvent = (e: Event) => {
      const { type, data, lastEventId: id } = e as MessageEvent<string>;
      // The browser carries the last `id:` over to events without one (typing); only a new value matters.
      if (id) lastEventId = id;
      const event = parseEvent(type, data);
      if (!event) return;
      if (event.type === "ready") {
        attempt = 0;
        setLiveStatus("connected");
      }
      // The credential ended. Another tab may have signed in again since (the cookie is the browser's), so ask
      // before leaving; if this tab is still signed in, the new stream carries the new session.
      if (event.type === "unauthorized") return reconnect(es, 0, true);
      applyEvent(client, meId, event);
    };
    for (const type of EVENT_TYPES) es.addEventListener(type, onEvent);
    // The browser would retry on its own, without backoff and without our `lastEventId` parameter: take over. A
    // connection that failed before it opened may have been refused with 401.
    es.onerror = () => reconnect(es, backoffDelay(attempt++), !opened);
  };

  const connection: Connection = {
    close: () => {
      if (closed) return;
      closed = true;
      if (retry !== undefined) clearTimeout(retry);
      source?.close();
      source = null;
      if (current === connection) {
        current = null;
        setLiveStatus("disconnected");
        clearAllTyping();
      }
    },
  };
  current = connection;
  setLiveStatus("connecting");
  open();
  return connection.close;
}

/** Closes the tab's stream (sign-out); the hooks fall back to polling until a new one is ready. */
export function stopLive(): void {
  current?.close();
}

/**
 * Keeps the tab's stream open while the calling component is mounted (the chat shell: once per tab), using the
 * QueryClient of the surrounding provider.
 */
export function useLiveEvents(meId: string): void {
  const client = useQueryClient();
  useEffect(() => startLive(client, meId), [client, meId]);
}
