/** React Query keys of the signed-in UI, shared by client hooks and server prefetch. */
export const queryKeys = {
  threads: (q?: string) => ["threads", { q: q ?? "" }] as const,
  allThreads: ["threads"] as const,
  unread: ["unread"] as const,
  thread: (id: string) => ["thread", id] as const,
  messages: (threadId: string) => ["messages", threadId] as const,
  users: (q: string) => ["users", q] as const,
  /** The caller's API tokens (pages of `GET /api/tokens`). */
  tokens: ["tokens"] as const,
};
