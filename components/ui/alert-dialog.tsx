"use client";

import { AlertDialog as AlertDialogPrimitive } from "@base-ui/react/alert-dialog";
import { cn } from "@/lib/cn";
import { backdropClass, popupClass } from "./dialog";

/**
 * A modal dialog that asks for an answer before anything else happens (Base UI AlertDialog, `role="alertdialog"`):
 * focus stays inside it, the page behind is inert, Escape closes it, and a press outside does not (unless
 * `onBackdropClick` is given to `AlertDialogContent`). Labelled by its `AlertDialogTitle`, described by its
 * `AlertDialogDescription`. For a yes/no confirmation use `ConfirmDialog`.
 */
export const AlertDialog = AlertDialogPrimitive.Root;

/** A button that closes its `AlertDialog`; style it with `className={buttonVariants(…)}`. */
export const AlertDialogClose = AlertDialogPrimitive.Close;

/**
 * The alert dialog's box, centred on its backdrop and portalled to `<body>`.
 *
 * @param onBackdropClick called on a click on the backdrop (the alert dialog itself ignores such clicks)
 * @param initialFocus the element focused on opening (default: the first focusable one inside)
 * @param finalFocus the element focused on closing (default: the trigger, or what had the focus before)
 */
export function AlertDialogContent({
  className,
  children,
  onBackdropClick,
  ...props
}: Omit<AlertDialogPrimitive.Popup.Props, "className"> & { className?: string; onBackdropClick?: () => void }) {
  return (
    <AlertDialogPrimitive.Portal>
      <AlertDialogPrimitive.Backdrop className={backdropClass} onClick={onBackdropClick} />
      <AlertDialogPrimitive.Popup
        className={cn(popupClass, "fixed left-1/2 top-1/2 w-[min(24rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 p-6", className)}
        {...props}
      >
        {children}
      </AlertDialogPrimitive.Popup>
    </AlertDialogPrimitive.Portal>
  );
}

/** The alert dialog's heading (an `<h2>`); it names the dialog. */
export function AlertDialogTitle({ className, ...props }: Omit<AlertDialogPrimitive.Title.Props, "className"> & { className?: string }) {
  return <AlertDialogPrimitive.Title className={cn("text-base font-semibold", className)} {...props} />;
}

/** What will happen, under the title (announced with it). */
export function AlertDialogDescription({
  className,
  ...props
}: Omit<AlertDialogPrimitive.Description.Props, "className"> & { className?: string }) {
  return <AlertDialogPrimitive.Description className={cn("mt-2 text-sm leading-6 text-zinc-600 dark:text-zinc-400", className)} {...props} />;
}
