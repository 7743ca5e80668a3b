import { route } from "@/lib/api/handler";
import { listAuditLog } from "@/lib/openapi/admin";
import { listAuditLog as list } from "@/lib/server/audit";

/** The audit log, newest first. */
export const GET = route(listAuditLog, async ({ query }) => list(query));
