import { buttonVariants } from "@/components/ui/button";

// The looks of a message's two action buttons, shared by the Base UI triggers (message-item.tsx, reaction-picker.tsx)
// and the plain buttons that stand in for them until the message is armed (message-item.tsx): the same classes, so
// that nothing moves when one replaces the other.

/** The "Message actions" button: beside the bubble on the side away from the sender, shown on hover and focus. */
export const actionsButtonClass = (own: boolean) =>
  buttonVariants({
    variant: "ghost",
    size: "icon",
    // Before one's own bubble, after others'.
    className: `${own ? "" : "order-last"} h-7 w-7 text-zinc-400 opacity-0 group-hover/message:opacity-100 focus-visible:opacity-100 focus-visible:outline-offset-0 data-popup-open:bg-zinc-100 data-popup-open:text-zinc-700 data-popup-open:opacity-100 dark:text-zinc-400 dark:data-popup-open:bg-zinc-800 dark:data-popup-open:text-zinc-200`,
  });

/** The "Add reaction" button, with `place`: its place and visibility among the message's actions. */
export const pickerButtonClass = (place: string) =>
  buttonVariants({
    variant: "ghost",
    size: "icon",
    className: `h-7 w-7 text-zinc-400 focus-visible:outline-offset-0 data-popup-open:bg-zinc-100 data-popup-open:text-zinc-700 data-popup-open:opacity-100 dark:text-zinc-400 dark:data-popup-open:bg-zinc-800 dark:data-popup-open:text-zinc-200 ${place}`,
  });

/** Where the "Add reaction" button goes, and when it shows: between the bubble and the menu's button, on hover and focus. */
export const pickerButtonPlace = (own: boolean) => `${own ? "" : "order-1"} opacity-0 group-hover/message:opacity-100 focus-visible:opacity-100`;
