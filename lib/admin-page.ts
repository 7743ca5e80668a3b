import "server-only";
import { notFound, redirect } from "next/navigation";
import { auth } from "./auth";
import { isActiveAdmin } from "./server/roles";
import { mustChangePassword } from "./server/users";

/**
 * The gate of every page under /admin: the caller's id when they are an active admin, else the app's 404 page, as if
 * the page did not exist. Each page calls it first, before it reads anything: a layout's check alone does not stop a
 * page (Next renders a layout and its page side by side, and the page's output would still be sent; Next docs,
 * "Authentication": layouts and auth checks). An admin signed in with a temporary password is sent to replace it.
 */
export async function requireAdminPage(): Promise<string> {
  const session = await auth();
  const userId = session?.user?.id;
  if (!userId || !(await isActiveAdmin(userId))) notFound();
  // Signed in with a temporary password: the chat's frame shows only the form that replaces it.
  if (await mustChangePassword(userId)) redirect("/");
  return userId;
}
