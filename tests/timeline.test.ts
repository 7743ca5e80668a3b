/**
 * The message list's rules that need no server: how a group's system entries read for the viewer, and who counts as
 * having seen a message (components/chat/conversation/timeline.ts).
 */
import { describe, expect, it } from "vitest";
import { buildTimeline, systemEntryText } from "@/components/chat/conversation/timeline";
import type { Message, SystemEntry } from "@/lib/schemas/messages";

const person = (id: string, name: string) => ({ id, username: id, name });
const alice = person("alice", "Alice");
const bob = person("bob", "Bob");
const carol = person("carol", "Carol");
const at = (minute: number) => new Date(Date.UTC(2026, 11, 5, 12, minute)).toISOString();

const message = (seq: number, sender = alice, over: Partial<Message> = {}): Message => ({
  id: `m${seq}`,
  threadId: "t",
  seq,
  kind: "text",
  sender,
  text: `message ${seq}`,
  system: null,
  clientMessageId: null,
  createdAt: at(seq),
  editedAt: null,
  replyTo: null,
  mentions: [],
  reactions: [],
  isRead: true,
  ...over,
});

const entry = (sender: typeof alice, system: Partial<SystemEntry> & Pick<SystemEntry, "action">, text = "fallback") =>
  message(1, sender, { kind: "system", text, system: { users: [], role: null, title: null, ...system } });

describe("system entries in words", () => {
  it("say who did what, with 'you' for the viewer", () => {
    expect(systemEntryText(entry(alice, { action: "participants_added", users: [bob, carol] }), "bob")).toBe("Alice added you and Carol");
    expect(systemEntryText(entry(alice, { action: "participant_removed", users: [bob] }), "alice")).toBe("You removed Bob");
    expect(systemEntryText(entry(carol, { action: "participant_left" }), "bob")).toBe("Carol left");
    expect(systemEntryText(entry(alice, { action: "title_changed", title: "Launch" }), "bob")).toBe("Alice renamed the group to “Launch”");
  });

  it("tell a handover (in the heir's own name) from an admin stepping down, and from being made admin", () => {
    expect(systemEntryText(entry(bob, { action: "role_changed", users: [bob], role: "admin" }), "carol")).toBe("Bob is now an admin");
    expect(systemEntryText(entry(bob, { action: "role_changed", users: [bob], role: "admin" }), "bob")).toBe("You are now an admin");
    expect(systemEntryText(entry(alice, { action: "role_changed", users: [alice], role: "member" }), "bob")).toBe("Alice made Alice a member");
    expect(systemEntryText(entry(alice, { action: "role_changed", users: [bob], role: "admin" }), "bob")).toBe("Alice made you an admin");
  });

  it("fall back to the server's text for an action this client does not know", () => {
    const unknown = entry(alice, { action: "pinned" as SystemEntry["action"] }, "alice pinned a message");
    expect(systemEntryText(unknown, "bob")).toBe("alice pinned a message");
  });
});

describe("Seen", () => {
  const reader = (p: typeof bob, lastReadSeq: number, joinedMinute: number) => ({ ...p, lastReadSeq, joinedAt: at(joinedMinute) });
  const seenOf = (rows: ReturnType<typeof buildTimeline>) =>
    rows.flatMap((r) => (r.kind === "message" && r.item.seen ? [[r.item.id, r.item.seen]] : []));

  it("is marked under the newest own message another participant has read", () => {
    const messages = [message(1), message(2), message(3, bob)];
    const rows = buildTimeline({ messages, outbox: [], me: alice, others: [reader(bob, 3, 0)] });
    expect(seenOf(rows)).toEqual([["m2", "Seen"]]);
  });

  it("does not count someone added to the group after the message, though their watermark starts past it", () => {
    const messages = [message(1), message(2), entry(alice, { action: "participants_added", users: [carol] })];
    messages[2] = { ...messages[2]!, id: "m3", seq: 3, createdAt: at(3) };
    const rows = buildTimeline({ messages, outbox: [], me: alice, others: [reader(bob, 1, 0), reader(carol, 3, 3)] });
    expect(seenOf(rows)).toEqual([["m1", "Seen by Bob"]]);
    expect(rows.filter((r) => r.kind === "system").map((r) => (r.kind === "system" ? r.text : ""))).toEqual(["You added Carol"]);
  });
});
