import { HydrationBoundary } from "@tanstack/react-query";
import { redirect } from "next/navigation";
import { ChatShell } from "@/components/chat/chat-shell";
import { auth } from "@/lib/auth";
import { prefetchShell } from "@/lib/prefetch";

export const dynamic = "force-dynamic";

/** Signed-in chat frame: thread list (server-prefetched) beside the page. */
export default async function ChatLayout({ children }: { children: React.ReactNode }) {
  const session = await auth();
  if (!session?.user?.id) redirect("/sign-in");
  const { id, username, name } = session.user;
  const state = await prefetchShell(id);
  return (
    <HydrationBoundary state={state}>
      <ChatShell me={{ id, username, name: name && name !== username ? name : null }}>{children}</ChatShell>
    </HydrationBoundary>
  );
}
