import { createHash } from "node:crypto";
import data from "emojibase-data/en/data.json";
import messages from "emojibase-data/en/messages.json";

// Emojibase's English dataset from the `emojibase-data` package, served from our own origin for the reaction
// picker (components/chat/conversation/emoji-picker.tsx, Frimousse's `emojibaseUrl`): no CDN, so it works offline
// and under the pages' `connect-src 'self'`. Built once (static); Frimousse caches it in localStorage and revalidates
// it with a HEAD request (the ETag) once a session.

export const dynamic = "force-static";
export const dynamicParams = false;

const FILES: Record<string, string> = {
  "data.json": JSON.stringify(data),
  "messages.json": JSON.stringify(messages),
};

export function generateStaticParams() {
  return Object.keys(FILES).map((file) => ({ file }));
}

export async function GET(_request: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  const body = FILES[file];
  if (body === undefined) return new Response(null, { status: 404 });
  return new Response(body, {
    headers: {
      "content-type": "application/json; charset=utf-8",
      etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
      "cache-control": "public, max-age=86400",
    },
  });
}
