import { route } from "@/lib/api/handler";
import { resolveReport } from "@/lib/openapi/admin";
import * as moderation from "@/lib/server/moderation";

/** Resolves a report (and the other open reports of its message), audited. */
export const POST = route(resolveReport, async ({ params, body, caller }) => moderation.resolveReport(caller.userId, params.id, body));
