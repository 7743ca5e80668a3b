"use client";

import { Avatar } from "../avatar";
import { displayName } from "@/lib/format";

/** Someone who can be mentioned: a participant of the thread other than the writer. */
export interface Mentionable {
  id: string;
  username: string;
  name: string | null;
}

/** At most this many suggestions are listed. */
export const MAX_SUGGESTIONS = 8;

/**
 * The mention being typed right before the caret: `@` and what follows it up to the caret (letters, digits and `_`,
 * at most 32: a username's characters), where the `@` starts the text or follows a character that is neither a word
 * character nor `@` — the rule of `MENTION_PATTERN` (lib/schemas/constants.ts), so `bob@example.com` starts none. A
 * bare `@` counts (everyone is suggested). Null when the caret is not in such a mention, or sits inside a word.
 * @returns where the `@` is (`start`) and the text after it (`query`)
 */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const match = /(?<![A-Za-z0-9_@])@([A-Za-z0-9_]{0,32})$/.exec(text.slice(0, caret));
  if (!match || /^[A-Za-z0-9_]/.test(text.slice(caret))) return null;
  return { start: match.index, query: match[1]! };
}

/**
 * Who matches a mention's query, case-insensitively: a username or a display name starting with it, or a word of the
 * display name ("smi" finds "Alice Smith"). Usernames that start with it come first; otherwise in `people`'s order.
 * At most {@link MAX_SUGGESTIONS}.
 */
export function mentionSuggestions(people: readonly Mentionable[], query: string): Mentionable[] {
  const q = query.toLowerCase();
  const byUsername: Mentionable[] = [];
  const byName: Mentionable[] = [];
  for (const p of people) {
    if (p.username.toLowerCase().startsWith(q)) byUsername.push(p);
    else if (p.name?.toLowerCase().split(/\s+/).some((word) => word.startsWith(q))) byName.push(p);
  }
  return [...byUsername, ...byName].slice(0, MAX_SUGGESTIONS);
}

/**
 * The text with the mention at `start` (up to `caret`) replaced by `@username ` (no second space when one follows
 * already), and where the caret goes: after the space.
 */
export function insertMention(text: string, start: number, caret: number, username: string): { text: string; caret: number } {
  const after = text.slice(caret);
  const inserted = `@${username}${after.startsWith(" ") ? "" : " "}`;
  return { text: text.slice(0, start) + inserted + after, caret: start + inserted.length + (after.startsWith(" ") ? 1 : 0) };
}

/** The id of a suggestion's option element, for the message box's `aria-activedescendant`. */
export const optionId = (listId: string, index: number) => `${listId}-option-${index}`;

/**
 * The suggestions of a mention being typed: a listbox over the message box, which keeps the focus (the box points at
 * the active option with `aria-activedescendant`; ↑/↓ move, Enter or Tab insert, Escape closes: the composer's keys).
 * A press on an option inserts it without taking the focus from the box.
 */
export function MentionListbox({
  id,
  options,
  active,
  onActive,
  onPick,
}: {
  id: string;
  options: readonly Mentionable[];
  active: number;
  onActive: (index: number) => void;
  onPick: (person: Mentionable) => void;
}) {
  return (
    <ul
      id={id}
      role="listbox"
      aria-label="People to mention"
      data-testid="mention-suggestions"
      // Over the log, above the composer (and its reply bar), as wide as the message box.
      className="absolute inset-x-3 bottom-full z-30 mx-auto mb-2 max-h-72 max-w-3xl overflow-y-auto rounded-2xl bg-white p-1 shadow-lg ring-1 ring-zinc-900/10 md:inset-x-6 dark:bg-zinc-900 dark:ring-white/10"
    >
      {options.map((p, i) => (
        <li
          key={p.id}
          id={optionId(id, i)}
          role="option"
          aria-selected={i === active}
          // Keep the focus (and the caret) in the message box.
          onMouseDown={(e) => e.preventDefault()}
          onMouseMove={() => i !== active && onActive(i)}
          onClick={() => onPick(p)}
          className="group flex cursor-pointer items-center gap-2.5 rounded-xl px-2.5 py-1.5 text-sm aria-selected:bg-zinc-100 dark:aria-selected:bg-zinc-800"
        >
          <Avatar user={p} size="sm" />
          <span className="min-w-0 flex-1 truncate">
            <span className="font-medium text-zinc-900 dark:text-zinc-100">{displayName(p)}</span>
            {/* Darker on the active option's grey, where zinc-500 measures under 4.5:1. */}
            <span className="ml-1.5 text-zinc-500 group-aria-selected:text-zinc-600 dark:text-zinc-400 dark:group-aria-selected:text-zinc-400">
              @{p.username}
            </span>
          </span>
        </li>
      ))}
    </ul>
  );
}
