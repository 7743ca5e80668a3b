import { ChevronLeft as ChevronLeftIcon } from "lucide-react";
import Link from "next/link";
import { buttonVariants } from "@/components/ui/button-variants";

/**
 * The top bar of a settings page, as tall as the conversation's: a link back to the conversations (on phones the
 * only way back to the list; on wide screens it closes the page) and the page's title as its heading.
 */
export function SettingsHeader({ title }: { title: string }) {
  return (
    <header className="flex h-16 shrink-0 items-center gap-2 border-b border-zinc-200 bg-white/95 px-2 backdrop-blur md:gap-3 md:px-4 dark:border-zinc-800 dark:bg-zinc-950/95">
      <Link
        href="/"
        aria-label="Back to conversations"
        title="Back to conversations"
        className={buttonVariants({ variant: "ghost", size: "icon" })}
      >
        <ChevronLeftIcon aria-hidden="true" className="h-6 w-6" />
      </Link>
      <h1 className="truncate text-[15px] font-semibold leading-5">{title}</h1>
    </header>
  );
}
