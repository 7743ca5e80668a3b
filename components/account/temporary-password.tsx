"use client";

import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { signOutAction } from "@/lib/actions/auth";
import { ChangePasswordForm } from "./change-password-form";

/**
 * What someone signed in with a temporary password (an admin reset theirs) sees instead of the app, until they have
 * chosen a new password: the change-password form, whose "current password" is the temporary one.
 */
export function TemporaryPasswordScreen() {
  const router = useRouter();
  return (
    <main className="flex min-h-dvh items-center justify-center bg-zinc-50 px-4 dark:bg-zinc-950">
      <div className="flex w-full max-w-sm flex-col gap-4 rounded-xl border border-zinc-200 bg-white p-8 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
        <h1 className="text-xl font-semibold tracking-tight">Choose a new password</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          An admin set a temporary password for your account. Enter it as your current password, then choose your own.
        </p>
        <ChangePasswordForm onChanged={() => router.refresh()} />
        <form action={signOutAction} className="border-t border-zinc-200 pt-4 dark:border-zinc-800">
          <Button type="submit" variant="ghost" size="sm">
            Sign out instead
          </Button>
        </form>
      </div>
    </main>
  );
}
