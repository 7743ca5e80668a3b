"use client";

import {
  CircleAlert as AlertIcon,
  Ban as BanIcon,
  Clock as ClockIcon,
  Ellipsis as DotsIcon,
  CheckCheck as DoubleCheckIcon,
  Flag as FlagIcon,
  Mail as MailIcon,
  Pencil as PencilIcon,
  Reply as ReplyIcon,
  SmilePlus as SmilePlusIcon,
  Trash2 as TrashIcon,
} from "lucide-react";
import { useId, useLayoutEffect, useRef, useState } from "react";
import { displayName, formatDate, timeOfDay } from "@/lib/format";
import { Avatar } from "../avatar";
import { MessageEditor } from "./message-editor";
import { MessageText } from "./message-text";
import { actionsButtonClass, pickerButtonClass, pickerButtonPlace } from "./action-buttons";
import { conversationPopups } from "./popups-loader";
import { ReactionChips } from "./reactions";
import { ReplyQuote } from "./reply-preview";
import type { TimelineItem } from "./timeline";

/** What a message row can ask the conversation to do. */
export interface MessageHandlers {
  /** Saves an edit; rejects (after telling the person) when it failed. */
  onEdit: (id: string, text: string) => Promise<void>;
  /** Asks for confirmation, then deletes. */
  onRequestDelete: (item: TimelineItem) => void;
  /** Opens the report dialog for someone else's message. */
  onRequestReport: (item: TimelineItem) => void;
  onRetry: (clientMessageId: string) => void;
  /** Opens the profile card of a message's sender (from their avatar). */
  onOpenProfile: (userId: string) => void;
  onDiscard: (clientMessageId: string) => void;
  /** Starts a reply to a message (the composer shows whom it answers). */
  onReply: (item: TimelineItem) => void;
  /** Adds (`add`) or takes back the viewer's reaction with `emoji` to a sent message. */
  onReact: (item: TimelineItem, emoji: string, add: boolean) => void;
  /** "Mark unread from here": the message and everything after it become unread for the viewer. */
  onMarkUnread: (item: TimelineItem) => void;
  /** Shows a message of the thread (a reply's quote pressed): scrolls to it and highlights it. */
  onJumpToMessage?: (messageId: string) => void;
}

const fullDateTime = (iso: string) =>
  formatDate(new Date(iso), { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" });

/** Bubble corners: rounded-2xl, tighter on the sender's side where the bubble touches its neighbours in a group. */
function corners(own: boolean, first: boolean, last: boolean): string {
  if (own) return `${first ? "" : "rounded-tr-md"} ${last ? "" : "rounded-br-md"}`;
  return `${first ? "" : "rounded-tl-md"} ${last ? "" : "rounded-bl-md"}`;
}

/**
 * One message of the list. The `data-testid="message"` element holds only the bubble and the message's own
 * controls and status; the avatar, the sender's name, the group's time and "Seen" sit around it. Its actions menu
 * offers Edit and Delete on one's own messages, Report on others'; a message a moderator removed shows as "Removed by
 * a moderator", without actions. Sent messages also offer Reply, Add reaction (also a button beside the menu's, on
 * hover) and "Mark unread from here"; their reactions show as chips under the bubble, and a reply quotes what it
 * answers above its text.
 * @param first / last its place in a run of messages by one sender (name above the first, time below the last)
 * @param groupThread whether there are several other people (then others' names are shown)
 * @param people the thread's participants, and viewerId the caller: for the text's `@mentions` and who reacted
 *   (`name` for the latter; without it the username shows)
 */
export function MessageItem({
  item,
  first,
  last,
  groupThread,
  handlers,
  people,
  viewerId,
}: {
  item: TimelineItem;
  first: boolean;
  last: boolean;
  groupThread: boolean;
  handlers: MessageHandlers;
  people: readonly { id: string; username: string; name?: string | null }[];
  viewerId: string;
}) {
  const { own, status } = item;
  const [menuOpen, setMenuOpen] = useState(false);
  const [editing, setEditing] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const toggleRef = useRef<HTMLButtonElement>(null);
  const toggleId = useId();
  // What the chosen item does once the menu has closed, and why it closed: they decide where the focus goes.
  const chosen = useRef<"edit" | "delete" | "report" | "reply" | "react" | null>(null);
  const closedBy = useRef<string | null>(null);
  const hasMenu = status === "sent" && item.id !== null && !item.removed;
  const [pickerOpen, setPickerOpen] = useState(false);
  // The menu and the reaction picker are Base UI popups from a chunk the page loads when the person first moves,
  // types or touches (./popups.ts), mounted only once the message is pointed at, one of its buttons focused or
  // pressed, or its bubble tapped ("armed"): fifty of them cost a phone a quarter of a second at hydration. Until then
  // the two buttons are plain ones that look the same; pressing one opens its popup as soon as it is mounted (from the
  // keyboard, on its first or last item, as Base UI's menu button does), and a focused one hands the focus on.
  const popups = conversationPopups.useLoaded();
  const [armed, setArmed] = useState(false);
  // A button replaced between press and release gets no click: while a plain one is pressed, it stays, until its
  // click (a touch's pointerleave comes before the click, so only a mouse leaving ends the press early).
  const [pressing, setPressing] = useState(false);
  /** The popups' components once the message is armed and they have loaded. */
  const ui = armed && !pressing ? popups : null;
  /** Arms the message, and loads the popups if they are not there (again, after a load that failed). */
  const arm = () => {
    setArmed(true);
    void conversationPopups.load().catch(() => undefined);
  };
  /**
   * The menu was asked for from the keyboard before it could mount: its first item (Enter, Space, ArrowDown) or its
   * last (ArrowUp) takes the focus when it opens, as from Base UI's trigger.
   */
  const keyboardOpen = useRef<"first" | "last" | null>(null);
  const menuPopupRef = useRef<HTMLDivElement>(null);
  const plainFocused = useRef<"menu" | "picker" | null>(null);
  /**
   * Opens a popup from its plain button, as soon as it is mounted: it takes the focus when it opens, and gives it to
   * its button when it closes. A load that fails says so.
   */
  const openPlain = (open: () => void) => {
    plainFocused.current = null;
    setArmed(true);
    setPressing(false);
    open();
    conversationPopups.whenLoaded(() => {});
  };
  const openMenu = () => openPlain(() => setMenuOpen(true));
  const pressHandlers = {
    onPointerDown: () => setPressing(true),
    onPointerCancel: () => setPressing(false),
    onPointerLeave: (e: React.PointerEvent) => e.pointerType !== "touch" && setPressing(false),
  };
  const pickerButtonRef = useRef<HTMLButtonElement>(null);
  const live = ui !== null;
  useLayoutEffect(() => {
    if (!live || !plainFocused.current) return;
    (plainFocused.current === "menu" ? toggleRef : pickerButtonRef).current?.focus();
    plainFocused.current = null;
  }, [live]);
  const mine = item.reactions.filter((r) => r.userIds.includes(viewerId)).map((r) => r.emoji);
  const reactors = people.map((p) => ({ id: p.id, username: p.username, name: p.name ?? null }));

  const bubbleColors = own
    ? "bg-indigo-600 text-white"
    : "bg-zinc-100 text-zinc-900 dark:bg-zinc-800 dark:text-zinc-100";

  return (
    <div data-anchor={item.key} className={`flex gap-2 ${first ? "mt-3" : "mt-0.5"} ${own ? "justify-end pl-10 md:pl-16" : "pr-10 md:pr-16"}`}>
      {!own && (
        <div className="w-8 shrink-0 self-end">
          {last && (
            <button
              type="button"
              onClick={() => handlers.onOpenProfile(item.sender.id)}
              aria-label={`Profile of ${displayName(item.sender)}`}
              // Level with the bubble's foot: above the time (and the reactions' row, 2 rem, when there is one).
              className={`${hasMenu && item.reactions.length > 0 ? "mb-[3.25rem]" : "mb-5"} block rounded-full focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500`}
            >
              <Avatar user={item.sender} size="sm" />
            </button>
          )}
        </div>
      )}
      <div className={`flex min-w-0 flex-col ${own ? "items-end" : "items-start"}`}>
        {first && !own && groupThread && (
          <span className="mb-1 ml-3 text-xs font-medium text-zinc-500 dark:text-zinc-400">{displayName(item.sender)}</span>
        )}
        <div
          ref={rootRef}
          data-testid="message"
          data-message-id={item.id ?? undefined}
          data-seq={item.seq ?? undefined}
          data-own={own ? "true" : "false"}
          data-status={status}
          data-removed={item.removed ? "true" : undefined}
          // A mouse points at the message well before it presses; a finger's tap arms the button it lands on instead (a
          // button replaced between press and release would get no click).
          onPointerEnter={hasMenu ? (e) => e.pointerType !== "touch" && arm() : undefined}
          className={`group/message flex max-w-full flex-col ${own ? "items-end" : "items-start"}`}
        >
          <div className="flex max-w-full items-center gap-1">
            {hasMenu && !editing && !ui && (
              <>
                <button
                  type="button"
                  id={toggleId}
                  aria-label="Message actions"
                  aria-haspopup="menu"
                  aria-expanded={false}
                  onFocus={() => {
                    plainFocused.current = "menu";
                    arm();
                  }}
                  onBlur={() => (plainFocused.current = null)}
                  onKeyDown={(e) => {
                    if (e.key !== "Enter" && e.key !== " " && e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
                    e.preventDefault();
                    keyboardOpen.current = e.key === "ArrowUp" ? "last" : "first";
                    openMenu();
                  }}
                  onClick={openMenu}
                  {...pressHandlers}
                  className={actionsButtonClass(own)}
                >
                  <DotsIcon aria-hidden="true" className="h-4 w-4" />
                </button>
                <button
                  type="button"
                  aria-label="Add reaction"
                  aria-haspopup="dialog"
                  aria-expanded={false}
                  onFocus={() => {
                    plainFocused.current = "picker";
                    arm();
                  }}
                  onBlur={() => (plainFocused.current = null)}
                  // The popover takes the focus when it opens, and gives it to the real button when it closes.
                  onClick={() => openPlain(() => setPickerOpen(true))}
                  {...pressHandlers}
                  className={pickerButtonClass(pickerButtonPlace(own))}
                >
                  <SmilePlusIcon aria-hidden="true" className="h-4 w-4" />
                </button>
              </>
            )}
            {hasMenu && !editing && ui && (
              <>
                <ui.DropdownMenu
                  open={menuOpen}
                  triggerId={toggleId}
                  // Not modal, like the rest of the conversation: a press elsewhere closes it and still does what it does.
                  modal={false}
                  onOpenChange={(open, details) => {
                    // A tap on the message itself toggles the menu (below), rather than closing it as a press outside.
                    if (!open && details.reason === "outside-press" && rootRef.current?.contains(details.event.target as Node)) return;
                    closedBy.current = open ? null : details.reason;
                    setMenuOpen(open);
                  }}
                  onOpenChangeComplete={(open) => {
                    if (open) {
                      const items = menuPopupRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]');
                      if (keyboardOpen.current) items?.[keyboardOpen.current === "first" ? 0 : items.length - 1]?.focus();
                      keyboardOpen.current = null;
                      return;
                    }
                    // The confirmation (or the report dialog) opens once the menu has given the focus back to its
                    // button, so that the dialog traps it from the start and returns it there when it closes.
                    const then = chosen.current;
                    if (then !== "delete" && then !== "report" && then !== "reply" && then !== "react") return;
                    chosen.current = null;
                    if (then === "delete") handlers.onRequestDelete(item);
                    else if (then === "report") handlers.onRequestReport(item);
                    // Then the composer takes the focus for the reply, the reaction picker for its emoji.
                    else if (then === "reply") handlers.onReply(item);
                    else setPickerOpen(true);
                  }}
                >
                  <ui.DropdownMenuTrigger ref={toggleRef} id={toggleId} aria-label="Message actions" className={actionsButtonClass(own)}>
                    <DotsIcon aria-hidden="true" className="h-4 w-4" />
                  </ui.DropdownMenuTrigger>
                  <ui.DropdownMenuContent
                    ref={menuPopupRef}
                    align={own ? "end" : "start"}
                    // Back to the button, except after Edit (the editor, which takes the button's place, has the focus)
                    // and after a press elsewhere (which put the focus where it pressed).
                    finalFocus={() => chosen.current !== "edit" && closedBy.current !== "outside-press"}
                  >
                    {own ? (
                      <>
                        <ui.DropdownMenuItem
                          onClick={() => {
                            chosen.current = "edit";
                            setEditing(true);
                          }}
                        >
                          <PencilIcon aria-hidden="true" className="h-4 w-4" />
                          Edit
                        </ui.DropdownMenuItem>
                        <ui.DropdownMenuItem variant="danger" onClick={() => (chosen.current = "delete")}>
                          <TrashIcon aria-hidden="true" className="h-4 w-4" />
                          Delete
                        </ui.DropdownMenuItem>
                      </>
                    ) : (
                      <ui.DropdownMenuItem onClick={() => (chosen.current = "report")}>
                        <FlagIcon aria-hidden="true" className="h-4 w-4" />
                        Report message
                      </ui.DropdownMenuItem>
                    )}
                    {/* Then the conversation's own actions: Edit and Delete, or Report, keep the first places. */}
                    <ui.DropdownMenuItem onClick={() => (chosen.current = "reply")}>
                      <ReplyIcon aria-hidden="true" className="h-4 w-4" />
                      Reply
                    </ui.DropdownMenuItem>
                    <ui.DropdownMenuItem onClick={() => (chosen.current = "react")}>
                      <SmilePlusIcon aria-hidden="true" className="h-4 w-4" />
                      Add reaction
                    </ui.DropdownMenuItem>
                    <ui.DropdownMenuItem onClick={() => handlers.onMarkUnread(item)}>
                      <MailIcon aria-hidden="true" className="h-4 w-4" />
                      Mark unread from here
                    </ui.DropdownMenuItem>
                  </ui.DropdownMenuContent>
                </ui.DropdownMenu>
                <ui.ReactionPicker
                  open={pickerOpen}
                  onOpenChange={setPickerOpen}
                  mine={mine}
                  onPick={(emoji, add) => handlers.onReact(item, emoji, add)}
                  triggerRef={pickerButtonRef}
                  className={pickerButtonPlace(own)}
                />
              </>
            )}
            {item.removed ? (
              <div
                title={fullDateTime(item.createdAt)}
                suppressHydrationWarning
                className={`inline-flex min-w-0 items-center gap-1.5 rounded-2xl border border-dashed border-zinc-300 px-3.5 py-2 text-[15px] italic leading-[1.4] text-zinc-500 dark:border-zinc-700 dark:text-zinc-400 ${corners(own, first, last)}`}
              >
                <BanIcon aria-hidden="true" className="h-4 w-4 shrink-0" />
                Removed by a moderator
              </div>
            ) : editing && item.id ? (
              <MessageEditor
                initialText={item.text}
                onCancel={() => {
                  chosen.current = null;
                  setEditing(false);
                  requestAnimationFrame(() => toggleRef.current?.focus());
                }}
                onSave={async (text) => {
                  await handlers.onEdit(item.id!, text);
                  chosen.current = null;
                  setEditing(false);
                  requestAnimationFrame(() => toggleRef.current?.focus());
                }}
              />
            ) : (
              <div
                title={fullDateTime(item.createdAt)}
                suppressHydrationWarning
                onClick={() => {
                  // Touch screens have no hover: a tap on a message reveals its actions.
                  if (hasMenu && window.matchMedia("(pointer: coarse)").matches) openPlain(() => setMenuOpen((o) => !o));
                }}
                className={`min-w-0 rounded-2xl px-3.5 py-2 text-[15px] leading-[1.4] ${bubbleColors} ${corners(own, first, last)} ${status === "sent" ? "" : "opacity-60"}`}
              >
                {item.replyTo && <ReplyQuote replyTo={item.replyTo} own={own} meId={viewerId} onJump={handlers.onJumpToMessage} />}
                <MessageText
                  text={item.text}
                  mentions={item.mentions}
                  people={people}
                  viewerId={viewerId}
                  onMentionClick={handlers.onOpenProfile}
                  own={own}
                >
                  {item.editedAt && (
                    <span
                      data-testid="edited-marker"
                      title={`Edited ${fullDateTime(item.editedAt)}`}
                      className={`ml-1.5 align-baseline text-[11px] ${own ? "text-indigo-200" : "text-zinc-500 dark:text-zinc-400"}`}
                    >
                      edited
                    </span>
                  )}
                </MessageText>
              </div>
            )}
          </div>

          {hasMenu && (
            <ReactionChips
              reactions={item.reactions}
              people={reactors}
              meId={viewerId}
              own={own}
              onToggle={(emoji, add) => handlers.onReact(item, emoji, add)}
              popups={ui}
            />
          )}

          {status === "pending" &&
            (last ? (
              <span className="mr-1 mt-1 inline-flex items-center gap-1 text-[11px] leading-4 text-zinc-400 transition-opacity delay-500 duration-200 starting:opacity-0 dark:text-zinc-500">
                <ClockIcon aria-hidden="true" className="h-3 w-3" />
                Sending…
              </span>
            ) : (
              <span className="sr-only">Sending…</span>
            ))}
          {status === "failed" && item.clientMessageId && (
            <span className="mr-1 mt-1 inline-flex items-center gap-1 text-[11px] leading-4 text-red-600 dark:text-red-400">
              <AlertIcon aria-hidden="true" className="h-3.5 w-3.5" />
              <span title={item.error}>Not sent</span>
              <span aria-hidden="true">·</span>
              <button
                type="button"
                onClick={() => handlers.onRetry(item.clientMessageId!)}
                className="rounded font-semibold underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-500"
              >
                Retry
              </button>
              <span aria-hidden="true">·</span>
              <button
                type="button"
                onClick={() => handlers.onDiscard(item.clientMessageId!)}
                className="rounded text-zinc-500 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-zinc-400"
              >
                Discard
              </button>
            </span>
          )}
        </div>

        {status === "sent" && (last || item.seen) && (
          <div className={`mt-1 flex items-center gap-1.5 text-[11px] leading-4 text-zinc-500 dark:text-zinc-400 ${own ? "mr-1" : "ml-1"}`}>
            {last && (
              <time dateTime={item.createdAt} title={fullDateTime(item.createdAt)} suppressHydrationWarning>
                {timeOfDay(item.createdAt)}
              </time>
            )}
            {last && item.seen && <span aria-hidden="true">·</span>}
            {item.seen && (
              <span className="inline-flex items-center gap-1 text-indigo-600 dark:text-indigo-400">
                <DoubleCheckIcon aria-hidden="true" className="h-3.5 w-3.5" />
                <span data-testid="seen-marker">{item.seen}</span>
              </span>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
