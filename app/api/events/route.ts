import { withUser } from "@/lib/api/handler";
import { config } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { getHub } from "@/lib/infra/live-hub";

export const dynamic = "force-dynamic";
/** Vercel's limit for this function, seconds; streams end themselves before it (`EVENTS_MAX_STREAM_SECONDS`). */
export const maxDuration = 300;

/** Bytes a stream may have queued for a client that is not reading before the stream is ended. */
const MAX_QUEUED_BYTES = 1024 * 1024;

/**
 * Parses the resume position: the `Last-Event-ID` header browsers send on reconnect (WHATWG HTML, "Server-sent
 * events"), or `?lastEventId=` for clients that reconnect by hand.
 * @throws AppError `validation` (400) for a value that is not an event id.
 */
function resumeFrom(req: Request): bigint | null {
  const raw = req.headers.get("last-event-id") ?? new URL(req.url).searchParams.get("lastEventId");
  if (raw === null || raw === "") return null;
  if (!/^\d{1,19}$/.test(raw)) {
    throw new AppError("validation", "Last-Event-ID must be an event id from this stream.", [
      { parameter: "lastEventId", detail: "Not an event id." },
    ]);
  }
  return BigInt(raw);
}

/**
 * The caller's live events as Server-Sent Events: replay after `Last-Event-ID` (or `resync`), `ready`, then
 * events as they happen, with keep-alive comments, until the credential it was opened with ends (`unauthorized`).
 * `no-transform` keeps compression (which would buffer) away, and `X-Accel-Buffering: no` tells nginx-style proxies
 * not to buffer.
 */
export const GET = withUser(async ({ req, caller }) => {
  const since = resumeFrom(req);
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const subscription: { off?: () => void } = {};
  let open = true;
  const end = () => {
    if (!open) return;
    open = false;
    subscription.off?.();
    try {
      controller.close();
    } catch {
      // already closed by the client
    }
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      cancel: end,
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }),
  );
  const write = (frame: string) => {
    if (!open) return;
    try {
      controller.enqueue(encoder.encode(frame));
      // A client that stops reading would make frames pile up here: end its stream instead. It reconnects with
      // Last-Event-ID and the replay brings it up to date.
      if ((controller.desiredSize ?? 0) < -MAX_QUEUED_BYTES) end();
    } catch {
      end();
    }
  };
  write("retry: 2000\n\n");
  subscription.off = await getHub().subscribe(caller.userId, caller.credential, since, write, end);
  req.signal.addEventListener("abort", end, { once: true });
  // A client that went away while the stream was being set up (its credential checked, its replay read).
  if (req.signal.aborted) end();
  // Hosts that cut long responses (Vercel: maxDuration) get a clean end instead; the browser reconnects after
  // `retry` with Last-Event-ID and misses nothing.
  const maxSeconds = config().EVENTS_MAX_STREAM_SECONDS;
  if (maxSeconds > 0) setTimeout(end, maxSeconds * 1000).unref();
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
});
