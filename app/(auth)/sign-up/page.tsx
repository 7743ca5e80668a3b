import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth-form";
import { signUpAction } from "@/lib/actions/auth";
import { auth } from "@/lib/auth";
import { safeCallbackPath } from "@/lib/safe-redirect";

export const metadata: Metadata = { title: "Create account · Parley" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  const callbackUrl = safeCallbackPath((await searchParams).callbackUrl);
  if ((await auth())?.user) redirect(callbackUrl);
  return (
    <>
      <h1 className="mb-4 text-lg font-medium">Create your account</h1>
      <AuthForm mode="sign-up" action={signUpAction} callbackUrl={callbackUrl} />
    </>
  );
}
