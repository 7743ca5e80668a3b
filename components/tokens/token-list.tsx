"use client";

import { KeyRound as KeyIcon } from "lucide-react";
import { type RefObject, useEffect, useRef, useState } from "react";
import { toast } from "sonner";
import { LoadError } from "@/components/load-error";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useNow } from "@/hooks/use-now";
import { useRevokeToken, useTokens } from "@/lib/client/queries";
import type { ApiTokenView } from "@/lib/schemas/tokens";
import { TokenItem } from "./token-item";
import { TokenListSkeleton } from "./token-list-skeleton";

/**
 * The caller's tokens, newest first, a page at a time ("Load more" while the API has a `nextCursor`), each with a
 * Revoke button that asks for confirmation first. Explains an empty list and a failure to load; skeleton rows while
 * the first page loads.
 *
 * @param headingRef the list's heading, which takes the focus after a revocation (the row's button is gone)
 */
export function TokenList({ headingRef }: { headingRef: RefObject<HTMLElement | null> }) {
  const { data, isPending, isError, error, refetch, isRefetching, hasNextPage, isFetchingNextPage, fetchNextPage } = useTokens();
  const revoke = useRevokeToken();
  const now = useNow();
  // Kept while the dialog closes, so that its title does not change under the closing animation.
  const [target, setTarget] = useState<ApiTokenView | null>(null);
  const [confirming, setConfirming] = useState(false);
  // After a revocation the dialog hands the focus to the list's heading: the row's own button, where it would
  // return the focus, is gone. After Cancel it goes back to that button.
  const revoked = useRef(false);

  const confirmRevoke = () => {
    if (!target) return;
    revoke.mutate(target.id, {
      onSuccess: () => {
        revoked.current = true;
        setConfirming(false);
        toast.success(`Token “${target.name}” revoked`);
      },
      onError: (e) => toast.error("The token was not revoked", { description: e.message }),
    });
  };

  const tokens = data?.pages.flatMap((p) => p.data) ?? [];

  // "Load more" moves the focus to the first token it brought (its Revoke button): on the last page the button
  // itself goes away, and the focus would otherwise fall back to the page.
  const listRef = useRef<HTMLUListElement>(null);
  const focusFrom = useRef<number | null>(null);
  useEffect(() => {
    const from = focusFrom.current;
    if (from === null || tokens.length <= from) return;
    focusFrom.current = null;
    listRef.current?.querySelectorAll<HTMLButtonElement>(":scope > li button")[from]?.focus();
  }, [tokens.length]);
  const loadMore = () => {
    focusFrom.current = tokens.length;
    void fetchNextPage();
  };

  return (
    <>
      {isPending ? (
        <>
          <p role="status" className="sr-only">
            Loading tokens…
          </p>
          <TokenListSkeleton />
        </>
      ) : isError && !data ? (
        <LoadError
          title="Couldn’t load your tokens."
          testId="tokens-error"
          className="rounded-xl border border-zinc-200 px-6 py-10 dark:border-zinc-800"
          error={error}
          retrying={isRefetching}
          onRetry={() => void refetch()}
        />
      ) : tokens.length === 0 ? (
        <div data-testid="tokens-empty" className="flex flex-col items-center rounded-xl border border-dashed border-zinc-300 px-6 py-10 text-center dark:border-zinc-700">
          <span className="mb-4 flex h-12 w-12 items-center justify-center rounded-2xl bg-indigo-50 text-indigo-600 dark:bg-indigo-500/15 dark:text-indigo-400">
            <KeyIcon aria-hidden="true" className="h-6 w-6" />
          </span>
          <p className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">No tokens yet.</p>
          <p className="mt-1 max-w-72 text-sm text-zinc-500 dark:text-zinc-400">Create one above to use the Parley API from a script or another app.</p>
        </div>
      ) : (
        <>
          <ul
            ref={listRef}
            aria-label="API tokens"
            className="divide-y divide-zinc-200 overflow-hidden rounded-xl border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-950"
          >
            {tokens.map((t) => (
              <TokenItem
                key={t.id}
                token={t}
                now={now}
                onRevoke={() => {
                  revoked.current = false;
                  setTarget(t);
                  setConfirming(true);
                }}
              />
            ))}
          </ul>
          {hasNextPage && (
            <div className="mt-3 flex justify-center">
              <Button variant="secondary" size="sm" onClick={loadMore} disabled={isFetchingNextPage}>
                {isFetchingNextPage ? "Loading…" : "Load more"}
              </Button>
            </div>
          )}
          {isError && (
            <p role="status" className="mt-3 text-center text-xs text-amber-700 dark:text-amber-400">
              Can’t reach Parley right now. Showing the tokens we loaded last.
            </p>
          )}
        </>
      )}
      <ConfirmDialog
        open={confirming}
        title={`Revoke “${target?.name ?? ""}”?`}
        description="Scripts and apps using this token lose access at once. This cannot be undone."
        confirmLabel={revoke.isPending ? "Revoking…" : "Revoke"}
        pending={revoke.isPending}
        onConfirm={confirmRevoke}
        onClose={() => setConfirming(false)}
        finalFocus={() => (revoked.current ? headingRef.current : true)}
      />
    </>
  );
}
