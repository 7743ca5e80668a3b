"use client";

import { LoaderCircle as LoaderIcon, Plus as PlusIcon, SmilePlus as SmilePlusIcon } from "lucide-react";
import dynamic from "next/dynamic";
import { useState } from "react";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { pickerButtonClass } from "./action-buttons";
import { EMOJI_FONT } from "./reactions";

/** The quick reactions, with their names for screen readers. */
export const QUICK_REACTIONS: readonly { emoji: string; label: string }[] = [
  { emoji: "👍", label: "Thumbs up" },
  { emoji: "❤️", label: "Red heart" },
  { emoji: "😂", label: "Face with tears of joy" },
  { emoji: "😮", label: "Face with open mouth" },
  { emoji: "😢", label: "Crying face" },
  { emoji: "🙏", label: "Folded hands" },
];

// The full picker and its data load the first time someone asks for more than the quick row.
const EmojiPicker = dynamic(() => import("./emoji-picker"), {
  ssr: false,
  loading: () => (
    <div className="flex h-[min(20rem,50dvh)] w-[300px] max-w-[calc(100vw-2rem)] items-center justify-center text-zinc-400">
      <LoaderIcon aria-hidden="true" className="h-5 w-5 animate-spin" />
      <span className="sr-only">Loading emoji…</span>
    </div>
  ),
});

/**
 * The "Add reaction" button of a message's actions and its popover: the quick reactions (👍 ❤️ 😂 😮 😢 🙏) and "More
 * emoji", which opens the full picker in place. Picking an emoji the viewer already reacted with takes it back, as
 * its chip does. Controlled, so that the message's menu can open it too (its "Add reaction" item, for touch screens).
 * @param mine the emoji the viewer reacted with already (their quick buttons show pressed)
 * @param onPick the chosen emoji and whether it adds (false: takes back); the popover then closes
 * @param className the trigger's classes (its place and visibility in the message's actions)
 */
export function ReactionPicker({
  open,
  onOpenChange,
  mine,
  onPick,
  className,
  triggerRef,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  mine: readonly string[];
  onPick: (emoji: string, add: boolean) => void;
  className?: string;
  /** Receives the button. */
  triggerRef?: React.Ref<HTMLButtonElement>;
}) {
  const [full, setFull] = useState(false);
  const pick = (emoji: string) => {
    onPick(emoji, !mine.includes(emoji));
    onOpenChange(false);
  };
  return (
    <Popover
      open={open}
      onOpenChange={(next) => onOpenChange(next)}
      onOpenChangeComplete={(isOpen) => {
        if (!isOpen) setFull(false);
      }}
    >
      <PopoverTrigger ref={triggerRef} aria-label="Add reaction" className={pickerButtonClass(className ?? "")}>
        <SmilePlusIcon aria-hidden="true" className="h-4 w-4" />
      </PopoverTrigger>
      <PopoverContent aria-label="Add reaction" data-testid="reaction-picker" className="p-1.5">
        <div role="group" aria-label="Quick reactions" className="flex items-center gap-0.5">
          {QUICK_REACTIONS.map(({ emoji, label }) => (
            <button
              key={emoji}
              type="button"
              aria-label={label}
              aria-pressed={mine.includes(emoji)}
              onClick={() => pick(emoji)}
              className={`${EMOJI_FONT} flex size-10 items-center justify-center rounded-full text-[22px] transition-transform hover:scale-110 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-indigo-500 aria-pressed:bg-indigo-50 motion-reduce:transition-none dark:hover:bg-zinc-800 dark:aria-pressed:bg-indigo-500/20`}
            >
              {emoji}
            </button>
          ))}
          {!full && (
            <button
              type="button"
              aria-label="More emoji"
              onClick={() => setFull(true)}
              className="flex size-10 items-center justify-center rounded-full text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
            >
              <PlusIcon aria-hidden="true" className="h-5 w-5" />
            </button>
          )}
        </div>
        {full && (
          <div className="mt-1.5 border-t border-zinc-200 pt-1.5 dark:border-zinc-800">
            <EmojiPicker onPick={pick} />
          </div>
        )}
      </PopoverContent>
    </Popover>
  );
}
