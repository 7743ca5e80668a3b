/**
 * Event streams in tests: a user subscribed to an event hub (lib/infra/live-hub.ts) directly, as the route handler of
 * `GET /api/events` subscribes them, with everything written to the stream parsed and kept.
 */
import { vi } from "vitest";
import type { getHub } from "@/lib/infra/live-hub";
import { tokenCredential, type TestUser } from "./fixtures";
import { SseParser, type SseEvent } from "./sse";

type Hub = ReturnType<typeof getHub>;

export interface Stream {
  user: TestUser;
  /** Everything written to the stream, parsed, in order (`ready`, `resync`, `typing` included). */
  events: SseEvent[];
  /** Whether the hub closed the stream (shutdown). */
  closedByHub: boolean;
  /** Unsubscribes, as a client that goes away. */
  close(): void;
  /** Waits until `find` returns something truthy for the events so far, and returns it. */
  waitFor<T>(find: (events: SseEvent[]) => T | undefined | null | false, what?: string): Promise<T>;
}

export interface OpenOptions {
  since?: bigint | null;
  /** Called after each event; returning true drops the connection right there, as a client whose network failed. */
  dropAfter?: (event: SseEvent, events: SseEvent[]) => boolean;
}

/** The stream's events as `id type` strings, for failure messages. */
export const summary = (events: SseEvent[]) => JSON.stringify(events.map((e) => `${e.id ?? "-"} ${e.event}`));

/** Subscribes `user` to `hub` with their bearer token; resolves once the hub has written `ready`. */
export async function openStream(hub: Hub, user: TestUser, { since = null, dropAfter }: OpenOptions = {}): Promise<Stream> {
  const parser = new SseParser();
  let dropped = false;
  const subscription: { off?: () => void } = {};
  const stream: Stream = {
    user,
    events: [],
    closedByHub: false,
    close() {
      dropped = true;
      subscription.off?.();
    },
    async waitFor(find, what = "the expected events") {
      return vi.waitFor(
        () => {
          const found = find(stream.events);
          if (!found) throw new Error(`${user.username} has not received ${what}; got ${summary(stream.events)}`);
          return found;
        },
        { timeout: 10_000, interval: 5 },
      );
    },
  };
  const write = (frame: string) => {
    if (dropped) return;
    for (const event of parser.push(frame)) {
      stream.events.push(event);
      if (dropAfter?.(event, stream.events)) {
        stream.close();
        return;
      }
    }
  };
  subscription.off = await hub.subscribe(user.id, tokenCredential(user), since, write, () => (stream.closedByHub = true));
  if (dropped) subscription.off();
  return stream;
}
