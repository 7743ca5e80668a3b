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

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * `date.toLocaleString(undefined, options)` (and `toLocaleDateString`, `toLocaleTimeString`), in the viewer's locale
 * and time zone, with the formatter kept for the next call. Those methods build a new `Intl.DateTimeFormat` on each
 * call given options, which is what costs: a conversation's first render formats every message's time, and that was a
 * tenth of its script time on a phone. Same text: when `options` name a date or time field (or a style), none of the
 * three adds default fields, nor does the formatter (ECMA-402, CreateDateTimeFormat).
 */
export function formatDate(date: Date, options: Intl.DateTimeFormatOptions): string {
  const key = JSON.stringify(options);
  let format = dateFormats.get(key);
  if (!format) dateFormats.set(key, (format = new Intl.DateTimeFormat(undefined, options)));
  return format.format(date);
}

let relativeFormat: Intl.RelativeTimeFormat | undefined;

/** Compact time for a thread list: "now", "5m", "14:05" (today), "Yesterday", "Mon", "12 Nov", "12 Nov 2025". */
export function listTime(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  const diff = now.getTime() - d.getTime();
  if (diff < MINUTE) return "now";
  if (diff < 60 * MINUTE) return `${Math.floor(diff / MINUTE)}m`;
  const days = Math.round((startOfDay(now) - startOfDay(d)) / DAY);
  if (days <= 0) return timeOfDay(iso);
  if (days === 1) return "Yesterday";
  if (days < 7) return formatDate(d, { weekday: "short" });
  return shortDate(d, now);
}

/** "12 Nov", or "12 Nov 2025" outside `now`'s year. */
const shortDate = (d: Date, now: Date) =>
  formatDate(d, {
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
  const rtf = (relativeFormat ??= new Intl.RelativeTimeFormat(undefined, { numeric: "auto" }));
  if (diff < 60 * MINUTE) return rtf.format(-Math.floor(diff / MINUTE), "minute");
  if (diff < DAY) return rtf.format(-Math.floor(diff / (60 * MINUTE)), "hour");
  const days = Math.round((startOfDay(now) - startOfDay(d)) / DAY);
  if (days < 7) return rtf.format(-Math.max(1, days), "day");
  return shortDate(d, now);
}

/** A calendar date with its year: "12 Nov 2026", in the viewer's locale. */
export const calendarDate = (iso: string) => formatDate(new Date(iso), { day: "numeric", month: "short", year: "numeric" });

/** Date and time to the minute, for tooltips: "12 Nov 2026, 14:05", in the viewer's locale. */
export const fullDateTime = (iso: string) => formatDate(new Date(iso), { dateStyle: "medium", timeStyle: "short" });

/** "14:05" in the viewer's locale. */
export const timeOfDay = (iso: string) => formatDate(new Date(iso), { hour: "2-digit", minute: "2-digit" });

/** Day separator label: "Today", "Yesterday", or a full date. */
export function dayLabel(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  const days = Math.round((startOfDay(now) - startOfDay(d)) / DAY);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  return formatDate(d, {
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

/** A code span: a run of backticks, its content, the same run again (CommonMark: a code span). */
const CODE_SPAN = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g;

/** Inline markers of the subset, outermost first; each keeps its content (group 2, or 1 for links and autolinks). */
const INLINE_MARKERS: readonly [RegExp, string][] = [
  [/\[([^\]\n]+)\]\([^)\s]*\)/g, "$1"], // [label](url)
  [/<((?:https?|mailto):[^>\s]+)>/gi, "$1"], // <https://…>
  [/(\*\*|__)(?![\s*_])(.+?)(?<![\s\\])\1/g, "$2"], // **strong**, __strong__
  [/(~~?)(?![\s~])(.+?)(?<![\s\\~])\1(?!~)/g, "$2"], // ~~del~~, ~del~
  [/(?<![\w*\\])(\*)(?![\s*])(.+?)(?<![\s*\\])\*(?![\w*])/g, "$2"], // *em*
  [/(?<![\w\\])(_)(?![\s_])(.+?)(?<![\s_\\])_(?!\w)/g, "$2"], // _em_ (not inside snake_case)
];

/**
 * A message's text without the Markdown of the subset that conversations render (components/chat/conversation/
 * message-text.tsx), for a one-line preview such as the thread list's: `**done**` → "done", `` `npm test` `` →
 * "npm test", `[docs](https://…)` → "docs", a quote's `>`, a code fence's line and a bulleted list's marker (as "•")
 * dropped, backslash escapes removed, and all whitespace, line breaks included, as single spaces. Code spans keep
 * their content as typed. Not a parser: a marker without its pair (a preview cut mid-word) stays as typed.
 */
export function plainPreview(text: string): string {
  const lines = text
    .split(/\r\n?|\n/)
    .filter((line) => !/^ {0,3}(```|~~~)/.test(line))
    .map((line) => line.replace(/^ {0,3}(> ?)+/, "").replace(/^(\s*)[-*+][ \t]+(?=\S)/, "$1• "));
  return lines
    .join("\n")
    .split(CODE_SPAN)
    .map((part, i, parts) => {
      // split() with the expression's two groups gives: text, fence, content, text, fence, content, …
      if (i % 3 === 1) return "";
      if (i % 3 === 2) return parts[i]!.replace(/^ (.*) $/s, "$1");
      let out = part;
      for (const [pattern, replacement] of INLINE_MARKERS) out = out.replace(pattern, replacement);
      return out.replace(/\\([!-/:-@[-`{-~])/g, "$1");
    })
    .join("")
    .replace(/\s+/g, " ")
    .trim();
}
