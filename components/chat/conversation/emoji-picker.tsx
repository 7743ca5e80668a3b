"use client";

import {
  EmojiPicker as Picker,
  type EmojiPickerListCategoryHeaderProps,
  type EmojiPickerListEmojiProps,
  type EmojiPickerListRowProps,
} from "frimousse";
import { LoaderCircle as LoaderIcon, Search as SearchIcon } from "lucide-react";

/**
 * Where the picker reads Emojibase's data (`${EMOJIBASE_URL}/en/data.json`, `…/en/messages.json`): our own origin
 * (app/emojibase/en/[file]/route.ts serves the `emojibase-data` package's files), never a CDN, so it works offline
 * and under the pages' `connect-src 'self'`. Frimousse keeps it in localStorage and asks again (HEAD, ETag) once a
 * session.
 */
export const EMOJIBASE_URL = "/emojibase";

function Row({ children, ...props }: EmojiPickerListRowProps) {
  return (
    <div {...props} className="scroll-my-1.5 px-1.5">
      {children}
    </div>
  );
}

function Emoji({ emoji, ...props }: EmojiPickerListEmojiProps) {
  return (
    <button
      {...props}
      className="flex size-9 items-center justify-center rounded-lg text-[22px] data-active:bg-zinc-100 dark:data-active:bg-zinc-800"
    >
      {emoji.emoji}
    </button>
  );
}

function CategoryHeader({ category, ...props }: EmojiPickerListCategoryHeaderProps) {
  return (
    <div {...props} className="bg-white px-3 pb-1.5 pt-3 text-xs font-medium text-zinc-500 dark:bg-zinc-900 dark:text-zinc-400">
      {category.label}
    </div>
  );
}

/**
 * The full emoji picker (Frimousse, styled here): a search box, the emoji by category in a virtualized grid (arrow
 * keys from the search box move through it, Enter picks), the hovered or active emoji's name and a skin tone choice.
 * Loaded on demand (`next/dynamic` in reaction-picker.tsx): it and its data stay out of the first page load.
 * Its width fits a phone (at most the screen less 2 rem); 8 columns of 36 px.
 */
export default function EmojiPicker({ onPick }: { onPick: (emoji: string) => void }) {
  return (
    <Picker.Root
      data-testid="emoji-picker"
      emojibaseUrl={EMOJIBASE_URL}
      columns={8}
      onEmojiSelect={({ emoji }) => onPick(emoji)}
      className="isolate flex h-[min(20rem,50dvh)] w-fit max-w-[calc(100vw-2rem)] flex-col"
    >
      <div className="mx-2 mt-1 flex h-9 items-center gap-2 rounded-lg bg-zinc-100 px-2.5 dark:bg-zinc-800">
        <SearchIcon aria-hidden="true" className="h-4 w-4 shrink-0 text-zinc-400" />
        <Picker.Search
          aria-label="Search emoji"
          placeholder="Search emoji"
          autoFocus
          className="h-full w-full min-w-0 bg-transparent text-sm text-zinc-900 outline-none placeholder:text-zinc-400 dark:text-zinc-100 dark:placeholder:text-zinc-500"
        />
      </div>
      {/* Focusable, as a scrolling region must be for the keyboard (WCAG 2.1.1): Frimousse then makes its first emoji
          the active one, and the arrow keys and Enter work from there as from the search box. */}
      <Picker.Viewport
        tabIndex={0}
        className="relative flex-1 rounded-lg outline-none focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-500"
      >
        <Picker.Loading className="absolute inset-0 flex items-center justify-center text-zinc-400">
          <LoaderIcon aria-hidden="true" className="h-5 w-5 animate-spin" />
          <span className="sr-only">Loading emoji…</span>
        </Picker.Loading>
        <Picker.Empty className="absolute inset-0 flex items-center justify-center text-sm text-zinc-500 dark:text-zinc-400">
          No emoji found.
        </Picker.Empty>
        <Picker.List className="select-none pb-1.5" components={{ Row, Emoji, CategoryHeader }} />
      </Picker.Viewport>
      <div className="flex w-full min-w-0 max-w-(--frimousse-viewport-width) items-center gap-1 border-t border-zinc-200 px-2 py-1.5 dark:border-zinc-800">
        <Picker.ActiveEmoji>
          {({ emoji }) =>
            emoji ? (
              <>
                <span aria-hidden="true" className="flex size-7 flex-none items-center justify-center text-lg">
                  {emoji.emoji}
                </span>
                <span className="min-w-0 flex-1 truncate text-xs text-zinc-600 dark:text-zinc-300">{emoji.label}</span>
              </>
            ) : (
              <span className="ml-1.5 flex h-7 min-w-0 flex-1 items-center truncate text-xs text-zinc-500 dark:text-zinc-400">
                Pick an emoji…
              </span>
            )
          }
        </Picker.ActiveEmoji>
        <Picker.SkinToneSelector className="flex size-7 flex-none items-center justify-center rounded-lg text-lg hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:hover:bg-zinc-800" />
      </div>
    </Picker.Root>
  );
}
