"use client";

import { createColumnHelper } from "@tanstack/react-table";
import Link from "next/link";
import type { AuditEntry } from "@/lib/schemas/admin";
import { DataTable } from "./data-table";
import { utcTime } from "./format";

const column = createColumnHelper<AuditEntry>();

/** Where an entry's target is in the admin area, if it has a page. */
const targetHref = (e: AuditEntry) =>
  e.targetType === "user" ? `/admin/people/${e.targetId}` : e.targetType === "thread" ? `/admin/conversations/${e.targetId}` : null;

const columns = [
  column.accessor("createdAt", { header: "When", cell: ({ getValue }) => <span className="whitespace-nowrap">{utcTime(getValue())}</span> }),
  column.accessor((e) => e.actor?.username ?? "", {
    id: "actor",
    header: "Who",
    cell: ({ row }) =>
      row.original.actor ? (
        <Link href={`/admin/people/${row.original.actor.id}`} className="hover:underline">
          @{row.original.actor.username}
        </Link>
      ) : (
        <span className="text-zinc-500 dark:text-zinc-400">operator (command line)</span>
      ),
  }),
  column.accessor("action", { header: "What", cell: ({ getValue }) => <code className="text-xs">{getValue()}</code> }),
  column.display({
    id: "target",
    header: "To what",
    cell: ({ row }) => {
      const e = row.original;
      const label = e.target ? (e.targetType === "user" ? `@${e.target}` : e.target) : `${e.targetType} ${e.targetId.slice(0, 8)}…`;
      const href = targetHref(e);
      return href ? (
        <Link href={href} className="hover:underline">
          {label}
        </Link>
      ) : (
        label
      );
    },
  }),
  column.accessor("reason", { header: "Why", enableSorting: false, cell: ({ getValue }) => <span className="break-words">{getValue() ?? "—"}</span> }),
];

/** The audit log's table. */
export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return <DataTable columns={columns} data={entries} caption="Audit log" empty="Nothing has been done yet." />;
}
