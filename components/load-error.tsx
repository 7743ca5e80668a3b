import { TriangleAlert as WarningIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { ApiError } from "@/lib/client/api";

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
      <Button variant="secondary" size="sm" onClick={onRetry} disabled={retrying} className="mt-4">
        {retrying ? "Trying again…" : "Try again"}
      </Button>
    </div>
  );
}
