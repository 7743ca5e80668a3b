import Link from "next/link";
import { AdminHeading } from "@/components/admin/admin-shell";
import { requireAdminPage } from "@/lib/admin-page";
import { AdminSection } from "@/components/admin/format";
import { MessagesChart } from "@/components/admin/messages-chart";
import { adminStats } from "@/lib/server/admin";

/** The admin overview: the instance's figures and messages per day. */
export default async function AdminOverviewPage() {
  await requireAdminPage();
  const stats = await adminStats();
  const cards: { label: string; value: number; href?: string; hint?: string }[] = [
    { label: "People", value: stats.people, href: "/admin/people", hint: stats.suspended > 0 ? `${stats.suspended} suspended` : undefined },
    { label: "Active in 24 hours", value: stats.active24h },
    { label: "Active in 7 days", value: stats.active7d },
    { label: "Conversations", value: stats.conversations, href: "/admin/conversations", hint: `${stats.groups} ${stats.groups === 1 ? "group" : "groups"}` },
    { label: "Messages", value: stats.messages },
    { label: "Open reports", value: stats.openReports, href: "/admin/reports" },
  ];
  return (
    <>
      <AdminHeading title="Overview">How this Parley is being used.</AdminHeading>
      <dl className="grid grid-cols-2 gap-3 lg:grid-cols-3">
        {cards.map((c) => (
          <div key={c.label} className="flex flex-col gap-1 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
            <dt className="text-sm text-zinc-600 dark:text-zinc-400">
              {c.href ? (
                <Link href={c.href} className="hover:underline">
                  {c.label}
                </Link>
              ) : (
                c.label
              )}
            </dt>
            <dd className="text-2xl font-semibold tabular-nums">{c.value.toLocaleString("en")}</dd>
            {c.hint && <dd className="text-xs text-zinc-500 dark:text-zinc-400">{c.hint}</dd>}
          </div>
        ))}
      </dl>
      <AdminSection id="per-day" title="Messages per day">
        <MessagesChart data={stats.messagesPerDay} />
      </AdminSection>
    </>
  );
}
