"use client";

import { useEffect, useId, useRef, useState } from "react";
import { SquarePen as ComposeIcon, Plus as PlusIcon } from "lucide-react";
import { PeoplePicker } from "./new-conversation/people-picker";

const focusRing = "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500";

/**
 * The "New conversation" button and its dialog (a native modal `<dialog>`, labelled by its heading): search people,
 * pick one or more, and land in the thread with exactly them — the existing one if there is one.
 *
 * Opening moves focus to the search box; Escape, Cancel, the close button or a click on the backdrop close it, and
 * focus returns to the button.
 *
 * @param meId the signed-in user, left out of the search results.
 * @param variant "icon": a round compose button for the list header; "primary": a filled button with text.
 */
export function NewConversationButton({ meId, variant = "icon" }: { meId: string; variant?: "icon" | "primary" }) {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!open || !dialog || dialog.open) return;
    dialog.showModal();
    inputRef.current?.focus();
  }, [open]);

  const close = () => dialogRef.current?.close();

  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        aria-haspopup="dialog"
        aria-label={variant === "icon" ? "New conversation" : undefined}
        title={variant === "icon" ? "New conversation" : undefined}
        onClick={() => setOpen(true)}
        className={
          variant === "icon"
            ? `inline-flex h-9 w-9 items-center justify-center rounded-full text-zinc-600 transition-[background-color,color,border-color] hover:bg-zinc-100 hover:text-indigo-600 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:hover:text-indigo-400 ${focusRing}`
            : `inline-flex items-center gap-2 rounded-xl bg-indigo-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm transition-[background-color,color,border-color] hover:bg-indigo-500 ${focusRing}`
        }
      >
        {variant === "icon" ? <ComposeIcon aria-hidden="true" className="h-5 w-5" /> : <PlusIcon aria-hidden="true" className="h-4 w-4" />}
        {variant === "primary" && "New conversation"}
      </button>
      <dialog
        ref={dialogRef}
        aria-labelledby={titleId}
        onClose={() => {
          setOpen(false);
          buttonRef.current?.focus();
        }}
        onMouseDown={(e) => {
          // A press on the backdrop lands on the <dialog> itself (its content fills the box): close, as menus do.
          if (e.target === e.currentTarget) close();
        }}
        className="mx-auto mb-auto mt-3 max-h-[calc(100dvh-1.5rem)] w-[calc(100%-1.5rem)] max-w-lg flex-col open:flex sm:max-h-[76dvh] overflow-hidden rounded-2xl border-0 bg-white p-0 text-zinc-900 shadow-2xl ring-1 ring-zinc-900/10 backdrop:bg-zinc-950/40 backdrop:backdrop-blur-[2px] sm:mt-[12vh] dark:bg-zinc-900 dark:text-zinc-100 dark:ring-white/10 dark:backdrop:bg-black/60"
      >
        {open && <PeoplePicker meId={meId} titleId={titleId} inputRef={inputRef} onClose={close} />}
      </dialog>
    </>
  );
}
