import Link from "next/link";
import { notFound } from "next/navigation";
import { AdminHeading } from "@/components/admin/admin-shell";
import { requireAdminPage } from "@/lib/admin-page";
import { AdminSection, Badge, utcTime } from "@/components/admin/format";
import { AccountState } from "@/components/admin/people-table";
import { UserActions } from "@/components/admin/user-actions";
import { AppError } from "@/lib/errors";
import { getAdminUser } from "@/lib/server/admin";

/** One person: details, activity, sign-ins and tokens, and what an admin can do to them. */
export default async function AdminPersonPage({ params }: { params: Promise<{ id: string }> }) {
  const adminId = await requireAdminPage();
  const { id } = await params;
  const user = await getAdminUser(id).catch((e: unknown) => {
    if (e instanceof AppError && e.type === "not_found") notFound();
    throw e;
  });
  const facts: [string, React.ReactNode][] = [
    ["Username", `@${user.username}`],
    ["E-mail", user.email ?? "—"],
    ["About", user.about ?? "—"],
    ["Joined", utcTime(user.createdAt)],
    ["Last signed in", utcTime(user.lastSignInAt)],
    ["Last seen", utcTime(user.lastSeenAt)],
    ["Conversations", user.conversations],
    ["Messages sent", user.messagesSent],
    [
      "Reports of their messages",
      user.reports.total === 0 ? "None" : `${user.reports.total} (${user.reports.open} open)`,
    ],
  ];
  return (
    <>
      <div className="flex flex-col gap-3">
        <Link href="/admin/people" className="text-sm text-indigo-600 hover:underline dark:text-indigo-400">
          ← People
        </Link>
        <AdminHeading title={user.name ?? user.username} />
        <div className="flex flex-wrap items-center gap-2">
          <AccountState user={user} />
          {user.role === "admin" && <Badge tone="indigo">Admin</Badge>}
        </div>
        {user.suspendedAt && (
          <p className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-500/10 dark:text-red-300">
            Suspended {utcTime(user.suspendedAt)}. Reason given: {user.suspensionReason}
          </p>
        )}
        <UserActions user={user} meId={adminId} />
      </div>
      <AdminSection id="details" title="Details">
        <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[12rem_1fr]">
          {facts.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-zinc-500 dark:text-zinc-400">{k}</dt>
              <dd className="break-words">{v}</dd>
            </div>
          ))}
        </dl>
      </AdminSection>
      <AdminSection id="signins" title="Signed in now">
        {user.sessions.length === 0 ? (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">No browser sessions.</p>
        ) : (
          <ul className="flex flex-col gap-1 text-sm">
            {user.sessions.map((s) => (
              <li key={s.createdAt}>
                Since {utcTime(s.createdAt)} <span className="text-zinc-500 dark:text-zinc-400">(ends {utcTime(s.expiresAt)})</span>
              </li>
            ))}
          </ul>
        )}
      </AdminSection>
      <AdminSection id="tokens" title="API tokens">
        {user.tokens.length === 0 ? (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">No tokens.</p>
        ) : (
          <ul className="flex flex-col gap-1 text-sm">
            {user.tokens.map((t) => (
              <li key={t.id}>
                <span className="font-medium">{t.name}</span> — created {utcTime(t.createdAt)}, last used {utcTime(t.lastUsedAt)}
              </li>
            ))}
          </ul>
        )}
      </AdminSection>
    </>
  );
}
