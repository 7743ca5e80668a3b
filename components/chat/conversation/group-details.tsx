"use client";

import {
  EllipsisVertical as DotsIcon,
  LogOut as LeaveIcon,
  ShieldCheck as AdminIcon,
  ShieldOff as DemoteIcon,
  Trash2 as TrashIcon,
  UserMinus as RemoveIcon,
  UserPlus as AddIcon,
  X as XIcon,
} from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { Button, buttonVariants } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DialogClose, DialogTitle } from "@/components/ui/dialog";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { Input } from "@/components/ui/input";
import { TextField } from "@/components/ui/text-field";
import { useDebouncedValue } from "@/hooks/use-debounced-value";
import { ApiError } from "@/lib/client/api";
import { useAddParticipants, useRemoveParticipant, useSetRole, useUpdateGroup, useUserSearch } from "@/lib/client/queries";
import { displayName } from "@/lib/format";
import { groupDescription, groupTitle, type Participant, type Thread } from "@/lib/schemas/threads";
import { Avatar } from "../avatar";
import { ProfileCard } from "../profile-card";

const reason = (e: unknown) => (e instanceof ApiError ? e.detail : "Something went wrong. Please try again.");

type Pending = { kind: "remove"; member: Participant } | { kind: "leave" } | { kind: "delete" } | null;

/**
 * The inside of a group's details dialog: its title and description (admins edit them), its members with their roles
 * (admins make admins, dismiss them and remove people; everyone sees who is who), adding people (admins), leaving,
 * and deleting the group (admins). What the server refuses (say a member who has just been made a non-admin) shows as
 * a toast and changes nothing; live events bring every change by others here as it happens.
 *
 * @param leave the caller's own "leave" mutation, owned by the conversation: the `thread.removed` event can arrive before
 *   the DELETE's answer and unmount this dialog, and a mutation's per-call callbacks only run while its owner is mounted
 * @param onGone called once the caller has left the group (the conversation then closes)
 * @param onRequestDelete asks the conversation to confirm and delete the group (it owns that confirmation)
 */
export function GroupDetails({
  thread,
  meId,
  leave,
  onGone,
  onRequestDelete,
}: {
  thread: Thread;
  meId: string;
  leave: ReturnType<typeof useRemoveParticipant>;
  onGone: (message: string) => void;
  onRequestDelete: () => void;
}) {
  const me = thread.participants.find((p) => p.id === meId);
  const admin = me?.role === "admin";
  const setRole = useSetRole(thread.id);
  const remove = useRemoveParticipant(thread.id, meId);
  const [pending, setPending] = useState<Pending>(null);
  const [profileOf, setProfileOf] = useState<string | null>(null);
  const members = [...thread.participants].sort(
    (a, b) => Number(b.role === "admin") - Number(a.role === "admin") || displayName(a).localeCompare(displayName(b)),
  );

  const confirm = () => {
    if (pending?.kind === "remove") {
      remove.mutate(pending.member.id, {
        onSuccess: () => setPending(null),
        onError: (e) => {
          setPending(null);
          toast.error(`${displayName(pending.member)} was not removed`, { description: reason(e) });
        },
      });
    } else if (pending?.kind === "leave") {
      leave.mutate(meId, {
        onSuccess: () => onGone(`You left “${thread.title}”`),
        onError: (e) => {
          setPending(null);
          toast.error("You did not leave the group", { description: reason(e) });
        },
      });
    }
  };

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex items-center justify-between gap-4 px-5 pb-3 pt-4">
        <DialogTitle>Group details</DialogTitle>
        <DialogClose aria-label="Close" className={buttonVariants({ variant: "ghost", size: "icon", className: "-mr-2" })}>
          <XIcon aria-hidden="true" className="h-5 w-5" />
        </DialogClose>
      </div>
      <div className="flex min-h-0 flex-1 flex-col gap-6 overflow-y-auto overscroll-contain px-5 pb-5">
        {admin ? (
          <GroupSettingsForm thread={thread} />
        ) : (
          <div className="flex flex-col gap-1">
            <p className="text-lg font-semibold">{thread.title}</p>
            {thread.description && <p className="whitespace-pre-wrap text-sm text-zinc-600 dark:text-zinc-400">{thread.description}</p>}
          </div>
        )}

        <section aria-labelledby="group-members" className="flex flex-col gap-2">
          <h3 id="group-members" className="text-xs font-semibold uppercase tracking-wider text-zinc-500 dark:text-zinc-400">
            {thread.participants.length} {thread.participants.length === 1 ? "member" : "members"}
          </h3>
          <ul aria-label="Members" className="flex flex-col gap-0.5">
            {members.map((p) => (
              <li key={p.id} data-testid="group-member" data-role={p.role} className="flex items-center gap-3 rounded-xl px-2 py-1.5">
                <button
                  type="button"
                  onClick={() => setProfileOf(p.id)}
                  aria-label={`Profile of ${displayName(p)}${p.presence.status === "online" ? " (online)" : ""}`}
                  className="flex min-w-0 flex-1 items-center gap-3 rounded-lg text-left focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500"
                >
                  <Avatar user={p} size="sm" online={p.presence.status === "online"} />
                  <span className="flex min-w-0 flex-1 flex-col leading-tight">
                    <span className="truncate text-sm font-medium">
                      {displayName(p)}
                      {p.id === meId && <span className="font-normal text-zinc-500 dark:text-zinc-400"> (you)</span>}
                    </span>
                    <span className="truncate text-xs text-zinc-500 dark:text-zinc-400">@{p.username}</span>
                  </span>
                </button>
                {p.role === "admin" && (
                  <span className="rounded-full bg-indigo-50 px-2 py-0.5 text-xs font-medium text-indigo-700 ring-1 ring-indigo-200 dark:bg-indigo-500/15 dark:text-indigo-200 dark:ring-indigo-500/30">
                    Admin
                  </span>
                )}
                {admin && p.id !== meId && (
                  <DropdownMenu>
                    <DropdownMenuTrigger
                      aria-label={`Manage ${displayName(p)}`}
                      className={buttonVariants({ variant: "ghost", size: "icon", className: "h-8 w-8" })}
                    >
                      <DotsIcon aria-hidden="true" className="h-4 w-4" />
                    </DropdownMenuTrigger>
                    <DropdownMenuContent align="end">
                      <DropdownMenuItem
                        onClick={() =>
                          setRole.mutate(
                            { userId: p.id, role: p.role === "admin" ? "member" : "admin" },
                            { onError: (e) => toast.error("The role did not change", { description: reason(e) }) },
                          )
                        }
                      >
                        {p.role === "admin" ? <DemoteIcon aria-hidden="true" className="h-4 w-4" /> : <AdminIcon aria-hidden="true" className="h-4 w-4" />}
                        {p.role === "admin" ? "Dismiss as admin" : "Make admin"}
                      </DropdownMenuItem>
                      <DropdownMenuItem variant="danger" onClick={() => setPending({ kind: "remove", member: p })}>
                        <RemoveIcon aria-hidden="true" className="h-4 w-4" />
                        Remove from group
                      </DropdownMenuItem>
                    </DropdownMenuContent>
                  </DropdownMenu>
                )}
              </li>
            ))}
          </ul>
        </section>

        {admin && <AddPeople thread={thread} />}

        <div className="flex flex-wrap gap-2 border-t border-zinc-200 pt-4 dark:border-zinc-800">
          <Button variant="danger-secondary" onClick={() => setPending({ kind: "leave" })}>
            <LeaveIcon aria-hidden="true" className="h-4 w-4" />
            Leave group
          </Button>
          {admin && (
            <Button variant="danger" onClick={onRequestDelete}>
              <TrashIcon aria-hidden="true" className="h-4 w-4" />
              Delete group
            </Button>
          )}
        </div>
      </div>
      <ProfileCard userId={profileOf} meId={meId} onClose={() => setProfileOf(null)} />
      <ConfirmDialog
        open={pending?.kind === "remove"}
        title={pending?.kind === "remove" ? `Remove ${displayName(pending.member)}?` : "Remove?"}
        description="They will no longer see this group or its messages. An admin can add them again."
        confirmLabel="Remove"
        pending={remove.isPending}
        onConfirm={confirm}
        onClose={() => setPending(null)}
      />
      <ConfirmDialog
        open={pending?.kind === "leave"}
        title="Leave this group?"
        description={
          thread.participants.length === 1
            ? "You are its last member: the group and its messages will be deleted."
            : "You will no longer see it or its messages, unless an admin adds you again."
        }
        confirmLabel="Leave"
        pending={leave.isPending || leave.isSuccess}
        onConfirm={confirm}
        onClose={() => setPending(null)}
      />
    </div>
  );
}

/**
 * The admins' form for a group's title and description, each checked as the server checks it. Only the fields the
 * admin edited are sent; one left alone shows the group's current value, so another admin's change that arrives
 * meanwhile is shown and never undone by a save.
 */
function GroupSettingsForm({ thread }: { thread: Thread }) {
  const update = useUpdateGroup(thread.id);
  const [edited, setEdited] = useState<{ title?: string; description?: string }>({});
  const [error, setError] = useState<{ field: "title" | "description"; text: string } | null>(null);
  const title = edited.title ?? thread.title ?? "";
  const description = edited.description ?? thread.description ?? "";
  const dirty =
    (edited.title !== undefined && edited.title.trim() !== thread.title) ||
    (edited.description !== undefined && (edited.description.trim() || null) !== thread.description);
  const setTitle = (value: string) => setEdited((e) => ({ ...e, title: value }));
  const setDescription = (value: string) => setEdited((e) => ({ ...e, description: value }));

  const save = (e: React.FormEvent) => {
    e.preventDefault();
    const t = edited.title === undefined ? undefined : groupTitle.safeParse(edited.title);
    if (t && !t.success) return setError({ field: "title", text: t.error.issues[0]?.message ?? "Check the title." });
    const d = edited.description === undefined ? undefined : groupDescription.safeParse(edited.description);
    if (d && !d.success) return setError({ field: "description", text: d.error.issues[0]?.message ?? "Check the description." });
    if (!t && !d) return;
    update.mutate(
      { ...(t ? { title: t.data } : {}), ...(d ? { description: d.data } : {}) },
      {
        onSuccess: () => {
          setEdited({});
          toast.success("Group updated");
        },
        onError: (err) => toast.error("The group was not updated", { description: reason(err) }),
      },
    );
  };

  return (
    <form onSubmit={save} noValidate className="flex flex-col gap-3">
      <TextField
        label="Title"
        value={title}
        error={error?.field === "title" ? error.text : null}
        onChange={(e) => {
          setTitle(e.target.value);
          setError(null);
        }}
      />
      <TextField
        label="Description"
        hint="(optional)"
        value={description}
        error={error?.field === "description" ? error.text : null}
        onChange={(e) => {
          setDescription(e.target.value);
          setError(null);
        }}
      />
      <Button type="submit" variant="secondary" className="self-start" disabled={!dirty} aria-disabled={update.isPending || undefined}>
        Save
      </Button>
    </form>
  );
}

/** The admins' "Add people" search: people not in the group yet, each with an Add button. */
function AddPeople({ thread }: { thread: Thread }) {
  const [text, setText] = useState("");
  const q = useDebouncedValue(text.trim(), 200);
  const search = useUserSearch(q);
  const add = useAddParticipants(thread.id);
  const members = new Set(thread.participants.map((p) => p.id));
  const results = (search.data?.data ?? []).filter((u) => !members.has(u.id)).slice(0, 8);

  return (
    <section aria-labelledby="group-add" className="flex flex-col gap-2">
      <h3 id="group-add" className="text-xs font-semibold uppercase tracking-wider text-zinc-500 dark:text-zinc-400">
        Add people
      </h3>
      <Input aria-label="Search people to add" placeholder="Search by name or username" value={text} onChange={(e) => setText(e.target.value)} />
      {q && results.length === 0 && !search.isPending && (
        <p role="status" className="text-sm text-zinc-500 dark:text-zinc-400">
          No one else found for “{q}”.
        </p>
      )}
      {q && results.length > 0 && (
        <ul aria-label="People to add" className="flex flex-col gap-0.5">
          {results.map((u) => (
            <li key={u.id} className="flex items-center gap-3 rounded-xl px-2 py-1.5">
              <Avatar user={u} size="sm" />
              <span className="flex min-w-0 flex-1 flex-col leading-tight">
                <span className="truncate text-sm font-medium">{displayName(u)}</span>
                <span className="truncate text-xs text-zinc-500 dark:text-zinc-400">@{u.username}</span>
              </span>
              <Button
                variant="secondary"
                size="sm"
                aria-label={`Add ${displayName(u)}`}
                aria-disabled={add.isPending || undefined}
                onClick={() => {
                  if (add.isPending) return;
                  add.mutate([u.id], {
                    onSuccess: () => setText(""),
                    onError: (e) => toast.error(`${displayName(u)} was not added`, { description: reason(e) }),
                  });
                }}
              >
                <AddIcon aria-hidden="true" className="h-4 w-4" />
                Add
              </Button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
