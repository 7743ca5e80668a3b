import { json, withOptionalUser } from "@/lib/api/handler";
import { parseBody } from "@/lib/api/parse";
import { registerBody } from "@/lib/schemas/users";
import { registerUser } from "@/lib/server/users";

/** Creates an account → 201 with the user; 409 when the username is taken. */
export const POST = withOptionalUser(async ({ req }) => {
  const input = await parseBody(req, registerBody);
  const user = await registerUser(input);
  return json(user, 201, { location: `/api/users/${user.id}` });
});
