import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { MessageText } from "@/components/chat/conversation/message-text";

// The formatting of a message's text, rendered to HTML the way the server renders the conversation. The browser
// checks (clicks, the profile card, both bubbles' looks) are e2e/formatting.spec.ts.

const people = [
  { id: "u-alice", username: "alice" },
  { id: "u-bob", username: "Bob_9" },
  { id: "u-carol", username: "carol" },
];

function html(text: string, mentions: string[] = []) {
  const markup = renderToStaticMarkup(
    createElement(MessageText, { text, mentions, people, viewerId: "u-alice", onMentionClick: () => {}, own: false }),
  );
  // Classes are looks, not behaviour: leave them out of the comparisons.
  return markup.replace(/ class="[^"]*"/g, "").replace(/^<div data-testid="message-text">|<\/div>$/g, "");
}

describe("MessageText (the Markdown subset of a message)", () => {
  it("renders bold, italic, strikethrough and inline code", () => {
    expect(html("**b** *i* _i_ ~~s~~ `c`")).toBe("<p><strong>b</strong> <em>i</em> <em>i</em> <del>s</del> <code>c</code></p>");
  });

  it("keeps a code block's whitespace and does not format inside it", () => {
    expect(html("```\nconst a = 1;\n  **not bold**\n```")).toBe("<pre><code>const a = 1;\n  **not bold**\n</code></pre>");
  });

  it("renders quotes and lists, and a single newline as a line break", () => {
    expect(html("> q")).toBe("<blockquote>\n<p>q</p>\n</blockquote>");
    expect(html("- a\n- b")).toBe("<ul>\n<li>a</li>\n<li>b</li>\n</ul>");
    expect(html("3. c\n4. d")).toBe('<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>');
    expect(html("one\ntwo")).toBe("<p>one<br/>\ntwo</p>");
  });

  it("links URLs, www addresses and e-mail addresses found in text, opening in a new tab without referrer", () => {
    const rel = 'target="_blank" rel="noopener noreferrer nofollow"';
    expect(html("at https://example.com/a?b=1 now")).toBe(`<p>at <a href="https://example.com/a?b=1" ${rel}>https://example.com/a?b=1</a> now</p>`);
    expect(html("www.example.org")).toBe(`<p><a href="http://www.example.org" ${rel}>www.example.org</a></p>`);
    expect(html("me@example.com")).toBe(`<p><a href="mailto:me@example.com" ${rel}>me@example.com</a></p>`);
    expect(html("[docs](https://example.org/docs)")).toBe(`<p><a href="https://example.org/docs" ${rel}>docs</a></p>`);
  });

  it("never makes a link of a script, data or relative URL: the label stays as text", () => {
    for (const url of ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>", "vbscript:msgbox(1)", "/admin", "//evil.example"]) {
      expect(html(`[label](${url})`)).toBe("<p><span>label</span></p>");
    }
    expect(html("javascript:alert(1)")).toBe("<p>javascript:alert(1)</p>");
  });

  it("shows raw HTML as the text that was typed", () => {
    expect(html("<img src=x onerror=alert(1)>")).toBe("<p>&lt;img src=x onerror=alert(1)&gt;</p>");
    expect(html("<script>alert(1)</script>")).toBe("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
    expect(html('a <a href="javascript:x">b</a>')).toBe("<p>a &lt;a href=&quot;javascript:x&quot;&gt;b&lt;/a&gt;</p>");
  });

  it("shows headings, rules, images, tables, indented code and reference definitions as typed", () => {
    expect(html("# hi")).toBe("<p># hi</p>");
    expect(html("hi\n===")).toBe("<p>hi<br/>\n===</p>");
    expect(html("---")).toBe("<p>---</p>");
    expect(html("![alt](https://example.com/x.png)")).not.toContain("<img");
    expect(html("| a |\n|---|\n| 1 |")).toBe("<p>| a |<br/>\n|---|<br/>\n| 1 |</p>");
    expect(html("    four spaces")).toBe("<p>four spaces</p>");
    expect(html("[x]: https://example.com")).toContain("[x]: ");
  });

  it("highlights @mentions of mentioned participants only, the viewer's as their own, outside code and links", () => {
    const out = html("hi @alice, @BOB_9 and @carol; not `@alice`, [@alice](https://x.example), me@alice.example or @@alice", ["u-alice", "u-bob"]);
    expect(out).toContain('<button type="button" data-testid="mention" data-self="true">@alice</button>,');
    expect(out).toContain('<button type="button" data-testid="mention">@BOB_9</button> and @carol;');
    expect(out.match(/data-testid="mention"/g)).toHaveLength(2);
    expect(html("@alice", [])).toBe("<p>@alice</p>");
  });
});
