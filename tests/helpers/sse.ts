/**
 * A Server-Sent Events parser for tests, shared by the in-process hub tests (tests/live.test.ts) and the two-instance
 * HTTP tests (e2e/realtime.spec.ts). It follows the event-stream interpretation of WHATWG HTML, "Server-sent events"
 * §9.2.6: lines end with CRLF, LF or CR; a line starting with `:` is a comment; `field: value` loses one space after
 * the colon; several `data:` lines join with `\n`; a blank line dispatches the event, unless its data is empty.
 */

/** One dispatched event. */
export interface SseEvent {
  /**
   * The `id:` field of this frame itself, `undefined` when the frame had none. (A browser's `lastEventId` would keep
   * the previous frame's id instead; tests want to see which frames carry an id.)
   */
  id: string | undefined;
  /** The `event:` field, `"message"` when absent. */
  event: string;
  /** `data` parsed as JSON; the raw string when it is not JSON. */
  data: unknown;
}

/**
 * Incremental parser: feed it text as it arrives, in chunks of any size, and it returns the events completed by
 * each chunk. Comments (keep-alives) and `retry:` are consumed and not returned.
 */
export class SseParser {
  private buffer = "";
  private id: string | undefined;
  private event = "";
  private data: string[] = [];
  /** Number of comment lines seen (keep-alives). */
  comments = 0;

  /** Parses `chunk` and returns the events it completed, in stream order. */
  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const events: SseEvent[] = [];
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/);
      if (end < 0) break;
      // A CR at the end of the buffer may be the first half of a CRLF split across chunks: wait for more.
      if (this.buffer[end] === "\r" && end === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + (this.buffer.startsWith("\r\n", end) ? 2 : 1));
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  private line(line: string): SseEvent | null {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) {
      this.comments++;
      return null;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "id" && !value.includes("\0")) this.id = value;
    else if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    return null;
  }

  private dispatch(): SseEvent | null {
    const { id, event, data } = this;
    this.id = undefined;
    this.event = "";
    this.data = [];
    if (data.length === 0) return null;
    const text = data.join("\n");
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { id, event: event || "message", data: parsed };
  }
}

/** The numeric value of an event's id, for ordering (`-1n` when it has none). */
export const eventId = (e: SseEvent): bigint => (e.id === undefined ? -1n : BigInt(e.id));
