import type { Element, ElementContent, Root as HastRoot } from "hast";
import rehypeSanitize, { defaultSchema } from "rehype-sanitize";
import remarkBreaks from "remark-breaks";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import remarkRehype from "remark-rehype";
import { unified } from "unified";
import { isPlainText, LINK_PROTOCOLS, MARKDOWN_ELEMENTS, type MarkdownNode } from "./tree";

/**
 * The Markdown subset a message may use: **bold**, *italic*, ~~strikethrough~~, `code`, fenced code blocks,
 * > block quotes, bulleted and numbered lists, links (`[text](https://…)`, `<https://…>`) and URLs, `www.` addresses
 * and e-mail addresses detected in plain text (GFM autolink literals). Everything else reads as the text that was
 * typed, the way Slack and Discord show it: headings (`# hi`), images, tables, horizontal rules, raw HTML, link
 * reference definitions, indented code (four spaces typed before a line), task lists and footnotes.
 *
 * These constructs are switched off in the parser itself (micromark's `disable.null`, by construct name), so their
 * source stays as text instead of being dropped or unwrapped. Names: micromark-core-commonmark and the
 * micromark-extension-gfm-* packages (each construct's `name`).
 */
const DISABLED_CONSTRUCTS = [
  "headingAtx",
  "setextUnderline",
  "thematicBreak",
  "htmlFlow",
  "htmlText",
  "codeIndented",
  "definition",
  "labelStartImage",
  "table",
  "tasklistCheck",
  "gfmFootnoteDefinition",
  "gfmFootnoteCall",
  "gfmPotentialFootnoteCall",
];

/**
 * GitHub's sanitation schema (hast-util-sanitize's default), narrowed to the subset: its elements only
 * (`MARKDOWN_ELEMENTS`), `href` with the link schemes of `LINK_PROTOCOLS` (or relative, which the drawing shows as
 * text), and `start` on numbered lists.
 */
const SCHEMA = {
  ...defaultSchema,
  tagNames: [...MARKDOWN_ELEMENTS],
  attributes: { a: ["href"], ol: ["start"] },
  protocols: { href: [...LINK_PROTOCOLS] },
  required: {},
};

/** A remark plugin (no options): switches {@link DISABLED_CONSTRUCTS} off in the parser. */
function remarkChatSubset(this: { data(): unknown }) {
  // remark-parse reads `micromarkExtensions` from the processor's data, as remark-gfm adds its syntax.
  const data = this.data() as { micromarkExtensions?: unknown[] };
  (data.micromarkExtensions ??= []).push({ disable: { null: DISABLED_CONSTRUCTS } });
}

/**
 * remark-parse, the subset's plugins — remark-gfm (strikethrough, autolink literals), remark-breaks (a single
 * newline is a line break, as people expect in a chat) — then remark-rehype and rehype-sanitize (GitHub's schema,
 * narrowed): react-markdown's pipeline, which rendered messages before (10.1; its `allowDangerousHtml` included,
 * with raw HTML turned to text below as it did).
 */
const processor = unified()
  .use(remarkParse)
  .use(remarkChatSubset)
  .use(remarkGfm)
  .use(remarkBreaks)
  .use(remarkRehype, { allowDangerousHtml: true })
  .use(rehypeSanitize, SCHEMA)
  .freeze();

/** An element's attributes as the tree keeps them: `href` of links, `start` of numbered lists. */
function attributesOf(element: Element): Record<string, string | number> | null {
  const { href, start } = element.properties;
  if (element.tagName === "a" && href !== undefined && href !== null) return { href: String(href) };
  if (element.tagName === "ol" && typeof start === "number") return { start };
  return null;
}

/** hast to the compact tree: elements of the subset kept, others unwrapped, raw HTML as text, adjacent texts merged. */
function compact(children: readonly ElementContent[] | HastRoot["children"], out: MarkdownNode[] = []): MarkdownNode[] {
  const text = (value: string) => {
    if (value === "") return;
    const last = out.length - 1;
    if (typeof out[last] === "string") out[last] += value;
    else out.push(value);
  };
  for (const node of children) {
    if (node.type === "text" || node.type === "raw") text(node.value);
    else if (node.type === "element") {
      if (MARKDOWN_ELEMENTS.includes(node.tagName)) out.push([node.tagName, attributesOf(node), ...compact(node.children)]);
      else compact(node.children, out);
    }
  }
  return out;
}

/**
 * Trees already made, by text, the least recently used first; together their texts hold at most
 * {@link MAX_MADE_CHARS} characters. The server renders the same conversation's messages on every visit, and the
 * browser draws a text again each time it re-renders.
 */
const made = new Map<string, MarkdownNode[]>();
let madeChars = 0;
/** About 1 MB of text (UTF-16), a few times that with the trees: 125 messages of full length, thousands of usual ones. */
const MAX_MADE_CHARS = 500_000;

/**
 * A message's text as the formatted tree that components/chat/conversation/markdown/tree.tsx renders. Pure and
 * synchronous: the conversation page runs it on the server for the messages it sends, the browser loads it (a chunk of
 * its own) only for texts that arrive later. Mentions are not part of the tree: they depend on who is in the thread,
 * and are found when rendering. Trees are remembered by text ({@link made}): the same text gives the same tree, which
 * callers must not change. Parsing 50 formatted messages costs about 20 ms of CPU on this project's machines.
 */
export function parseMarkdown(text: string): MarkdownNode[] {
  const known = made.get(text);
  if (known) {
    made.delete(text);
    made.set(text, known);
    return known;
  }
  const tree = compact((processor.runSync(processor.parse(text)) as HastRoot).children);
  made.set(text, tree);
  madeChars += text.length;
  for (const [oldest] of made) {
    if (madeChars <= MAX_MADE_CHARS || made.size === 1) break;
    made.delete(oldest);
    madeChars -= oldest.length;
  }
  return tree;
}

/**
 * The formatted trees of `texts` that need the parser ({@link isPlainText} tells the others), as `[text, tree]` pairs,
 * each text once: what the conversation page sends with the messages it renders, and the browser reads into a `Map`
 * (components/chat/conversation/message-text.tsx, `FormattedTexts`). Pairs rather than an object keyed by text: a
 * message may be `__proto__` or `constructor`.
 */
export function formatTexts(texts: Iterable<string>): [text: string, tree: MarkdownNode[]][] {
  const out = new Map<string, MarkdownNode[]>();
  for (const text of texts) if (!isPlainText(text) && !out.has(text)) out.set(text, parseMarkdown(text));
  return [...out];
}
