import type { Metadata } from "next";
import { AdminShell } from "@/components/admin/admin-shell";
import { requireAdminPage } from "@/lib/admin-page";
import { openReportCount } from "@/lib/server/moderation";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Admin · Parley", robots: { index: false } };

/**
 * The admin area. To anyone but an active admin (signed out, a member, a suspended account) every page under /admin
 * is the app's 404 page, as if it did not exist; the API under /api/admin answers the same way. Each page checks that
 * itself too (lib/admin-page.ts says why), which also sends an admin signed in with a temporary password to replace it.
 */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const userId = await requireAdminPage();
  const openReports = await openReportCount();
  return (
    <AdminShell meId={userId} openReports={openReports}>
      {children}
    </AdminShell>
  );
}
