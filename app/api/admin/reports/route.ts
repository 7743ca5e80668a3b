import { route } from "@/lib/api/handler";
import { listReports } from "@/lib/openapi/admin";
import * as moderation from "@/lib/server/moderation";

/** The reports queue. */
export const GET = route(listReports, async ({ query }) => moderation.listReports(query));
