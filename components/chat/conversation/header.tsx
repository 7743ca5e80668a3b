"use client";

import { ChevronLeft as ChevronLeftIcon, Info as InfoIcon, Search as SearchIcon, Trash2 as TrashIcon } from "lucide-react";
import Link from "next/link";
import { Button, buttonVariants } from "@/components/ui/button";
import type { Thread } from "@/lib/schemas/threads";
import { ThreadAvatar } from "../thread-list/thread-item";

/**
 * The conversation's top bar: a back link (phones only, where the list is another screen), the thread's avatar and
 * name as the page heading, and its action: "Group details" for a group (members, settings, leaving), "Delete
 * conversation" for a direct one; and "Search in conversation" when `onSearch` is given.
 * @param title the group's title, or the other participants' names
 * @param subtitle a quieter second line (presence or a username, or the number of people)
 */
export function ConversationHeader({
  thread,
  meId,
  title,
  subtitle,
  onDelete,
  onDetails,
  onProfile,
  detailsRef,
  onSearch,
}: {
  thread: Thread;
  meId: string;
  title: string;
  subtitle: string;
  onDelete: () => void;
  onDetails: () => void;
  /** Opens the other person's profile card (a direct conversation with one other person). */
  onProfile?: () => void;
  /** Receives the "Group details" button, where the focus goes back after a dialog opened from the panel. */
  detailsRef?: React.Ref<HTMLButtonElement>;
  /** Starts a search of this conversation's messages. */
  onSearch?: () => void;
}) {
  return (
    <header className="flex h-16 shrink-0 items-center gap-2 border-b border-zinc-200 bg-white/95 px-2 backdrop-blur md:gap-3 md:px-4 dark:border-zinc-800 dark:bg-zinc-950/95">
      <Link href="/" aria-label="Back to conversations" className={buttonVariants({ variant: "ghost", size: "icon", className: "md:hidden" })}>
        <ChevronLeftIcon aria-hidden="true" className="h-6 w-6" />
      </Link>
      {onProfile ? (
        <button
          type="button"
          onClick={onProfile}
          aria-label={`Profile of ${title}`}
          className="rounded-full focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500"
        >
          <ThreadAvatar thread={thread} meId={meId} />
        </button>
      ) : (
        <ThreadAvatar thread={thread} meId={meId} />
      )}
      <div className="min-w-0 flex-1">
        <h1 className="truncate text-[15px] font-semibold leading-5">{title}</h1>
        <p data-testid="conversation-subtitle" className="truncate text-xs leading-5 text-zinc-500 dark:text-zinc-400">
          {subtitle}
        </p>
      </div>
      {onSearch && (
        <Button variant="ghost" size="icon" aria-label="Search in conversation" title="Search in conversation" onClick={onSearch}>
          <SearchIcon aria-hidden="true" className="h-[18px] w-[18px]" />
        </Button>
      )}
      {thread.kind === "group" ? (
        <Button ref={detailsRef} variant="ghost" size="icon" aria-label="Group details" title="Group details" onClick={onDetails}>
          <InfoIcon aria-hidden="true" className="h-5 w-5" />
        </Button>
      ) : (
        <Button variant="ghost" size="icon" aria-label="Delete conversation" title="Delete conversation" onClick={onDelete}>
          <TrashIcon aria-hidden="true" className="h-[18px] w-[18px]" />
        </Button>
      )}
    </header>
  );
}
