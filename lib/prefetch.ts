import "server-only";
import { dehydrate, QueryClient } from "@tanstack/react-query";
import { PAGE_SIZES, queryKeys } from "./client/query-keys";
import { listMessages } from "./server/messages";
import { getUnreadSummary } from "./server/read-state";
import { getThread, listThreads } from "./server/threads";

/**
 * Server-side prefetch for the chat pages: the same query keys and wire shapes the client fetches through `/api`,
 * read straight from the domain layer, so the first paint already has data.
 */

/** The thread list (first page) and unread counts of `userId`, dehydrated for a HydrationBoundary. */
export async function prefetchShell(userId: string) {
  const client = new QueryClient();
  const [threads, unread] = await Promise.all([listThreads(userId, { limit: PAGE_SIZES.threads, unread: false }), getUnreadSummary(userId)]);
  client.setQueryData(queryKeys.threads(), { pages: [threads.parse()], pageParams: [null] });
  client.setQueryData(queryKeys.unread, unread.parse());
  return dehydrate(client);
}

/**
 * One thread and its newest page of messages.
 * @throws AppError `not_found` when the thread is not the user's.
 */
export async function prefetchConversation(userId: string, threadId: string) {
  const client = new QueryClient();
  const [thread, messages] = await Promise.all([
    getThread(userId, threadId),
    listMessages(userId, threadId, { limit: PAGE_SIZES.messages }),
  ]);
  client.setQueryData(queryKeys.thread(threadId), thread);
  client.setQueryData(queryKeys.messages(threadId), { pages: [messages.parse()], pageParams: [null] });
  return dehydrate(client);
}
