/**
 * Display helpers for people, times and counts. Pure functions; `now` is a parameter so that tests and the server
 * render agree.
 */

/** What to call a person: their name, else their username. */
export const displayName = (u: { username: string; name: string | null }) => u.name ?? u.username;

/** Up to two initials for an avatar: "Alice Martin" → "AM", "bob" → "B". */
export function initials(u: { username: string; name: string | null }): string {
  const words = displayName(u).trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]![0], words[words.length - 1]![0]] : [words[0]?.[0]];
  return letters.filter(Boolean).join("").toUpperCase() || "?";
}

/** A badge count: "99+" above 99. */
export const badgeCount = (n: number) => (n > 99 ? "99+" : String(n));

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();

/** Compact time for a thread list: "now", "5m", "14:05" (today), "Yesterday", "Mon", "12 Nov", "12 Nov 2025". */
export function listTime(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  const diff = now.getTime() - d.getTime();
  if (diff < MINUTE) return "now";
  if (diff < 60 * MINUTE) return `${Math.floor(diff / MINUTE)}m`;
  const days = Math.round((startOfDay(now) - startOfDay(d)) / DAY);
  if (days <= 0) return timeOfDay(iso);
  if (days === 1) return "Yesterday";
  if (days < 7) return d.toLocaleDateString(undefined, { weekday: "short" });
  return shortDate(d, now);
}

/** "12 Nov", or "12 Nov 2025" outside `now`'s year. */
const shortDate = (d: Date, now: Date) =>
  d.toLocaleDateString(undefined, {
    day: "numeric",
    month: "short",
    ...(d.getFullYear() !== now.getFullYear() ? { year: "numeric" } : {}),
  });

/**
 * How long ago, in words, for things seen rarely (a token's last use): "just now" (under a minute, or in the future),
 * "5 minutes ago", "3 hours ago", "yesterday", "4 days ago"; a week or more back, the date as {@link listTime} gives it.
 * Words come from `Intl.RelativeTimeFormat` in the viewer's locale.
 */
export function relativeTime(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  const diff = now.getTime() - d.getTime();
  if (diff < MINUTE) return "just now";
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  if (diff < 60 * MINUTE) return rtf.format(-Math.floor(diff / MINUTE), "minute");
  if (diff < DAY) return rtf.format(-Math.floor(diff / (60 * MINUTE)), "hour");
  const days = Math.round((startOfDay(now) - startOfDay(d)) / DAY);
  if (days < 7) return rtf.format(-Math.max(1, days), "day");
  return shortDate(d, now);
}

/** A calendar date with its year: "12 Nov 2026", in the viewer's locale. */
export const calendarDate = (iso: string) => new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });

/** Date and time to the minute, for tooltips: "12 Nov 2026, 14:05", in the viewer's locale. */
export const fullDateTime = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

/** "14:05" in the viewer's locale. */
export const timeOfDay = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

/** Day separator label: "Today", "Yesterday", or a full date. */
export function dayLabel(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  const days = Math.round((startOfDay(now) - startOfDay(d)) / DAY);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  return d.toLocaleDateString(undefined, {
    weekday: "long",
    day: "numeric",
    month: "long",
    ...(d.getFullYear() !== now.getFullYear() ? { year: "numeric" } : {}),
  });
}

/** True when two instants fall on the same local day. */
export const sameDay = (a: string, b: string) => startOfDay(new Date(a)) === startOfDay(new Date(b));

/**
 * A person's presence in words: "online", "last seen 5 minutes ago" (as {@link relativeTime} says it), or "offline"
 * when their last-seen time is not for the viewer to know.
 */
export function presenceLabel(presence: { status: "online" | "offline"; lastSeenAt: string | null }, now: Date = new Date()): string {
  if (presence.status === "online") return "online";
  return presence.lastSeenAt ? `last seen ${relativeTime(presence.lastSeenAt, now)}` : "offline";
}
