import type { Tag } from "./operation";

/** The document's introduction (Markdown), rendered above the operations at `/docs`. */
export const DESCRIPTION = `
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

/** The document's tags, in the order `/docs` shows them. */
export const TAGS: { name: Tag; description: string }[] = [
    { name: "Threads", description: "Conversations between two or more users: direct conversations and groups." },
    { name: "Groups", description: "Titled threads whose members change: renaming, adding and removing people, roles." },
    { name: "Messages", description: "Sending, reading, editing and deleting messages." },
    { name: "Read state", description: "Read positions and unread counts." },
    { name: "Search", description: "Finding messages in your conversations: words, parts of words, phrases and filters." },
    { name: "Live", description: "Server-Sent Events and typing indicators." },
    { name: "Accounts", description: "Users, registration and API tokens." },
    { name: "Moderation", description: "Reporting a message to the admins, and blocking people." },
    {
      name: "Admin",
      description:
        "The admin area: people, conversations, reports and the audit log. Only active admins reach these operations; to anyone else they answer 404, as if they did not exist. Every change, and every reading of a conversation's messages, is written to the audit log.",
    },
    { name: "Operations", description: "Health and readiness probes for orchestrators and load balancers." },
];
