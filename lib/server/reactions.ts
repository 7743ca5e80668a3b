import "server-only";
import { AppError, notFound } from "../errors";
import { MAX_REACTION_EMOJI, type MessageReactions } from "../schemas/reactions";
import type { Reaction } from "../schemas/messages";
import { getPrisma } from "./sql";

// Reactions: whose they are, that adding one is idempotent and that they change no read state live in SQL
// (`parley_react`, prisma/sql/functions/); this module calls it and turns its outcomes into errors.

type ReactOutcome =
  | "added"
  | "removed"
  | "unchanged"
  | "message_not_found"
  | "not_text"
  | "blocked"
  | "blocking"
  | "too_many";

/**
 * Adds the caller's reaction with `emoji` to a message (idempotent: reacting again with the same emoji changes
 * nothing) or, with `add` false, takes it back (also idempotent). When something changed, `reaction.added` or
 * `reaction.removed` tells everyone in the thread, with the message's reactions afterwards.
 * @param emoji one emoji, as lib/schemas/reactions.ts (`emoji`) parsed it
 * @returns the message's reactions afterwards, `[{emoji, count, userIds}]` in the order each emoji was first used.
 * @throws AppError `not_found` (404) when the message does not exist or is not in one of the caller's threads;
 *   `forbidden` (403) for a group's system entry or a message a moderator removed, and in a direct conversation of
 *   two where either person blocked the other (the blocked one is not told why); `conflict` (409) for an emoji the
 *   message does not have yet when it has {@link MAX_REACTION_EMOJI} already.
 */
export async function react(userId: string, messageId: string, emoji: string, add: boolean): Promise<MessageReactions> {
  const [row] = await getPrisma().$queryRaw<
    { outcome: ReactOutcome; thread_id: string | null; reactions: Reaction[] | null }[]
  >`SELECT outcome, thread_id, reactions FROM parley_react(${messageId}, ${userId}, ${emoji}, ${add}, ${MAX_REACTION_EMOJI}::int)`;
  switch (row?.outcome) {
    case "added":
    case "removed":
    case "unchanged":
      return { messageId, threadId: row.thread_id!, reactions: row.reactions! };
    case "message_not_found":
      throw notFound("Message");
    case "not_text":
      throw new AppError("forbidden", "Only a person's messages take reactions.");
    case "blocked":
      throw new AppError("forbidden", "You can't react in this conversation.");
    case "blocking":
      throw new AppError("forbidden", "You blocked this person. Unblock them to react.");
    case "too_many":
      throw new AppError("conflict", `A message takes at most ${MAX_REACTION_EMOJI} different reactions; add to one of them.`);
    default:
      throw new Error(`parley_react answered ${JSON.stringify(row)}`);
  }
}
