import { json, withUser } from "@/lib/api/handler";
import { idParams } from "@/lib/schemas/common";
import { getUser } from "@/lib/server/users";

/** One user. */
export const GET = withUser(async ({ params }) => json(await getUser(params.id)), { params: idParams });
