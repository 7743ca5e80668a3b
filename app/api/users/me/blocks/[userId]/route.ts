import { route } from "@/lib/api/handler";
import { blockUser, unblockUser } from "@/lib/openapi/moderation";
import * as blocks from "@/lib/server/blocks";

/** Blocks a person → 204 (idempotent). */
export const PUT = route(blockUser, async ({ params, caller }) => {
  await blocks.block(caller.userId, params.userId);
});

/** Unblocks a person → 204 (idempotent). */
export const DELETE = route(unblockUser, async ({ params, caller }) => {
  await blocks.unblock(caller.userId, params.userId);
});
