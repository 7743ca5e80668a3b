import { Search } from "lucide-react";
import { buttonVariants } from "@/components/ui/button-variants";

/**
 * A search box that submits as a GET form (it works before any script has loaded, and the URL keeps the search): `q`,
 * and optionally one narrowing `select`.
 */
export function SearchForm({
  label,
  placeholder,
  q,
  maxLength,
  select,
}: {
  label: string;
  placeholder: string;
  q?: string;
  /** The longest search the list's query schema takes (lib/schemas/admin.ts). */
  maxLength: number;
  select?: { name: string; label: string; value: string; options: { value: string; label: string }[] };
}) {
  return (
    <form role="search" method="get" className="flex flex-col gap-2 sm:flex-row sm:items-end">
      <label className="flex flex-1 flex-col gap-1.5 text-sm font-medium">
        {label}
        <input
          type="search"
          name="q"
          defaultValue={q}
          placeholder={placeholder}
          maxLength={maxLength}
          className="h-10 rounded-lg border border-zinc-300 bg-white px-3 text-sm font-normal outline-none focus-visible:border-indigo-500 focus-visible:ring-2 focus-visible:ring-indigo-500/30 dark:border-zinc-700 dark:bg-zinc-900"
        />
      </label>
      {select && (
        <label className="flex flex-col gap-1.5 text-sm font-medium">
          {select.label}
          <select
            name={select.name}
            defaultValue={select.value}
            className="h-10 rounded-lg border border-zinc-300 bg-white px-3 text-sm font-normal dark:border-zinc-700 dark:bg-zinc-900"
          >
            {select.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="submit" className={buttonVariants({ variant: "primary", size: "md", className: "h-10" })}>
        <Search aria-hidden="true" className="h-4 w-4" />
        Search
      </button>
    </form>
  );
}
