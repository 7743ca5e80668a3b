"use client";

import { Reply as ReplyIcon, X as XIcon } from "lucide-react";
import { displayName, plainPreview } from "@/lib/format";
import type { ReplyTo } from "@/lib/schemas/messages";

/** The first line of a message's text without its Markdown: what a reply bar shows of the message answered. */
export const firstLine = (text: string) => plainPreview(text.split(/\r\n?|\n/).find((l) => l.trim()) ?? "");

/**
 * The quote of the message a reply answers, above the reply's text inside its bubble: the original's sender and its
 * first one or two lines, muted. A press on it asks the conversation to show the original (`onJump`); a deleted
 * original ("Original message deleted") has nothing to show and is not a button. A message a moderator removed reads
 * "Removed by a moderator".
 * @param own whether the reply is the viewer's (the indigo bubble: colours for white text)
 * @param meId the viewer, who is "You" as the original's sender
 */
export function ReplyQuote({
  replyTo,
  own,
  meId,
  onJump,
}: {
  replyTo: ReplyTo;
  own: boolean;
  meId: string;
  onJump?: (messageId: string) => void;
}) {
  const original = replyTo.message;
  const frame = `mb-1.5 flex w-full min-w-0 flex-col rounded-lg border-l-[3px] px-2.5 py-1 text-left text-[13px] leading-snug ${
    own ? "border-white/70 bg-white/15 text-indigo-50" : "border-indigo-400 bg-white/70 text-zinc-600 dark:border-indigo-400 dark:bg-zinc-900/50 dark:text-zinc-300"
  }`;
  if (!original) {
    return (
      <div data-testid="reply-quote" data-deleted="true" className={`${frame} italic`}>
        Original message deleted
      </div>
    );
  }
  const sender = original.sender.id === meId ? "You" : displayName(original.sender);
  const text = original.kind === "removed" ? "Removed by a moderator" : plainPreview(original.text);
  return (
    <button
      type="button"
      data-testid="reply-quote"
      data-reply-to={original.id}
      aria-label={`Reply to ${sender}: ${text}. Show the original message`}
      onClick={(e) => {
        // Not also the bubble's tap (which opens its menu on touch screens).
        e.stopPropagation();
        onJump?.(original.id);
      }}
      className={`${frame} cursor-pointer transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 ${
        own ? "hover:bg-white/25" : "hover:bg-white dark:hover:bg-zinc-900/80"
      }`}
    >
      <span className={`truncate font-semibold ${own ? "text-white" : "text-indigo-700 dark:text-indigo-300"}`}>{sender}</span>
      <span className={`line-clamp-2 [overflow-wrap:anywhere] ${original.kind === "removed" ? "italic" : ""}`}>{text}</span>
    </button>
  );
}

/**
 * Above the composer while the person writes a reply: "Replying to Alice" and the first line of the message, with a
 * button that cancels the reply (Escape in the message box does too).
 * @param name who wrote the message answered ("yourself" for one's own), and text its first line
 */
export function ReplyBar({ name, text, onCancel }: { name: string; text: string; onCancel: () => void }) {
  return (
    <div
      data-testid="reply-bar"
      className="mx-auto mb-2 flex max-w-3xl items-center gap-2.5 rounded-2xl bg-zinc-100 py-1.5 pl-3 pr-1.5 dark:bg-zinc-900"
    >
      <ReplyIcon aria-hidden="true" className="h-4 w-4 shrink-0 text-indigo-600 dark:text-indigo-400" />
      <p className="min-w-0 flex-1 text-sm leading-snug">
        <span className="block truncate text-zinc-600 dark:text-zinc-300">
          Replying to <span className="font-semibold text-zinc-900 dark:text-zinc-100">{name}</span>
        </span>
        <span className="block truncate text-zinc-600 dark:text-zinc-400">{text}</span>
      </p>
      <button
        type="button"
        aria-label="Cancel reply"
        onClick={onCancel}
        className="inline-flex h-8 w-8 shrink-0 items-center justify-center rounded-full text-zinc-500 hover:bg-zinc-200 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
      >
        <XIcon aria-hidden="true" className="h-4 w-4" />
      </button>
    </div>
  );
}
