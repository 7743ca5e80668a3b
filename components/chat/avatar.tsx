import { initials } from "@/lib/format";

// Each measures 4.6–6.1:1 against the white initials, which WCAG 1.4.3 wants at 4.5:1 or more for their 10–14 px
// text (Tailwind's 500s measure 2.4–4.4:1).
const COLORS = ["bg-rose-700", "bg-amber-700", "bg-emerald-700", "bg-sky-700", "bg-violet-600", "bg-fuchsia-600", "bg-teal-700", "bg-orange-700"];

function colorOf(id: string): string {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return COLORS[h % COLORS.length]!;
}

/**
 * An initials avatar whose colour is stable per user. Decorative: the name is always shown beside it (and whoever
 * shows `online` says it in words too).
 * @param online draws the green "online" dot on its corner
 */
export function Avatar({
  user,
  size = "md",
  online = false,
}: {
  user: { id: string; username: string; name: string | null };
  size?: "xs" | "sm" | "md";
  online?: boolean;
}) {
  const dims = size === "xs" ? "h-7 w-7 text-[10px]" : size === "sm" ? "h-8 w-8 text-xs" : "h-10 w-10 text-sm";
  const face = (
    <span aria-hidden="true" className={`inline-flex shrink-0 items-center justify-center rounded-full font-semibold text-white ${dims} ${colorOf(user.id)}`}>
      {initials(user)}
    </span>
  );
  if (!online) return face;
  return (
    <span aria-hidden="true" className="relative inline-flex shrink-0">
      {face}
      <span
        data-testid="presence-dot"
        className="absolute bottom-0 right-0 h-3 w-3 rounded-full bg-emerald-500 ring-2 ring-white dark:ring-zinc-950"
      />
    </span>
  );
}

/** Overlapping avatars for a group thread (at most two shown). */
export function GroupAvatar({ users }: { users: { id: string; username: string; name: string | null }[] }) {
  if (users.length <= 1) return users[0] ? <Avatar user={users[0]} /> : null;
  return (
    <span aria-hidden="true" className="relative inline-block h-10 w-10 shrink-0">
      <span className="absolute left-0 top-0 flex">
        <Avatar user={users[0]!} size="xs" />
      </span>
      <span className="absolute bottom-0 right-0 flex rounded-full ring-2 ring-white dark:ring-zinc-950">
        <Avatar user={users[1]!} size="xs" />
      </span>
    </span>
  );
}
