import { route } from "@/lib/api/handler";
import { reportMessage } from "@/lib/openapi/moderation";
import * as moderation from "@/lib/server/moderation";

/** Reports a message to the admins → 201. */
export const POST = route(reportMessage, async ({ params, body, caller }) => moderation.reportMessage(caller.userId, params.id, body));
