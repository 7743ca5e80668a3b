"use client";

import { Check as CheckIcon, Copy as CopyIcon, TriangleAlert as WarningIcon } from "lucide-react";
import { useEffect, useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import type { CreatedToken } from "@/lib/schemas/tokens";

/** How long the Copy button says "Copied" (ms). */
const COPIED_FOR_MS = 2000;

/**
 * A token's secret, the one time it exists outside the server: a read-only field (focused and selected on arrival,
 * so Ctrl+C / ⌘C works at once), a Copy button (`navigator.clipboard.writeText`), and the warning that it will not
 * be shown again. Nothing keeps the secret but the caller's state: once `onDismiss` drops it, it is gone.
 */
export function NewTokenSecret({ token, onDismiss }: { token: CreatedToken; onDismiss: () => void }) {
  const titleId = useId();
  const inputId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");

  useEffect(() => {
    inputRef.current?.focus();
    inputRef.current?.select();
  }, []);

  useEffect(() => {
    if (copy !== "copied") return;
    const timer = setTimeout(() => setCopy("idle"), COPIED_FOR_MS);
    return () => clearTimeout(timer);
  }, [copy]);

  const copyToClipboard = async () => {
    try {
      await navigator.clipboard.writeText(token.token);
      setCopy("copied");
    } catch {
      // No clipboard access (permission refused, or not a secure context): leave the text selected for a manual copy.
      setCopy("failed");
      inputRef.current?.focus();
      inputRef.current?.select();
    }
  };

  return (
    <section
      aria-labelledby={titleId}
      data-testid="new-token"
      className="rounded-xl border border-amber-300 bg-amber-50 p-4 dark:border-amber-500/40 dark:bg-amber-500/10"
    >
      <div className="flex gap-3">
        <WarningIcon aria-hidden="true" className="mt-0.5 h-5 w-5 shrink-0 text-amber-600 dark:text-amber-400" />
        <div className="min-w-0">
          <h3 id={titleId} className="break-words text-sm font-semibold text-zinc-900 dark:text-zinc-100">
            Token “{token.name}” created
          </h3>
          <p className="mt-1 text-sm text-amber-900 dark:text-amber-200">
            Copy it now and keep it somewhere safe: it will not be shown again. If you lose it, revoke it and create a new one.
          </p>
        </div>
      </div>
      <label htmlFor={inputId} className="mt-4 block text-sm font-medium text-zinc-900 dark:text-zinc-100">
        Your new token
      </label>
      <div className="mt-1.5 flex gap-2">
        <Input
          ref={inputRef}
          id={inputId}
          readOnly
          value={token.token}
          spellCheck={false}
          autoComplete="off"
          onFocus={(e) => e.currentTarget.select()}
          className="flex-1 font-mono"
        />
        <Button variant="secondary" onClick={() => void copyToClipboard()} className="gap-1.5 px-3">
          {copy === "copied" ? (
            <CheckIcon aria-hidden="true" className="h-4 w-4 text-emerald-600 dark:text-emerald-400" />
          ) : (
            <CopyIcon aria-hidden="true" className="h-4 w-4" />
          )}
          {copy === "copied" ? "Copied" : "Copy"}
        </Button>
      </div>
      <p aria-live="polite" className={copy === "failed" ? "mt-2 text-sm text-red-700 dark:text-red-300" : "sr-only"}>
        {copy === "copied" ? "Token copied to the clipboard." : copy === "failed" ? "Couldn’t copy automatically. The token is selected: copy it with Ctrl+C (⌘C)." : ""}
      </p>
      <div className="mt-3 flex justify-end">
        <Button variant="secondary" onClick={onDismiss}>
          Done
        </Button>
      </div>
    </section>
  );
}
