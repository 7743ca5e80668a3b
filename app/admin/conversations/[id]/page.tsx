import Link from "next/link";
import { notFound } from "next/navigation";
import { AdminHeading } from "@/components/admin/admin-shell";
import { requireAdminPage } from "@/lib/admin-page";
import { AdminSection, Badge, conversationName, utcTime } from "@/components/admin/format";
import { ThreadMessages } from "@/components/admin/thread-messages";
import { AppError } from "@/lib/errors";
import { getAdminThread } from "@/lib/server/admin";

/** One conversation: its members, and its messages once the admin gives a reason (audited). */
export default async function AdminConversationPage({ params }: { params: Promise<{ id: string }> }) {
  await requireAdminPage();
  const { id } = await params;
  const thread = await getAdminThread(id).catch((e: unknown) => {
    if (e instanceof AppError && e.type === "not_found") notFound();
    throw e;
  });
  return (
    <>
      <div className="flex flex-col gap-3">
        <Link href="/admin/conversations" className="text-sm text-indigo-600 hover:underline dark:text-indigo-400">
          ← Conversations
        </Link>
        <AdminHeading title={conversationName(thread)}>
          {thread.kind === "group" ? "Group" : "Direct conversation"} · {thread.messages} messages and timeline entries so far · created {utcTime(thread.createdAt)}
        </AdminHeading>
      </div>
      <AdminSection id="members" title="Members">
        <ul className="flex flex-col gap-2 text-sm">
          {thread.participants.map((p) => (
            <li key={p.id} className="flex items-center gap-2">
              <Link href={`/admin/people/${p.id}`} className="font-medium hover:underline">
                {p.name ?? p.username}
              </Link>
              <span className="text-zinc-500 dark:text-zinc-400">@{p.username}</span>
              {thread.kind === "group" && p.role === "admin" && <Badge tone="indigo">Group admin</Badge>}
            </li>
          ))}
        </ul>
      </AdminSection>
      <AdminSection id="messages" title="Messages">
        <ThreadMessages threadId={thread.id} />
      </AdminSection>
    </>
  );
}
