"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { signOutAction } from "@/lib/actions/auth";
import { ApiError } from "@/lib/client/api";
import { stopLive } from "@/lib/client/live/event-stream";
import { useSignOutEverywhere } from "@/lib/client/queries";
import { FormError } from "@/components/ui/form-error";

/**
 * The "Sign out everywhere" button and its confirmation. Once the server has ended every session and token, this
 * tab signs out as the sign-out button does (its cookie cleared, the sign-in page); if the server could not, the
 * dialog stays open with the reason and nothing was ended.
 */
export function SignOutEverywhere() {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const signOut = useSignOutEverywhere();

  const confirm = () => {
    setError(null);
    signOut.mutate(undefined, {
      onSuccess: async () => {
        stopLive();
        await signOutAction();
      },
      onError: (err) => setError(err instanceof ApiError ? err.detail : "Something went wrong. Please try again."),
    });
  };

  return (
    <>
      {error && (
        <FormError testId="sign-out-everywhere-error">
          {error}
        </FormError>
      )}
      <Button variant="danger-secondary" className="self-start" onClick={() => setOpen(true)}>
        Sign out everywhere
      </Button>
      <ConfirmDialog
        open={open}
        title="Sign out everywhere?"
        description="Every browser, this one included, will need to sign in again, and all your API tokens stop working."
        confirmLabel="Sign out everywhere"
        pending={signOut.isPending || signOut.isSuccess}
        onConfirm={confirm}
        onClose={() => setOpen(false)}
      />
    </>
  );
}
