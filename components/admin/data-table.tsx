"use client";

import { type ColumnDef, flexRender, getCoreRowModel, getSortedRowModel, type SortingState, useReactTable } from "@tanstack/react-table";
import { ArrowDown, ArrowUp, ArrowUpDown } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { buttonVariants } from "@/components/ui/button-variants";

/**
 * A table of the admin area (TanStack Table): a caption for screen readers, columns that sort the rows on this page
 * when their header is pressed (`enableSorting` per column; paging is the server's, by cursor: {@link Pager}), and a
 * message when there are no rows. On phones it scrolls sideways inside its card.
 */
export function DataTable<T>({
  columns,
  data,
  caption,
  empty,
}: {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- TanStack's own column type: each column's value type differs
  columns: ColumnDef<T, any>[];
  data: T[];
  caption: string;
  empty: string;
}) {
  const [sorting, setSorting] = useState<SortingState>([]);
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Table's own hook; this app does not run the React Compiler
  const table = useReactTable({
    data,
    columns,
    state: { sorting },
    onSortingChange: setSorting,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
  });
  return (
    <div className="overflow-x-auto rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <table className="w-full min-w-[36rem] text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-zinc-200 text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800 dark:text-zinc-400">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const sorted = header.column.getIsSorted();
                return (
                  <th
                    key={header.id}
                    scope="col"
                    aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}
                    className="px-4 py-2.5 font-medium"
                  >
                    {header.column.getCanSort() ? (
                      <button
                        type="button"
                        onClick={header.column.getToggleSortingHandler()}
                        className="inline-flex items-center gap-1 uppercase hover:text-zinc-900 dark:hover:text-zinc-100"
                      >
                        {flexRender(header.column.columnDef.header, header.getContext())}
                        {sorted === "asc" ? (
                          <ArrowUp aria-hidden="true" className="h-3.5 w-3.5" />
                        ) : sorted === "desc" ? (
                          <ArrowDown aria-hidden="true" className="h-3.5 w-3.5" />
                        ) : (
                          <ArrowUpDown aria-hidden="true" className="h-3.5 w-3.5 opacity-50" />
                        )}
                      </button>
                    ) : (
                      flexRender(header.column.columnDef.header, header.getContext())
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {table.getRowModel().rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="px-4 py-8 text-center text-zinc-500 dark:text-zinc-400">
                {empty}
              </td>
            </tr>
          ) : (
            table.getRowModel().rows.map((row) => (
              <tr key={row.id} className="align-top">
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className="px-4 py-3">
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Paging by cursor for a server-rendered list: "First page" when on a later one, "Next page" while there is one. The
 * page's other query parameters (the search) are kept.
 */
export function Pager({ path, params, nextCursor, onLaterPage }: { path: string; params: Record<string, string | undefined>; nextCursor: string | null; onLaterPage: boolean }) {
  const href = (cursor?: string) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
    if (cursor) q.set("cursor", cursor);
    const s = q.toString();
    return s ? `${path}?${s}` : path;
  };
  if (!nextCursor && !onLaterPage) return null;
  return (
    <nav aria-label="Pages" className="flex justify-end gap-2">
      {onLaterPage && (
        <Link href={href()} className={buttonVariants({ variant: "secondary", size: "sm" })}>
          First page
        </Link>
      )}
      {nextCursor && (
        <Link href={href(nextCursor)} className={buttonVariants({ variant: "secondary", size: "sm" })}>
          Next page
        </Link>
      )}
    </nav>
  );
}
