import { redirect } from "next/navigation";
import { TokenSettings } from "@/components/tokens/token-settings";
import { auth } from "@/lib/auth";

/**
 * The signed-in user's API tokens: create one (its secret shown once), see when each was last used, revoke. The list
 * comes from `GET /api/tokens` in the browser, like any other API client's.
 */
export default async function TokensPage() {
  const session = await auth();
  if (!session?.user?.id) redirect(`/sign-in?callbackUrl=${encodeURIComponent("/settings/tokens")}`);
  return <TokenSettings />;
}
