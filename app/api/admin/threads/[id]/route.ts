import { route } from "@/lib/api/handler";
import { getAdminThread } from "@/lib/openapi/admin";
import * as admin from "@/lib/server/admin";

/** One conversation and its members. */
export const GET = route(getAdminThread, async ({ params }) => admin.getAdminThread(params.id));
