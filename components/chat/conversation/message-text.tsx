"use client";

import type { PhrasingContent, Root as MdastRoot } from "mdast";
import { findAndReplace } from "mdast-util-find-and-replace";
import { memo, useMemo } from "react";
import Markdown, { type Components, type Options } from "react-markdown";
import remarkBreaks from "remark-breaks";
import remarkGfm from "remark-gfm";
import rehypeSanitize, { defaultSchema } from "rehype-sanitize";
import { MENTION_PATTERN } from "@/lib/schemas/messages";

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
const ALLOWED_ELEMENTS = ["p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "span"];

/** Only these schemes become links; `javascript:`, `data:`, `vbscript:` and relative URLs never do. */
const LINK_PROTOCOL = /^(https?|mailto):/i;

/**
 * GitHub's sanitation schema (hast-util-sanitize's default), narrowed to the subset: its elements only, `href` with
 * http(s) and mailto only, `start` on numbered lists, and the mention marker this component adds itself.
 */
const SCHEMA = {
  ...defaultSchema,
  tagNames: ALLOWED_ELEMENTS,
  attributes: { a: ["href"], ol: ["start"], span: ["dataMentionId"] },
  protocols: { href: ["http", "https", "mailto"] },
  required: {},
};

const REHYPE_PLUGINS: Options["rehypePlugins"] = [[rehypeSanitize, SCHEMA]];

/**
 * Mentions, by the contract's rule (`MENTION_PATTERN`, lib/schemas/messages.ts: `@` and a username at the start or
 * after a character that is neither a word character nor `@`); a copy of the expression of our own, because
 * find-and-replace moves its `lastIndex`.
 */
const MENTION = new RegExp(MENTION_PATTERN.source, "g");

/** A remark plugin (no options): switches {@link DISABLED_CONSTRUCTS} off in the parser. */
function remarkChatSubset(this: { data(): unknown }) {
  // remark-parse reads `micromarkExtensions` from the processor's data, as remark-gfm adds its syntax.
  const data = this.data() as { micromarkExtensions?: unknown[] };
  (data.micromarkExtensions ??= []).push({ disable: { null: DISABLED_CONSTRUCTS } });
}

/**
 * A remark plugin: wraps each `@username` whose person is in `targets` (lowercase username → user id) in a
 * `span[data-mention-id]`, outside links and code (inline and fenced code are not text nodes, so they are never
 * searched). Uses mdast-util-find-and-replace, as remark-gfm's autolink literals do.
 */
function remarkMentions(options: { targets: ReadonlyMap<string, string> }) {
  return (tree: MdastRoot) => {
    if (options.targets.size === 0) return;
    findAndReplace(
      tree,
      [
        MENTION,
        (whole: string, username: string): PhrasingContent | false => {
          const id = options.targets.get(username.toLowerCase());
          if (!id) return false;
          // Any phrasing node but text (find-and-replace merges adjacent text nodes, and their data with them).
          return {
            type: "emphasis",
            children: [{ type: "text", value: whole }],
            data: { hName: "span", hProperties: { dataMentionId: id } },
          };
        },
      ],
      { ignore: ["link", "linkReference"] },
    );
  };
}

/** Link colours and code backgrounds that read on the bubble: white on indigo for one's own, zinc otherwise. */
function palette(own: boolean) {
  return own
    ? {
        link: "text-white underline decoration-white/60 underline-offset-2 hover:decoration-white",
        code: "bg-indigo-800/70 text-white",
        quote: "border-white/50 text-indigo-50",
        mention: "bg-indigo-900 text-white hover:bg-indigo-950",
      }
    : {
        link: "text-indigo-700 underline decoration-indigo-700/40 underline-offset-2 hover:decoration-indigo-700 dark:text-indigo-300 dark:decoration-indigo-300/50 dark:hover:decoration-indigo-300",
        code: "bg-zinc-200/80 text-zinc-900 dark:bg-zinc-950/50 dark:text-zinc-100",
        quote: "border-zinc-300 text-zinc-600 dark:border-zinc-600 dark:text-zinc-300",
        mention: "bg-indigo-100 text-indigo-800 hover:bg-indigo-200 dark:bg-indigo-400/20 dark:text-indigo-200 dark:hover:bg-indigo-400/30",
      };
}

/** A mention of the viewer: amber, like Slack's highlight of one's own name, in either bubble. */
const SELF_MENTION = "bg-amber-200 text-amber-950 hover:bg-amber-300 dark:bg-amber-400/30 dark:text-amber-100 dark:hover:bg-amber-400/40";

/** Keeps a press on a link or a mention from also toggling the message's menu (the bubble's tap, on touch screens). */
const stop = (e: React.MouseEvent) => e.stopPropagation();

/**
 * A message's text, formatted: the Markdown subset of {@link DISABLED_CONSTRUCTS}'s comment, rendered to React
 * elements by react-markdown (no `dangerouslySetInnerHTML`) through remark-gfm (strikethrough, autolink literals),
 * remark-breaks (a single newline is a line break, as people expect in a chat) and rehype-sanitize (GitHub's schema,
 * narrowed). Links open in a new tab with `rel="noopener noreferrer nofollow"`; a link to anything but http(s) or
 * mailto is shown as its text. The text itself (stored and sent over the API) is unchanged: this is only its look.
 *
 * @param mentions ids of the people the message mentions; an `@username` is highlighted (a button opening their
 *   profile) only when its person is among `people` and in `mentions`, brighter when it is the viewer
 * @param people the thread's participants (`id`, `username`)
 * @param own whether the viewer sent it (the indigo bubble: colours for white text)
 * @param children shown inline right after the last paragraph (the "edited" marker)
 */
export const MessageText = memo(function MessageText({
  text,
  mentions,
  people,
  viewerId,
  onMentionClick,
  own,
  children,
}: {
  text: string;
  mentions: readonly string[];
  people: readonly { id: string; username: string }[];
  viewerId: string;
  onMentionClick: (userId: string) => void;
  own: boolean;
  children?: React.ReactNode;
}) {
  const targets = useMemo(() => {
    const mentioned = new Set(mentions);
    return new Map(people.filter((p) => mentioned.has(p.id)).map((p) => [p.username.toLowerCase(), p.id]));
  }, [mentions, people]);

  const remarkPlugins = useMemo<Options["remarkPlugins"]>(
    () => [remarkChatSubset, remarkGfm, remarkBreaks, [remarkMentions, { targets }]],
    [targets],
  );

  const components = useMemo<Components>(() => {
    const colors = palette(own);
    return {
      a: ({ href, children }) =>
        href && LINK_PROTOCOL.test(href) ? (
          <a href={href} target="_blank" rel="noopener noreferrer nofollow" onClick={stop} className={`rounded-sm ${colors.link}`}>
            {children}
          </a>
        ) : (
          <span>{children}</span>
        ),
      code: ({ children }) => (
        <code className={`rounded px-1 py-px font-mono text-[0.875em] ${colors.code}`}>{children}</code>
      ),
      pre: ({ children }) => (
        <pre
          className={`my-1 whitespace-pre-wrap rounded-lg px-2.5 py-1.5 font-mono text-[13px] leading-normal [overflow-wrap:anywhere] [&>code]:bg-transparent [&>code]:p-0 [&>code]:text-[1em] ${colors.code}`}
        >
          {children}
        </pre>
      ),
      blockquote: ({ children }) => <blockquote className={`border-l-[3px] pl-2.5 ${colors.quote}`}>{children}</blockquote>,
      ul: ({ children }) => <ul className="list-disc pl-5 marker:opacity-70">{children}</ul>,
      ol: ({ children, start }) => (
        <ol start={start} className="list-decimal pl-6 marker:opacity-80">
          {children}
        </ol>
      ),
      span: ({ node, children }) => {
        const id = node?.properties.dataMentionId;
        if (typeof id !== "string") return <span>{children}</span>;
        const self = id === viewerId;
        return (
          <button
            type="button"
            data-testid="mention"
            data-self={self ? "true" : undefined}
            onClick={(e) => {
              stop(e);
              onMentionClick(id);
            }}
            className={`rounded px-0.5 font-semibold focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-indigo-500 ${self ? SELF_MENTION : colors.mention}`}
          >
            {children}
          </button>
        );
      },
    };
  }, [own, viewerId, onMentionClick]);

  return (
    <div
      data-testid="message-text"
      className="min-w-0 [overflow-wrap:anywhere] [&>*+*]:mt-1.5 [&_li>*+*]:mt-1 [&_li+li]:mt-0.5 [&>p:has(+[data-trailing])]:inline"
    >
      <Markdown
        remarkPlugins={remarkPlugins}
        rehypePlugins={REHYPE_PLUGINS}
        allowedElements={ALLOWED_ELEMENTS}
        unwrapDisallowed
        components={components}
      >
        {text}
      </Markdown>
      {children && <span data-trailing="">{children}</span>}
    </div>
  );
});
