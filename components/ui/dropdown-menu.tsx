"use client";

import { Menu as MenuPrimitive } from "@base-ui/react/menu";
import { cn } from "@/lib/cn";

/**
 * A menu of actions that opens from a button (Base UI Menu, WAI-ARIA's menu button): `role="menu"` with
 * `role="menuitem"` entries, arrow keys and typeahead move between them, Enter or a click runs one and closes the menu,
 * Escape or a press outside closes it, and the focus goes back to the trigger. Controlled with `open` / `onOpenChange`
 * (then `triggerId` names the trigger it hangs from), or not.
 */
export const DropdownMenu = MenuPrimitive.Root;

/** The button that opens its `DropdownMenu` (`aria-haspopup="menu"`, `aria-expanded`, `data-popup-open` while open). */
export const DropdownMenuTrigger = MenuPrimitive.Trigger;

/**
 * The menu's popup, portalled to `<body>` and placed against its trigger (flipping to stay on screen).
 *
 * @param side / align / sideOffset where it sits against the trigger (default: below, start-aligned, 4 px away)
 * @param finalFocus where the focus goes when it closes (default: the trigger); `false` leaves it where an item put it
 */
export function DropdownMenuContent({
  className,
  children,
  side = "bottom",
  align = "start",
  sideOffset = 4,
  ...props
}: Omit<MenuPrimitive.Popup.Props, "className"> &
  Pick<MenuPrimitive.Positioner.Props, "side" | "align" | "sideOffset"> & { className?: string }) {
  return (
    <MenuPrimitive.Portal>
      <MenuPrimitive.Positioner side={side} align={align} sideOffset={sideOffset} className="z-50 outline-none">
        <MenuPrimitive.Popup
          className={cn(
            "min-w-36 origin-(--transform-origin) rounded-xl bg-white p-1 text-zinc-900 shadow-lg ring-1 ring-zinc-900/10 outline-none transition-[opacity,scale] duration-100 data-starting-style:scale-95 data-starting-style:opacity-0 data-ending-style:scale-95 data-ending-style:opacity-0 motion-reduce:transition-none dark:bg-zinc-900 dark:text-zinc-100 dark:ring-white/10",
            className,
          )}
          {...props}
        >
          {children}
        </MenuPrimitive.Popup>
      </MenuPrimitive.Positioner>
    </MenuPrimitive.Portal>
  );
}

/**
 * One action of the menu; `onClick` runs it (keyboard too). Put an icon first, `aria-hidden`.
 *
 * @param variant "danger" colours it red, for an action that destroys something
 */
export function DropdownMenuItem({
  className,
  variant = "default",
  ...props
}: Omit<MenuPrimitive.Item.Props, "className"> & { className?: string; variant?: "default" | "danger" }) {
  return (
    <MenuPrimitive.Item
      className={cn(
        "flex cursor-default select-none items-center gap-2 rounded-lg px-2.5 py-1.5 text-sm font-medium outline-none data-disabled:opacity-50",
        variant === "danger"
          ? "text-red-600 data-highlighted:bg-red-50 dark:text-red-400 dark:data-highlighted:bg-red-500/10"
          : "text-zinc-700 data-highlighted:bg-zinc-100 data-highlighted:text-zinc-900 dark:text-zinc-200 dark:data-highlighted:bg-zinc-800 dark:data-highlighted:text-white",
        className,
      )}
      {...props}
    />
  );
}
