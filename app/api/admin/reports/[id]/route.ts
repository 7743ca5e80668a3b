import { route } from "@/lib/api/handler";
import { getReport } from "@/lib/openapi/admin";
import * as moderation from "@/lib/server/moderation";

/** One report with its message in context. */
export const GET = route(getReport, async ({ params }) => moderation.getReport(params.id));
