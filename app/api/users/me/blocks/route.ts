import { route } from "@/lib/api/handler";
import { listBlocks } from "@/lib/openapi/moderation";
import * as blocks from "@/lib/server/blocks";

/** The people the caller blocked. */
export const GET = route(listBlocks, async ({ query, caller }) => blocks.listBlocks(caller.userId, query));
