import { TriangleAlert as WarningIcon } from "lucide-react";
import { ApiError } from "@/lib/client/api";

/** The look of a secondary (white, outlined) button, shared by "Try again" and "Load more". */
export const secondaryButton =
  "rounded-lg bg-white px-3 py-1.5 text-sm font-medium text-zinc-900 shadow-sm ring-1 ring-zinc-300 hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 disabled:opacity-60 dark:bg-zinc-900 dark:text-zinc-100 dark:ring-zinc-700 dark:hover:bg-zinc-800";

/**
 * A list that could not be loaded: `title` ("Couldn’t load your tokens."), a hint chosen by the failure (no
 * connection, session ended, anything else), and "Try again".
 * @param error the query's error; an `ApiError` with status 0 means the server was not reached.
 * @param className classes for the box (its padding and border differ between the sidebar and a page).
 */
export function LoadError({
  title,
  error,
  retrying,
  onRetry,
  className,
  testId,
}: {
  title: string;
  error: Error | null;
  retrying: boolean;
  onRetry: () => void;
  className: string;
  testId?: string;
}) {
  const status = error instanceof ApiError ? error.status : -1;
  const detail =
    status === 0
      ? "Check your connection, then try again."
      : status === 401
        ? "Your session has ended. Reload the page to sign in again."
        : "Something went wrong on our side. Please try again in a moment.";
  return (
    <div data-testid={testId} role="alert" className={`flex flex-col items-center text-center ${className}`}>
      <span className="mb-4 flex h-12 w-12 items-center justify-center rounded-2xl bg-amber-50 text-amber-600 dark:bg-amber-500/15 dark:text-amber-400">
        <WarningIcon aria-hidden="true" className="h-6 w-6" />
      </span>
      <p className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">{title}</p>
      <p className="mt-1 max-w-72 text-sm text-zinc-500 dark:text-zinc-400">{detail}</p>
      <button type="button" onClick={onRetry} disabled={retrying} className={`mt-4 ${secondaryButton}`}>
        {retrying ? "Trying again…" : "Try again"}
      </button>
    </div>
  );
}
