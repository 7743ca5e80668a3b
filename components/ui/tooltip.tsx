"use client";

import { Tooltip as TooltipPrimitive } from "@base-ui/react/tooltip";
import { cn } from "@/lib/cn";

/**
 * A short visual hint on hover and keyboard focus (Base UI Tooltip). Visual only: what it says must also be in the
 * trigger's accessible name or description, for screen readers and touch screens (Base UI opens no tooltip on touch
 * by itself; a controlled `open` can). `TooltipProvider` around several makes the next one open at once.
 */
export const Tooltip = TooltipPrimitive.Root;

export const TooltipProvider = TooltipPrimitive.Provider;

/** The element the tooltip describes; `render` makes it an existing button. */
export const TooltipTrigger = TooltipPrimitive.Trigger;

/** The hint's box, portalled to `<body>` above its trigger (flipping to stay on screen). */
export function TooltipContent({
  className,
  children,
  side = "top",
  sideOffset = 6,
  ...props
}: Omit<TooltipPrimitive.Popup.Props, "className"> &
  Pick<TooltipPrimitive.Positioner.Props, "side" | "sideOffset"> & { className?: string }) {
  return (
    <TooltipPrimitive.Portal>
      <TooltipPrimitive.Positioner side={side} sideOffset={sideOffset} collisionPadding={8} className="z-50">
        <TooltipPrimitive.Popup
          // Visual only (above): hidden from assistive technology, which finds the same words on the trigger; else they
          // would be read again at the end of the page, outside its landmarks.
          aria-hidden="true"
          className={cn(
            "max-w-64 origin-(--transform-origin) rounded-lg bg-zinc-900 px-2.5 py-1.5 text-xs font-medium text-white shadow-lg transition-[opacity,scale] duration-100 data-starting-style:scale-95 data-starting-style:opacity-0 data-ending-style:scale-95 data-ending-style:opacity-0 motion-reduce:transition-none dark:bg-zinc-100 dark:text-zinc-900",
            className,
          )}
          {...props}
        >
          {children}
        </TooltipPrimitive.Popup>
      </TooltipPrimitive.Positioner>
    </TooltipPrimitive.Portal>
  );
}
