"use client";

import { SquarePen as ComposeIcon, Plus as PlusIcon, UsersRound as GroupIcon } from "lucide-react";
import { useId, useRef, useState } from "react";
import { buttonVariants } from "@/components/ui/button";
import { lazyModule } from "@/hooks/use-lazy-module";

/**
 * The dialog (Base UI's, and the picker with its search and the group title's validation, which brings the contract's
 * schemas) loads when one of the buttons is first used, not with every chat page: the buttons themselves are plain.
 * Pointing at or focusing a button starts loading it.
 */
const pickerDialog = lazyModule(() => import("./new-conversation/picker-dialog"));

/**
 * A button that opens the picker's dialog, and that dialog once loaded. The dialog opens when it has loaded, so that
 * it mounts complete and focuses its first field; it names the button as its opener (`aria-haspopup`, `aria-expanded`,
 * `aria-controls`, as Base UI's trigger does) and gives it the focus back when it closes.
 */
function PickerButton({
  meId,
  mode,
  className,
  label,
  children,
}: {
  meId: string;
  mode: "conversation" | "group";
  className: string;
  /** The accessible name and tooltip of an icon button. */
  label?: string;
  children: React.ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const popupId = useId();
  const PickerDialog = pickerDialog.useLoaded()?.PickerDialog ?? null;
  const preload = () => void pickerDialog.load().catch(() => undefined);
  const show = () => pickerDialog.whenLoaded(() => setOpen(true));
  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        aria-label={label}
        title={label}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? popupId : undefined}
        onPointerEnter={preload}
        onFocus={preload}
        onClick={show}
        className={className}
      >
        {children}
      </button>
      {PickerDialog && <PickerDialog open={open} onOpenChange={setOpen} meId={meId} mode={mode} id={popupId} finalFocus={buttonRef} />}
    </>
  );
}

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
  return (
    <PickerButton
      meId={meId}
      mode="conversation"
      label={variant === "icon" ? "New conversation" : undefined}
      className={
        variant === "icon"
          ? buttonVariants({ variant: "ghost", size: "icon", className: "text-zinc-600 hover:text-indigo-600 dark:text-zinc-300 dark:hover:text-indigo-400" })
          : buttonVariants({ className: "rounded-xl py-2.5" })
      }
    >
      {variant === "icon" ? <ComposeIcon aria-hidden="true" className="h-5 w-5" /> : <PlusIcon aria-hidden="true" className="h-4 w-4" />}
      {variant === "primary" && "New conversation"}
    </PickerButton>
  );
}

/**
 * The "New group" button (an icon in the list header) and its dialog: a title, then people, then "Create group".
 * Focus starts in the title field and returns to the button when the dialog closes.
 * @param meId the signed-in user, left out of the search results.
 */
export function NewGroupButton({ meId }: { meId: string }) {
  return (
    <PickerButton
      meId={meId}
      mode="group"
      label="New group"
      className={buttonVariants({ variant: "ghost", size: "icon", className: "text-zinc-600 hover:text-indigo-600 dark:text-zinc-300 dark:hover:text-indigo-400" })}
    >
      <GroupIcon aria-hidden="true" className="h-5 w-5" />
    </PickerButton>
  );
}
