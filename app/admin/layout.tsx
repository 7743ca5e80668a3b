import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AdminShell } from "@/components/admin/admin-shell";
import { auth } from "@/lib/auth";
import { openReportCount } from "@/lib/server/moderation";
import { isActiveAdmin } from "@/lib/server/roles";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Admin · Parley", robots: { index: false } };

/**
 * The admin area. To anyone but an active admin (signed out, a member, a suspended account) every page under /admin
 * is the app's 404 page, as if it did not exist; the API under /api/admin answers the same way.
 */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const session = await auth();
  const userId = session?.user?.id;
  if (!userId || !(await isActiveAdmin(userId))) notFound();
  const openReports = await openReportCount();
  return (
    <AdminShell meId={userId} openReports={openReports}>
      {children}
    </AdminShell>
  );
}
