import { badgeCount } from "@/lib/format";

/** A count badge, "99+" above 99; hidden at zero. The label says what it counts for screen readers. */
export function UnreadBadge({ count, label, testId }: { count: number; label?: string; testId?: string }) {
  if (count <= 0) return null;
  return (
    <span
      data-testid={testId}
      aria-label={label ?? `${count} unread`}
      className="inline-flex min-w-5 items-center justify-center rounded-full bg-indigo-600 px-1.5 py-0.5 text-xs font-semibold leading-none text-white"
    >
      {badgeCount(count)}
    </span>
  );
}

/**
 * The `@` badge beside an unread count: some of the unread messages mention the caller. Hidden at zero; `count` is in
 * its accessible name ("2 unread mentions" by default), the badge itself shows only `@`.
 */
export function MentionBadge({ count, label, testId }: { count: number; label?: string; testId?: string }) {
  if (count <= 0) return null;
  const name = label ?? `${count} unread ${count === 1 ? "mention" : "mentions"}`;
  return (
    <span
      data-testid={testId}
      data-count={count}
      title={name}
      className="inline-flex h-5 min-w-5 items-center justify-center rounded-full bg-rose-600 px-1 text-xs font-bold leading-none text-white dark:bg-rose-500"
    >
      <span aria-hidden="true">@</span>
      <span className="sr-only">{name}</span>
    </span>
  );
}
