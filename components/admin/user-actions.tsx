"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogTitle } from "@/components/ui/dialog";
import { apiFetch } from "@/lib/client/api";
import type { AdminUserDetail } from "@/lib/schemas/admin";
import { ReasonDialog } from "./reason-dialog";

type Action = "grant" | "revoke" | "suspend" | "unsuspend" | "reset" | "delete" | null;

/**
 * What an admin can do to a person (each through `/api/admin/users/{id}`, each audited): make or stop being an admin,
 * suspend (with a reason they are shown) or unsuspend, set a temporary password (shown once, here), delete the
 * account. The page re-renders from the server after each.
 */
export function UserActions({ user, meId }: { user: AdminUserDetail; meId: string }) {
  const router = useRouter();
  const [action, setAction] = useState<Action>(null);
  const [temporary, setTemporary] = useState<string | null>(null);
  const name = user.name ?? user.username;
  const patch = (body: object) => apiFetch(`/api/admin/users/${user.id}`, { method: "PATCH", body });
  const done = (message: string) => {
    toast.success(message);
    router.refresh();
  };
  if (user.deletedAt) return <p className="text-sm text-zinc-600 dark:text-zinc-400">This account was deleted.</p>;
  const self = user.id === meId;
  return (
    <div className="flex flex-wrap gap-2">
      {user.role === "admin" ? (
        <Button variant="secondary" size="sm" onClick={() => setAction("revoke")}>
          Remove admin role
        </Button>
      ) : (
        <Button variant="secondary" size="sm" onClick={() => setAction("grant")}>
          Make admin
        </Button>
      )}
      {user.suspendedAt ? (
        <Button variant="secondary" size="sm" onClick={() => setAction("unsuspend")}>
          Unsuspend
        </Button>
      ) : (
        !self && (
          <Button variant="danger-secondary" size="sm" onClick={() => setAction("suspend")}>
            Suspend
          </Button>
        )
      )}
      {!self && (
        <Button variant="secondary" size="sm" onClick={() => setAction("reset")}>
          Reset password
        </Button>
      )}
      {!self && (
        <Button variant="danger-secondary" size="sm" onClick={() => setAction("delete")}>
          Delete account
        </Button>
      )}

      <ReasonDialog
        open={action === "grant"}
        title={`Make ${name} an admin?`}
        description="Admins can suspend people, remove messages, read conversations (audited) and make other admins."
        confirmLabel="Make admin"
        required={false}
        onConfirm={async (reason) => {
          await patch({ role: "admin", reason });
          done(`${name} is now an admin`);
        }}
        onClose={() => setAction(null)}
      />
      <ReasonDialog
        open={action === "revoke"}
        title={`Remove ${name}'s admin role?`}
        description="They keep their account and conversations. The last admin cannot lose the role."
        confirmLabel="Remove admin role"
        required={false}
        onConfirm={async (reason) => {
          await patch({ role: "member", reason });
          done(`${name} is no longer an admin`);
        }}
        onClose={() => setAction(null)}
      />
      <ReasonDialog
        open={action === "suspend"}
        title={`Suspend ${name}?`}
        description="They are signed out everywhere at once, their API tokens stop working, and they cannot sign in until unsuspended. They are shown the reason when they try."
        confirmLabel="Suspend"
        danger
        onConfirm={async (reason) => {
          await patch({ suspended: true, reason });
          done(`${name} is suspended`);
        }}
        onClose={() => setAction(null)}
      />
      <ReasonDialog
        open={action === "unsuspend"}
        title={`Unsuspend ${name}?`}
        description="They can sign in again. Their old sessions and tokens stay ended."
        confirmLabel="Unsuspend"
        required={false}
        onConfirm={async (reason) => {
          await patch({ suspended: false, reason });
          done(`${name} can sign in again`);
        }}
        onClose={() => setAction(null)}
      />
      <ReasonDialog
        open={action === "reset"}
        title={`Reset ${name}'s password?`}
        description="They are signed out everywhere and their tokens stop working. You get a temporary password to give them; after signing in with it they must choose their own."
        confirmLabel="Reset password"
        required={false}
        onConfirm={async (reason) => {
          const { temporaryPassword } = await apiFetch<{ temporaryPassword: string }>(`/api/admin/users/${user.id}/password-reset`, {
            method: "POST",
            body: { reason },
          });
          setTemporary(temporaryPassword);
          router.refresh();
        }}
        onClose={() => setAction(null)}
      />
      <ReasonDialog
        open={action === "delete"}
        title={`Delete ${name}'s account?`}
        description="As if they deleted it themselves: their messages stay in others' conversations as “Deleted user”. This cannot be undone."
        confirmLabel="Delete account"
        danger
        onConfirm={async (reason) => {
          await apiFetch(`/api/admin/users/${user.id}`, { method: "DELETE", body: { reason } });
          done(`${name}'s account was deleted`);
        }}
        onClose={() => setAction(null)}
      />
      <Dialog open={temporary !== null} onOpenChange={(next) => !next && setTemporary(null)}>
        <DialogContent className="flex flex-col gap-4 p-5">
          <DialogTitle>Temporary password</DialogTitle>
          <DialogDescription>Give it to {name} privately. It is shown only now; they must replace it when they sign in.</DialogDescription>
          <code data-testid="temporary-password" className="select-all rounded-lg bg-zinc-100 px-3 py-2 font-mono text-base dark:bg-zinc-800">
            {temporary}
          </code>
          <div className="flex justify-end gap-2">
            <Button
              variant="secondary"
              onClick={() => {
                void navigator.clipboard?.writeText(temporary ?? "").then(() => toast.success("Copied"));
              }}
            >
              Copy
            </Button>
            <Button onClick={() => setTemporary(null)}>Done</Button>
          </div>
        </DialogContent>
      </Dialog>
    </div>
  );
}
