import Link from "next/link";
import { buttonVariants } from "@/components/ui/button-variants";

export default function ThreadNotFound() {
  return (
    <div data-testid="thread-not-found" className="flex flex-1 flex-col items-center justify-center gap-3 p-8 text-center">
      <h1 className="text-lg font-medium">Conversation not found</h1>
      <p className="max-w-xs text-sm text-zinc-500 dark:text-zinc-400">It may have been deleted, or you are not part of it.</p>
      <Link href="/" className={buttonVariants()}>
        Back to conversations
      </Link>
    </div>
  );
}
