import { describe, expect, it } from "vitest";
import { badgeCount, dayLabel, displayName, formatDate, initials, listTime, plainPreview, relativeTime, sameDay } from "@/lib/format";

// Local-time instants, so the expectations hold in any time zone the suite runs in.
const at = (y: number, mo: number, d: number, h = 12, mi = 0) => new Date(y, mo - 1, d, h, mi);
const now = at(2026, 11, 20, 15, 30);

describe("display helpers", () => {
  it("names people by display name, else username", () => {
    expect(displayName({ username: "alice", name: "Alice Martin" })).toBe("Alice Martin");
    expect(displayName({ username: "bob", name: null })).toBe("bob");
  });

  it("makes up to two initials from the first and last word", () => {
    expect(initials({ username: "a", name: "Alice Martin" })).toBe("AM");
    expect(initials({ username: "a", name: "Mary Ann de la Cruz" })).toBe("MC");
    expect(initials({ username: "bob", name: null })).toBe("B");
  });

  it("caps badges at 99+", () => {
    expect(badgeCount(1)).toBe("1");
    expect(badgeCount(99)).toBe("99");
    expect(badgeCount(100)).toBe("99+");
  });

  it("shows thread-list times from 'now' to a full date", () => {
    expect(listTime(at(2026, 11, 20, 15, 29).toISOString(), now)).toBe("1m");
    expect(listTime(new Date(now.getTime() - 20_000).toISOString(), now)).toBe("now");
    expect(listTime(at(2026, 11, 20, 15, 0).toISOString(), now)).toBe("30m");
    expect(listTime(at(2026, 11, 20, 9, 5).toISOString(), now)).toMatch(/09.05/);
    expect(listTime(at(2026, 11, 19, 23, 0).toISOString(), now)).toBe("Yesterday");
    expect(listTime(at(2026, 11, 16).toISOString(), now)).toBe(at(2026, 11, 16).toLocaleDateString(undefined, { weekday: "short" }));
    expect(listTime(at(2026, 10, 2).toISOString(), now)).not.toMatch(/2026/);
    expect(listTime(at(2025, 10, 2).toISOString(), now)).toMatch(/2025/);
  });

  it("labels days for separators and compares local days", () => {
    expect(dayLabel(at(2026, 11, 20, 0, 1).toISOString(), now)).toBe("Today");
    expect(dayLabel(at(2026, 11, 19, 23, 59).toISOString(), now)).toBe("Yesterday");
    expect(dayLabel(at(2026, 11, 2).toISOString(), now)).toContain("2");
    expect(sameDay(at(2026, 11, 20, 0, 1).toISOString(), at(2026, 11, 20, 23, 59).toISOString())).toBe(true);
    expect(sameDay(at(2026, 11, 20, 0, 1).toISOString(), at(2026, 11, 19, 23, 59).toISOString())).toBe(false);
  });
});

describe("formatDate (a kept formatter)", () => {
  it("writes what toLocaleString, toLocaleDateString and toLocaleTimeString write with the same options", () => {
    const options: Intl.DateTimeFormatOptions[] = [
      { hour: "2-digit", minute: "2-digit" },
      { weekday: "short" },
      { day: "numeric", month: "short" },
      { day: "numeric", month: "short", year: "numeric" },
      { weekday: "long", day: "numeric", month: "long" },
      { weekday: "long", day: "numeric", month: "long", year: "numeric" },
      { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" },
      { dateStyle: "medium", timeStyle: "short" },
    ];
    for (const date of [now, at(2025, 1, 2, 0, 5), at(2026, 7, 31, 23, 59)]) {
      for (const o of options) {
        // Twice: the second call reuses the formatter the first one made.
        for (let i = 0; i < 2; i++) {
          expect(formatDate(date, o)).toBe(date.toLocaleString(undefined, o));
          if (!o.timeStyle && !o.hour) expect(formatDate(date, o)).toBe(date.toLocaleDateString(undefined, o));
          if (!o.dateStyle && o.hour) expect(formatDate(date, o)).toBe(date.toLocaleTimeString(undefined, o));
        }
      }
    }
  });
});

describe("relativeTime (a token's last use)", () => {
  // The words are the viewer's locale's: compare with what Intl says for the same amounts.
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

  it("says 'just now' under a minute, and for a clock slightly ahead", () => {
    expect(relativeTime(ago(59_000), now)).toBe("just now");
    expect(relativeTime(ago(-30_000), now)).toBe("just now");
  });

  it("counts whole minutes, then hours, then calendar days", () => {
    expect(relativeTime(ago(5 * 60_000 + 59_000), now)).toBe(rtf.format(-5, "minute"));
    expect(relativeTime(ago(3 * 3_600_000 + 10 * 60_000), now)).toBe(rtf.format(-3, "hour"));
    expect(relativeTime(at(2026, 11, 19, 18, 0).toISOString(), now)).toBe(rtf.format(-21, "hour"));
    expect(relativeTime(at(2026, 11, 19, 10, 0).toISOString(), now)).toBe(rtf.format(-1, "day"));
    expect(relativeTime(at(2026, 11, 16, 9, 0).toISOString(), now)).toBe(rtf.format(-4, "day"));
  });

  it("gives the date from a week back, with the year only outside this one", () => {
    expect(relativeTime(at(2026, 11, 13, 9, 0).toISOString(), now)).toBe(listTime(at(2026, 11, 13, 9, 0).toISOString(), now));
    expect(relativeTime(at(2025, 3, 2).toISOString(), now)).toMatch(/2025/);
    expect(relativeTime(at(2026, 3, 2).toISOString(), now)).not.toMatch(/2026/);
  });
});

describe("plainPreview (a message's Markdown left out of the thread list)", () => {
  it("keeps the words of bold, italic, strikethrough and inline code", () => {
    expect(plainPreview("**done** and *soon*, _maybe_ ~~never~~ ~no~")).toBe("done and soon, maybe never no");
    expect(plainPreview("run `npm test` first")).toBe("run npm test first");
    expect(plainPreview("**nested *emphasis* here**")).toBe("nested emphasis here");
  });

  it("leaves code spans' content as typed", () => {
    expect(plainPreview("type `**not bold**` here")).toBe("type **not bold** here");
    expect(plainPreview("``a `tick` inside``")).toBe("a `tick` inside");
  });

  it("shows a link's label and an autolink's address", () => {
    expect(plainPreview("see [the docs](https://example.com/docs) or <https://example.org>")).toBe("see the docs or https://example.org");
  });

  it("drops quote markers and code fences, marks bullets with •, and joins lines", () => {
    expect(plainPreview("> you said\n> this\nreply")).toBe("you said this reply");
    expect(plainPreview("```ts\nconst x = 1;\n```")).toBe("const x = 1;");
    expect(plainPreview("list:\n- milk\n* eggs")).toBe("list: • milk • eggs");
    expect(plainPreview("1. one\n2. two")).toBe("1. one 2. two");
  });

  it("leaves text that only looks like Markdown alone", () => {
    expect(plainPreview("snake_case_name and 2 * 3 * 4")).toBe("snake_case_name and 2 * 3 * 4");
    expect(plainPreview("# not a heading")).toBe("# not a heading");
    expect(plainPreview("**cut off mid-wo")).toBe("**cut off mid-wo");
    expect(plainPreview("\\*literal stars\\*")).toBe("*literal stars*");
  });
});
