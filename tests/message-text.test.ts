import fc from "fast-check";
import type { PhrasingContent, Root as MdastRoot } from "mdast";
import { findAndReplace } from "mdast-util-find-and-replace";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import Markdown, { type Components, type Options } from "react-markdown";
import rehypeSanitize, { defaultSchema } from "rehype-sanitize";
import remarkBreaks from "remark-breaks";
import remarkGfm from "remark-gfm";
import { describe, expect, it } from "vitest";
import { formatTexts, parseMarkdown } from "@/components/chat/conversation/markdown/parse";
import { isPlainText } from "@/components/chat/conversation/markdown/tree";
import { FormattedTexts, MessageText } from "@/components/chat/conversation/message-text";
import { MENTION_PATTERN } from "@/lib/schemas/constants";

// The formatting of a message's text, rendered to HTML the way the server renders the conversation: its tree made on
// the server (formatTexts), or none for a text with nothing to format. The browser checks (clicks, the profile card,
// both bubbles' looks, a text parsed in the browser) are e2e/formatting.spec.ts.

const people = [
  { id: "u-alice", username: "alice" },
  { id: "u-bob", username: "Bob_9" },
  { id: "u-carol", username: "carol" },
];

/** Classes are looks, not behaviour: left out of the comparisons, with the component's own frame. */
const bare = (markup: string) => markup.replace(/ class="[^"]*"/g, "").replace(/^<div data-testid="message-text">|<\/div>$/g, "");

function html(text: string, mentions: string[] = []) {
  const message = createElement(MessageText, { text, mentions, people, viewerId: "u-alice", onMentionClick: () => {}, own: false });
  return bare(renderToStaticMarkup(createElement(FormattedTexts, { value: new Map(formatTexts([text])) }, message)));
}

/**
 * How messages were rendered before their trees were made on the server (react-markdown 10 with the same plugins, a
 * mention plugin on the Markdown tree and the same components, looks aside): the reference the new rendering must
 * match, output for output.
 */
function referenceHtml(text: string, mentions: string[] = []) {
  const mentioned = new Set(mentions);
  const targets = new Map(people.filter((p) => mentioned.has(p.id)).map((p) => [p.username.toLowerCase(), p.id]));
  const disabled = ["headingAtx", "setextUnderline", "thematicBreak", "htmlFlow", "htmlText", "codeIndented", "definition", "labelStartImage", "table", "tasklistCheck", "gfmFootnoteDefinition", "gfmFootnoteCall", "gfmPotentialFootnoteCall"];
  const allowed = ["p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "span"];
  function remarkChatSubset(this: { data(): unknown }) {
    const data = this.data() as { micromarkExtensions?: unknown[] };
    (data.micromarkExtensions ??= []).push({ disable: { null: disabled } });
  }
  const remarkMentions = () => (tree: MdastRoot) => {
    if (targets.size === 0) return;
    findAndReplace(
      tree,
      [
        new RegExp(MENTION_PATTERN.source, "g"),
        (whole: string, username: string): PhrasingContent | false => {
          const id = targets.get(username.toLowerCase());
          return id ? { type: "emphasis", children: [{ type: "text", value: whole }], data: { hName: "span", hProperties: { dataMentionId: id } } } : false;
        },
      ],
      { ignore: ["link", "linkReference"] },
    );
  };
  const schema = { ...defaultSchema, tagNames: allowed, attributes: { a: ["href"], ol: ["start"], span: ["dataMentionId"] }, protocols: { href: ["http", "https", "mailto"] }, required: {} };
  const components: Components = {
    a: ({ href, children }) => (href && /^(https?|mailto):/i.test(href) ? createElement("a", { href, target: "_blank", rel: "noopener noreferrer nofollow" }, children) : createElement("span", null, children)),
    code: ({ children }) => createElement("code", null, children),
    pre: ({ children }) => createElement("pre", null, children),
    blockquote: ({ children }) => createElement("blockquote", null, children),
    ul: ({ children }) => createElement("ul", null, children),
    ol: ({ children, start }) => createElement("ol", { start }, children),
    span: ({ node, children }) => {
      const id = node?.properties.dataMentionId;
      if (typeof id !== "string") return createElement("span", null, children);
      return createElement("button", { type: "button", "data-testid": "mention", "data-self": id === "u-alice" ? "true" : undefined }, children);
    },
  };
  const options: Options = {
    remarkPlugins: [remarkChatSubset, remarkGfm, remarkBreaks, remarkMentions],
    rehypePlugins: [[rehypeSanitize, schema]],
    allowedElements: allowed,
    unwrapDisallowed: true,
    components,
  };
  return renderToStaticMarkup(createElement(Markdown, options, text));
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

  it("renders texts that are names of Object.prototype's members as themselves (the trees travel as pairs, not keys)", () => {
    for (const text of ["__proto__", "constructor", "toString", "__defineGetter__", "hasOwnProperty"]) {
      expect(formatTexts([text]).map(([t]) => t)).toEqual(isPlainText(text) ? [] : [text]);
      expect(html(text)).toBe(referenceHtml(text));
    }
    expect(html("__proto__")).toBe("<p><strong>proto</strong></p>");
    // A message that came later, before the browser has the parser: shown as typed, not looked up on the prototype.
    const later = createElement(MessageText, { text: "__defineGetter__", mentions: [], people, viewerId: "u-alice", onMentionClick: () => {}, own: false });
    expect(bare(renderToStaticMarkup(later))).toBe("<p>__defineGetter__</p>");
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

describe("parseMarkdown's memory of trees", () => {
  it("gives a text's tree again without parsing it, and forgets the least recently used past about 500,000 characters", () => {
    const first = "**kept** while used";
    const tree = parseMarkdown(first);
    expect(parseMarkdown(first)).toBe(tree);
    // 130 texts of 4,000 characters (520,000 in all), the first one used again halfway: it stays, the oldest go.
    const long = (i: number) => `*${i}* ${"x".repeat(3990)}`.slice(0, 4000);
    const early = parseMarkdown(long(0));
    for (let i = 1; i < 130; i++) {
      parseMarkdown(long(i));
      if (i === 65) expect(parseMarkdown(first)).toBe(tree);
    }
    expect(parseMarkdown(first)).toBe(tree);
    expect(parseMarkdown(long(0))).not.toBe(early);
    expect(parseMarkdown(long(0))).toEqual(early);
  });
});

describe("MessageText against the renderer it replaced", () => {
  // Pieces that make (or almost make) the subset's Markdown, mentions and addresses, mixed at random.
  const pieces = [
    "a", "word", " ", "  ", "\t", "\n", "\n\n", "\r\n", "*", "**", "_", "__", "~", "~~", "`", "```", "~~~", "[", "]", "(", ")",
    "[x](https://example.org/a)", "<", ">", "> ", "#", "# ", "-", "- ", "+ ", "1. ", "2)", "3.", "!", "|", "=", "===", "---",
    "\\", "&", "&amp;", "&#64;", "@alice", "@BOB_9", "@carol", "@@alice", "me@alice.example", "https://example.com/x?y=1",
    "www.example.org", "mailto:a@b.example", "javascript:alert(1)", ":", ".", ",", "é", "😀", "\u00a0", "    ",
  ];
  const text = fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 14 }).map((p) => p.join(""));
  const mentionSets = fc.constantFrom<string[][]>([], ["u-alice"], ["u-bob"], ["u-alice", "u-bob", "u-carol"]);

  it("renders every text as react-markdown did, whether its tree comes from the server or none is needed", () => {
    fc.assert(
      fc.property(text, mentionSets, (t, mentions) => {
        expect(html(t, mentions)).toBe(referenceHtml(t, mentions));
      }),
      { numRuns: 3000 },
    );
  });

  it("needs no parser only for texts that come out as one paragraph of themselves", () => {
    fc.assert(
      fc.property(text, (t) => {
        if (!isPlainText(t)) return;
        const lines = t.split("\n");
        expect(parseMarkdown(t)).toEqual([["p", null, lines[0], ...lines.slice(1).flatMap((line) => [["br", null], `\n${line}`])]]);
      }),
      { numRuns: 3000 },
    );
    for (const t of ["Sounds good, thanks!", "Hi! Quick question about the release.\nSee you at 5?", "100% done (mostly)"]) expect(isPlainText(t)).toBe(true);
    for (const t of ["**b**", "a\n\nb", " a", "a ", "- a", "1. a", "@alice", "see https://x.example", "www.x.example", "a & b", "x\n"]) expect(isPlainText(t)).toBe(false);
  });
});

