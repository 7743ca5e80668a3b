/** React Query keys of the signed-in UI, shared by client hooks and server prefetch. */
export const queryKeys = {
  threads: (q?: string) => ["threads", { q: q ?? "" }] as const,
  allThreads: ["threads"] as const,
  unread: ["unread"] as const,
  thread: (id: string) => ["thread", id] as const,
  /** Every cached thread (the prefix of {@link queryKeys.thread}). */
  allThread: ["thread"] as const,
  messages: (threadId: string) => ["messages", threadId] as const,
  users: (q: string) => ["users", q] as const,
  /** One person's profile card (`GET /api/users/{id}`). */
  user: (id: string) => ["user", id] as const,
  /** Every cached profile card (the prefix of {@link queryKeys.user}). */
  allUsers: ["user"] as const,
  /** The caller's own account (`GET /api/users/me`). */
  me: ["me"] as const,
  /** The caller's API tokens (pages of `GET /api/tokens`). */
  tokens: ["tokens"] as const,
  /** The people the caller blocked (pages of `GET /api/users/me/blocks`). */
  blocks: ["blocks"] as const,
  /**
   * The admin area's reports queue (a prefix): the `report.created` / `report.resolved` events refetch what is under
   * it. Not all of `["admin"]`: reading a conversation there is audited on every fetch.
   */
  adminReports: ["admin", "reports"] as const,
  /** Message search results (pages of `GET /api/search`); issue 18's search UI. */
  search: (q: string, sort: string) => ["search", { q, sort }] as const,
};

/**
 * Page sizes of the UI's lists: the same whether the server prefetches the first page (lib/prefetch.ts) or the client
 * fetches it (lib/client/queries.ts), so that the prefetched page is the one the client would have asked for.
 */
export const PAGE_SIZES = { threads: 30, messages: 50, users: 20, blocks: 20, search: 20 } as const;
