import { AdminHeading } from "@/components/admin/admin-shell";
import { requireAdminPage } from "@/lib/admin-page";
import { AuditTable } from "@/components/admin/audit-table";
import { Pager } from "@/components/admin/data-table";
import { auditLogQuery } from "@/lib/schemas/admin";
import { listAuditLog } from "@/lib/server/audit";

/** The audit log, newest first: every admin action, append-only. */
export default async function AdminAuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdminPage();
  const raw = await searchParams;
  const parsed = auditLogQuery.safeParse({ cursor: raw.cursor || undefined, targetId: raw.targetId || undefined, actorId: raw.actorId || undefined });
  const query = parsed.success ? parsed.data : auditLogQuery.parse({});
  const page = await listAuditLog(query).catch(() => listAuditLog({ ...query, cursor: undefined }));
  return (
    <>
      <AdminHeading title="Audit log">Every admin action — who, what, to whom, when and why. Entries cannot be changed or deleted.</AdminHeading>
      <AuditTable entries={page.data} />
      <Pager path="/admin/audit" params={{ targetId: query.targetId, actorId: query.actorId }} nextCursor={page.nextCursor} onLaterPage={query.cursor !== undefined} />
    </>
  );
}
