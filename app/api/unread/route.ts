import { route } from "@/lib/api/handler";
import { getUnreadCounts } from "@/lib/openapi/read-state";
import { getUnreadSummary } from "@/lib/server/read-state";

/** `{total, threads: [{threadId, count}]}`: threads with nothing unread are left out. */
export const GET = route(getUnreadCounts, async ({ caller }) => getUnreadSummary(caller.userId));
