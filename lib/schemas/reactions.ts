import { z } from "zod";
import { id } from "./common";
import { reaction } from "./messages";

/**
 * One emoji as Unicode defines it for interchange (`\p{RGI_Emoji}`: "Recommended for General Interchange", UTS #51):
 * a single emoji, with its skin tone, its ZWJ sequence (👨‍👩‍👧) or its flag, never two emoji or text. A regular
 * expression in `v` mode, built at run time because TypeScript's target does not know the flag (Node 20 does).
 */
const SINGLE_EMOJI = new RegExp("^\\p{RGI_Emoji}$", "v");

/**
 * A reaction's emoji as a path parameter: one emoji (see {@link SINGLE_EMOJI}). An emoji sent without the variation
 * selector that makes it an emoji (❤ for ❤️, as some keyboards send it) is stored fully qualified, so that both name
 * the same reaction.
 */
export const emoji = z
  .string()
  .max(64)
  .transform((s) => (!SINGLE_EMOJI.test(s) && SINGLE_EMOJI.test(`${s}\uFE0F`) ? `${s}\uFE0F` : s))
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
