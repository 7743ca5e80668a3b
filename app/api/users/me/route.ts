import { json, withUser } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/parse";
import { updateMeBody } from "@/lib/schemas/users";
import { getMe, updateMe } from "@/lib/server/users";

/** The caller's account. */
export const GET = withUser(async ({ caller }) => json(await getMe(caller.userId)));

/** Changes the caller's display name. */
export const PATCH = withUser(async ({ req, caller }) => {
  const body = await parseBody(req, updateMeBody);
  return json(await updateMe(caller.userId, body));
});
