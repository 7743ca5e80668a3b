"use client";

import { useRef } from "react";
import { AlertDialog, AlertDialogClose, AlertDialogContent, AlertDialogDescription, AlertDialogTitle } from "./alert-dialog";
import { Button, buttonVariants } from "./button";

/**
 * A yes/no confirmation before something that cannot be undone, on the alert dialog: focus is trapped, Escape closes
 * it, and focus returns to where it was (or to `finalFocus`). Controlled: `open` shows it, and every way of
 * dismissing it (Cancel, Escape, a click on the backdrop) calls `onClose`. Cancel has the initial focus, so a stray
 * Enter never destroys anything.
 *
 * @param finalFocus where the focus goes once it has closed, when not back to what opened it (say the button that
 *   opened it is gone): an element ref, or a function returning an element, `true` for the default, `false` for none
 */
export function ConfirmDialog({
  open,
  title,
  description,
  confirmLabel,
  pending = false,
  onConfirm,
  onClose,
  finalFocus,
}: {
  open: boolean;
  title: string;
  description: string;
  /** The destructive button's text, e.g. "Delete". */
  confirmLabel: string;
  /** While the action runs: buttons disabled, dismissing ignored. */
  pending?: boolean;
  onConfirm: () => void;
  onClose: () => void;
  finalFocus?: React.ComponentProps<typeof AlertDialogContent>["finalFocus"];
}) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  const dismiss = () => {
    if (!pending) onClose();
  };
  return (
    <AlertDialog open={open} onOpenChange={(next) => !next && dismiss()}>
      <AlertDialogContent initialFocus={cancelRef} finalFocus={finalFocus} onBackdropClick={dismiss}>
        <AlertDialogTitle>{title}</AlertDialogTitle>
        <AlertDialogDescription>{description}</AlertDialogDescription>
        <div className="mt-6 flex justify-end gap-2">
          <AlertDialogClose ref={cancelRef} disabled={pending} className={buttonVariants({ variant: "secondary" })}>
            Cancel
          </AlertDialogClose>
          <Button variant="danger" disabled={pending} onClick={onConfirm}>
            {confirmLabel}
          </Button>
        </div>
      </AlertDialogContent>
    </AlertDialog>
  );
}
