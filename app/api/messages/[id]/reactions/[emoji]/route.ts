import { route } from "@/lib/api/handler";
import { addReaction, removeReaction } from "@/lib/openapi/messages";
import { react } from "@/lib/server/reactions";

/** Adds the caller's reaction (idempotent) → the message's reactions. */
export const PUT = route(addReaction, async ({ params, caller }) => react(caller.userId, params.id, params.emoji, true));

/** Takes the caller's reaction back (idempotent) → the message's reactions. */
export const DELETE = route(removeReaction, async ({ params, caller }) => react(caller.userId, params.id, params.emoji, false));
