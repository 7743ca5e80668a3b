/**
 * The conversation's rules for mentions being typed and for who reacted, which need no browser
 * (components/chat/conversation/mention-autocomplete.tsx, reactions.tsx, reply-preview.tsx).
 */
import { describe, expect, it } from "vitest";
import { insertMention, mentionAt, mentionSuggestions } from "@/components/chat/conversation/mention-autocomplete";
import { reactorNames } from "@/components/chat/conversation/reactions";
import { firstLine } from "@/components/chat/conversation/reply-preview";

const person = (username: string, name: string | null = null) => ({ id: `id-${username}`, username, name });

describe("the mention being typed", () => {
  it("is the @ and the word characters up to the caret", () => {
    expect(mentionAt("hi @al", 6)).toEqual({ start: 3, query: "al" });
    expect(mentionAt("@", 1)).toEqual({ start: 0, query: "" });
    expect(mentionAt("(@Bo", 4)).toEqual({ start: 1, query: "Bo" });
  });

  it("is none inside an e-mail address, after a space, or with the caret inside a word", () => {
    expect(mentionAt("bob@exa", 7)).toBeNull();
    expect(mentionAt("@al ", 4)).toBeNull();
    expect(mentionAt("@alice", 3)).toBeNull();
    expect(mentionAt("@@al", 4)).toBeNull();
  });

  it("is replaced by @username and a space, the caret after it", () => {
    expect(insertMention("hi @al", 3, 6, "alice")).toEqual({ text: "hi @alice ", caret: 10 });
    expect(insertMention("@al there", 0, 3, "alice")).toEqual({ text: "@alice there", caret: 7 });
  });
});

describe("mention suggestions", () => {
  const people = [person("bob", "Robert Smith"), person("alice", "Alice Jones"), person("smithy"), person("carol", "Carol")];

  it("match a username or any word of a name by its start, case-insensitively, usernames first", () => {
    expect(mentionSuggestions(people, "SMI").map((p) => p.username)).toEqual(["smithy", "bob"]);
    expect(mentionSuggestions(people, "al").map((p) => p.username)).toEqual(["alice"]);
    expect(mentionSuggestions(people, "x")).toEqual([]);
  });

  it("list at most eight", () => {
    const many = Array.from({ length: 12 }, (_, i) => person(`user${i}`));
    expect(mentionSuggestions(many, "")).toHaveLength(8);
  });
});

describe("who reacted", () => {
  const people = [person("alice", "Alice"), person("bob", "Bob"), person("me", "Me")];

  it("names the viewer 'you', last, and others by name", () => {
    expect(reactorNames(["id-me"], people, "id-me")).toBe("You");
    expect(reactorNames(["id-me", "id-alice"], people, "id-me")).toBe("Alice and you");
    expect(reactorNames(["id-alice", "id-bob"], people, "id-me")).toBe("Alice and Bob");
  });

  it("calls someone who is no longer in the thread a former member", () => {
    expect(reactorNames(["id-gone", "id-bob"], people, "id-me")).toBe("A former member and Bob");
  });

  it("counts the rest past eight names", () => {
    const crowd = Array.from({ length: 11 }, (_, i) => person(`p${i}`, `P${i}`));
    expect(reactorNames(crowd.map((p) => p.id), crowd, "id-me")).toBe("P0, P1, P2, P3, P4, P5, P6, P7 and 3 others");
  });
});

describe("a reply bar's first line", () => {
  it("is the first non-blank line without its Markdown", () => {
    expect(firstLine("\n**Lunch** tomorrow?\nat 12")).toBe("Lunch tomorrow?");
  });
});
