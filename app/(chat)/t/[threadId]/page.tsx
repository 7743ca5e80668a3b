import { HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { Conversation } from "@/components/chat/conversation";
import { auth } from "@/lib/auth";
import { AppError } from "@/lib/errors";
import { prefetchConversation } from "@/lib/prefetch";

export const metadata: Metadata = { title: "Parley" };

/** One conversation, server-prefetched; someone outside the thread gets the not-found page. */
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
  return (
    <HydrationBoundary state={state}>
      <Conversation key={threadId} threadId={threadId} me={{ id, username, name: name && name !== username ? name : null }} />
    </HydrationBoundary>
  );
}
