import { redirect } from "next/navigation";
import { signOutAction } from "@/lib/actions/auth";
import { auth } from "@/lib/auth";
import { getUnreadSummary } from "@/lib/server/read-state";
import { listThreads } from "@/lib/server/threads";

export const dynamic = "force-dynamic";

/**
 * Signed-in home: the caller's threads with unread badges, read straight from the domain layer.
 * The full conversation UI (issue 3) builds on this.
 */
export default async function HomePage() {
  const session = await auth();
  if (!session?.user?.id) redirect("/sign-in?callbackUrl=/");
  const me = session.user;
  const [threads, unread] = await Promise.all([
    listThreads(me.id, { limit: 50, unread: false }),
    getUnreadSummary(me.id),
  ]);
  return (
    <div className="mx-auto flex min-h-dvh max-w-2xl flex-col">
      <header className="flex items-center justify-between border-b border-zinc-200 px-4 py-3 dark:border-zinc-800">
        <div className="flex items-center gap-2">
          <span className="text-lg font-semibold">Parley</span>
          {unread.total > 0 && (
            <span data-testid="total-unread" className="rounded-full bg-indigo-600 px-2 py-0.5 text-xs font-semibold text-white">
              {unread.total > 99 ? "99+" : unread.total}
            </span>
          )}
        </div>
        <form action={signOutAction} className="flex items-center gap-3 text-sm">
          <span data-testid="signed-in-as" className="text-zinc-600 dark:text-zinc-400">
            {me.name ?? me.username}
          </span>
          <button type="submit" className="rounded-md border border-zinc-300 px-3 py-1 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
            Sign out
          </button>
        </form>
      </header>
      <main className="flex-1">
        {threads.data.length === 0 ? (
          <p className="p-8 text-center text-zinc-500">No conversations yet.</p>
        ) : (
          <ul aria-label="Threads" className="divide-y divide-zinc-100 dark:divide-zinc-900">
            {threads.data.map((t) => {
              const others = t.participants.filter((p) => p.id !== me.id);
              const title = others.map((p) => p.name ?? p.username).join(", ");
              const preview = t.lastMessage
                ? `${t.lastMessage.senderId === me.id ? "You: " : ""}${t.lastMessage.text}`
                : "No messages yet";
              return (
                <li key={t.id} className="flex items-center gap-3 px-4 py-3">
                  <div className="min-w-0 flex-1">
                    <p className={`truncate ${t.unreadCount > 0 ? "font-semibold" : ""}`}>{title}</p>
                    <p className="truncate text-sm text-zinc-500">{preview}</p>
                  </div>
                  {t.unreadCount > 0 && (
                    <span aria-label={`${t.unreadCount} unread`} className="rounded-full bg-indigo-600 px-2 py-0.5 text-xs font-semibold text-white">
                      {t.unreadCount > 99 ? "99+" : t.unreadCount}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </main>
    </div>
  );
}
