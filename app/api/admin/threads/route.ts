import { route } from "@/lib/api/handler";
import { listAdminThreads } from "@/lib/openapi/admin";
import * as admin from "@/lib/server/admin";

/** Conversations, newest first, by title or member (no messages). */
export const GET = route(listAdminThreads, async ({ query }) => admin.listAdminThreads(query));
