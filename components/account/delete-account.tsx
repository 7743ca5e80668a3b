"use client";

import { type FormEvent, useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { FormError } from "@/components/ui/form-error";
import { Input } from "@/components/ui/input";
import { signOutAction } from "@/lib/actions/auth";
import { ApiError } from "@/lib/client/api";
import { stopLive } from "@/lib/client/live/event-stream";
import { useDeleteAccount } from "@/lib/client/queries";
import { deleteAccountBody } from "@/lib/schemas/users";

/**
 * "Delete account": the password, then a confirmation. Once the server has deleted the account this tab signs out as
 * the sign-out button does; a wrong password shows under the field and the dialog closes, nothing deleted.
 */
export function DeleteAccount() {
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [password, setPassword] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const remove = useDeleteAccount();

  const fail = (field: string | null, form: string | null) => {
    setConfirming(false);
    setFieldError(field);
    setFormError(form);
    inputRef.current?.focus();
  };

  const ask = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const parsed = deleteAccountBody.safeParse({ password });
    if (!parsed.success) return fail(parsed.error.issues[0]?.message ?? "Enter your password.", null);
    setFieldError(null);
    setFormError(null);
    setConfirming(true);
  };

  const confirm = () =>
    remove.mutate(
      { password },
      {
        onSuccess: async () => {
          stopLive();
          await signOutAction();
        },
        onError: (err) => {
          if (!(err instanceof ApiError)) return fail(null, "Something went wrong. Please try again.");
          const onPassword = err.errors?.find((f) => f.pointer === "#/password")?.detail;
          fail(onPassword ?? null, onPassword ? null : err.detail);
        },
      },
    );

  return (
    <form onSubmit={ask} noValidate className="flex max-w-sm flex-col gap-4">
      {formError && <FormError testId="delete-account-error">{formError}</FormError>}
      <div className="flex flex-col gap-1.5">
        <label htmlFor={id} className="text-sm font-medium">
          Password
        </label>
        <Input
          ref={inputRef}
          id={id}
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
            if (fieldError) setFieldError(null);
          }}
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={fieldError ? `${id}-error` : undefined}
        />
        {fieldError && (
          <p id={`${id}-error`} className="text-sm text-red-600 dark:text-red-400">
            {fieldError}
          </p>
        )}
      </div>
      <Button type="submit" variant="danger-secondary" className="self-start">
        Delete account
      </Button>
      <ConfirmDialog
        open={confirming}
        title="Delete your account?"
        description="You will be signed out everywhere and cannot sign in again. Your messages stay in the others' conversations as “Deleted user”."
        confirmLabel="Delete account"
        pending={remove.isPending || remove.isSuccess}
        onConfirm={confirm}
        onClose={() => setConfirming(false)}
        finalFocus={inputRef}
      />
    </form>
  );
}
