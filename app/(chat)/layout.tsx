import { HydrationBoundary } from "@tanstack/react-query";
import { ChatShell } from "@/components/chat/chat-shell";
import { auth } from "@/lib/auth";
import { prefetchShell } from "@/lib/prefetch";

export const dynamic = "force-dynamic";

/**
 * Signed-in chat frame: thread list (server-prefetched) beside the page. Without a session the page itself
 * redirects to sign-in, since only it knows the path to come back to.
 */
export default async function ChatLayout({ children }: { children: React.ReactNode }) {
  const session = await auth();
  if (!session?.user?.id) return children;
  const { id, username, name } = session.user;
  const state = await prefetchShell(id);
  return (
    <HydrationBoundary state={state}>
      <ChatShell me={{ id, username, name: name && name !== username ? name : null }}>{children}</ChatShell>
    </HydrationBoundary>
  );
}
