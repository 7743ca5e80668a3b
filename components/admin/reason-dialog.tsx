"use client";

import { type FormEvent, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogTitle } from "@/components/ui/dialog";
import { ApiError } from "@/lib/client/api";
import { MAX_REASON_LENGTH } from "@/lib/schemas/admin";
import { codePointLength } from "@/lib/schemas/common";

/**
 * Asks an admin why before an action (it goes to the audit log, and for a suspension to the person), then runs it.
 * Controlled by `open`; the server's refusal (a 409 for the last admin, say) is shown in the dialog, which stays open.
 *
 * @param required whether a reason must be given (suspending, deleting, removing); otherwise it is optional
 * @param onConfirm runs the action with the reason (`undefined` when none was given); resolves when it is done
 */
export function ReasonDialog({
  open,
  title,
  description,
  confirmLabel,
  danger = false,
  required = true,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  description: string;
  confirmLabel: string;
  danger?: boolean;
  required?: boolean;
  onConfirm: (reason: string | undefined) => Promise<void>;
  onClose: () => void;
}) {
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const close = () => {
    if (pending) return;
    setReason("");
    setError(null);
    onClose();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const text = reason.trim();
    if (required && !text) return setError("Give a reason: it is kept in the audit log.");
    if (codePointLength(text) > MAX_REASON_LENGTH) return setError(`Use at most ${MAX_REASON_LENGTH} characters.`);
    setPending(true);
    setError(null);
    try {
      await onConfirm(text || undefined);
      setReason("");
      onClose();
    } catch (err) {
      setError(err instanceof ApiError ? err.detail : "Something went wrong. Please try again.");
    } finally {
      setPending(false);
    }
  };
  return (
    <Dialog open={open} onOpenChange={(next) => !next && close()}>
      <DialogContent className="flex flex-col gap-4 p-5">
        <DialogTitle>{title}</DialogTitle>
        <DialogDescription>{description}</DialogDescription>
        <form onSubmit={submit} className="flex flex-col gap-3">
          <label className="flex flex-col gap-1.5 text-sm font-medium">
            <span>
              Reason{!required && <span className="font-normal text-zinc-500 dark:text-zinc-400"> (optional)</span>}
            </span>
            <textarea
              value={reason}
              onChange={(e) => {
                setReason(e.target.value);
                setError(null);
              }}
              rows={3}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? "reason-error" : undefined}
              className="rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm font-normal outline-none focus-visible:border-indigo-500 focus-visible:ring-2 focus-visible:ring-indigo-500/30 dark:border-zinc-700 dark:bg-zinc-900"
            />
          </label>
          {error && (
            <p id="reason-error" role="alert" className="text-sm text-red-600 dark:text-red-400">
              {error}
            </p>
          )}
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" disabled={pending} onClick={close}>
              Cancel
            </Button>
            <Button type="submit" variant={danger ? "danger" : "primary"} disabled={pending}>
              {confirmLabel}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
