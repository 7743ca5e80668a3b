import { AdminHeading } from "@/components/admin/admin-shell";
import { requireAdminPage } from "@/lib/admin-page";
import { ReportsQueue } from "@/components/admin/reports-queue";
import { listReports } from "@/lib/server/moderation";

/** The reports queue (open first, oldest on top), live. */
export default async function AdminReportsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdminPage();
  const status = (await searchParams).status === "resolved" ? "resolved" : "open";
  const initial = await listReports({ status, limit: 20 });
  return (
    <>
      <AdminHeading title="Reports">Messages people reported. Resolve each by removing the message, suspending its sender, or dismissing it.</AdminHeading>
      <ReportsQueue key={status} status={status} initial={initial} />
    </>
  );
}
