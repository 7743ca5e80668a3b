"use client";

import { Ban as BanIcon, SendHorizontal as SendIcon } from "lucide-react";
import { useId, useLayoutEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { codePointLength, MAX_MESSAGE_LENGTH } from "@/lib/schemas/constants";
import { insertMention, type Mentionable, MentionListbox, mentionAt, mentionSuggestions, optionId } from "./mention-autocomplete";
import { ReplyBar } from "./reply-preview";

const NOBODY: readonly Mentionable[] = [];

/** The counter shows up when this many characters (code points) or fewer remain. */
export const COUNTER_THRESHOLD = 200;
/** The box grows with its text up to about eight lines, then scrolls. */
const MAX_HEIGHT_PX = 8 * 24 + 16;

/** Characters left of {@link MAX_MESSAGE_LENGTH}, counted as the server does (code points of the trimmed text). */
export const remainingCharacters = (text: string) => MAX_MESSAGE_LENGTH - codePointLength(text.trim());

/**
 * The message box. Enter sends, Shift+Enter breaks the line; blank or over-long text cannot be sent. On send the
 * box clears at once and keeps the focus; `onSend` gets the trimmed text and does the optimistic sending.
 * `onTyping` hears every edit that leaves non-blank text (the typing indicator's sender throttles it).
 *
 * Mentions: typing `@` and the start of a username or name lists the matching `people` over the box (a listbox the
 * box points into with `aria-activedescendant`: ↑/↓ choose, Enter or Tab insert `@username `, Escape closes); Enter
 * sends again once the list is closed. Replies: while `replyTo` is set a bar above the box says to whom; its ✕ or
 * Escape in the box calls `onCancelReply`.
 * @param people whom the writer can mention: the thread's other participants
 * @param replyTo the message being answered: its sender's name and its first line
 */
export function Composer({
  placeholder,
  onSend,
  onTyping,
  inputRef,
  people = NOBODY,
  replyTo = null,
  onCancelReply,
}: {
  placeholder: string;
  onSend: (text: string) => void;
  onTyping?: (text: string) => void;
  /** The textarea, for giving it the focus back (after a dialog, say). */
  inputRef?: React.RefObject<HTMLTextAreaElement | null>;
  people?: readonly Mentionable[];
  replyTo?: { name: string; text: string } | null;
  onCancelReply?: () => void;
}) {
  const [text, setText] = useState("");
  const ownRef = useRef<HTMLTextAreaElement>(null);
  const ref = inputRef ?? ownRef;
  const hintId = useId();
  const listId = useId();
  const remaining = remainingCharacters(text);
  const canSend = text.trim().length > 0 && remaining >= 0;

  // The mention being typed at the caret, and its suggestions. Escape closes the list for that mention (`dismissed`:
  // where its `@` is) until another one starts; the list is only shown while the box has the focus.
  const [caret, setCaret] = useState<number | null>(null);
  const [focused, setFocused] = useState(false);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [active, setActive] = useState({ query: "", index: 0 });
  const mention = focused && caret !== null ? mentionAt(text, caret) : null;
  const suggestions = mention && mention.start !== dismissed ? mentionSuggestions(people, mention.query) : [];
  const open = suggestions.length > 0;
  const activeIndex = mention && active.query === mention.query ? Math.min(active.index, suggestions.length - 1) : 0;
  // Where the caret goes once an inserted mention is in the box.
  const nextCaret = useRef<number | null>(null);
  useLayoutEffect(() => {
    const box = ref.current;
    if (nextCaret.current === null || !box) return;
    box.setSelectionRange(nextCaret.current, nextCaret.current);
    nextCaret.current = null;
  }, [text, ref]);

  function edit(value: string, at: number | null) {
    setText(value);
    setCaret(at);
    // A new mention may start where a dismissed one was.
    if (at === null || !mentionAt(value, at)) setDismissed(null);
    if (value.trim()) onTyping?.(value);
  }

  function insert(person: Mentionable) {
    if (!mention || caret === null) return;
    const next = insertMention(text, mention.start, caret, person.username);
    nextCaret.current = next.caret;
    edit(next.text, next.caret);
  }

  // Grow with the content (scrollHeight of the unconstrained box), up to MAX_HEIGHT_PX.
  useLayoutEffect(() => {
    const box = ref.current;
    if (!box) return;
    box.style.height = "auto";
    box.style.height = `${Math.min(box.scrollHeight, MAX_HEIGHT_PX)}px`;
    box.style.overflowY = box.scrollHeight > MAX_HEIGHT_PX ? "auto" : "hidden";
  }, [text, ref]);

  function send() {
    if (!canSend) return;
    onSend(text.trim());
    setText("");
    setCaret(0);
    setDismissed(null);
    ref.current?.focus();
  }

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
      className="relative shrink-0 border-t border-zinc-200 bg-white px-3 pb-[max(0.75rem,env(safe-area-inset-bottom))] pt-3 md:px-6 dark:border-zinc-800 dark:bg-zinc-950"
    >
      {replyTo && <ReplyBar name={replyTo.name} text={replyTo.text} onCancel={() => onCancelReply?.()} />}
      <div className="mx-auto flex max-w-3xl items-end gap-2 rounded-3xl border border-zinc-300 bg-white py-1.5 pl-4 pr-1.5 shadow-sm transition-colors focus-within:border-indigo-500 focus-within:ring-2 focus-within:ring-indigo-500/20 dark:border-zinc-700 dark:bg-zinc-900 dark:focus-within:border-indigo-400">
        {open && (
          <MentionListbox
            id={listId}
            options={suggestions}
            active={activeIndex}
            onActive={(index) => setActive({ query: mention!.query, index })}
            onPick={insert}
          />
        )}
        <textarea
          ref={ref}
          aria-label="Message"
          aria-describedby={hintId}
          // The textarea stays a textbox (ARIA in HTML allows it no other role, and `aria-expanded` is not a textbox's
          // attribute): it names the suggestions it controls and the one that is active.
          aria-autocomplete="list"
          aria-haspopup="listbox"
          aria-controls={open ? listId : undefined}
          aria-activedescendant={open ? optionId(listId, activeIndex) : undefined}
          rows={1}
          value={text}
          placeholder={placeholder}
          onChange={(e) => edit(e.target.value, e.target.selectionStart)}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onFocus={() => setFocused(true)}
          onBlur={() => setFocused(false)}
          onKeyDown={(e) => {
            // Safari ends a composition with an Enter whose isComposing is already false (keyCode 229).
            if (e.nativeEvent.isComposing || e.keyCode === 229) return;
            if (open && mention) {
              const move = e.key === "ArrowDown" ? 1 : e.key === "ArrowUp" ? -1 : 0;
              if (move !== 0) {
                e.preventDefault();
                setActive({ query: mention.query, index: (activeIndex + move + suggestions.length) % suggestions.length });
                return;
              }
              if ((e.key === "Enter" || e.key === "Tab") && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
                e.preventDefault();
                insert(suggestions[activeIndex]!);
                return;
              }
              if (e.key === "Escape") {
                e.preventDefault();
                setDismissed(mention.start);
                return;
              }
            }
            if (e.key === "Escape" && replyTo) {
              e.preventDefault();
              onCancelReply?.();
              return;
            }
            if (e.key !== "Enter" || e.shiftKey) return;
            e.preventDefault();
            send();
          }}
          className="max-h-52 min-h-9 flex-1 resize-none bg-transparent py-1.5 text-[15px] leading-6 text-zinc-900 outline-none placeholder:text-zinc-400 dark:text-zinc-100 dark:placeholder:text-zinc-500"
        />
        {remaining <= COUNTER_THRESHOLD && (
          <span className="mb-2 text-xs font-medium tabular-nums">
            <span
              data-testid="char-counter"
              className={remaining < 0 ? "text-red-600 dark:text-red-400" : "text-zinc-500 dark:text-zinc-400"}
            >
              {remaining}
            </span>
            <span className="sr-only"> characters left</span>
          </span>
        )}
        <Button
          type="submit"
          size="icon"
          aria-label="Send"
          disabled={!canSend}
          // Greyed rather than faded while there is nothing to send: it is the normal state of an empty box.
          className="shadow-none disabled:cursor-default disabled:bg-zinc-200 disabled:text-zinc-400 disabled:opacity-100 dark:disabled:bg-zinc-800 dark:disabled:text-zinc-500"
        >
          <SendIcon aria-hidden="true" className="h-[18px] w-[18px] -translate-x-px translate-y-px" />
        </Button>
      </div>
      <p id={hintId} className="sr-only">
        Press Enter to send, Shift+Enter for a new line. Type @ to mention someone.
      </p>
      <p aria-live="polite" className="sr-only">
        {open
          ? `${suggestions.length} ${suggestions.length === 1 ? "person" : "people"} to mention: up and down arrows to choose, Enter to insert.`
          : ""}
      </p>
    </form>
  );
}

/**
 * What takes the composer's place in a direct conversation of two once the caller blocked the other person: nobody
 * can write in it until they unblock (the server refuses both ways). "Unblock" does it at once, without asking.
 *
 * @param username whom the caller blocked
 * @param pending while the unblocking runs (the button waits)
 */
export function BlockedNotice({ username, pending, onUnblock }: { username: string; pending: boolean; onUnblock: () => void }) {
  return (
    <div
      data-testid="blocked-notice"
      className="shrink-0 border-t border-zinc-200 bg-white px-3 pb-[max(0.75rem,env(safe-area-inset-bottom))] pt-3 md:px-6 dark:border-zinc-800 dark:bg-zinc-950"
    >
      <div className="mx-auto flex max-w-3xl items-center gap-3 rounded-3xl bg-zinc-100 py-1.5 pl-4 pr-1.5 dark:bg-zinc-900">
        <BanIcon aria-hidden="true" className="h-4 w-4 shrink-0 text-zinc-500 dark:text-zinc-400" />
        <p className="min-w-0 flex-1 py-1.5 text-sm text-zinc-600 [overflow-wrap:anywhere] dark:text-zinc-300">
          You blocked <span className="font-medium text-zinc-900 dark:text-zinc-100">@{username}</span>.
        </p>
        <Button variant="secondary" size="sm" className="rounded-full" disabled={pending} onClick={onUnblock}>
          {pending ? "Unblocking…" : "Unblock"}
        </Button>
      </div>
    </div>
  );
}
