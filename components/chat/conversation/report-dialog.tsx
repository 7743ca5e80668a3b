"use client";

import { type FormEvent, useId, useRef, useState } from "react";
import { toast } from "sonner";
import { Button, buttonVariants } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogTitle } from "@/components/ui/dialog";
import { ApiError } from "@/lib/client/api";
import { useReportMessage } from "@/lib/client/queries";
import { displayName } from "@/lib/format";
import { codePointLength } from "@/lib/schemas/common";
import { MAX_REPORT_DETAILS, REPORT_REASON_LABELS, REPORT_REASONS, type ReportReason, reportMessageBody } from "@/lib/schemas/moderation";
import type { TimelineItem } from "./timeline";

/** Answers after which sending the same report again cannot help: the dialog closes with the toast. */
const FINAL_STATUSES = new Set([403, 404, 409]);

/**
 * "Report message": why (one of the API's reasons, lib/schemas/moderation.ts) and, optionally, details for the
 * admins (0–500 characters, counted as the server counts them). Sent, it closes with a thank-you toast; what the
 * server refuses (reported already, removed meanwhile) shows as a toast with its words, and closes it too. A failure
 * that may pass (no connection, a rate limit) keeps it open to send again. Closing returns the focus to what opened
 * it (the message's actions button).
 *
 * @param message the message reported; kept while the dialog closes, so that its text does not vanish mid-animation
 * @param open whether it shows
 * @param onClose every way of closing it: Cancel, Escape, a press outside, or once the report went out
 */
export function ReportDialog({ message, open, onClose }: { message: TimelineItem | null; open: boolean; onClose: () => void }) {
  const report = useReportMessage();
  return (
    <Dialog open={open} onOpenChange={(next) => !next && !report.isPending && onClose()}>
      <DialogContent className="max-h-[calc(100dvh-1.5rem)] max-w-md overflow-y-auto sm:max-h-[80dvh]">
        {/* Keyed by message: each report starts blank. */}
        {message?.id && <ReportForm key={message.id} message={message} messageId={message.id} report={report} onClose={onClose} />}
      </DialogContent>
    </Dialog>
  );
}

function ReportForm({
  message,
  messageId,
  report,
  onClose,
}: {
  message: TimelineItem;
  messageId: string;
  report: ReturnType<typeof useReportMessage>;
  onClose: () => void;
}) {
  const id = useId();
  const [reason, setReason] = useState<ReportReason | null>(null);
  const [details, setDetails] = useState("");
  const [errors, setErrors] = useState<{ reason?: string; details?: string }>({});
  const firstReasonRef = useRef<HTMLInputElement>(null);
  const detailsRef = useRef<HTMLTextAreaElement>(null);
  const length = codePointLength(details.trim());
  const name = displayName(message.sender);

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (report.isPending) return;
    if (!reason) {
      setErrors({ reason: "Choose a reason." });
      firstReasonRef.current?.focus();
      return;
    }
    const parsed = reportMessageBody.safeParse({ reason, details });
    if (!parsed.success) {
      setErrors({ details: parsed.error.issues[0]?.message ?? "Check the details." });
      detailsRef.current?.focus();
      return;
    }
    setErrors({});
    report.mutate(
      { messageId, reason, details: parsed.data.details ?? undefined },
      {
        onSuccess: () => {
          toast.success("Reported. Thanks — an admin will look at it.");
          onClose();
        },
        onError: (err) => {
          toast.error("The message was not reported", {
            description: err instanceof ApiError ? err.detail : "Something went wrong. Please try again.",
          });
          if (err instanceof ApiError && FINAL_STATUSES.has(err.status)) onClose();
        },
      },
    );
  };

  const reasonErrorId = `${id}-reason-error`;
  const detailsHintId = `${id}-details-hint`;
  const detailsErrorId = `${id}-details-error`;
  return (
    <form data-testid="report-dialog" onSubmit={submit} noValidate className="flex flex-col gap-5 p-6">
      <div className="flex flex-col gap-1.5">
        <DialogTitle>Report message</DialogTitle>
        <DialogDescription>
          The admins will see this message and your reason. {name} won&apos;t be told.
        </DialogDescription>
      </div>
      <blockquote className="line-clamp-3 whitespace-pre-wrap border-l-2 border-zinc-300 pl-3 text-sm leading-6 text-zinc-700 [overflow-wrap:anywhere] dark:border-zinc-600 dark:text-zinc-300">
        {message.text}
      </blockquote>
      <div className="flex flex-col gap-2">
        <p id={`${id}-reason-label`} className="text-sm font-medium">
          Why are you reporting it?
        </p>
        <div
          role="radiogroup"
          aria-labelledby={`${id}-reason-label`}
          aria-required="true"
          aria-invalid={errors.reason ? true : undefined}
          aria-describedby={errors.reason ? reasonErrorId : undefined}
          className="flex flex-col gap-1"
        >
          {REPORT_REASONS.map((r, i) => (
            <label
              key={r}
              className="flex cursor-pointer items-center gap-3 rounded-lg px-3 py-1.5 text-sm ring-1 ring-zinc-200 transition-colors hover:bg-zinc-50 has-checked:bg-indigo-50 has-checked:ring-indigo-300 has-focus-visible:outline-2 has-focus-visible:outline-offset-1 has-focus-visible:outline-indigo-500 dark:ring-zinc-800 dark:hover:bg-zinc-800/60 dark:has-checked:bg-indigo-500/15 dark:has-checked:ring-indigo-500/50"
            >
              <input
                ref={i === 0 ? firstReasonRef : undefined}
                type="radio"
                name={`${id}-reason`}
                value={r}
                checked={reason === r}
                onChange={() => {
                  setReason(r);
                  setErrors((all) => ({ ...all, reason: undefined }));
                }}
                className="h-4 w-4 shrink-0 accent-indigo-600 outline-none"
              />
              {REPORT_REASON_LABELS[r]}
            </label>
          ))}
        </div>
        {errors.reason && (
          <p id={reasonErrorId} className="text-sm text-red-600 dark:text-red-400">
            {errors.reason}
          </p>
        )}
      </div>
      <div className="flex flex-col gap-1.5">
        <label htmlFor={`${id}-details`} className="text-sm font-medium">
          Details <span className="font-normal text-zinc-500 dark:text-zinc-400">(optional)</span>
        </label>
        <textarea
          ref={detailsRef}
          id={`${id}-details`}
          rows={3}
          value={details}
          placeholder="Anything the admins should know"
          onChange={(e) => {
            setDetails(e.target.value);
            if (errors.details) setErrors((all) => ({ ...all, details: undefined }));
          }}
          aria-invalid={errors.details ? true : undefined}
          aria-describedby={errors.details ? `${detailsErrorId} ${detailsHintId}` : detailsHintId}
          className="min-h-20 resize-y rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm text-zinc-900 outline-none transition-[border-color,box-shadow] placeholder:text-zinc-400 focus-visible:border-indigo-500 focus-visible:ring-2 focus-visible:ring-indigo-500/25 aria-invalid:border-red-500 aria-invalid:focus-visible:ring-red-500/25 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:placeholder:text-zinc-500"
        />
        <div className="flex gap-3 text-sm">
          {errors.details && (
            <p id={detailsErrorId} className="text-red-600 dark:text-red-400">
              {errors.details}
            </p>
          )}
          <p
            id={detailsHintId}
            className={`ml-auto text-xs tabular-nums ${length > MAX_REPORT_DETAILS ? "text-red-600 dark:text-red-400" : "text-zinc-500 dark:text-zinc-400"}`}
          >
            {length}/{MAX_REPORT_DETAILS}
            <span className="sr-only"> characters</span>
          </p>
        </div>
      </div>
      <div className="flex justify-end gap-2">
        <DialogClose disabled={report.isPending} className={buttonVariants({ variant: "secondary" })}>
          Cancel
        </DialogClose>
        <Button type="submit" disabled={report.isPending}>
          {report.isPending ? "Sending…" : "Send report"}
        </Button>
      </div>
    </form>
  );
}
