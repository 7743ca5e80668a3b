"use client";

import { displayName } from "@/lib/format";
import { typingLabel, useTypingUserIds } from "@/lib/client/typing";
import type { Person } from "./timeline";

/**
 * "Bob is typing…" / "Bob and Carol are typing…" for the open thread, by first name, from the live `typing` events.
 *
 * It sits between the message log and the composer without taking room of its own: a zero-height strip whose text
 * rises into the log's bottom padding. The `aria-live` element stays in the page while empty (a live region must
 * exist before its text changes to be announced) and has no size then, so it counts as hidden.
 * @param people the other participants (anyone typing who is not among them is left out)
 */
export function TypingIndicator({ threadId, people }: { threadId: string; people: readonly Person[] }) {
  const ids = useTypingUserIds(threadId);
  const names = ids.flatMap((id) => {
    const person = people.find((p) => p.id === id);
    return person ? [displayName(person).split(/\s+/)[0]!] : [];
  });
  const label = typingLabel(names);
  return (
    <div className="relative z-10 h-0 shrink-0">
      <div className="pointer-events-none absolute inset-x-0 bottom-0 mx-auto max-w-3xl px-2.5 md:px-5">
        <p
          data-testid="typing-indicator"
          aria-live="polite"
          className="inline-flex max-w-full text-xs leading-4 text-zinc-500 dark:text-zinc-400"
        >
          {label && (
            // Over the log's bottom padding when the reader is at the end; over messages when scrolled up, hence
            // the backdrop.
            <span className="inline-flex min-w-0 items-center gap-1.5 rounded-full bg-white/90 px-2 dark:bg-zinc-950/90">
              <span aria-hidden="true" className="inline-flex shrink-0 gap-0.5">
                {[0, 150, 300].map((delay) => (
                  <span
                    key={delay}
                    className="h-1 w-1 animate-bounce rounded-full bg-current motion-reduce:animate-none"
                    style={{ animationDelay: `${delay}ms` }}
                  />
                ))}
              </span>
              <span className="min-w-0 truncate">{label}</span>
            </span>
          )}
        </p>
      </div>
    </div>
  );
}
