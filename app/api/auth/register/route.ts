import { countAgainst, json, withoutUser } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/parse";
import { registerBody } from "@/lib/schemas/users";
import { clientIp } from "@/lib/infra/rate-limit";
import { registerUser } from "@/lib/server/users";

/**
 * Creates an account → 201 with the user; 409 when the username is taken; 429 past the `signUp` limit per IP.
 * Who the caller is does not matter here, so credentials are not even read (a stale token is no reason to fail).
 */
export const POST = withoutUser(async ({ req, responseHeaders }) => {
  const input = await parseBody(req, registerBody);
  await countAgainst("signUp", clientIp(req.headers), responseHeaders);
  const user = await registerUser(input);
  return json(user, 201, { location: `/api/users/${user.id}` });
});
