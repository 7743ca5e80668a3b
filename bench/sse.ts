// Server-Sent Events parsing for the live benchmarks (bench/live.ts, bench/live-load.ts): WHATWG HTML,
// "Server-sent events"; LF and CRLF line ends (the server sends LF).
import { now } from "./kit";

export interface SseEvent {
  type: string;
  data: string;
  id: string | null;
  /** performance.now() when the event's terminating blank line was parsed. */
  at: number;
}

/** Turns a stream's text, pushed as it arrives, into events; counts comments (keep-alives). */
export class SseParser {
  private buffer = "";
  private type = "";
  private data: string[] = [];
  private id: string | null = null;
  comments = 0;

  constructor(private readonly emit: (event: SseEvent) => void) {}

  push(text: string): void {
    this.buffer += text;
    let newline: number;
    while ((newline = this.buffer.indexOf("\n")) >= 0) {
      let line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      if (line.endsWith("\r")) line = line.slice(0, -1);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === "") {
      if (this.data.length > 0) this.emit({ type: this.type || "message", data: this.data.join("\n"), id: this.id, at: now() });
      this.type = "";
      this.data = [];
      return;
    }
    if (line.startsWith(":")) {
      this.comments++;
      return;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.type = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id") this.id = value;
  }
}
