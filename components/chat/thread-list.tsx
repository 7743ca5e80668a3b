"use client";
// Stub: replaced by the thread list implementation.
export function ThreadList({ meId }: { meId: string }) {
  return <div data-me={meId} className="flex-1" />;
}
