"use client";

import { Check as CheckIcon, X as XIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { toast } from "sonner";
import { Button, buttonVariants } from "@/components/ui/button";
import { DialogClose, DialogTitle } from "@/components/ui/dialog";
import { useDebouncedValue } from "@/hooks/use-debounced-value";
import { useCreateThread, useUserSearch } from "@/lib/client/queries";
import { displayName } from "@/lib/format";
import { Input } from "@/components/ui/input";
import { groupTitle, MAX_TITLE_LENGTH } from "@/lib/schemas/threads";
import type { PublicUser } from "@/lib/schemas/users";
import { Avatar } from "../avatar";

/** How long the people search waits after the last keystroke before asking the server. */
const SEARCH_DEBOUNCE_MS = 200;

const focusRing = "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500";

/**
 * The inside of the "New conversation" and "New group" dialogs: search people by name or username, pick one or more
 * (shown as removable chips), then "Start conversation" creates the direct conversation with exactly those people —
 * or returns the one that already exists — and opens it; in `group` mode a title is asked for first and "Create
 * group" makes a new group, the caller its admin. Mounted only while the dialog is open, so every opening starts
 * afresh.
 *
 * Keyboard: Enter in the search box picks the first result, Backspace in the empty box removes the last chip, and
 * the arrow keys move between the box and the results.
 *
 * Rendered inside a `DialogContent`: its heading is the dialog's `DialogTitle`, and Cancel and the close button are
 * `DialogClose` buttons.
 *
 * @param meId the signed-in user, left out of the results.
 * @param inputRef receives the first field (the search box, or the group's title), which the dialog focuses.
 * @param onClose closes the dialog (once the conversation exists).
 * @param mode `conversation` (default) or `group`.
 */
export function PeoplePicker({
  meId,
  inputRef,
  onClose,
  mode = "conversation",
}: {
  meId: string;
  inputRef: React.RefObject<HTMLInputElement | null>;
  onClose: () => void;
  mode?: "conversation" | "group";
}) {
  const group = mode === "group";
  const [title, setTitle] = useState("");
  const [titleError, setTitleError] = useState<string | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const [text, setText] = useState("");
  const [selected, setSelected] = useState<PublicUser[]>([]);
  const q = useDebouncedValue(text.trim(), SEARCH_DEBOUNCE_MS);
  const search = useUserSearch(q);
  const create = useCreateThread();
  const router = useRouter();
  const listRef = useRef<HTMLUListElement>(null);

  const searchInput = () => (group ? searchRef : inputRef).current ?? { focus: () => undefined };
  const results = (search.data?.data ?? []).filter((u) => u.id !== meId);
  const isSelected = (u: PublicUser) => selected.some((s) => s.id === u.id);
  const stale = text.trim() !== q || search.isPlaceholderData;

  const pick = (u: PublicUser) => {
    setSelected((s) => (s.some((x) => x.id === u.id) ? s : [...s, u]));
    setText("");
    searchInput().focus();
  };
  const unpick = (u: PublicUser) => setSelected((s) => s.filter((x) => x.id !== u.id));
  const toggle = (u: PublicUser) => (isSelected(u) ? unpick(u) : pick(u));

  const resultButtons = () => Array.from(listRef.current?.querySelectorAll<HTMLButtonElement>("button[data-person]") ?? []);

  const onInputKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "Enter") {
      e.preventDefault();
      const first = results.find((u) => !isSelected(u));
      if (text.trim() && first && !stale) pick(first);
    } else if (e.key === "Backspace" && text === "" && selected.length > 0) {
      e.preventDefault();
      setSelected((s) => s.slice(0, -1));
    } else if (e.key === "ArrowDown") {
      e.preventDefault();
      resultButtons()[0]?.focus();
    }
  };

  const onListKeyDown = (e: React.KeyboardEvent<HTMLUListElement>) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    e.preventDefault();
    const buttons = resultButtons();
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = e.key === "ArrowDown" ? Math.min(i + 1, buttons.length - 1) : i - 1;
    if (next < 0) searchInput().focus();
    else buttons[next]?.focus();
  };

  const start = () => {
    if (selected.length === 0 || create.isPending) return;
    const parsed = group ? groupTitle.safeParse(title) : null;
    if (parsed && !parsed.success) {
      setTitleError(parsed.error.issues[0]?.message ?? "Give the group a title.");
      inputRef.current?.focus();
      return;
    }
    create.mutate(
      { participantIds: selected.map((u) => u.id), ...(parsed ? { title: parsed.data } : {}) },
      {
        onSuccess: (thread) => {
          router.push(`/t/${thread.id}`);
          onClose();
        },
        onError: (e) => toast.error(group ? "Couldn’t create the group." : "Couldn’t start the conversation.", { description: e.message }),
      },
    );
  };

  const summary =
    selected.length === 0
      ? "Pick one or more people."
      : group
        ? `${selected.length + 1} members, with you as admin`
        : selected.length === 1
        ? `Chat with ${displayName(selected[0]!)}`
        : `Group of ${selected.length + 1}, with you`;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex items-center justify-between gap-4 px-5 pb-3 pt-4">
        <DialogTitle>{group ? "New group" : "New conversation"}</DialogTitle>
        <DialogClose aria-label="Close" className={buttonVariants({ variant: "ghost", size: "icon", className: "-mr-2" })}>
          <XIcon aria-hidden="true" className="h-5 w-5" />
        </DialogClose>
      </div>

      {group && (
        <div className="px-5 pb-3">
          <Input
            ref={inputRef}
            aria-label="Group title"
            className="w-full"
            placeholder="Group title, e.g. Launch"
            value={title}
            maxLength={MAX_TITLE_LENGTH * 2}
            aria-invalid={titleError ? true : undefined}
            aria-describedby={titleError ? "group-title-error" : undefined}
            onChange={(e) => {
              setTitle(e.target.value);
              setTitleError(null);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                searchRef.current?.focus();
              }
            }}
          />
          {titleError && (
            <p id="group-title-error" className="mt-1.5 text-sm text-red-600 dark:text-red-400">
              {titleError}
            </p>
          )}
        </div>
      )}
      <div className="px-5">
        <div
          className="flex min-h-11 flex-wrap items-center gap-1.5 rounded-xl border border-zinc-300 bg-white px-2.5 py-1.5 transition-shadow focus-within:border-indigo-500 focus-within:ring-2 focus-within:ring-indigo-500/25 dark:border-zinc-700 dark:bg-zinc-950"
          onClick={(e) => {
            if (e.target === e.currentTarget) searchInput().focus();
          }}
        >
          <span className="pl-0.5 pr-1 text-sm text-zinc-500 dark:text-zinc-400" aria-hidden="true">
            To:
          </span>
          {selected.length > 0 && (
            <ul aria-label="Selected people" className="contents">
              {selected.map((u) => (
                <li
                  key={u.id}
                  className="inline-flex items-center gap-1 rounded-full bg-indigo-50 py-0.5 pl-0.5 pr-1 text-sm font-medium text-indigo-800 ring-1 ring-indigo-200 dark:bg-indigo-500/15 dark:text-indigo-200 dark:ring-indigo-500/30"
                >
                  <span className="flex [&>span]:h-6 [&>span]:w-6 [&>span]:text-[0.625rem]">
                    <Avatar user={u} size="sm" />
                  </span>
                  <span className="max-w-40 truncate pl-0.5">{displayName(u)}</span>
                  <button
                    type="button"
                    aria-label={`Remove ${displayName(u)}`}
                    onClick={() => {
                      unpick(u);
                      searchInput().focus();
                    }}
                    className={`rounded-full p-0.5 text-indigo-500 hover:bg-indigo-100 hover:text-indigo-800 dark:text-indigo-300 dark:hover:bg-indigo-500/25 dark:hover:text-white ${focusRing}`}
                  >
                    <XIcon aria-hidden="true" className="h-3.5 w-3.5" />
                  </button>
                </li>
              ))}
            </ul>
          )}
          <input
            ref={group ? searchRef : inputRef}
            type="text"
            aria-label="Search people"
            placeholder={selected.length ? "Add someone else…" : "Search by name or username"}
            autoComplete="off"
            spellCheck={false}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onInputKeyDown}
            className="min-w-32 flex-1 bg-transparent py-1 text-sm text-zinc-900 outline-none placeholder:text-zinc-400 dark:text-zinc-100 dark:placeholder:text-zinc-500"
          />
        </div>
      </div>

      <div className="mt-3 flex min-h-0 flex-1 flex-col border-t border-zinc-200 dark:border-zinc-800">
        <p className="px-5 pb-1 pt-3 text-xs font-semibold uppercase tracking-wider text-zinc-500 dark:text-zinc-400" aria-hidden="true">
          {q ? "Results" : "People"}
        </p>
        <div className="min-h-40 overflow-y-auto overscroll-contain px-2 pb-2 sm:max-h-80" aria-busy={stale || search.isPending}>
          {search.isPending ? (
            <ul aria-hidden="true">
              {[0, 1, 2].map((i) => (
                <li key={i} className="flex items-center gap-3 px-3 py-2">
                  <span className="h-9 w-9 animate-pulse rounded-full bg-zinc-200 dark:bg-zinc-800" />
                  <span className="flex flex-col gap-1.5">
                    <span className="h-3.5 w-28 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
                    <span className="h-3 w-16 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800/70" />
                  </span>
                </li>
              ))}
            </ul>
          ) : search.isError && !search.data ? (
            <p role="alert" className="px-3 py-6 text-center text-sm text-zinc-500 dark:text-zinc-400">
              Couldn’t search people right now. Check your connection and try again.
            </p>
          ) : results.length === 0 ? (
            <p role="status" className="px-3 py-6 text-center text-sm text-zinc-500 dark:text-zinc-400">
              {q ? `No one found for “${q}”.` : "No one else is on Parley yet."}
            </p>
          ) : (
            <ul ref={listRef} aria-label="People" onKeyDown={onListKeyDown} className={`flex flex-col gap-0.5 transition-opacity ${stale ? "opacity-60" : ""}`}>
              {results.map((u) => {
                const on = isSelected(u);
                return (
                  <li key={u.id}>
                    <button
                      type="button"
                      data-person={u.id}
                      aria-pressed={on}
                      onClick={() => toggle(u)}
                      className={`group flex w-full items-center gap-3 rounded-xl px-3 py-2 text-left hover:bg-zinc-100 dark:hover:bg-zinc-800/70 ${focusRing} focus-visible:-outline-offset-2 ${on ? "bg-indigo-50/70 dark:bg-indigo-500/10" : ""}`}
                    >
                      <Avatar user={u} />
                      <span className="flex min-w-0 flex-1 flex-col">
                        <span className="truncate text-sm font-medium text-zinc-900 dark:text-zinc-100">{displayName(u)}</span>
                        {/* Darker on the tinted hover and selected backgrounds, where zinc-500 measures under 4.5:1. */}
                        <span className="truncate text-xs text-zinc-500 group-hover:text-zinc-600 group-aria-pressed:text-zinc-600 dark:text-zinc-400 dark:group-hover:text-zinc-400 dark:group-aria-pressed:text-zinc-400">
                          @{u.username}
                        </span>
                      </span>
                      <span
                        aria-hidden="true"
                        className={`flex h-5 w-5 shrink-0 items-center justify-center rounded-full border transition-[background-color,color,border-color] ${
                          on ? "border-indigo-600 bg-indigo-600 text-white" : "border-zinc-300 text-transparent dark:border-zinc-600"
                        }`}
                      >
                        <CheckIcon aria-hidden="true" className="h-3.5 w-3.5" />
                      </span>
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      </div>

      <div className="flex flex-col gap-3 border-t border-zinc-200 bg-zinc-50 px-5 py-3 sm:flex-row sm:items-center sm:justify-between dark:border-zinc-800 dark:bg-zinc-900/60">
        <p aria-live="polite" className="min-w-0 text-xs text-zinc-500 dark:text-zinc-400">
          {summary}
        </p>
        <div className="flex shrink-0 justify-end gap-2">
          <DialogClose className={buttonVariants({ variant: "ghost", className: "hover:bg-zinc-200/70" })}>Cancel</DialogClose>
          <Button onClick={start} disabled={selected.length === 0} aria-disabled={create.isPending || undefined}>
            {create.isPending && (
              <span aria-hidden="true" className="h-3.5 w-3.5 animate-spin rounded-full border-2 border-white/40 border-t-white" />
            )}
            {group ? "Create group" : "Start conversation"}
          </Button>
        </div>
      </div>
    </div>
  );
}
