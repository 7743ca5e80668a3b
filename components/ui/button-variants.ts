import { cn } from "@/lib/cn";

/** What a button is for: its colours (light and dark), hover state and focus ring colour. */
export type ButtonVariant = "primary" | "secondary" | "ghost" | "danger" | "danger-secondary";
/** How big it is: `xs` inside compact editors, `sm` in lists, `md` for a form's or dialog's actions, `icon` a 36 px circle. */
export type ButtonSize = "xs" | "sm" | "md" | "icon";

const base =
  "inline-flex shrink-0 items-center justify-center gap-2 whitespace-nowrap font-medium transition-[background-color,color,box-shadow,opacity] focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 disabled:cursor-not-allowed disabled:opacity-60 [&_svg]:shrink-0";

const variants: Record<ButtonVariant, string> = {
  primary: "bg-indigo-600 font-semibold text-white shadow-sm hover:bg-indigo-500 disabled:hover:bg-indigo-600",
  secondary:
    "bg-white text-zinc-900 shadow-sm ring-1 ring-zinc-300 hover:bg-zinc-50 dark:bg-zinc-900 dark:text-zinc-100 dark:ring-zinc-700 dark:hover:bg-zinc-800",
  ghost: "text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:hover:text-zinc-100",
  danger: "bg-red-600 font-semibold text-white shadow-sm hover:bg-red-500 focus-visible:outline-red-500 disabled:hover:bg-red-600",
  "danger-secondary":
    "bg-white text-red-600 shadow-sm ring-1 ring-zinc-300 hover:bg-red-50 focus-visible:outline-red-500 dark:bg-zinc-900 dark:text-red-400 dark:ring-zinc-700 dark:hover:bg-red-500/10",
};

const sizes: Record<ButtonSize, string> = {
  xs: "rounded-lg px-2.5 py-1 text-xs",
  sm: "rounded-lg px-3 py-1.5 text-sm",
  md: "rounded-lg px-4 py-2 text-sm",
  icon: "h-9 w-9 rounded-full p-0",
};

/**
 * The class string of a button: one look for every button and button-like link in the app. Use it directly for a
 * `<Link>` (a link must stay a link for assistive technology) or a primitive's own button (a dialog's close button, a
 * menu trigger); use {@link Button} otherwise. Safe in server components (no hooks, no "use client").
 *
 * @param className extra classes; on a conflict they win over the variant's (see `cn`)
 */
export function buttonVariants({
  variant = "primary",
  size = "md",
  className,
}: { variant?: ButtonVariant; size?: ButtonSize; className?: string } = {}): string {
  // Icons alone read quieter than words: a ghost icon button is a shade lighter than a ghost text button.
  const quietIcon = variant === "ghost" && size === "icon" && "text-zinc-500 dark:text-zinc-400";
  return cn(base, variants[variant], sizes[size], quietIcon, className);
}
