/**
 * Turns a thread's cached messages and its outbox into what the message list draws: days, and within a day groups
 * of consecutive messages by one sender. Pure, so the rules (grouping window, de-duplication, the "Seen" marker)
 * can be read and tested in one place.
 */
import type { OutboxEntry } from "@/lib/client/outbox";
import { displayName, sameDay } from "@/lib/format";
import type { Message, Reaction, ReplyTo } from "@/lib/schemas/messages";

const NONE: readonly never[] = [];

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
  /** When they joined (ISO 8601): a group's new member starts with the watermark at its newest message. */
  joinedAt: string;
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
  /** A moderator removed it: shown as "Removed by a moderator", `text` empty, no actions. */
  removed: boolean;
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
  /** The message it replies to, quoted above its text (an outbox entry's from when it was sent); null when not a reply. */
  replyTo: ReplyTo | null;
  /** Ids of the participants it mentions (empty while only in the outbox). */
  mentions: readonly string[];
  /** Its reactions, each emoji in the order first used (none while only in the outbox). */
  reactions: readonly Reaction[];
}

/** A row of the message list: a day separator, a group's system entry, or a message with its place in its sender group. */
export type TimelineRow =
  | {
      kind: "day";
      key: string;
      /** ISO 8601 instant inside the day, for the label. */
      at: string;
    }
  | {
      kind: "system";
      key: string;
      /** What happened, for the caller ("You added Bob"). */
      text: string;
      /** ISO 8601. */
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
 * A group's system entry in words, for the caller: "You added Bob and Carol", "Alice renamed the group to “Launch”",
 * "Carol is now an admin" (an entry in its subject's own name: nobody chose them). A change of description reads
 * "updated" whether it set or cleared it (the entry does not say which). Names are the users' current ones
 * (`system.users`), "you" for the caller; the server's English `text` is the fallback for an action this client does
 * not know.
 */
export function systemEntryText(m: Message, meId: string): string {
  const entry = m.system;
  if (!entry) return m.text;
  const who = (u: Person) => (u.id === meId ? "you" : displayName(u));
  const list = (us: readonly Person[]) => {
    const names = us.map(who);
    return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  };
  const actor = who(m.sender);
  const first = entry.users[0];
  let text: string;
  switch (entry.action) {
    case "group_created":
      text = `${actor} created the group “${entry.title ?? ""}”`;
      break;
    case "participants_added":
      text = `${actor} added ${list(entry.users)}`;
      break;
    case "participant_removed":
      text = `${actor} removed ${list(entry.users)}`;
      break;
    case "participant_left":
      text = `${actor} left`;
      break;
    case "role_changed":
      if (!first) return m.text;
      // An entry in its subject's own name making them admin is a handover (nobody chose them); stepping down is not.
      if (first.id === m.sender.id && entry.role === "admin") text = `${who(first)} ${first.id === meId ? "are" : "is"} now an admin`;
      else text = `${actor} made ${who(first)} ${entry.role === "admin" ? "an admin" : "a member"}`;
      break;
    case "title_changed":
      text = `${actor} renamed the group to “${entry.title ?? ""}”`;
      break;
    case "description_changed":
      text = `${actor} updated the group description`;
      break;
    default:
      return m.text;
  }
  return text.charAt(0).toUpperCase() + text.slice(1);
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

  // The newest own text message (not a removed one) at least one other participant has read carries the "Seen" marker.
  let seenId: string | null = null;
  let seenText: string | null = null;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.sender.id !== me.id || m.kind !== "text") continue;
    // Someone added to a group after the message starts past it without having read it: not "Seen" by them.
    const readers = others.filter((o) => o.lastReadSeq >= m.seq && Date.parse(o.joinedAt) <= Date.parse(m.createdAt));
    if (readers.length > 0) {
      seenId = m.id;
      seenText = seenLabel(readers, others.length > 1);
      break;
    }
  }

  const items: (TimelineItem | Extract<TimelineRow, { kind: "system" }>)[] = [
    ...messages.map((m): TimelineItem | Extract<TimelineRow, { kind: "system" }> =>
      m.kind === "system"
        ? { kind: "system", key: m.id, text: systemEntryText(m, me.id), at: m.createdAt }
        : {
        key: m.clientMessageId ? `c:${m.sender.id}:${m.clientMessageId}` : m.id,
        id: m.id,
        seq: m.seq,
        sender: m.sender,
        own: m.sender.id === me.id,
        removed: m.kind === "removed",
        text: m.kind === "removed" ? "" : m.text,
        createdAt: m.createdAt,
        editedAt: m.editedAt,
        status: "sent",
        clientMessageId: m.clientMessageId,
        seen: m.id === seenId ? seenText : null,
        replyTo: m.replyTo,
        mentions: m.mentions,
        reactions: m.reactions,
      },
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
          removed: false,
          text: e.text,
          createdAt: new Date(e.createdAt).toISOString(),
          editedAt: null,
          status: e.status,
          clientMessageId: e.clientMessageId,
          error: e.error,
          seen: null,
          replyTo: e.replyTo
            ? { seq: e.replyTo.seq, message: { id: e.replyTo.id, kind: "text", sender: e.replyTo.sender, text: e.replyTo.text } }
            : null,
          mentions: NONE,
          reactions: NONE,
        }),
      ),
  ];

  const rows: TimelineRow[] = [];
  let prevMessage: Extract<TimelineRow, { kind: "message" }> | undefined;
  let prevAt: string | undefined;
  for (const item of items) {
    const at = "kind" in item ? item.at : item.createdAt;
    const newDay = !prevAt || !sameDay(prevAt, at);
    prevAt = at;
    if (newDay) rows.push({ kind: "day", key: `day:${dayKey(at)}`, at });
    if ("kind" in item) {
      // A system entry ends the sender run before it.
      if (prevMessage) prevMessage.last = true;
      prevMessage = undefined;
      rows.push(item);
      continue;
    }
    const prev = prevMessage?.item;
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
