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
