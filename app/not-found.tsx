import type { Metadata } from "next";
import Link from "next/link";
import { buttonVariants } from "@/components/ui/button-variants";

export const metadata: Metadata = { title: "Page not found · Parley" };

/**
 * The 404 page of every URL that names nothing, and of the admin area for anyone but an admin (lib/admin-page.ts).
 * Next's built-in one has no `main` landmark, which assistive technology uses to find a page's content.
 */
export default function NotFound() {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center gap-3 p-8 text-center">
      <h1 className="text-lg font-medium">Page not found</h1>
      <p className="max-w-xs text-sm text-zinc-500 dark:text-zinc-400">There is nothing at this address.</p>
      <Link href="/" className={buttonVariants()}>
        Go to Parley
      </Link>
    </main>
  );
}
