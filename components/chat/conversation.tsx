"use client";
import type { Me } from "./chat-shell";
// Stub: replaced by the conversation view implementation.
export function Conversation({ threadId, me }: { threadId: string; me: Me }) {
  return <div data-thread={threadId} data-me={me.id} className="flex-1" />;
}
