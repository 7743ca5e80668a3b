"use client";

import { useSelectedLayoutSegment } from "next/navigation";
import { useEffect } from "react";
import { signOutAction } from "@/lib/actions/auth";
import { useUnread } from "@/lib/client/queries";
import { displayName } from "@/lib/format";
import { Avatar } from "./avatar";
import { NewConversationButton } from "./new-conversation-dialog";
import { ThreadList } from "./thread-list";
import { UnreadBadge } from "./unread-badge";

export interface Me {
  id: string;
  username: string;
  name: string | null;
}

/**
 * The chat frame: the thread list beside the open conversation. Below 768 px they are separate screens — the list
 * when no thread is open, the conversation (with its back button) when one is.
 */
export function ChatShell({ me, children }: { me: Me; children: React.ReactNode }) {
  const threadOpen = useSelectedLayoutSegment() === "t";
  const total = useUnread().data?.total ?? 0;

  useEffect(() => {
    document.title = total > 0 ? `(${total}) Parley` : "Parley";
  });

  return (
    <div className="flex h-dvh overflow-hidden">
      <aside
        aria-label="Conversations"
        className={`${threadOpen ? "hidden md:flex" : "flex"} w-full flex-col border-r border-zinc-200 md:w-80 lg:w-96 dark:border-zinc-800`}
      >
        <header className="flex items-center gap-2 border-b border-zinc-200 px-4 py-3 dark:border-zinc-800">
          <span className="text-lg font-semibold tracking-tight">Parley</span>
          <UnreadBadge count={total} testId="total-unread" label={`${total} unread messages in total`} />
          <div className="ml-auto flex items-center gap-1">
            <NewConversationButton meId={me.id} />
          </div>
        </header>
        <ThreadList meId={me.id} />
        <footer className="flex items-center gap-3 border-t border-zinc-200 px-4 py-3 dark:border-zinc-800">
          <Avatar user={me} size="sm" />
          <span data-testid="signed-in-as" className="min-w-0 flex-1 truncate text-sm font-medium">
            {displayName(me)}
          </span>
          <form action={signOutAction}>
            <button
              type="submit"
              className="rounded-md px-2 py-1 text-sm text-zinc-600 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-zinc-400 dark:hover:bg-zinc-800"
            >
              Sign out
            </button>
          </form>
        </footer>
      </aside>
      <main className={`${threadOpen ? "flex" : "hidden md:flex"} min-w-0 flex-1 flex-col`}>{children}</main>
    </div>
  );
}
