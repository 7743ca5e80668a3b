"use client";

import { type FormEvent, useId, useRef, useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { ApiError } from "@/lib/client/api";
import { useChangePassword } from "@/lib/client/queries";
import { changePasswordBody } from "@/lib/schemas/users";
import { FormError } from "@/components/ui/form-error";

type Field = "currentPassword" | "newPassword";

/**
 * The "Change password" form: the current password and the new one, checked with the API's own rule
 * (lib/schemas/users.ts) before sending. The server's per-field `errors` (a wrong current password) appear under
 * their field, any other problem's `detail` (a 429, say) above the form. Both fields empty once it is done.
 */
export function ChangePasswordForm({ onChanged }: { onChanged?: () => void } = {}) {
  const id = useId();
  const [values, setValues] = useState<Record<Field, string>>({ currentPassword: "", newPassword: "" });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const refs = { currentPassword: useRef<HTMLInputElement>(null), newPassword: useRef<HTMLInputElement>(null) };
  const change = useChangePassword();

  const fail = (fieldErrors: Partial<Record<Field, string>>, form: string | null) => {
    setErrors(fieldErrors);
    setFormError(form);
    const first = (["currentPassword", "newPassword"] as const).find((f) => fieldErrors[f]);
    refs[first ?? "currentPassword"].current?.focus();
  };

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (change.isPending) return;
    const parsed = changePasswordBody.safeParse(values);
    if (!parsed.success) {
      const found: Partial<Record<Field, string>> = {};
      for (const issue of parsed.error.issues) found[issue.path[0] as Field] ??= issue.message;
      return fail(found, null);
    }
    setErrors({});
    setFormError(null);
    change.mutate(parsed.data, {
      onSuccess: () => {
        setValues({ currentPassword: "", newPassword: "" });
        toast.success("Password changed. Your other sessions were signed out.");
        onChanged?.();
      },
      onError: (err) => {
        if (!(err instanceof ApiError)) return fail({}, "Something went wrong. Please try again.");
        const found: Partial<Record<Field, string>> = {};
        for (const f of err.errors ?? []) {
          const field = f.pointer?.replace("#/", "") as Field | undefined;
          if (field === "currentPassword" || field === "newPassword") found[field] ??= f.detail;
        }
        if (Object.keys(found).length > 0) return fail(found, null);
        fail({}, err.detail);
      },
    });
  };

  const field = (name: Field, label: string, autoComplete: string, hint?: string) => {
    const error = errors[name];
    const described = error ? `${id}-${name}-error` : hint ? `${id}-${name}-hint` : undefined;
    return (
      <div className="flex flex-col gap-1.5">
        <label htmlFor={`${id}-${name}`} className="text-sm font-medium">
          {label}
        </label>
        <Input
          ref={refs[name]}
          id={`${id}-${name}`}
          name={name}
          type="password"
          autoComplete={autoComplete}
          value={values[name]}
          onChange={(e) => {
            setValues((v) => ({ ...v, [name]: e.target.value }));
            if (error) setErrors((all) => ({ ...all, [name]: undefined }));
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={described}
        />
        {error ? (
          <p id={`${id}-${name}-error`} className="text-sm text-red-600 dark:text-red-400">
            {error}
          </p>
        ) : (
          hint && (
            <p id={`${id}-${name}-hint`} className="text-sm text-zinc-500 dark:text-zinc-400">
              {hint}
            </p>
          )
        )}
      </div>
    );
  };

  return (
    <form onSubmit={submit} noValidate className="flex max-w-sm flex-col gap-4">
      {formError && (
        <FormError testId="password-form-error">
          {formError}
        </FormError>
      )}
      {field("currentPassword", "Current password", "current-password")}
      {field("newPassword", "New password", "new-password", "At least 8 characters.")}
      <Button type="submit" disabled={change.isPending} className="self-start">
        {change.isPending ? "Changing…" : "Change password"}
      </Button>
    </form>
  );
}
