"use client";

import { Dialog as DialogPrimitive } from "@base-ui/react/dialog";
import { cn } from "@/lib/cn";

/**
 * The dimmed layer under a modal dialog (dialogs and alert dialogs alike). `absolute` on iOS Safari, whose UI chrome
 * a `fixed` layer would not cover (Base UI's quick start; the body is `relative` for it).
 */
export const backdropClass =
  "fixed inset-0 min-h-dvh bg-zinc-950/40 backdrop-blur-[2px] transition-opacity duration-150 data-starting-style:opacity-0 data-ending-style:opacity-0 motion-reduce:transition-none supports-[-webkit-touch-callout:none]:absolute dark:bg-black/60";

/** The frame every dialog shares: the surface, its ring and shadow, and a short fade and zoom in and out. */
export const popupClass =
  "overflow-hidden rounded-2xl bg-white text-zinc-900 shadow-2xl ring-1 ring-zinc-900/10 outline-none transition-[opacity,scale] duration-150 data-starting-style:scale-[0.98] data-starting-style:opacity-0 data-ending-style:scale-[0.98] data-ending-style:opacity-0 motion-reduce:transition-none dark:bg-zinc-900 dark:text-zinc-100 dark:ring-white/10";

/**
 * A modal dialog (Base UI Dialog): while open, focus stays inside it, the page behind is inert and does not scroll,
 * and Escape or a press outside closes it; closing returns the focus to the element that opened it (its
 * `DialogTrigger`), unless the popup's `finalFocus` says otherwise. Controlled with `open` / `onOpenChange`, or not.
 * It is labelled by its `DialogTitle`.
 */
export const Dialog = DialogPrimitive.Root;

/** The button that opens its `Dialog` (and gets the focus back when it closes). */
export const DialogTrigger = DialogPrimitive.Trigger;

/** A button that closes its `Dialog`; style it with `className={buttonVariants(…)}`. */
export const DialogClose = DialogPrimitive.Close;

/**
 * The dialog's box, on its backdrop, portalled to `<body>`. Placed near the top of the screen rather than centred, so
 * that content whose height changes (search results) grows downwards instead of moving under the pointer.
 *
 * @param initialFocus the element focused on opening (default: the first focusable one inside)
 * @param finalFocus the element focused on closing (default: the trigger, or what had the focus before)
 */
export function DialogContent({ className, children, ...props }: Omit<DialogPrimitive.Popup.Props, "className"> & { className?: string }) {
  return (
    <DialogPrimitive.Portal>
      <DialogPrimitive.Backdrop className={backdropClass} />
      <DialogPrimitive.Popup
        className={cn(popupClass, "fixed inset-x-0 top-3 mx-auto w-[calc(100%-1.5rem)] max-w-lg sm:top-[12vh]", className)}
        {...props}
      >
        {children}
      </DialogPrimitive.Popup>
    </DialogPrimitive.Portal>
  );
}

/** The dialog's heading (an `<h2>`); it names the dialog for assistive technology. */
export function DialogTitle({ className, ...props }: Omit<DialogPrimitive.Title.Props, "className"> & { className?: string }) {
  return <DialogPrimitive.Title className={cn("text-base font-semibold text-zinc-950 dark:text-white", className)} {...props} />;
}

/** A paragraph under the title that describes the dialog (announced with it). */
export function DialogDescription({ className, ...props }: Omit<DialogPrimitive.Description.Props, "className"> & { className?: string }) {
  return <DialogPrimitive.Description className={cn("text-sm leading-6 text-zinc-600 dark:text-zinc-400", className)} {...props} />;
}
