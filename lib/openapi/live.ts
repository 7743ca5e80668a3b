import { z } from "zod";
import { defineOperation } from "./operation";
import { threadParams } from "./threads";

export const streamEvents = defineOperation({
  method: "GET",
  path: "/api/events",
  operationId: "streamEvents",
  summary: "Stream live events",
  description: [
    "A Server-Sent Events stream (`text/event-stream`). Each event's `event:` is its type and `data:` its JSON",
    "(schemas `Event_*`). Stored events carry an `id:`; reconnect with `Last-Event-ID` (browsers do it",
    "themselves) or `?lastEventId=` to get what was missed, or a `resync` event when too much was. The stream",
    "starts with `ready`; keep-alive comments keep proxies from closing it. It lives as long as the credential it",
    "was opened with: when the token is revoked or the session ends or expires, an `unauthorized` event says why",
    "and the stream closes; reconnecting with that credential then gets `401`.",
  ].join(" "),
  tag: "Live",
  auth: "required",
  query: z.object({ lastEventId: z.string().optional().meta({ description: "Resume after this event id." }) }),
  parseQuery: false,
  ok: { 200: { description: "The event stream; it stays open." } },
  errors: { 400: "`Last-Event-ID` is not an event id." },
  stream: true,
});

export const sendTyping = defineOperation({
  method: "POST",
  path: "/api/threads/{id}/typing",
  operationId: "sendTyping",
  summary: "Say you are typing",
  description: "The other participants get a `typing` event that lasts a few seconds; repeat it while typing.",
  tag: "Live",
  auth: "required",
  params: threadParams,
  ok: { 204: { description: "Announced." } },
});
