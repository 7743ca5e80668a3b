import { type DehydratedState, hashKey, HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { Conversation } from "@/components/chat/conversation";
import { formatTexts } from "@/components/chat/conversation/markdown/parse";
import { auth } from "@/lib/auth";
import type { MessagePages } from "@/lib/client/queries";
import { queryKeys } from "@/lib/client/query-keys";
import { AppError } from "@/lib/errors";
import { prefetchConversation } from "@/lib/prefetch";

export const metadata: Metadata = { title: "Parley" };

/** The texts of the messages prefetched into `state`. */
function prefetchedTexts(state: DehydratedState, threadId: string): string[] {
  const hash = hashKey(queryKeys.messages(threadId));
  const data = state.queries.find((q) => q.queryHash === hash)?.state.data as MessagePages | undefined;
  return data?.pages.flatMap((page) => page.data.map((m) => m.text)) ?? [];
}

/**
 * One conversation, server-prefetched, its messages' Markdown formatted here (so that they render formatted from the
 * first paint without the parser in the page's JavaScript: docs/decisions.md, "The chat pages' first load"); someone outside
 * the thread gets the not-found page.
 */
export default async function ThreadPage({ params }: { params: Promise<{ threadId: string }> }) {
  const { threadId } = await params;
  const session = await auth();
  if (!session?.user?.id) redirect(`/sign-in?callbackUrl=${encodeURIComponent(`/t/${threadId}`)}`);
  const { id, username, name } = session.user;
  let state;
  try {
    state = await prefetchConversation(id, threadId);
  } catch (e) {
    if (e instanceof AppError && e.type === "not_found") notFound();
    throw e;
  }
  // The CSP nonce of this request (proxy.ts), for the conversation's inline script (MessageList).
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    <HydrationBoundary state={state}>
      <Conversation
        key={threadId}
        threadId={threadId}
        me={{ id, username, name: name && name !== username ? name : null }}
        nonce={nonce}
        formatted={formatTexts(prefetchedTexts(state, threadId))}
      />
    </HydrationBoundary>
  );
}
