"use client";

import { createColumnHelper } from "@tanstack/react-table";
import Link from "next/link";
import type { AdminUser } from "@/lib/schemas/admin";
import { DataTable } from "./data-table";
import { Badge, utcTime } from "./format";

const column = createColumnHelper<AdminUser>();

/** What a person's account is now: deleted, suspended or active. */
export function AccountState({ user }: { user: Pick<AdminUser, "deletedAt" | "suspendedAt"> }) {
  if (user.deletedAt) return <Badge tone="zinc">Deleted</Badge>;
  if (user.suspendedAt) return <Badge tone="red">Suspended</Badge>;
  return <Badge tone="green">Active</Badge>;
}

const columns = [
  column.accessor((u) => u.name ?? u.username, {
    id: "person",
    header: "Person",
    cell: ({ row }) => (
      <Link href={`/admin/people/${row.original.id}`} className="flex flex-col hover:underline">
        <span className="font-medium">{row.original.name ?? row.original.username}</span>
        <span className="text-zinc-500 dark:text-zinc-400">@{row.original.username}</span>
      </Link>
    ),
  }),
  column.accessor("role", {
    header: "Role",
    cell: ({ getValue }) => (getValue() === "admin" ? <Badge tone="indigo">Admin</Badge> : <span className="text-zinc-500 dark:text-zinc-400">Member</span>),
  }),
  column.display({ id: "state", header: "State", cell: ({ row }) => <AccountState user={row.original} /> }),
  column.accessor("lastSeenAt", { header: "Last seen", cell: ({ getValue }) => utcTime(getValue()), sortUndefined: "last" }),
  column.accessor("createdAt", { header: "Joined", cell: ({ getValue }) => utcTime(getValue()) }),
];

/** The people list of the admin area. */
export function PeopleTable({ people }: { people: AdminUser[] }) {
  return <DataTable columns={columns} data={people} caption="People" empty="Nobody matches." />;
}
