import { AdminHeading } from "@/components/admin/admin-shell";
import { requireAdminPage } from "@/lib/admin-page";
import { ConversationsTable } from "@/components/admin/conversations-table";
import { Pager } from "@/components/admin/data-table";
import { SearchForm } from "@/components/admin/search-form";
import { adminThreadsQuery } from "@/lib/schemas/admin";
import { listAdminThreads } from "@/lib/server/admin";

/** Conversations: find by a group's title or a member, newest first. */
export default async function AdminConversationsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdminPage();
  const raw = await searchParams;
  const parsed = adminThreadsQuery.safeParse({ q: raw.q || undefined, cursor: raw.cursor || undefined });
  const query = parsed.success ? parsed.data : adminThreadsQuery.parse({});
  const page = await listAdminThreads(query).catch(() => listAdminThreads({ ...query, cursor: undefined }));
  return (
    <>
      <AdminHeading title="Conversations">Find a conversation by a group&apos;s title or by a member. Reading its messages is audited.</AdminHeading>
      <SearchForm label="Search conversations" placeholder="Group title, username or name" q={query.q} maxLength={adminThreadsQuery.shape.q.unwrap().maxLength ?? 100} />
      <ConversationsTable threads={page.data} />
      <Pager path="/admin/conversations" params={{ q: query.q }} nextCursor={page.nextCursor} onLaterPage={query.cursor !== undefined} />
    </>
  );
}
