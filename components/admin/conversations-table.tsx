"use client";

import { createColumnHelper } from "@tanstack/react-table";
import Link from "next/link";
import type { AdminThread } from "@/lib/schemas/admin";
import { DataTable } from "./data-table";
import { Badge, conversationName, utcTime } from "./format";

const column = createColumnHelper<AdminThread>();

const columns = [
  column.accessor(conversationName, {
    id: "name",
    header: "Conversation",
    cell: ({ row, getValue }) => (
      <Link href={`/admin/conversations/${row.original.id}`} className="font-medium hover:underline">
        {getValue()}
      </Link>
    ),
  }),
  column.accessor("kind", {
    header: "Kind",
    cell: ({ getValue }) => (getValue() === "group" ? <Badge tone="indigo">Group</Badge> : <Badge tone="zinc">Direct</Badge>),
  }),
  column.accessor((t) => t.participants.length, { id: "members", header: "Members" }),
  column.accessor("messages", { header: "Messages" }),
  column.accessor("lastActivityAt", { header: "Last activity", cell: ({ getValue }) => utcTime(getValue()) }),
];

/** The conversations list of the admin area. */
export function ConversationsTable({ threads }: { threads: AdminThread[] }) {
  return <DataTable columns={columns} data={threads} caption="Conversations" empty="No conversation matches." />;
}
