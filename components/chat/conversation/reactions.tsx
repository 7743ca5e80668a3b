"use client";

import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { displayName } from "@/lib/format";
import type { Reaction } from "@/lib/schemas/messages";
import { type ConversationPopups, conversationPopups } from "./popups-loader";

/** Whom a reaction's `userIds` may name: the thread's participants. */
export interface Reactor {
  id: string;
  username: string;
  name: string | null;
}

/**
 * Emoji in the colour fonts of the systems before the text font (whose own black-and-white emoji, DejaVu Sans' on
 * Linux, would win otherwise), as the picker (Frimousse) draws them.
 */
export const EMOJI_FONT = "[font-family:'Apple_Color_Emoji','Segoe_UI_Emoji','Noto_Color_Emoji','Twemoji_Mozilla',sans-serif]";

/** At most this many names are listed; the rest are "N others". */
const MAX_NAMES = 8;

/** A long press (touch) shows who reacted instead of toggling the reaction. */
const LONG_PRESS_MS = 450;

/**
 * Who reacted, in words: "You", "Alice and you", "Alice, Bob and 3 others". The viewer comes first as "You" (last,
 * lowercase, after others); ids that are not among `people` (someone who left the group) read "a former member".
 * @param userIds as the reaction lists them, in the order people reacted
 */
export function reactorNames(userIds: readonly string[], people: readonly Reactor[], meId: string): string {
  const byId = new Map(people.map((p) => [p.id, p]));
  const mine = userIds.includes(meId);
  const others = userIds.filter((id) => id !== meId).map((id) => {
    const p = byId.get(id);
    return p ? displayName(p) : "a former member";
  });
  const shown = others.slice(0, mine ? MAX_NAMES - 1 : MAX_NAMES);
  const rest = others.length - shown.length;
  const names = mine ? [...shown, "you"] : shown;
  if (rest > 0) names.push(`${rest} ${rest === 1 ? "other" : "others"}`);
  const text = names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A message's reactions under its bubble: one chip per emoji with its count, highlighted when the viewer is among
 * those who reacted; a press adds or takes back the viewer's own. Who reacted shows in a tooltip on hover and keyboard
 * focus, and on a long press on touch screens; it is also in each chip's accessible name.
 * @param own whether the message is the viewer's (the chips line up on its side)
 * @param onToggle adds (`add`) or takes back the viewer's reaction with `emoji`
 */
export function ReactionChips({
  reactions,
  people,
  meId,
  own,
  onToggle,
  popups = null,
}: {
  reactions: readonly Reaction[];
  people: readonly Reactor[];
  meId: string;
  own: boolean;
  onToggle: (emoji: string, add: boolean) => void;
  /** The popups, once the message is armed (message-item.tsx): its chips' tooltips are then mounted already. */
  popups?: ConversationPopups | null;
}) {
  if (reactions.length === 0) return null;
  return (
    <div
      data-testid="reactions"
      className={`mt-1 flex max-w-full flex-wrap gap-1 ${own ? "justify-end" : "justify-start"}`}
    >
      {reactions.map((r) => (
        <ReactionChip
          key={r.emoji}
          reaction={r}
          names={reactorNames(r.userIds, people, meId)}
          mine={r.userIds.includes(meId)}
          onToggle={onToggle}
          armedPopups={popups}
        />
      ))}
    </div>
  );
}

function ReactionChip({
  reaction,
  names,
  mine,
  onToggle,
  armedPopups,
}: {
  reaction: Reaction;
  names: string;
  mine: boolean;
  onToggle: (emoji: string, add: boolean) => void;
  armedPopups: ConversationPopups | null;
}) {
  const [open, setOpen] = useState(false);
  // The tooltip (Base UI, from ./popups.ts) is mounted once it may show: the message armed (pointed at: the mouse
  // reaches its chips from there), or the chip itself pointed at, focused or long-pressed; until then the chip is the
  // same button without it. A focused chip hands the focus on.
  const popups = conversationPopups.useLoaded();
  const [armed, setArmed] = useState(false);
  // A button replaced between press and release gets no click: a plain chip that is pressed stays plain until the
  // click (a touch's pointerleave comes before it, so only a mouse leaving ends the press early).
  const [pressing, setPressing] = useState(false);
  const ui = pressing ? null : (armedPopups ?? (armed ? popups : null));
  const arm = () => {
    setArmed(true);
    void conversationPopups.load().catch(() => undefined);
  };
  const buttonRef = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  useLayoutEffect(() => {
    if (!ui || !refocus.current) return;
    refocus.current = false;
    buttonRef.current?.focus();
  }, [ui]);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const longPressed = useRef(false);
  const cancel = () => clearTimeout(timer.current);
  useEffect(() => cancel, []);
  // A tooltip opened by a long press stays a moment, then goes (nothing hovers it away on a touch screen).
  useEffect(() => {
    if (!open || !longPressed.current) return;
    const t = setTimeout(() => setOpen(false), 2500);
    return () => clearTimeout(t);
  }, [open]);

  const { emoji, count } = reaction;
  const buttonProps: React.ComponentProps<"button"> = {
    ref: buttonRef,
    type: "button",
    "aria-pressed": mine,
    "aria-label": `${emoji} ${count}: ${names}`,
    onPointerEnter: (e) => e.pointerType !== "touch" && arm(),
    onFocus: () => {
      if (ui) return;
      refocus.current = true;
      arm();
    },
    onBlur: () => (refocus.current = false),
    onPointerDown: (e) => {
      longPressed.current = false;
      if (!ui) setPressing(true);
      if (e.pointerType !== "touch") return;
      cancel();
      timer.current = setTimeout(() => {
        // Who reacted, shown while the finger stays: the click that ends this press toggles nothing.
        longPressed.current = true;
        setPressing(false);
        arm();
        setOpen(true);
      }, LONG_PRESS_MS);
    },
    onPointerUp: cancel,
    onPointerCancel: () => {
      cancel();
      setPressing(false);
    },
    onPointerLeave: (e) => {
      cancel();
      if (e.pointerType !== "touch") setPressing(false);
    },
    // The browser's own long-press menu would cover the names.
    onContextMenu: (e) => {
      if (longPressed.current) e.preventDefault();
    },
    onClick: (e) => {
      e.stopPropagation();
      setPressing(false);
      // The press that showed who reacted does not also toggle.
      if (longPressed.current) {
        longPressed.current = false;
        return;
      }
      onToggle(emoji, !mine);
    },
    className: `inline-flex h-7 select-none items-center gap-1 rounded-full border px-2 text-sm leading-none transition-colors [-webkit-touch-callout:none] focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-500 ${
      mine
        ? "border-indigo-300 bg-indigo-50 text-indigo-700 hover:bg-indigo-100 dark:border-indigo-400/60 dark:bg-indigo-500/20 dark:text-indigo-100 dark:hover:bg-indigo-500/30"
        : "border-zinc-200 bg-white text-zinc-600 hover:border-zinc-300 hover:bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-300 dark:hover:border-zinc-600 dark:hover:bg-zinc-800"
    }`,
  };
  const face = (
    <>
      <span aria-hidden="true" className={`text-[15px] ${EMOJI_FONT}`}>
        {emoji}
      </span>
      <span aria-hidden="true" className="text-xs font-semibold tabular-nums">
        {count}
      </span>
    </>
  );
  const data = { "data-testid": "reaction", "data-emoji": emoji, "data-mine": mine ? "true" : "false" };
  if (!ui)
    return (
      <button {...buttonProps} {...data}>
        {face}
      </button>
    );
  return (
    <ui.Tooltip open={open} onOpenChange={setOpen}>
      <ui.TooltipTrigger closeOnClick={false} delay={300} render={<button {...buttonProps} {...data} />}>
        {face}
      </ui.TooltipTrigger>
      <ui.TooltipContent data-testid="reactors">
        {names} <span className="font-normal opacity-80">reacted with <span className={EMOJI_FONT}>{emoji}</span></span>
      </ui.TooltipContent>
    </ui.Tooltip>
  );
}
