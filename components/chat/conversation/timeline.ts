/**
 * Turns a thread's cached messages and its outbox into what the message list draws: days, and within a day groups
 * of consecutive messages by one sender. Pure, so the rules (grouping window, de-duplication, the "Seen" marker)
 * can be read and tested in one place.
 */
import type { OutboxEntry } from "@/lib/client/outbox";
import { displayName, sameDay } from "@/lib/format";
import type { Message } from "@/lib/schemas/messages";

/** Consecutive messages of one sender at most this far apart (ms) share a group. */
export const GROUP_WINDOW_MS = 5 * 60_000;

export interface Person {
  id: string;
  username: string;
  name: string | null;
}

/** Another participant's read position, from the thread. */
export interface Reader extends Person {
  lastReadSeq: number;
}

/** One message as the list shows it: a server message, or an outbox entry not confirmed yet. */
export interface TimelineItem {
  /**
   * Stable React key: `c:<senderId>:<clientMessageId>` when there is one (so an outbox entry and the message it
   * becomes share it), else the server id.
   */
  key: string;
  /** Server id; null while only in the outbox. */
  id: string | null;
  seq: number | null;
  sender: Person;
  own: boolean;
  text: string;
  /** ISO 8601. */
  createdAt: string;
  editedAt: string | null;
  status: "sent" | "pending" | "failed";
  clientMessageId: string | null;
  /** Why sending failed (outbox only). */
  error?: string;
  /** "Seen" / "Seen by Bob, Carol" under the newest own message the others have read; else null. */
  seen: string | null;
}

/** A row of the message list: a day separator, or a message with its place in its sender group. */
export type TimelineRow =
  | {
      kind: "day";
      key: string;
      /** ISO 8601 instant inside the day, for the label. */
      at: string;
    }
  | {
      kind: "message";
      key: string;
      item: TimelineItem;
      /** First / last of a run of consecutive messages by one sender within {@link GROUP_WINDOW_MS}, same day. */
      first: boolean;
      last: boolean;
    };

/**
 * Messages of a thread oldest first, without duplicates, from React Query's pages (newest page first, each page
 * newest first).
 */
export function flattenPages(pages: readonly { data: readonly Message[] }[] | undefined): Message[] {
  if (!pages) return [];
  const byId = new Map<string, Message>();
  for (const page of pages) for (const m of page.data) if (!byId.has(m.id)) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/** "Seen" in a 1:1 thread; "Seen by Bob, Carol" (at most three names, then "and N others") in a group. */
export function seenLabel(readers: readonly Person[], groupThread: boolean): string {
  if (!groupThread) return "Seen";
  const names = readers.map(displayName);
  if (names.length <= 3) return `Seen by ${names.join(", ")}`;
  const rest = names.length - 2;
  return `Seen by ${names.slice(0, 2).join(", ")} and ${rest} others`;
}

/**
 * Builds the timeline.
 * @param messages server messages, oldest first (see {@link flattenPages})
 * @param outbox the thread's outbox entries, oldest first; an entry whose clientMessageId is already among
 *   `messages` is left out, so a message is never shown twice
 * @param others the other participants with their read positions (for the "Seen" marker)
 */
export function buildTimeline(args: {
  messages: readonly Message[];
  outbox: readonly OutboxEntry[];
  me: Person;
  others: readonly Reader[];
}): TimelineRow[] {
  const { messages, outbox, me, others } = args;
  const confirmed = new Set(messages.filter((m) => m.sender.id === me.id).map((m) => m.clientMessageId));

  // The newest own message at least one other participant has read carries the "Seen" marker.
  let seenId: string | null = null;
  let seenText: string | null = null;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.sender.id !== me.id) continue;
    const readers = others.filter((o) => o.lastReadSeq >= m.seq);
    if (readers.length > 0) {
      seenId = m.id;
      seenText = seenLabel(readers, others.length > 1);
      break;
    }
  }

  const items: TimelineItem[] = [
    ...messages.map(
      (m): TimelineItem => ({
        key: m.clientMessageId ? `c:${m.sender.id}:${m.clientMessageId}` : m.id,
        id: m.id,
        seq: m.seq,
        sender: m.sender,
        own: m.sender.id === me.id,
        text: m.text,
        createdAt: m.createdAt,
        editedAt: m.editedAt,
        status: "sent",
        clientMessageId: m.clientMessageId,
        seen: m.id === seenId ? seenText : null,
      }),
    ),
    ...outbox
      .filter((e) => !confirmed.has(e.clientMessageId))
      .map(
        (e): TimelineItem => ({
          key: `c:${me.id}:${e.clientMessageId}`,
          id: null,
          seq: null,
          sender: me,
          own: true,
          text: e.text,
          createdAt: new Date(e.createdAt).toISOString(),
          editedAt: null,
          status: e.status,
          clientMessageId: e.clientMessageId,
          error: e.error,
          seen: null,
        }),
      ),
  ];

  const rows: TimelineRow[] = [];
  let prevMessage: Extract<TimelineRow, { kind: "message" }> | undefined;
  for (const item of items) {
    const prev = prevMessage?.item;
    const newDay = !prev || !sameDay(prev.createdAt, item.createdAt);
    if (newDay) rows.push({ kind: "day", key: `day:${dayKey(item.createdAt)}`, at: item.createdAt });
    const joins =
      !newDay &&
      prev !== undefined &&
      prev.sender.id === item.sender.id &&
      Date.parse(item.createdAt) - Date.parse(prev.createdAt) <= GROUP_WINDOW_MS;
    if (prevMessage && !joins) prevMessage.last = true;
    const row = { kind: "message" as const, key: item.key, item, first: !joins, last: false };
    rows.push(row);
    prevMessage = row;
  }
  if (prevMessage) prevMessage.last = true;
  return rows;
}

/** Local calendar day "2026-05-14", stable across renders (a React key). */
function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}
