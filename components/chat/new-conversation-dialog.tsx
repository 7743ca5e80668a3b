"use client";
// Stub: replaced by the new-conversation dialog implementation.
export function NewConversationButton({ meId, variant = "icon" }: { meId: string; variant?: "icon" | "primary" }) {
  return <button type="button" data-me={meId} data-variant={variant}>New conversation</button>;
}
