import "server-only";
import { notFound } from "../errors";
import { notifyEphemeral } from "./events";
import { peopleInBlockWith } from "./blocks";
import { getPrisma, Prisma } from "./sql";

/** How long a typing indicator lasts without a repeat, in ms. Clients repeat every few seconds while typing. */
export const TYPING_TTL_MS = 6000;

/**
 * Tells the other participants of a thread that `userId` is typing (an ephemeral event: not stored or replayed), but
 * not those in a block with them, either way (lib/server/blocks.ts).
 * @throws AppError `not_found` (404) when the thread does not exist or `userId` is not a participant.
 */
export async function sendTyping(userId: string, threadId: string): Promise<void> {
  const rows = await getPrisma().$queryRaw<{ user_id: string; blocks: boolean }[]>`
    SELECT p.user_id, p.user_id IN (${peopleInBlockWith(Prisma.sql`${userId}`)}) AS blocks
    FROM participants p WHERE p.thread_id = ${threadId}`;
  if (!rows.some((r) => r.user_id === userId)) throw notFound("Thread");
  const others = rows.filter((r) => r.user_id !== userId && !r.blocks).map((r) => r.user_id);
  if (others.length === 0) return;
  await notifyEphemeral("typing", { threadId, userId, expiresInMs: TYPING_TTL_MS }, others);
}
