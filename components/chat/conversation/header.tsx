"use client";

import { ChevronLeft as ChevronLeftIcon, Trash2 as TrashIcon } from "lucide-react";
import Link from "next/link";
import { Button, buttonVariants } from "@/components/ui/button";
import { Avatar, GroupAvatar } from "../avatar";
import type { Person } from "./timeline";

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
      <Link href="/" aria-label="Back to conversations" className={buttonVariants({ variant: "ghost", size: "icon", className: "md:hidden" })}>
        <ChevronLeftIcon aria-hidden="true" className="h-6 w-6" />
      </Link>
      {others.length > 1 ? <GroupAvatar users={[...others]} /> : others[0] ? <Avatar user={others[0]} /> : null}
      <div className="min-w-0 flex-1">
        <h1 className="truncate text-[15px] font-semibold leading-5">{title}</h1>
        <p className="truncate text-xs leading-5 text-zinc-500 dark:text-zinc-400">{subtitle}</p>
      </div>
      <Button variant="ghost" size="icon" aria-label="Delete conversation" title="Delete conversation" onClick={onDelete}>
        <TrashIcon aria-hidden="true" className="h-[18px] w-[18px]" />
      </Button>
    </header>
  );
}
