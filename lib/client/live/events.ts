/**
 * The live stream's events as the browser reads them: one SSE message (`event:` type, `data:` JSON) checked against
 * the contract in lib/schemas/events.ts. Shared by the stream, which parses (lib/client/live/event-stream.ts), and
 * the cache updates, which consume (lib/client/live/cache-updates.ts); it imports neither.
 */
import { type EventPayload, type EventType, eventPayloads } from "../../schemas/events";

/** The stream's event types: those the browser listens for. */
export const EVENT_TYPES = Object.keys(eventPayloads) as EventType[];

/** One event of the stream, its payload validated against lib/schemas/events.ts. */
export type LiveEvent = { [K in EventType]: { type: K; payload: EventPayload<K> } }[EventType];

/**
 * Reads one SSE message: the `event:` type and the `data:` JSON (an empty `data:` reads as `{}`).
 * @returns the validated event, or null for an unknown type or a payload that does not match the contract
 */
export function parseEvent(type: string, data: string): LiveEvent | null {
  if (!Object.hasOwn(eventPayloads, type)) return null;
  let json: unknown;
  try {
    json = JSON.parse(data || "{}");
  } catch {
    return null;
  }
  const parsed = eventPayloads[type as EventType].safeParse(json);
  return parsed.success ? ({ type, payload: parsed.data } as LiveEvent) : null;
}
