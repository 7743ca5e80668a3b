import { z } from "zod";
import { id } from "./common";
import { reaction } from "./messages";

/** Different emoji one message takes (Discord's limit): more would grow every page and event that carries it. */
export const MAX_REACTION_EMOJI = 20;

/**
 * One emoji as Unicode defines it for interchange (`\p{RGI_Emoji}`: "Recommended for General Interchange", UTS #51):
 * a single emoji, with its skin tone, its ZWJ sequence (👨‍👩‍👧) or its flag, never two emoji or text. A regular
 * expression in `v` mode, built at run time because TypeScript's target does not know the flag (Node 20 does).
 */
const SINGLE_EMOJI = new RegExp("^\\p{RGI_Emoji}$", "v");

/**
 * The form of `s` that is one emoji, if a variation selector (U+FE0F) too few or too many at its end is all that
 * keeps it from being one: ❤ (as some keyboards send it) is ❤️, and 👍 followed by a redundant selector is 👍. Else
 * `s` as it is.
 */
function fullyQualified(s: string): string {
  if (SINGLE_EMOJI.test(s)) return s;
  if (SINGLE_EMOJI.test(`${s}\uFE0F`)) return `${s}\uFE0F`;
  const bare = s.endsWith("\uFE0F") ? s.slice(0, -1) : s;
  return SINGLE_EMOJI.test(bare) ? bare : s;
}

/**
 * A reaction's emoji as a path parameter: one emoji (see {@link SINGLE_EMOJI}), stored in its one form
 * ({@link fullyQualified}), so that ❤ and ❤️ name the same reaction.
 */
export const emoji = z
  .string()
  .max(64)
  .transform(fullyQualified)
  .refine((s) => SINGLE_EMOJI.test(s), "Use a single emoji.")
  .meta({ description: "A single emoji, percent-encoded in the path (👍 is `%F0%9F%91%8D`)." });

export const reactionParams = z.object({
  id: id.meta({ description: "The message's id." }),
  emoji,
});

/** What adding or removing a reaction answers: the message's reactions afterwards. */
export const messageReactions = z
  .object({ messageId: id, threadId: id, reactions: z.array(reaction) })
  .meta({ id: "MessageReactions" });

export type MessageReactions = z.infer<typeof messageReactions>;
