import { cn } from "@/lib/cn";

/**
 * A one-line text field in the app's look: indigo focus ring, red border while `aria-invalid`. Label it (a `<label
 * htmlFor>` or `aria-label`) and point `aria-describedby` at its hint or error.
 */
export function Input({ className, type = "text", ...props }: React.ComponentProps<"input">) {
  return (
    <input
      type={type}
      className={cn(
        "min-w-0 rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm text-zinc-900 outline-none transition-[border-color,box-shadow] placeholder:text-zinc-400 focus-visible:border-indigo-500 focus-visible:ring-2 focus-visible:ring-indigo-500/25 aria-invalid:border-red-500 aria-invalid:focus-visible:ring-red-500/25 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:placeholder:text-zinc-500",
        className,
      )}
      {...props}
    />
  );
}
