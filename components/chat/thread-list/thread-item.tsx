"use client";

import Link from "next/link";
import { displayName, listTime, plainPreview } from "@/lib/format";
import type { Thread } from "@/lib/schemas/threads";
import { Avatar, GroupAvatar } from "../avatar";
import { MentionBadge, UnreadBadge } from "../unread-badge";

/** The people a thread is "with" for the caller: everyone but the caller (or the caller alone in a note-to-self). */
export function otherParticipants(thread: Thread, meId: string): Thread["participants"] {
  const others = thread.participants.filter((p) => p.id !== meId);
  return others.length > 0 ? others : thread.participants;
}

/** What a thread is called for the caller: a group's title, else the other participants' names. */
export function threadName(thread: Thread, meId: string): string {
  return thread.title ?? otherParticipants(thread, meId).map(displayName).join(", ");
}

/**
 * A thread's avatar for the caller: a group's (the title's initials), the other person's, or several people's.
 * @param size of a single avatar (`md` by default)
 */
export function ThreadAvatar({ thread, meId }: { thread: Thread; meId: string }) {
  if (thread.title !== null) return <Avatar user={{ id: thread.id, username: thread.title, name: thread.title }} />;
  const others = otherParticipants(thread, meId);
  if (others.length > 1) return <GroupAvatar users={others} />;
  return others[0] ? <Avatar user={others[0]} online={onlineOther(thread, meId) !== null} /> : null;
}

/** In a direct conversation with one other person, that person when they are online; else null. */
export function onlineOther(thread: Thread, meId: string): Thread["participants"][number] | null {
  if (thread.kind !== "direct") return null;
  const others = thread.participants.filter((p) => p.id !== meId);
  return others.length === 1 && others[0]!.presence.status === "online" ? others[0]! : null;
}

/**
 * The last-message line of a thread row: "You: …" for the caller's own, "Bob: …" for someone else's in a group,
 * the bare text in a one-to-one thread, a system entry's own words ("alice added bob"), "Removed by a moderator" for a
 * message a moderator removed, and "No messages yet" when there is none. A message's Markdown is left out
 * (`plainPreview`): "**done**" reads "done".
 */
export function previewText(thread: Thread, meId: string): string {
  const last = thread.lastMessage;
  if (!last) return "No messages yet";
  if (last.kind === "system") return last.text;
  if (last.kind === "removed") return "Removed by a moderator";
  const text = plainPreview(last.text);
  if (last.senderId === meId) return `You: ${text}`;
  if (thread.kind === "group" || thread.participants.length > 2) {
    const sender = thread.participants.find((p) => p.id === last.senderId);
    if (sender) return `${displayName(sender).split(/\s+/)[0]}: ${text}`;
  }
  return text;
}

/**
 * The grey of a row's time and preview. On the hovered and the open row, whose backgrounds are tinted, a darker one:
 * zinc-500 measures 4.3–4.4:1 there, under WCAG 1.4.3's 4.5:1.
 */
const MUTED =
  "text-zinc-500 group-hover:text-zinc-600 group-aria-[current=page]:text-zinc-600 dark:text-zinc-400 dark:group-hover:text-zinc-400 dark:group-aria-[current=page]:text-zinc-400";

/**
 * One row of the thread list: a link to `/t/{id}` with the other participants' avatar and names, the last message,
 * when it happened and the caller's unread count, with an `@` badge when some of those mention the caller. Unread
 * threads are bold; the open one is highlighted and marked `aria-current="page"`.
 *
 * @param now the current time in ms (from `useNow`), or null while hydrating, when no time is shown yet.
 * @param navigable one of the search's results, which the arrow keys move between (`data-search-nav`)
 */
export function ThreadItem({
  thread,
  meId,
  active,
  now,
  navigable = false,
}: {
  thread: Thread;
  meId: string;
  active: boolean;
  now: number | null;
  navigable?: boolean;
}) {
  const names = threadName(thread, meId);
  const unread = thread.unreadCount > 0;
  return (
    <li>
      <Link
        href={`/t/${thread.id}`}
        data-testid="thread-item"
        data-thread-id={thread.id}
        data-unread={thread.unreadCount}
        data-search-nav={navigable ? "" : undefined}
        aria-current={active ? "page" : undefined}
        className="group flex items-center gap-3 rounded-xl px-3 py-2.5 transition-[background-color,color,border-color] hover:bg-zinc-100 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-indigo-500 aria-[current=page]:bg-indigo-50 dark:hover:bg-zinc-800/70 dark:aria-[current=page]:bg-indigo-500/15"
      >
        <ThreadAvatar thread={thread} meId={meId} />
        <span className="flex min-w-0 flex-1 flex-col gap-0.5">
          <span className="flex items-baseline gap-2">
            <span
              className={`min-w-0 flex-1 truncate text-[0.9375rem] ${unread ? "font-bold text-zinc-950 dark:text-white" : "font-medium text-zinc-800 dark:text-zinc-100"}`}
            >
              {names}
              {onlineOther(thread, meId) && <span className="sr-only"> (online)</span>}
            </span>
            <time
              dateTime={thread.lastActivityAt}
              className={`shrink-0 text-xs tabular-nums ${unread ? "font-semibold text-indigo-600 dark:text-indigo-400" : MUTED}`}
            >
              {now === null ? "" : listTime(thread.lastActivityAt, new Date(now))}
            </time>
          </span>
          <span className="flex items-center gap-2">
            <span
              className={`min-w-0 flex-1 truncate text-sm ${
                !thread.lastMessage || thread.lastMessage.kind !== "text"
                  ? `italic ${MUTED}`
                  : unread
                    ? "font-medium text-zinc-800 dark:text-zinc-200"
                    : MUTED
              }`}
            >
              {previewText(thread, meId)}
            </span>
            <MentionBadge count={thread.unreadMentionCount} testId="thread-mentions" />
            <UnreadBadge count={thread.unreadCount} testId="thread-unread" label={`${thread.unreadCount} unread`} />
          </span>
        </span>
      </Link>
    </li>
  );
}

/** A grey placeholder row shown while the first page of threads loads. */
export function ThreadItemSkeleton({ wide }: { wide: boolean }) {
  return (
    <li className="flex items-center gap-3 px-3 py-2.5">
      <span className="h-10 w-10 shrink-0 animate-pulse rounded-full bg-zinc-200 dark:bg-zinc-800" />
      <span className="flex flex-1 flex-col gap-2">
        <span className="flex items-center justify-between gap-4">
          <span className={`h-3.5 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800 ${wide ? "w-32" : "w-24"}`} />
          <span className="h-3 w-8 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800/70" />
        </span>
        <span className={`h-3 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800/70 ${wide ? "w-4/5" : "w-3/5"}`} />
      </span>
    </li>
  );
}
