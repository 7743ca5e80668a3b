"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import type { AuthFormState } from "@/lib/actions/auth";
import { FormError } from "@/components/ui/form-error";

interface Props {
  mode: "sign-in" | "sign-up";
  action: (prev: AuthFormState, form: FormData) => Promise<AuthFormState>;
  callbackUrl: string;
}

/** The sign-in and sign-up form: errors appear next to their field, the form keeps what was typed. */
export function AuthForm({ mode, action, callbackUrl }: Props) {
  const [state, formAction, pending] = useActionState(action, {});
  const signUp = mode === "sign-up";
  const other = `/${signUp ? "sign-in" : "sign-up"}${callbackUrl !== "/" ? `?callbackUrl=${encodeURIComponent(callbackUrl)}` : ""}`;
  return (
    <form action={formAction} className="flex flex-col gap-4" noValidate>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      {state.error && (
        <FormError testId="form-error" className="rounded-md">
          {state.error}
        </FormError>
      )}
      <Field label="Username" name="username" autoComplete="username" defaultValue={state.values?.username} error={state.fieldErrors?.username} />
      {signUp && <Field label="Display name (optional)" name="name" autoComplete="name" defaultValue={state.values?.name} error={state.fieldErrors?.name} />}
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete={signUp ? "new-password" : "current-password"}
        error={state.fieldErrors?.password}
        hint={signUp ? "At least 8 characters." : undefined}
      />
      <Button type="submit" disabled={pending} className="text-base">
        {pending ? "Please wait…" : signUp ? "Create account" : "Sign in"}
      </Button>
      <p className="text-center text-sm text-zinc-600 dark:text-zinc-400">
        {signUp ? "Already have an account? " : "New to Parley? "}
        <Link href={other} className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
          {signUp ? "Sign in" : "Create an account"}
        </Link>
      </p>
    </form>
  );
}

function Field(props: { label: string; name: string; type?: string; autoComplete?: string; defaultValue?: string; error?: string; hint?: string }) {
  const id = `field-${props.name}`;
  const describedBy = props.error ? `${id}-error` : props.hint ? `${id}-hint` : undefined;
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        {props.label}
      </label>
      <Input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        autoComplete={props.autoComplete}
        defaultValue={props.defaultValue}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy}
        // 16 px: iOS zooms into a smaller field when it takes the focus.
        className="text-base"
      />
      {props.error ? (
        <p id={`${id}-error`} className="text-sm text-red-600 dark:text-red-400">
          {props.error}
        </p>
      ) : props.hint ? (
        <p id={`${id}-hint`} className="text-sm text-zinc-500 dark:text-zinc-400">
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}
