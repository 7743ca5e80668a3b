import "server-only";

/** Bytes a stream may have queued for a client that is not reading before the stream is ended. */
const MAX_QUEUED_BYTES = 1024 * 1024;

/** Where a stream's frames go (`write`, one or more complete SSE frames) and how it is ended (`end`). */
export interface EventSink {
  write: (frame: string) => void;
  end: () => void;
}

/**
 * A Server-Sent Events response (WHATWG HTML, "Server-sent events") whose frames come from `open`.
 *
 * The stream starts with `retry: <retryMs>` (the browser's reconnect delay), then `open(sink)` subscribes it and
 * resolves to the function that unsubscribes, which runs when the stream ends, whichever side ends it: the
 * subscription (`sink.end`), the client going away (`req.signal`, or the body being cancelled), a client that stops
 * reading while more than {@link MAX_QUEUED_BYTES} are queued for it (it reconnects with `Last-Event-ID` and loses
 * nothing), or `maxSeconds` passing (0: no limit), for hosts that cut long responses (Vercel's `maxDuration`).
 * `no-transform` keeps compression (which would buffer) away, and `X-Accel-Buffering: no` tells nginx-style proxies
 * not to buffer.
 * @throws whatever `open` throws (before any byte is sent, so the caller can still answer with an error).
 */
export async function eventStreamResponse(
  req: Request,
  open: (sink: EventSink) => Promise<() => void>,
  opts: { retryMs: number; maxSeconds: number },
): Promise<Response> {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const subscription: { off?: () => void } = {};
  let streaming = true;
  const end = () => {
    if (!streaming) return;
    streaming = false;
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
    if (!streaming) return;
    try {
      controller.enqueue(encoder.encode(frame));
      if ((controller.desiredSize ?? 0) < -MAX_QUEUED_BYTES) end();
    } catch {
      end();
    }
  };
  write(`retry: ${opts.retryMs}\n\n`);
  subscription.off = await open({ write, end });
  // The subscription may have ended the stream while it was being set up.
  if (!streaming) subscription.off();
  req.signal.addEventListener("abort", end, { once: true });
  // A client that went away while the stream was being set up (its credential checked, its replay read).
  if (req.signal.aborted) end();
  if (opts.maxSeconds > 0) setTimeout(end, opts.maxSeconds * 1000).unref();
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    },
  });
}
