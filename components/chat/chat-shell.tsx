"use client";

import { KeyRound, LogOut, MessageSquare, Shield, UserCog } from "lucide-react";
import Link from "next/link";
import { usePathname, useSelectedLayoutSegment } from "next/navigation";
import { useEffect } from "react";
import { Button, buttonVariants } from "@/components/ui/button";
import { signOutAction } from "@/lib/actions/auth";
import { useLiveStatus } from "@/lib/client/live/connection-status";
import { stopLive, useLiveEvents } from "@/lib/client/live/event-stream";
import { useUnread } from "@/lib/client/queries";
import { displayName } from "@/lib/format";
import { Avatar } from "./avatar";
import { NewConversationButton, NewGroupButton } from "./new-conversation-dialog";
import { ThreadList } from "./thread-list";
import { MentionBadge, UnreadBadge } from "./unread-badge";

export interface Me {
  id: string;
  username: string;
  name: string | null;
  /** An active instance admin: the footer links to the admin area. */
  admin?: boolean;
}

/** Where the footer's settings links lead. */
const TOKENS_PATH = "/settings/tokens";
const ACCOUNT_PATH = "/settings/account";

/** An icon link of the footer to a settings page, marked as the current page while it is open. */
function SettingsLink({ href, label, current, children }: { href: string; label: string; current: boolean; children: React.ReactNode }) {
  return (
    <Link
      href={href}
      aria-label={label}
      title={label}
      aria-current={current ? "page" : undefined}
      className={buttonVariants({
        variant: "ghost",
        size: "icon",
        className:
          "aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-600 dark:aria-[current=page]:bg-indigo-500/15 dark:aria-[current=page]:text-indigo-400",
      })}
    >
      {children}
    </Link>
  );
}

/**
 * The chat frame: the thread list beside the open page (a conversation, or a settings page). Below 768 px
 * they are separate screens — the list on the home page, the page (with its back button) anywhere else.
 */
export function ChatShell({ me, children }: { me: Me; children: React.ReactNode }) {
  // Any segment below the group (`t/[threadId]`, `settings/…`) is a page of its own; none is the home page.
  const pageOpen = useSelectedLayoutSegment() !== null;
  const pathname = usePathname();
  const unread = useUnread().data;
  const total = unread?.total ?? 0;
  const mentions = unread?.mentions ?? 0;
  // The tab's one live stream: open while signed in to the chat, closed on sign-out and when the shell unmounts.
  useLiveEvents(me.id);
  const live = useLiveStatus();

  // The total leads the tab's title: "(3) Parley", "(3 · @1) Parley" when some of them mention the caller. Next renders
  // the page's own <title> from metadata, possibly after this effect ran (streamed metadata, client navigations), so
  // the title is re-applied whenever <head> changes.
  useEffect(() => {
    const title = total > 0 ? `(${total}${mentions > 0 ? ` · @${mentions}` : ""}) Parley` : "Parley";
    const apply = () => {
      if (document.title !== title) document.title = title;
    };
    apply();
    const observer = new MutationObserver(apply);
    observer.observe(document.head, { childList: true, subtree: true, characterData: true });
    return () => observer.disconnect();
  }, [total, mentions]);
  useEffect(
    () => () => {
      document.title = "Parley";
    },
    [],
  );

  // Landmarks and the page's heading: on the home page the list is the page's content (on a phone nothing else shows),
  // so the frame is its `main` and the name its `h1`; elsewhere the list is a complementary landmark beside the page,
  // whose own `main` and `h1` say what it is. The frame and the list change roles rather than elements, so that going
  // from one page to another remounts neither (nor the list's search).
  return (
    <div data-live={live} role={pageOpen ? undefined : "main"} className="flex h-dvh overflow-hidden">
      <aside
        role={pageOpen ? undefined : "none"}
        aria-label={pageOpen ? "Conversations" : undefined}
        className={`${pageOpen ? "hidden md:flex" : "flex"} w-full shrink-0 flex-col border-zinc-200 bg-white md:w-80 md:border-r lg:w-96 dark:border-zinc-800 dark:bg-zinc-950`}
      >
        <header className="flex h-16 shrink-0 items-center gap-2.5 border-b border-zinc-200 pl-4 pr-2.5 dark:border-zinc-800">
          <span aria-hidden="true" className="flex h-8 w-8 items-center justify-center rounded-lg bg-indigo-600 text-white shadow-sm">
            <MessageSquare aria-hidden="true" className="h-4.5 w-4.5" fill="currentColor" />
          </span>
          {pageOpen ? (
            <span className="text-lg font-semibold tracking-tight">Parley</span>
          ) : (
            <h1 className="text-lg font-semibold tracking-tight">Parley</h1>
          )}
          <UnreadBadge count={total} testId="total-unread" label={`${total} unread messages in total`} />
          <MentionBadge
            count={mentions}
            testId="total-mentions"
            label={`${mentions} unread ${mentions === 1 ? "mention" : "mentions"} in total`}
          />
          <div className="ml-auto flex items-center gap-1">
            <NewGroupButton meId={me.id} />
            <NewConversationButton meId={me.id} />
          </div>
        </header>
        <ThreadList meId={me.id} />
        <footer className="flex shrink-0 items-center gap-3 border-t border-zinc-200 py-2.5 pl-4 pr-2.5 dark:border-zinc-800">
          <Avatar user={me} size="sm" />
          <span className="flex min-w-0 flex-1 flex-col leading-tight">
            <span data-testid="signed-in-as" className="truncate text-sm font-semibold">
              {displayName(me)}
            </span>
            <span className="truncate text-xs text-zinc-500 dark:text-zinc-400">@{me.username}</span>
          </span>
          {me.admin && (
            <SettingsLink href="/admin" label="Admin" current={false}>
              <Shield aria-hidden="true" className="h-5 w-5" />
            </SettingsLink>
          )}
          <SettingsLink href={ACCOUNT_PATH} label="Account" current={pathname === ACCOUNT_PATH}>
            <UserCog aria-hidden="true" className="h-5 w-5" />
          </SettingsLink>
          <SettingsLink href={TOKENS_PATH} label="API tokens" current={pathname === TOKENS_PATH}>
            <KeyRound aria-hidden="true" className="h-5 w-5" />
          </SettingsLink>
          <form action={signOutAction} onSubmit={stopLive}>
            <Button type="submit" variant="ghost" size="icon" aria-label="Sign out" title="Sign out">
              <LogOut aria-hidden="true" className="h-5 w-5" />
            </Button>
          </form>
        </footer>
      </aside>
      {pageOpen ? (
        <main className="flex min-w-0 flex-1 flex-col">{children}</main>
      ) : (
        <div className="hidden min-w-0 flex-1 flex-col md:flex">{children}</div>
      )}
    </div>
  );
}
