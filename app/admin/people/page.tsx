import { AdminHeading } from "@/components/admin/admin-shell";
import { requireAdminPage } from "@/lib/admin-page";
import { Pager } from "@/components/admin/data-table";
import { PeopleTable } from "@/components/admin/people-table";
import { SearchForm } from "@/components/admin/search-form";
import { adminUsersQuery } from "@/lib/schemas/admin";
import { listAdminUsers } from "@/lib/server/admin";

const STATUSES = [
  { value: "", label: "Everyone" },
  { value: "active", label: "Active" },
  { value: "suspended", label: "Suspended" },
  { value: "admin", label: "Admins" },
  { value: "deleted", label: "Deleted" },
];

/** People: search by username or name, narrow by state, page by cursor. */
export default async function AdminPeoplePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdminPage();
  const raw = await searchParams;
  const parsed = adminUsersQuery.safeParse({ q: raw.q || undefined, status: raw.status || undefined, cursor: raw.cursor || undefined });
  const query = parsed.success ? parsed.data : adminUsersQuery.parse({});
  const page = await listAdminUsers(query).catch(() => listAdminUsers({ ...query, cursor: undefined }));
  return (
    <>
      <AdminHeading title="People">Find someone by username or name; open them to suspend, reset a password or make an admin.</AdminHeading>
      <SearchForm label="Search people" placeholder="Username or name" q={query.q} maxLength={adminUsersQuery.shape.q.unwrap().maxLength ?? 64} select={{ name: "status", label: "State", value: query.status ?? "", options: STATUSES }} />
      <PeopleTable people={page.data} />
      <Pager path="/admin/people" params={{ q: query.q, status: query.status }} nextCursor={page.nextCursor} onLaterPage={query.cursor !== undefined} />
    </>
  );
}
