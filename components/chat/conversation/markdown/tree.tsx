import { createElement, Fragment, type ReactNode } from "react";
import { MENTION_PATTERN } from "@/lib/schemas/constants";

/**
 * A formatted message as data (made by ./parse.ts): a text, or an element of the subset as
 * `[tag, attributes, ...children]` — `p`, `br`, `strong`, `em`, `del`, `code`, `pre`, `blockquote`, `ul`, `ol`, `li`,
 * `a`; attributes only `href` (links) and `start` (numbered lists). Plain JSON: the server sends it with the page.
 */
export type MarkdownNode = string | [tag: string, attributes: Record<string, string | number> | null, ...children: MarkdownNode[]];

/**
 * The elements of the subset, which ./parse.ts keeps (its sanitizer's schema) and this file draws; anything else in a
 * parsed text is unwrapped to its content.
 */
export const MARKDOWN_ELEMENTS: readonly string[] = ["p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a"];

/**
 * The schemes a link may use: only these become links (the parser's sanitizer keeps no other, and the drawing checks
 * again, since a tree arrives with the page); `javascript:`, `data:`, `vbscript:` and relative URLs never do.
 */
export const LINK_PROTOCOLS = ["http", "https", "mailto"] as const;
const LINK_PROTOCOL = new RegExp(`^(${LINK_PROTOCOLS.join("|")}):`, "i");

/** The tags the renderer draws as themselves; anything else in a tree is drawn as its children only. */
const PLAIN_TAGS = new Set(["p", "br", "strong", "em", "del", "li"]);

/** How a message's text looks and what its parts do; see {@link renderMarkdown}. */
export interface RenderOptions {
  /** Link, code and quote colours (they differ on the indigo bubble of one's own messages). */
  colors: { link: string; code: string; quote: string; mention: string };
  /** Classes of a mention of the viewer. */
  selfMention: string;
  /** Lowercase username → user id: who may be shown as mentioned. */
  targets: ReadonlyMap<string, string>;
  viewerId: string;
  onMentionClick: (userId: string) => void;
}

/** Keeps a press on a link or a mention from also toggling the message's menu (the bubble's tap, on touch screens). */
const stop = (e: React.MouseEvent) => e.stopPropagation();

/**
 * Mentions, by the contract's rule (`MENTION_PATTERN`, lib/schemas/constants.ts: `@` and a username at the start or
 * after a character that is neither a word character nor `@`); a copy of the expression of our own, because `exec`
 * moves its `lastIndex`.
 */
const MENTION = new RegExp(MENTION_PATTERN.source, "g");

/**
 * A text of the tree with each `@username` of someone in `targets` as a button that opens their profile: the
 * mentions of the message. Searched in each text on its own, as remark's find-and-replace searched text nodes before
 * (the expression's look-behind does not see into the text before).
 */
function textWithMentions(text: string, key: string, o: RenderOptions): ReactNode {
  if (o.targets.size === 0 || !text.includes("@")) return text;
  const parts: ReactNode[] = [];
  let last = 0;
  MENTION.lastIndex = 0;
  for (let m = MENTION.exec(text); m; m = MENTION.exec(text)) {
    const id = o.targets.get(m[1]!.toLowerCase());
    if (!id) continue;
    if (m.index > last) parts.push(text.slice(last, m.index));
    const self = id === o.viewerId;
    parts.push(
      <button
        key={`${key}-m${m.index}`}
        type="button"
        data-testid="mention"
        data-self={self ? "true" : undefined}
        onClick={(e) => {
          stop(e);
          o.onMentionClick(id);
        }}
        className={`rounded px-0.5 font-semibold focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-500 ${self ? o.selfMention : o.colors.mention}`}
      >
        {m[0]}
      </button>,
    );
    last = m.index + m[0].length;
  }
  if (parts.length === 0) return text;
  if (last < text.length) parts.push(text.slice(last));
  return <Fragment key={key}>{parts}</Fragment>;
}

function renderNodes(nodes: readonly MarkdownNode[], key: string, o: RenderOptions, inCode: boolean): ReactNode[] {
  return nodes.map((node, i) => renderNode(node, `${key}.${i}`, o, inCode));
}

function renderNode(node: MarkdownNode, key: string, o: RenderOptions, inCode: boolean): ReactNode {
  if (typeof node === "string") return inCode ? node : textWithMentions(node, key, o);
  const [tag, attributes, ...children] = node;
  const { colors } = o;
  switch (tag) {
    case "a": {
      // Links and code are not searched for mentions (remark's find-and-replace skipped links; code has no text nodes).
      const inner = renderNodes(children, key, o, true);
      const href = typeof attributes?.href === "string" ? attributes.href : "";
      return href && LINK_PROTOCOL.test(href) ? (
        <a key={key} href={href} target="_blank" rel="noopener noreferrer nofollow" onClick={stop} className={`rounded-sm ${colors.link}`}>
          {inner}
        </a>
      ) : (
        <span key={key}>{inner}</span>
      );
    }
    case "code":
      return (
        <code key={key} className={`rounded px-1 py-px font-mono text-[0.875em] ${colors.code}`}>
          {renderNodes(children, key, o, true)}
        </code>
      );
    case "pre":
      return (
        <pre
          key={key}
          className={`my-1 whitespace-pre-wrap rounded-lg px-2.5 py-1.5 font-mono text-[13px] leading-normal [overflow-wrap:anywhere] [&>code]:bg-transparent [&>code]:p-0 [&>code]:text-[1em] ${colors.code}`}
        >
          {renderNodes(children, key, o, true)}
        </pre>
      );
    case "blockquote":
      return (
        <blockquote key={key} className={`border-l-[3px] pl-2.5 ${colors.quote}`}>
          {renderNodes(children, key, o, inCode)}
        </blockquote>
      );
    case "ul":
      return (
        <ul key={key} className="list-disc pl-5 marker:opacity-70">
          {renderNodes(children, key, o, inCode)}
        </ul>
      );
    case "ol":
      return (
        <ol key={key} start={typeof attributes?.start === "number" ? attributes.start : undefined} className="list-decimal pl-6 marker:opacity-80">
          {renderNodes(children, key, o, inCode)}
        </ol>
      );
    default:
      if (!PLAIN_TAGS.has(tag)) return <Fragment key={key}>{renderNodes(children, key, o, inCode)}</Fragment>;
      return children.length === 0 ? createElement(tag, { key }) : createElement(tag, { key }, ...renderNodes(children, key, o, inCode));
  }
}

/**
 * A formatted message's React elements: its tree (./parse.ts) drawn with the subset's looks. Links open in a new tab
 * with `rel="noopener noreferrer nofollow"`, and a link to anything but http(s) or mailto shows as its text; each
 * mention of a `targets` person becomes a button opening their profile, brighter for the viewer. Nothing is drawn
 * from HTML: every text is a React text.
 */
export function renderMarkdown(tree: readonly MarkdownNode[], options: RenderOptions): ReactNode[] {
  return renderNodes(tree, "md", options, false);
}

/**
 * Characters and sequences that may make Markdown of the subset (or a link, an e-mail address, an entity, a mention);
 * see {@link isPlainText}.
 */
const MAY_FORMAT = /[\\`*_~[\]<>&|@+\0\r]|:\/\/|www\.|^[ \t]|[ \t]$|^-|^\d{1,9}[.)]|^\n|\n$/im;

/**
 * Whether `text` is sure to render as one paragraph of itself, its line breaks as `<br>`: no character the subset
 * could make something of — no emphasis or code marker, bracket, angle bracket, entity, pipe, mention or address,
 * no line that starts like a list item or with a space, no blank line. Then it needs no parser: {@link plainTree}
 * gives its tree (tests/message-text.test.ts holds the two to the same output). Errs on the side of "no".
 */
export function isPlainText(text: string): boolean {
  return text !== "" && !MAY_FORMAT.test(text);
}

/** The tree of a text for which {@link isPlainText} holds: what the parser makes of it, without the parser. */
export function plainTree(text: string): MarkdownNode[] {
  const children: MarkdownNode[] = [];
  text.split("\n").forEach((line, i) => {
    if (i > 0) children.push(["br", null], `\n${line}`);
    else children.push(line);
  });
  return [["p", null, ...children]];
}
