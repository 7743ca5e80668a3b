import { countAgainst, json, route } from "@/lib/api/handler";
import { clientIp } from "@/lib/infra/rate-limit";
import { register } from "@/lib/openapi/accounts";
import { registerUser } from "@/lib/server/users";

/** Creates an account → 201 with the user; the `signUp` limit counts per client IP. */
export const POST = route(register, async ({ req, body, responseHeaders }) => {
  await countAgainst("signUp", clientIp(req.headers), responseHeaders);
  const user = await registerUser(body);
  return json(user, 201, { location: `/api/users/${user.id}` });
});
