"use server";

import { AuthError } from "next-auth";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { SignInRateLimited, SignInSuspended, signIn, signOut } from "../auth";
import { AppError } from "../errors";
import { endSessionOf } from "../api/session";
import { safeCallbackPath } from "../safe-redirect";
import { registerBody } from "../schemas/users";
import { clientIp, consume } from "../infra/rate-limit";
import { registerUser, suspensionReason } from "../server/users";

/** What a sign-in or sign-up form shows after a failed attempt. */
export interface AuthFormState {
  error?: string;
  fieldErrors?: Partial<Record<"username" | "password" | "name", string>>;
  values?: { username?: string; name?: string };
}

async function signInAndGo(username: string, password: string, callbackUrl: unknown): Promise<AuthFormState | never> {
  try {
    await signIn("credentials", { username, password, redirect: false });
  } catch (e) {
    if (e instanceof AuthError) {
      const code = (e as { code?: string }).code;
      const limited = e instanceof SignInRateLimited || code === "rate_limited";
      if (e instanceof SignInSuspended || code === "suspended") {
        // Only a right password gets here, so saying why is no leak.
        const reason = await suspensionReason(username);
        return { error: `Your account is suspended.${reason ? ` Reason given: ${reason}` : ""}`, values: { username } };
      }
      const error = limited ? "Too many failed attempts. Wait a few minutes, then try again." : "Invalid username or password.";
      return { error, values: { username } };
    }
    throw e;
  }
  redirect(safeCallbackPath(callbackUrl));
}

/** Signs in with username and password, then goes to the `callbackUrl` path. */
export async function signInAction(_prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  const username = String(form.get("username") ?? "");
  const password = String(form.get("password") ?? "");
  if (!username || !password) {
    return {
      fieldErrors: { ...(username ? {} : { username: "Enter your username." }), ...(password ? {} : { password: "Enter your password." }) },
      values: { username },
    };
  }
  return signInAndGo(username, password, form.get("callbackUrl"));
}

/** Creates an account and signs it in. Field errors come from the same zod schema as the REST API. */
export async function signUpAction(_prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  const raw = {
    username: String(form.get("username") ?? ""),
    password: String(form.get("password") ?? ""),
    ...(form.get("name") ? { name: String(form.get("name")) } : {}),
  };
  const values = { username: raw.username, name: raw.name };
  const parsed = registerBody.safeParse(raw);
  if (!parsed.success) {
    const flat = z.flattenError(parsed.error).fieldErrors as Record<string, string[] | undefined>;
    return {
      fieldErrors: { username: flat.username?.[0], password: flat.password?.[0], name: flat.name?.[0] },
      values,
    };
  }
  try {
    await consume("signUp", clientIp(await headers()));
    await registerUser(parsed.data);
  } catch (e) {
    if (e instanceof AppError && e.type === "conflict") return { fieldErrors: { username: "That username is taken." }, values };
    if (e instanceof AppError && e.type === "too_many_requests") return { error: e.detail, values };
    throw e;
  }
  return signInAndGo(parsed.data.username, parsed.data.password, form.get("callbackUrl"));
}

/**
 * Signs out and returns to the sign-in page. The session is ended on the server first (its cookie stops working
 * wherever a copy of it is, and its event streams end), so a failure to do that is an error, not a silent success.
 */
export async function signOutAction(): Promise<void> {
  await endSessionOf({ headers: await headers() });
  await signOut({ redirect: false });
  redirect("/sign-in");
}
