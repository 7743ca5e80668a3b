import type { Element, ElementContent, Root as HastRoot } from "hast";
import rehypeSanitize, { defaultSchema } from "rehype-sanitize";
import remarkBreaks from "remark-breaks";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import remarkRehype from "remark-rehype";
import { unified } from "unified";
import { isPlainText, type MarkdownNode } from "./tree";

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

/** The elements the subset renders; anything else (there should be none) is unwrapped to its text. */
export const ALLOWED_ELEMENTS = ["p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a"];

/**
 * GitHub's sanitation schema (hast-util-sanitize's default), narrowed to the subset: its elements only, `href` with
 * http(s) and mailto only, and `start` on numbered lists.
 */
const SCHEMA = {
  ...defaultSchema,
  tagNames: ALLOWED_ELEMENTS,
  attributes: { a: ["href"], ol: ["start"] },
  protocols: { href: ["http", "https", "mailto"] },
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

/** Only these schemes survive in a URL (react-markdown's `defaultUrlTransform`); others become empty. */
const SAFE_PROTOCOL = /^(https?|ircs?|mailto|xmpp)$/i;

function safeUrl(value: string): string {
  const colon = value.indexOf(":");
  const before = (c: string) => {
    const i = value.indexOf(c);
    return i !== -1 && colon > i;
  };
  return colon === -1 || before("/") || before("?") || before("#") || SAFE_PROTOCOL.test(value.slice(0, colon)) ? value : "";
}

/** An element's attributes as the tree keeps them: `href` of links, `start` of numbered lists. */
function attributesOf(element: Element): Record<string, string | number> | null {
  const { href, start } = element.properties;
  if (element.tagName === "a" && href !== undefined && href !== null) return { href: safeUrl(String(href)) };
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
      if (ALLOWED_ELEMENTS.includes(node.tagName)) out.push([node.tagName, attributesOf(node), ...compact(node.children)]);
      else compact(node.children, out);
    }
  }
  return out;
}

/**
 * A message's text as the formatted tree that components/chat/conversation/markdown/tree.tsx renders. Pure and
 * synchronous: the conversation page runs it on the server for the messages it sends, the browser loads it (a chunk of
 * its own) only for texts that arrive later. Mentions are not part of the tree: they depend on who is in the thread,
 * and are found when rendering.
 */
export function parseMarkdown(text: string): MarkdownNode[] {
  const tree = processor.runSync(processor.parse(text)) as HastRoot;
  return compact(tree.children);
}

/**
 * The formatted trees of `texts` that need the parser ({@link isPlainText} tells the others), by text: what the
 * conversation page sends with the messages it renders (components/chat/conversation/message-text.tsx,
 * `FormattedTexts`).
 */
export function formatTexts(texts: Iterable<string>): Record<string, MarkdownNode[]> {
  const out: Record<string, MarkdownNode[]> = {};
  for (const text of texts) if (!isPlainText(text) && !Object.hasOwn(out, text)) out[text] = parseMarkdown(text);
  return out;
}
