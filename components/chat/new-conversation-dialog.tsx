"use client";

import { SquarePen as ComposeIcon, Plus as PlusIcon, UsersRound as GroupIcon } from "lucide-react";
import { useRef, useState } from "react";
import { buttonVariants } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { PeoplePicker } from "./new-conversation/people-picker";

/**
 * The "New conversation" button and its modal dialog (labelled by its heading): search people, pick one or more, and
 * land in the thread with exactly them — the existing one if there is one.
 *
 * Opening moves focus to the search box; Escape, Cancel, the close button or a press outside close it, and focus
 * returns to the button.
 *
 * @param meId the signed-in user, left out of the search results.
 * @param variant "icon": a round compose button for the list header; "primary": a filled button with text.
 */
export function NewConversationButton({ meId, variant = "icon" }: { meId: string; variant?: "icon" | "primary" }) {
  const [open, setOpen] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger
        aria-label={variant === "icon" ? "New conversation" : undefined}
        title={variant === "icon" ? "New conversation" : undefined}
        className={
          variant === "icon"
            ? buttonVariants({ variant: "ghost", size: "icon", className: "text-zinc-600 hover:text-indigo-600 dark:text-zinc-300 dark:hover:text-indigo-400" })
            : buttonVariants({ className: "rounded-xl py-2.5" })
        }
      >
        {variant === "icon" ? <ComposeIcon aria-hidden="true" className="h-5 w-5" /> : <PlusIcon aria-hidden="true" className="h-4 w-4" />}
        {variant === "primary" && "New conversation"}
      </DialogTrigger>
      <DialogContent initialFocus={inputRef} className="flex max-h-[calc(100dvh-1.5rem)] flex-col sm:max-h-[76dvh]">
        {/* Mounted only while open (the popup leaves the page when closed): every opening starts afresh. */}
        <PeoplePicker meId={meId} inputRef={inputRef} onClose={() => setOpen(false)} />
      </DialogContent>
    </Dialog>
  );
}

/**
 * The "New group" button (an icon in the list header) and its dialog: a title, then people, then "Create group".
 * Focus starts in the title field and returns to the button when the dialog closes.
 * @param meId the signed-in user, left out of the search results.
 */
export function NewGroupButton({ meId }: { meId: string }) {
  const [open, setOpen] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger
        aria-label="New group"
        title="New group"
        className={buttonVariants({ variant: "ghost", size: "icon", className: "text-zinc-600 hover:text-indigo-600 dark:text-zinc-300 dark:hover:text-indigo-400" })}
      >
        <GroupIcon aria-hidden="true" className="h-5 w-5" />
      </DialogTrigger>
      <DialogContent initialFocus={inputRef} className="flex max-h-[calc(100dvh-1.5rem)] flex-col sm:max-h-[76dvh]">
        <PeoplePicker meId={meId} inputRef={inputRef} onClose={() => setOpen(false)} mode="group" />
      </DialogContent>
    </Dialog>
  );
}
