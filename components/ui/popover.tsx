"use client";

import { Popover as PopoverPrimitive } from "@base-ui/react/popover";
import { cn } from "@/lib/cn";

/**
 * A popup anchored to a button (Base UI Popover): not modal by default, Escape or a press outside closes it and the
 * focus goes back to the trigger. Controlled with `open` / `onOpenChange`, or not. Label it (`aria-label` on the
 * content) when it has no `PopoverTitle`.
 */
export const Popover = PopoverPrimitive.Root;

/** The button that opens its `Popover` (`aria-expanded`, `data-popup-open` while open). */
export const PopoverTrigger = PopoverPrimitive.Trigger;

/** A button that closes its `Popover`. */
export const PopoverClose = PopoverPrimitive.Close;

/**
 * The popover's box, portalled to `<body>` and placed against its trigger (or `anchor`), flipping and shifting to stay
 * on screen (8 px from the edges, so it fits a phone).
 *
 * @param side / align / sideOffset where it sits against the trigger (default: above, centred, 6 px away)
 * @param initialFocus / finalFocus where the focus goes on opening and closing (Base UI's defaults: the first
 *   tabbable element inside; the trigger)
 */
export function PopoverContent({
  className,
  children,
  side = "top",
  align = "center",
  sideOffset = 6,
  anchor,
  ...props
}: Omit<PopoverPrimitive.Popup.Props, "className"> &
  Pick<PopoverPrimitive.Positioner.Props, "side" | "align" | "sideOffset" | "anchor"> & { className?: string }) {
  return (
    <PopoverPrimitive.Portal>
      <PopoverPrimitive.Positioner
        side={side}
        align={align}
        sideOffset={sideOffset}
        anchor={anchor}
        collisionPadding={8}
        className="z-50 outline-none"
      >
        <PopoverPrimitive.Popup
          className={cn(
            "origin-(--transform-origin) rounded-2xl bg-white text-zinc-900 shadow-lg ring-1 ring-zinc-900/10 outline-none transition-[opacity,scale] duration-100 data-starting-style:scale-95 data-starting-style:opacity-0 data-ending-style:scale-95 data-ending-style:opacity-0 motion-reduce:transition-none dark:bg-zinc-900 dark:text-zinc-100 dark:ring-white/10",
            className,
          )}
          {...props}
        >
          {children}
        </PopoverPrimitive.Popup>
      </PopoverPrimitive.Positioner>
    </PopoverPrimitive.Portal>
  );
}
