import { json, withUser } from "@/lib/api/handler";
import { getUnreadSummary } from "@/lib/server/read-state";

/** `{total, threads: [{threadId, count}]}`: threads with nothing unread are left out. */
export const GET = withUser(async ({ caller }) => json(await getUnreadSummary(caller.userId)));
