"use client";

import { type FormEvent, type RefObject, useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { ApiError } from "@/lib/client/api";
import { useCreateToken } from "@/lib/client/queries";
import type { CreatedToken } from "@/lib/schemas/tokens";
import { tokenName } from "@/lib/schemas/tokens";
import { FormError } from "@/components/ui/form-error";

/**
 * The "Create token" form: one name field, checked with the API's own rule (lib/schemas/tokens.ts) before sending.
 * The server's answer decides the rest: its per-field `errors` appear under the field, any other problem's `detail`
 * (a 429 rate limit, say) above the form. The field empties once the token exists.
 *
 * @param inputRef the name field, for the page to move focus back to it
 * @param onCreated receives the new token with its secret, which this form does not keep
 */
export function CreateTokenForm({
  inputRef,
  onCreated,
}: {
  inputRef: RefObject<HTMLInputElement | null>;
  onCreated: (token: CreatedToken) => void;
}) {
  const id = useId();
  const [name, setName] = useState("");
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const create = useCreateToken();

  const fail = (field: string | null, form: string | null) => {
    setFieldError(field);
    setFormError(form);
    inputRef.current?.focus();
  };

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (create.isPending) return;
    const parsed = tokenName.safeParse(name);
    if (!parsed.success) return fail(parsed.error.issues[0]?.message ?? "Check the name.", null);
    setFieldError(null);
    setFormError(null);
    create.mutate(parsed.data, {
      onSuccess: (token) => {
        // The secret leaves React Query here: the page shows it once and forgets it.
        create.reset();
        setName("");
        onCreated(token);
      },
      onError: (err) => {
        if (!(err instanceof ApiError)) return fail(null, "Something went wrong. Please try again.");
        const onName = err.errors?.find((f) => f.pointer === "#/name")?.detail;
        if (onName) return fail(onName, null);
        fail(null, err.detail);
      },
    });
  };

  const describedBy = fieldError ? `${id}-error` : `${id}-hint`;
  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-1.5">
      {formError && (
        <FormError testId="token-form-error" className="mb-2">
          {formError}
        </FormError>
      )}
      <label htmlFor={id} className="text-sm font-medium">
        Token name
      </label>
      {/* Phones: field, hint, button, one under the other; wider: the button beside the field. */}
      <div className="grid gap-x-2 gap-y-1.5 sm:grid-cols-[1fr_auto]">
        <Input
          ref={inputRef}
          id={id}
          name="name"
          autoComplete="off"
          spellCheck={false}
          placeholder="e.g. Deploy script"
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            if (fieldError) setFieldError(null);
          }}
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={describedBy}
          className="sm:col-start-1 sm:row-start-1"
        />
        {fieldError ? (
          <p id={`${id}-error`} data-testid="token-name-error" className="text-sm text-red-600 sm:col-start-1 dark:text-red-400">
            {fieldError}
          </p>
        ) : (
          <p id={`${id}-hint`} className="text-sm text-zinc-500 sm:col-start-1 dark:text-zinc-400">
            Say what will use it, so you know which one to revoke later. Up to 64 characters.
          </p>
        )}
        <Button type="submit" disabled={create.isPending} className="mt-1 sm:col-start-2 sm:row-start-1 sm:mt-0">
          {create.isPending ? "Creating…" : "Create token"}
        </Button>
      </div>
    </form>
  );
}
