import { eventStreamResponse } from "@/lib/api/event-stream";
import { route } from "@/lib/api/handler";
import { config } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { getHub } from "@/lib/infra/live-hub";
import { streamEvents } from "@/lib/openapi/live";

export const dynamic = "force-dynamic";
/** Vercel's limit for this function, seconds; streams end themselves before it (`EVENTS_MAX_STREAM_SECONDS`). */
export const maxDuration = 300;

/**
 * The resume position: the `Last-Event-ID` header browsers send on reconnect (WHATWG HTML, "Server-sent events"), or
 * `?lastEventId=` for clients that reconnect by hand.
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
 * The caller's live events: replay after `Last-Event-ID` (or `resync`), `ready`, then events as they happen, until
 * the credential the stream was opened with ends (`unauthorized`).
 */
export const GET = route(streamEvents, async ({ req, caller }) => {
  const since = resumeFrom(req);
  return eventStreamResponse(req, ({ write, end }) => getHub().subscribe(caller.userId, caller.credential, since, write, end), {
    retryMs: 2000,
    maxSeconds: config().EVENTS_MAX_STREAM_SECONDS,
  });
});
