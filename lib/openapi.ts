import "server-only";
import { z } from "zod";
import {
  createDocument,
  createSchema,
  type ZodOpenApiObject,
  type ZodOpenApiOperationObject,
  type ZodOpenApiResponseObject,
} from "zod-openapi";
import { MAX_BODY_BYTES } from "./api/parse";
import { idParams, page, problem } from "./schemas/common";
import { eventPayloads } from "./schemas/events";
import { editMessageBody, listMessagesQuery, message, sendMessageBody, unreadMessagesQuery } from "./schemas/messages";
import { createThreadBody, listThreadsQuery, markReadBody, readState, thread, unreadSummary } from "./schemas/threads";
import { apiToken, createdToken, createTokenBody, listTokensQuery } from "./schemas/tokens";
import { health, readiness } from "./schemas/health";
import { me, publicUser, registerBody, searchUsersQuery, updateMeBody } from "./schemas/users";

/**
 * The OpenAPI 3.1 description of `/api`, generated from the zod schemas the route handlers validate with and shape
 * their answers by (zod-openapi), so the two cannot disagree by construction; tests/contract.test.ts checks that every
 * answer the handlers give is one the document describes. Served at `/api/openapi.json`, rendered at `/docs`.
 */

const problemContent = { "application/problem+json": { schema: problem } };

/** What each error status means, whichever operation answers it. */
const ERROR_STATUSES = {
  400: "Invalid input: `errors` names each field (`pointer`) or parameter (`parameter`) at fault. Nothing changed.",
  401: "No valid credentials: sign in, or send `Authorization: Bearer <token>`. Carries a `WWW-Authenticate` challenge.",
  403: "Authenticated, but not allowed to do this.",
  404: "No such resource, or not one the caller can see (the two are not told apart).",
  409: "Conflicts with the current state.",
  413: `The body is larger than ${MAX_BODY_BYTES} bytes.`,
  415: "The body is not JSON (`Content-Type: application/json`).",
  429: "Rate limited: nothing changed. Retry after `Retry-After` seconds; `RateLimit-*` say how the limit stands.",
  503: "The database is unavailable for a moment (restarting, or this instance is shutting down). Retry after `Retry-After` seconds. A write cut off by the outage may have been applied: retry sends with the same `clientMessageId`.",
} as const;
type ErrorStatus = keyof typeof ERROR_STATUSES;

const requestIdHeader = z.string().meta({ description: "The request's id (a well-formed incoming one is kept)." });

function errorResponse(status: ErrorStatus, detail?: string): ZodOpenApiResponseObject {
  const headers: Record<string, z.ZodType> = { "X-Request-Id": requestIdHeader };
  if (status === 401) headers["WWW-Authenticate"] = z.string().meta({ example: 'Bearer realm="parley"' });
  if (status === 503 || status === 429) headers["Retry-After"] = z.string().meta({ description: "Seconds.", example: "2" });
  if (status === 429) Object.assign(headers, rateLimitHeaders);
  return {
    description: detail ? `${ERROR_STATUSES[status]} ${detail}` : ERROR_STATUSES[status],
    headers: z.object(headers),
    content: problemContent,
  };
}

/** draft-ietf-httpapi-ratelimit-headers-06, as lib/infra/rate-limit.ts sends them. */
const rateLimitHeaders = {
  "RateLimit-Limit": z.string().meta({ description: "Requests allowed per window.", example: "300" }),
  "RateLimit-Remaining": z.string().meta({ description: "Requests left in the current window.", example: "299" }),
  "RateLimit-Reset": z.string().meta({ description: "Seconds until the window ends.", example: "42" }),
  "RateLimit-Policy": z.string().meta({ description: "`<limit>;w=<window seconds>`.", example: "300;w=60" }),
};

/** A response status as zod-openapi types the keys of `responses`. */
type StatusKey = `${1 | 2 | 3 | 4 | 5}${string}`;

/** `none`: the operation reads no credentials (a stale or malformed one is no reason to fail). */
type Auth = "required" | "optional" | "none";

interface OperationSpec {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  auth: Auth;
  path?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Success answers: status → description and JSON schema (none for 204). */
  ok: Record<number, { description: string; schema?: z.ZodType; location?: boolean }>;
  /** `false` for the one operation that does not touch the database (no 503). */
  database?: false;
  /** Error statuses besides the ones every operation of its kind has (see {@link operation}). */
  errors?: Partial<Record<ErrorStatus, string>>;
}

const jsonResponse = (description: string, schema?: z.ZodType, location = false): ZodOpenApiResponseObject => ({
  description,
  headers: z.object({
    "X-Request-Id": requestIdHeader,
    ...(location ? { Location: z.string().meta({ description: "The resource's URL path." }) } : {}),
  }),
  ...(schema ? { content: { "application/json": { schema } } } : {}),
});

/**
 * One operation with the error answers its shape implies: 400 for a query or a body, 413 and 415 for a body, 401
 * when it needs a caller, 404 for a path id, 503 for every operation that uses the database.
 */
function operation(spec: OperationSpec): ZodOpenApiOperationObject {
  const errors = new Map<ErrorStatus, string | undefined>();
  if (spec.query || spec.body) errors.set(400, undefined);
  if (spec.auth === "required") errors.set(401, undefined);
  if (spec.path) errors.set(404, undefined);
  if (spec.body) {
    errors.set(413, undefined);
    errors.set(415, undefined);
  }
  if (spec.database !== false) errors.set(503, undefined);
  for (const [status, detail] of Object.entries(spec.errors ?? {})) errors.set(Number(status) as ErrorStatus, detail);

  const responses: ZodOpenApiOperationObject["responses"] = {};
  for (const [status, r] of Object.entries(spec.ok)) {
    responses[status as StatusKey] = jsonResponse(r.description, r.schema, r.location);
  }
  for (const status of [...errors.keys()].sort()) responses[`${status}`] = errorResponse(status, errors.get(status));

  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: spec.tags,
    security:
      spec.auth === "required"
        ? [{ bearerAuth: [] }, { sessionCookie: [] }]
        : spec.auth === "optional"
          ? [{}, { bearerAuth: [] }, { sessionCookie: [] }]
          : [],
    ...(spec.path || spec.query ? { requestParams: { ...(spec.path ? { path: spec.path } : {}), ...(spec.query ? { query: spec.query } : {}) } } : {}),
    ...(spec.body ? { requestBody: { required: true, content: { "application/json": { schema: spec.body } } } } : {}),
    responses,
  };
}

const threadId = z.object({ id: idParams.shape.id.meta({ description: "The thread's id." }) });
const messageId = z.object({ id: idParams.shape.id.meta({ description: "The message's id." }) });
const tokenId = z.object({ id: idParams.shape.id.meta({ description: "The token's id." }) });
const userId = z.object({ id: idParams.shape.id.meta({ description: "The user's id." }) });

const messagePage = page(message).meta({ id: "MessagePage" });
const threadPage = page(thread).meta({ id: "ThreadPage" });
const userPage = page(publicUser).meta({ id: "UserPage" });
const tokenPage = page(apiToken).meta({ id: "ApiTokenPage" });

const DESCRIPTION = `
Parley's REST API: threads between two or more users, their messages, read state and unread counts, and a live
event stream. The web app uses the same API.

## Authentication
Send a personal access token as \`Authorization: Bearer <token>\`. Get the first one with your username and password,
then create more (one per integration) and revoke them in the app's *API tokens* page or with \`DELETE /api/tokens/{id}\`:

\`\`\`sh
curl -s -X POST https://parley.example/api/tokens -H 'content-type: application/json' \\
  -d '{"username": "grace", "password": "…", "name": "my script"}'
# → 201 {"id": "…", "name": "my script", "token": "prly_…", "createdAt": "…"}   (the secret is shown once)
export TOKEN=prly_…
curl -s https://parley.example/api/unread -H "authorization: Bearer $TOKEN"
\`\`\`

A request with an \`Authorization\` header is judged by it alone: cookies are ignored. Without one, the browser's
session cookie (from signing in to the web app) is used. A missing, malformed, unknown or revoked token is \`401\`.

## Errors
Every error is \`application/problem+json\` (RFC 9457): \`type\` names the kind (\`/problems/validation\`,
\`/problems/not-found\`, …), \`detail\` says what went wrong, \`requestId\` matches the \`X-Request-Id\` header, and
invalid input lists each field at fault in \`errors\` (\`pointer\` into the body, or \`parameter\`). A request that
fails with a 4xx changes nothing. A \`503\` (the database restarting) says \`Retry-After\`; a write it cut off may
have been applied just before, which is why sends take a \`clientMessageId\`. A thread or message that exists but is
not yours is \`404\`, as one that does not exist.

## Pagination
Lists answer \`{"data": [...], "nextCursor": "…" | null}\`. Pass \`nextCursor\` back as \`cursor\` for the next page;
\`null\` means the last page. Cursors are opaque and keep paging exact while messages arrive or are deleted: each item
appears once. \`limit\` is 1–100.

\`\`\`sh
curl -s "https://parley.example/api/threads?limit=20" -H "authorization: Bearer $TOKEN"
curl -s "https://parley.example/api/threads?limit=20&cursor=eyJ0Ijoi…" -H "authorization: Bearer $TOKEN"
\`\`\`

## Rate limits
Limits are counted per user across every instance and answered with \`429 Too Many Requests\`, a \`Retry-After\`
(seconds) and the \`RateLimit-Limit\`, \`RateLimit-Remaining\`, \`RateLimit-Reset\` (seconds) and \`RateLimit-Policy\`
fields of the IETF draft (\`draft-ietf-httpapi-ratelimit-headers-06\`). Successful writes carry the same
\`RateLimit-*\` fields, so a client can slow down before it is refused. A refused request changes nothing. The
defaults, which each instance's operator may change:

| what | counted per | default |
|---|---|---|
| writes (\`POST\`, \`PATCH\`, \`DELETE\`) | user | 300 a minute |
| wrong passwords (sign-in, \`POST /api/tokens\` with a password) | client IP and username | 10 per 15 minutes |
| API tokens issued | user | 20 an hour |
| accounts created | client IP | 20 an hour |

\`\`\`sh
curl -si -X POST "https://parley.example/api/threads/$THREAD/read" -H "authorization: Bearer $TOKEN" | grep -i ratelimit
# RateLimit-Limit: 300   RateLimit-Remaining: 297   RateLimit-Reset: 41   RateLimit-Policy: 300;w=60
\`\`\`

## Browsers and CSRF
A write sent by a browser from another site's page (\`Sec-Fetch-Site: cross-site\`, or an \`Origin\` of another host)
is \`403\` unless it carries a bearer token: session cookies cannot be used cross-site.

## Conditional requests
Thread lists and message pages (\`GET /api/threads\`, \`GET /api/threads/{id}/messages\`, \`GET /api/messages/unread\`)
carry an \`ETag\`. Send it back as \`If-None-Match\` and Parley answers \`304 Not Modified\` with no body while the
page is unchanged, which is cheap to poll:

\`\`\`sh
curl -si "https://parley.example/api/threads" -H "authorization: Bearer $TOKEN" | grep -i etag   # ETag: W/"2f1-…"
curl -si "https://parley.example/api/threads" -H "authorization: Bearer $TOKEN" -H 'if-none-match: W/"2f1-…"'   # 304
\`\`\`

## Idempotency
Send a \`clientMessageId\` with each message (any printable ASCII, up to 128 characters, unique per sender). If the
response is lost and you send again with the same key, Parley answers \`200\` with the original message instead of
\`201\` and sends nothing twice. The same key in another thread is \`409\`. Create-or-get (\`POST /api/threads\`) is
idempotent by nature: the same participants always give the same thread (\`201\` the first time, \`200\` after).

\`\`\`sh
curl -s -X POST "https://parley.example/api/threads/$THREAD/messages" -H "authorization: Bearer $TOKEN" \\
  -H 'content-type: application/json' -d '{"text": "Hello", "clientMessageId": "9b2f0c1e-retry-safe"}'
\`\`\`

## Read state and unread counts
Each participant has a read position (\`lastReadSeq\`) per thread; \`POST /api/threads/{id}/read\` moves yours forward
(never back), to a message or to the newest. \`GET /api/unread\` gives your total and per-thread counts in one call.

## Live events
\`GET /api/events\` is a Server-Sent Events stream of what happens in your threads (new, edited and deleted messages,
read positions, threads created and deleted, typing). Reconnect with \`Last-Event-ID\` to get what you missed.
A stream ends with an \`unauthorized\` event when the token or session it was opened with stops working.
`.trim();

/** The live events' `data` schemas by component name: `Event_messageCreated`, …. */
const eventSchemas = Object.entries(eventPayloads).map(([type, schema]) => ({
  id: `Event_${type.replace(/\.(\w)/, (_, c: string) => c.toUpperCase())}`,
  schema: schema.meta({ description: `\`data\` of a \`${type}\` event.` }),
}));

const spec: ZodOpenApiObject = {
  openapi: "3.1.0",
  info: {
    title: "Parley API",
    version: "1.0.0",
    description: DESCRIPTION,
    license: { name: "MIT", identifier: "MIT" },
  },
  servers: [{ url: "/", description: "This Parley instance" }],
  tags: [
    { name: "Threads", description: "Conversations between two or more users." },
    { name: "Messages", description: "Sending, reading, editing and deleting messages." },
    { name: "Read state", description: "Read positions and unread counts." },
    { name: "Live", description: "Server-Sent Events and typing indicators." },
    { name: "Accounts", description: "Users, registration and API tokens." },
    { name: "Operations", description: "Health and readiness probes for orchestrators and load balancers." },
  ],
  components: {
    securitySchemes: {
      bearerAuth: { type: "http", scheme: "bearer", description: "A personal access token (`prly_…`) from `POST /api/tokens`." },
      sessionCookie: {
        type: "apiKey",
        in: "cookie",
        name: "authjs.session-token",
        description: "The web app's session cookie (`__Secure-authjs.session-token` over HTTPS).",
      },
    },
  },
  paths: {
    "/api/threads": {
      get: operation({
        operationId: "listThreads",
        summary: "List your threads",
        description: "Most recent activity first, each with its participants, last message and your unread count.",
        tags: ["Threads"],
        auth: "required",
        query: listThreadsQuery,
        ok: { 200: { description: "A page of threads.", schema: threadPage } },
      }),
      post: operation({
        operationId: "createOrGetThread",
        summary: "Create a thread, or get the one that exists",
        description:
          "There is exactly one thread per set of participants: the caller and `participantIds`. The caller may be listed or not.",
        tags: ["Threads"],
        auth: "required",
        body: createThreadBody,
        ok: {
          200: { description: "The thread that already existed for exactly these participants.", schema: thread, location: true },
          201: { description: "A new thread.", schema: thread, location: true },
        },
        errors: { 404: "An id in `participantIds` names no user.", 409: "The thread changed while it was being created; try again." },
      }),
    },
    "/api/threads/{id}": {
      get: operation({
        operationId: "getThread",
        summary: "Get a thread",
        description: "With every participant's read position.",
        tags: ["Threads"],
        auth: "required",
        path: threadId,
        ok: { 200: { description: "The thread.", schema: thread } },
      }),
      delete: operation({
        operationId: "deleteThread",
        summary: "Delete a thread",
        description: "Deletes the thread and its messages for every participant. Any participant may.",
        tags: ["Threads"],
        auth: "required",
        path: threadId,
        ok: { 204: { description: "Deleted." } },
      }),
    },
    "/api/threads/{id}/messages": {
      get: operation({
        operationId: "listMessages",
        summary: "List a thread's messages",
        description: "Newest first; with `after`, the messages after that one, oldest first (to catch up).",
        tags: ["Messages"],
        auth: "required",
        path: threadId,
        query: listMessagesQuery,
        ok: { 200: { description: "A page of messages.", schema: messagePage } },
        errors: { 404: "Also when `after` is not a message of this thread." },
      }),
      post: operation({
        operationId: "sendMessage",
        summary: "Send a message",
        description:
          "Text of 1–4,000 characters after trimming. Sending marks the thread read for the sender and adds one to every other participant's unread count.",
        tags: ["Messages"],
        auth: "required",
        path: threadId,
        body: sendMessageBody,
        ok: {
          200: { description: "A repeated `clientMessageId`: the original message; nothing was sent.", schema: message, location: true },
          201: { description: "Sent.", schema: message, location: true },
        },
        errors: { 409: "This `clientMessageId` was already used for a message in another thread." },
      }),
    },
    "/api/threads/{id}/read": {
      post: operation({
        operationId: "markThreadRead",
        summary: "Mark a thread read",
        description:
          "Moves your read position to `upToMessageId` (that message and every earlier one become read), or to the newest message when it is left out. It never moves backwards.",
        tags: ["Read state"],
        auth: "required",
        path: threadId,
        body: markReadBody,
        ok: { 200: { description: "Your unread count in the thread afterwards.", schema: readState } },
        errors: { 404: "Also when `upToMessageId` is not a message of this thread." },
      }),
    },
    "/api/threads/{id}/typing": {
      post: operation({
        operationId: "sendTyping",
        summary: "Say you are typing",
        description: "The other participants get a `typing` event that lasts a few seconds; repeat it while typing.",
        tags: ["Live"],
        auth: "required",
        path: threadId,
        ok: { 204: { description: "Announced." } },
      }),
    },
    "/api/messages/{id}": {
      get: operation({
        operationId: "getMessage",
        summary: "Get a message",
        tags: ["Messages"],
        auth: "required",
        path: messageId,
        ok: { 200: { description: "The message.", schema: message } },
      }),
      patch: operation({
        operationId: "editMessage",
        summary: "Edit your message",
        description: "Replaces the text and sets `editedAt`. Nobody's read state changes.",
        tags: ["Messages"],
        auth: "required",
        path: messageId,
        body: editMessageBody,
        ok: { 200: { description: "The edited message.", schema: message } },
        errors: { 403: "Only the sender can edit a message." },
      }),
      delete: operation({
        operationId: "deleteMessage",
        summary: "Delete your message",
        description: "Unread counts that included it go down by one.",
        tags: ["Messages"],
        auth: "required",
        path: messageId,
        ok: { 204: { description: "Deleted." } },
        errors: { 403: "Only the sender can delete a message." },
      }),
    },
    "/api/messages/{id}/read": {
      post: operation({
        operationId: "markMessageRead",
        summary: "Mark a message read",
        description: "This message and every earlier one in its thread become read for you.",
        tags: ["Read state"],
        auth: "required",
        path: messageId,
        ok: { 200: { description: "Your unread count in the message's thread afterwards.", schema: readState } },
      }),
    },
    "/api/messages/unread": {
      get: operation({
        operationId: "listUnreadMessages",
        summary: "List your unread messages",
        description: "Across all your threads, newest first.",
        tags: ["Read state"],
        auth: "required",
        query: unreadMessagesQuery,
        ok: { 200: { description: "A page of unread messages.", schema: messagePage } },
      }),
    },
    "/api/unread": {
      get: operation({
        operationId: "getUnreadCounts",
        summary: "Your unread counts",
        description: "The total and the count of each thread with unread messages (threads with none are left out).",
        tags: ["Read state"],
        auth: "required",
        ok: { 200: { description: "Unread counts.", schema: unreadSummary } },
      }),
    },
    "/api/events": {
      get: {
        ...operation({
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
          tags: ["Live"],
          auth: "required",
          query: z.object({ lastEventId: z.string().optional().meta({ description: "Resume after this event id." }) }),
          ok: {},
          errors: { 400: "`Last-Event-ID` is not an event id." },
        }),
      },
    },
    "/api/users": {
      get: operation({
        operationId: "searchUsers",
        summary: "Find users",
        description: "Users whose username or name contains `q`, by username.",
        tags: ["Accounts"],
        auth: "required",
        query: searchUsersQuery,
        ok: { 200: { description: "A page of users.", schema: userPage } },
      }),
    },
    "/api/users/me": {
      get: operation({
        operationId: "getMe",
        summary: "Your account",
        tags: ["Accounts"],
        auth: "required",
        ok: { 200: { description: "Your account.", schema: me } },
      }),
      patch: operation({
        operationId: "updateMe",
        summary: "Change your display name",
        tags: ["Accounts"],
        auth: "required",
        body: updateMeBody,
        ok: { 200: { description: "Your account.", schema: me } },
      }),
    },
    "/api/users/{id}": {
      get: operation({
        operationId: "getUser",
        summary: "Get a user",
        tags: ["Accounts"],
        auth: "required",
        path: userId,
        ok: { 200: { description: "The user.", schema: publicUser } },
      }),
    },
    "/api/auth/register": {
      post: operation({
        operationId: "register",
        summary: "Create an account",
        tags: ["Accounts"],
        auth: "none",
        body: registerBody,
        ok: { 201: { description: "The new account.", schema: me, location: true } },
        errors: { 409: "The username is taken." },
      }),
    },
    "/api/tokens": {
      get: operation({
        operationId: "listTokens",
        summary: "List your API tokens",
        description: "Newest first, without their secrets.",
        tags: ["Accounts"],
        auth: "required",
        query: listTokensQuery,
        ok: { 200: { description: "A page of tokens.", schema: tokenPage } },
      }),
      post: operation({
        operationId: "createToken",
        summary: "Create an API token",
        description:
          "With `username` and `password` no session or token is needed (how an integration gets its first token); with only `name`, the caller must be signed in or send a token. The answer is the only time the secret is shown.",
        tags: ["Accounts"],
        auth: "optional",
        body: createTokenBody,
        ok: { 201: { description: "The token, with its secret.", schema: createdToken, location: true } },
        errors: { 401: "Wrong username or password, or neither credentials nor a caller." },
      }),
    },
    "/api/health": {
      get: operation({
        operationId: "getHealth",
        summary: "Liveness",
        description: "`200` while the process serves requests. It checks nothing else: a database outage does not fail it, so an orchestrator does not restart instances that cannot fix it.",
        tags: ["Operations"],
        auth: "none",
        database: false,
        ok: { 200: { description: "The process is up.", schema: health } },
      }),
    },
    "/api/ready": {
      get: operation({
        operationId: "getReadiness",
        summary: "Readiness",
        description: "`200` when this instance can serve: the database answers and has every migration this version needs. Send traffic only to ready instances.",
        tags: ["Operations"],
        auth: "none",
        ok: { 200: { description: "Ready.", schema: readiness } },
        errors: { 503: "The database cannot be reached, migrations are not applied yet, or the instance is shutting down." },
      }),
    },
    "/api/tokens/{id}": {
      delete: operation({
        operationId: "revokeToken",
        summary: "Revoke an API token",
        description: "Requests with it fail from now on, on every instance.",
        tags: ["Accounts"],
        auth: "required",
        path: tokenId,
        ok: { 204: { description: "Revoked." } },
      }),
    },
  },
};

/** What limits each write, for its 429's description (lib/infra/rate-limit.ts). */
const WRITE_LIMITS: Record<string, string> = {
  register: "Too many accounts created from this IP address (`RATE_LIMIT_SIGN_UP`).",
  createToken:
    "Too many tokens issued to this user (`RATE_LIMIT_TOKEN_CREATION`), or too many wrong passwords for this username from this IP address (`RATE_LIMIT_SIGN_IN`).",
};

// Every write is rate limited and refuses cross-site browser requests: 403 and 429 on each, and the RateLimit-*
// fields on its successes.
for (const item of Object.values(spec.paths ?? {})) {
  for (const method of ["post", "put", "patch", "delete"] as const) {
    const op = item[method];
    if (!op?.responses) continue;
    for (const [status, response] of Object.entries(op.responses)) {
      const headers = (response as ZodOpenApiResponseObject).headers;
      if (status.startsWith("2") && headers instanceof z.ZodObject) {
        (response as ZodOpenApiResponseObject).headers = headers.extend(
          Object.fromEntries(Object.entries(rateLimitHeaders).map(([name, schema]) => [name, schema.optional()])),
        );
      }
    }
    const forbidden = op.responses["403"] as ZodOpenApiResponseObject | undefined;
    const crossSite = "Also for a browser request from another site that carries no bearer token.";
    op.responses["403"] = forbidden
      ? { ...forbidden, description: `${forbidden.description} ${crossSite}` }
      : errorResponse(403, crossSite);
    op.responses["429"] = errorResponse(429, WRITE_LIMITS[op.operationId ?? ""] ?? "Too many writes by this user (`RATE_LIMIT_WRITES`).");
  }
}

// Thread lists and message pages can be revalidated (conditionalJson in lib/api/handler.ts): an ETag on the 200, an
// If-None-Match parameter, and 304.
for (const [path, method] of [["/api/threads", "get"], ["/api/threads/{id}/messages", "get"], ["/api/messages/unread", "get"]] as const) {
  const op = spec.paths![path]![method]!;
  const ok = op.responses!["200"] as ZodOpenApiResponseObject;
  ok.headers = (ok.headers as z.ZodObject).extend({
    ETag: z.string().meta({ description: "A weak tag of this answer, for `If-None-Match`.", example: 'W/"2f1-q0Y8yXcP0D1m6x3gZ2u8Jr2QeQw"' }),
    "Cache-Control": z.string().meta({ example: "private, no-cache" }),
  });
  op.requestParams = {
    ...op.requestParams,
    header: z.object({
      "If-None-Match": z.string().optional().meta({ description: "The `ETag` of a copy you hold: `304` if it is still current." }),
    }),
  };
  op.responses!["304"] = {
    description: "Not modified: the copy whose `ETag` you sent is still current. No body.",
    headers: z.object({ "X-Request-Id": requestIdHeader, ETag: z.string() }),
  };
}

// The event stream's 200 is not JSON.
const events = spec.paths!["/api/events"]!.get!;
events.responses = {
  200: {
    description: "The event stream; it stays open.",
    headers: z.object({ "X-Request-Id": requestIdHeader }),
    content: { "text/event-stream": { schema: z.string() } },
  },
  ...events.responses,
};

/**
 * Builds the document. The events' schemas are added as components afterwards, rendered as output: given to
 * createDocument as components, they would also be rendered as input and split every shared schema in two
 * (`Thread` and `ThreadOutput`).
 */
function build(): ReturnType<typeof createDocument> {
  const document = createDocument(spec);
  const schemas = (document.components ??= {}).schemas ??= {};
  for (const { id, schema } of eventSchemas) {
    const { schema: rendered, components } = createSchema(schema, { io: "output" });
    for (const [name, component] of Object.entries(components ?? {})) {
      if (schemas[name] && JSON.stringify(schemas[name]) !== JSON.stringify(component)) {
        throw new Error(`OpenAPI: the events render ${name} differently from the operations`);
      }
      schemas[name] = component;
    }
    schemas[id] = rendered;
  }
  return document;
}

let cached: ReturnType<typeof createDocument> | undefined;

/**
 * The OpenAPI 3.1 document (a plain JSON-serialisable object), built once per process.
 * @throws Error when a schema cannot be represented (a programming error, caught by tests/openapi.test.ts).
 */
export function openApiDocument(): ReturnType<typeof createDocument> {
  cached ??= build();
  return cached;
}
