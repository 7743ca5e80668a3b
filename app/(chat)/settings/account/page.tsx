import { redirect } from "next/navigation";
import { AccountSettings } from "@/components/account/account-settings";
import { auth } from "@/lib/auth";

/** The signed-in user's account: change the password, sign out everywhere, download their data, delete the account. */
export default async function AccountPage() {
  const session = await auth();
  if (!session?.user?.id) redirect(`/sign-in?callbackUrl=${encodeURIComponent("/settings/account")}`);
  return <AccountSettings />;
}
