"use client";

import { KeyRound as KeyIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { calendarDate, fullDateTime, relativeTime } from "@/lib/format";
import type { ApiTokenView } from "@/lib/schemas/tokens";

/**
 * One row of the token list: the name, when it was created (a date) and last used ("5 minutes ago", or "Never
 * used"), each with the exact time as a tooltip, and its Revoke button.
 *
 * @param now the current time in ms (from `useNow`), or null while hydrating, when no times are shown yet: they are
 *   the reader's clock and time zone, not the server's
 * @param onRevoke asks to revoke (the list confirms first)
 */
export function TokenItem({ token, now, onRevoke }: { token: ApiTokenView; now: number | null; onRevoke: () => void }) {
  return (
    <li data-testid="token-item" data-token-id={token.id} className="flex items-center gap-3 px-4 py-3">
      <span
        aria-hidden="true"
        className="flex h-9 w-9 shrink-0 items-center justify-center rounded-xl bg-indigo-50 text-indigo-600 dark:bg-indigo-500/15 dark:text-indigo-400"
      >
        <KeyIcon className="h-4.5 w-4.5" />
      </span>
      <div className="min-w-0 flex-1">
        <p data-testid="token-name" className="truncate text-sm font-semibold text-zinc-900 dark:text-zinc-100">
          {token.name}
        </p>
        <p className="mt-0.5 flex min-h-4 flex-wrap gap-x-3 text-xs leading-4 text-zinc-500 dark:text-zinc-400">
          {now !== null && (
            <span>
              Created{" "}
              <time dateTime={token.createdAt} title={fullDateTime(token.createdAt)}>
                {calendarDate(token.createdAt)}
              </time>
            </span>
          )}
          {token.lastUsedAt === null ? (
            <span data-testid="token-last-used">Never used</span>
          ) : (
            now !== null && (
              <span data-testid="token-last-used">
                Last used{" "}
                <time dateTime={token.lastUsedAt} title={fullDateTime(token.lastUsedAt)}>
                  {relativeTime(token.lastUsedAt, new Date(now))}
                </time>
              </span>
            )
          )}
        </p>
      </div>
      <Button variant="danger-secondary" size="sm" onClick={onRevoke} aria-label={`Revoke ${token.name}`}>
        Revoke
      </Button>
    </li>
  );
}
