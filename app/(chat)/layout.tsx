import { HydrationBoundary } from "@tanstack/react-query";
import { TemporaryPasswordScreen } from "@/components/account/temporary-password-lazy";
import { ChatShell } from "@/components/chat/chat-shell";
import { auth } from "@/lib/auth";
import { prefetchShell } from "@/lib/prefetch";
import { isActiveAdmin } from "@/lib/server/roles";
import { mustChangePassword } from "@/lib/server/users";

export const dynamic = "force-dynamic";

/**
 * Signed-in chat frame: thread list (server-prefetched) beside the page. Without a session the page itself
 * redirects to sign-in, since only it knows the path to come back to. Someone signed in with a temporary password
 * sees only the form that replaces it, on every page.
 */
export default async function ChatLayout({ children }: { children: React.ReactNode }) {
  const session = await auth();
  if (!session?.user?.id) return children;
  const { id, username, name } = session.user;
  if (await mustChangePassword(id)) return <TemporaryPasswordScreen />;
  const [state, admin] = await Promise.all([prefetchShell(id), isActiveAdmin(id)]);
  return (
    <HydrationBoundary state={state}>
      <ChatShell me={{ id, username, name: name && name !== username ? name : null, admin }}>{children}</ChatShell>
    </HydrationBoundary>
  );
}
