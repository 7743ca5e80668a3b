"use client";

import { Ban as BanIcon, MessageCircle as MessageIcon, X as XIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { Button, buttonVariants } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogClose, DialogContent, DialogTitle } from "@/components/ui/dialog";
import { ApiError } from "@/lib/client/api";
import { useNow } from "@/hooks/use-now";
import { useCreateThread, useSetBlocked, useUserProfile } from "@/lib/client/queries";
import { displayName, presenceLabel } from "@/lib/format";
import { DELETED_USERNAME_PREFIX } from "@/lib/schemas/constants";
import { Avatar } from "./avatar";

const reason = (e: unknown) => (e instanceof ApiError ? e.detail : "Something went wrong. Please try again.");

/**
 * A person's profile card, in a dialog: their avatar, name, username, presence ("online", "last seen 5 minutes ago")
 * and "about" line, a button to message them (the direct conversation with them, created or found), and Block (after a
 * confirmation) or Unblock (at once). Fetched when it opens; `presence` events keep it current while it is open.
 *
 * @param userId whose card; null: closed
 * @param onClose closes it (Escape, the close button, a press outside, or after "Message")
 */
export function ProfileCard({ userId, meId, onClose }: { userId: string | null; meId: string; onClose: () => void }) {
  return (
    <Dialog open={userId !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent className="max-w-sm">{userId && <ProfileCardBody userId={userId} meId={meId} onClose={onClose} />}</DialogContent>
    </Dialog>
  );
}

function ProfileCardBody({ userId, meId, onClose }: { userId: string; meId: string; onClose: () => void }) {
  const profile = useUserProfile(userId);
  const create = useCreateThread();
  const setBlocked = useSetBlocked();
  const [confirmBlock, setConfirmBlock] = useState(false);
  const router = useRouter();
  const now = useNow();
  const u = profile.data;

  return (
    <div data-testid="profile-card" className="flex flex-col items-center gap-2 px-5 pb-5 pt-4 text-center">
      <div className="flex w-full justify-end">
        <DialogClose aria-label="Close" className={buttonVariants({ variant: "ghost", size: "icon", className: "-mr-2" })}>
          <XIcon aria-hidden="true" className="h-5 w-5" />
        </DialogClose>
      </div>
      {!u ? (
        <>
          <DialogTitle className="sr-only">Profile</DialogTitle>
          {profile.isError ? (
            <p role="alert" className="text-sm text-zinc-500 dark:text-zinc-400">
              This profile could not be loaded.
            </p>
          ) : (
            <span aria-busy="true" className="h-16 w-16 animate-pulse rounded-full bg-zinc-200 dark:bg-zinc-800" />
          )}
        </>
      ) : (
        <>
          <span className="scale-150 py-3">
            <Avatar user={u} online={u.presence.status === "online"} />
          </span>
          <DialogTitle className="text-lg">{displayName(u)}</DialogTitle>
          <p className="text-sm text-zinc-500 dark:text-zinc-400">@{u.username}</p>
          <p data-testid="profile-presence" className={`text-sm ${u.presence.status === "online" ? "font-medium text-emerald-700 dark:text-emerald-400" : "text-zinc-500 dark:text-zinc-400"}`}>
            {now === null ? "" : presenceLabel(u.presence, new Date(now))}
          </p>
          {u.about && <p className="mt-1 whitespace-pre-wrap text-sm leading-6 text-zinc-700 dark:text-zinc-300">{u.about}</p>}
          {u.id !== meId && !u.username.startsWith(DELETED_USERNAME_PREFIX) && (
            <>
              <Button
                className="mt-3"
                aria-disabled={create.isPending || undefined}
                onClick={() => {
                  if (create.isPending) return;
                  create.mutate(
                    { participantIds: [u.id] },
                    {
                      onSuccess: (thread) => {
                        onClose();
                        router.push(`/t/${thread.id}`);
                      },
                      onError: (e) => toast.error("Couldn’t open the conversation.", { description: e.message }),
                    },
                  );
                }}
              >
                <MessageIcon aria-hidden="true" className="h-4 w-4" />
                Message
              </Button>
              {u.blocked && (
                <p data-testid="profile-blocked" className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">
                  You blocked them. Neither of you can write in your conversation.
                </p>
              )}
              {/* One button whatever it says, so that the focus stays on it when Block becomes Unblock. */}
              <Button
                variant={u.blocked ? "secondary" : "ghost"}
                size="sm"
                className={u.blocked ? "mt-2" : "mt-1 text-red-600 hover:bg-red-50 hover:text-red-700 dark:text-red-400 dark:hover:bg-red-500/10 dark:hover:text-red-300"}
                aria-disabled={setBlocked.isPending || undefined}
                onClick={() => {
                  if (setBlocked.isPending) return;
                  if (!u.blocked) return setConfirmBlock(true);
                  setBlocked.mutate(
                    { userId: u.id, blocked: false },
                    {
                      onSuccess: () => toast.success(`${displayName(u)} unblocked`),
                      onError: (e) => toast.error(`${displayName(u)} was not unblocked`, { description: reason(e) }),
                    },
                  );
                }}
              >
                <BanIcon aria-hidden="true" className="h-4 w-4" />
                {u.blocked ? "Unblock" : "Block"}
              </Button>
              <ConfirmDialog
                open={confirmBlock}
                title={`Block ${displayName(u)}?`}
                description="They won't be able to message you or see when you're online. They won't be told."
                confirmLabel="Block"
                pending={setBlocked.isPending}
                onConfirm={() =>
                  setBlocked.mutate(
                    { userId: u.id, blocked: true },
                    {
                      onSuccess: () => {
                        setConfirmBlock(false);
                        toast.success(`${displayName(u)} blocked`);
                      },
                      onError: (e) => {
                        setConfirmBlock(false);
                        toast.error(`${displayName(u)} was not blocked`, { description: reason(e) });
                      },
                    },
                  )
                }
                onClose={() => setConfirmBlock(false)}
              />
            </>
          )}
        </>
      )}
    </div>
  );
}
