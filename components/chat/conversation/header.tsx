"use client";

import Link from "next/link";
import { Avatar, GroupAvatar } from "../avatar";
import { ChevronLeft as ChevronLeftIcon, Trash2 as TrashIcon } from "lucide-react";
import type { Person } from "./timeline";

const iconButton =
  "inline-flex h-9 w-9 shrink-0 items-center justify-center rounded-full text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100";

/**
 * The conversation's top bar: a back link (phones only, where the list is another screen), the other participants'
 * avatar and names as the page heading, and the "Delete conversation" button.
 * @param title the other participants' names, comma-separated
 * @param subtitle a quieter second line (a username, or the number of people)
 */
export function ConversationHeader({
  others,
  title,
  subtitle,
  onDelete,
}: {
  others: readonly Person[];
  title: string;
  subtitle: string;
  onDelete: () => void;
}) {
  return (
    <header className="flex h-16 shrink-0 items-center gap-2 border-b border-zinc-200 bg-white/95 px-2 backdrop-blur md:gap-3 md:px-4 dark:border-zinc-800 dark:bg-zinc-950/95">
      <Link href="/" aria-label="Back to conversations" className={`${iconButton} md:hidden`}>
        <ChevronLeftIcon aria-hidden="true" className="h-6 w-6" />
      </Link>
      {others.length > 1 ? <GroupAvatar users={[...others]} /> : others[0] ? <Avatar user={others[0]} /> : null}
      <div className="min-w-0 flex-1">
        <h1 className="truncate text-[15px] font-semibold leading-5">{title}</h1>
        <p className="truncate text-xs leading-5 text-zinc-500 dark:text-zinc-400">{subtitle}</p>
      </div>
      <button type="button" aria-label="Delete conversation" title="Delete conversation" onClick={onDelete} className={iconButton}>
        <TrashIcon aria-hidden="true" className="h-[18px] w-[18px]" />
      </button>
    </header>
  );
}
