"use client";

import { createContext, memo, useContext, useEffect, useMemo } from "react";
import { lazyModule } from "@/hooks/use-lazy-module";
import { isPlainText, type MarkdownNode, plainTree, renderMarkdown } from "./markdown/tree";

/**
 * The formatted trees of the texts the server sent with the page (text → tree, made by ./markdown/parse.ts on the
 * server): those messages render formatted from the first paint, and the browser needs no Markdown parser for them.
 */
export const FormattedTexts = createContext<ReadonlyMap<string, MarkdownNode[]>>(new Map());

/**
 * The parser (remark, GFM, sanitizing: about 45 KB of compressed JavaScript), for texts that came later: loaded the
 * first time one needs it. Until then such a text shows as typed, in one paragraph.
 */
const markdownParser = lazyModule(() => import("./markdown/parse"));

/** Starts loading the parser, when a formatted text is likely soon (the person is writing one). */
export function preloadMarkdownParser(): void {
  void markdownParser.load().catch(() => undefined);
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

/**
 * A message's text, formatted: the Markdown subset of ./markdown/parse.ts (bold, italic, strikethrough, code, code
 * blocks, quotes, lists, links and addresses in plain text; everything else as typed), drawn by ./markdown/tree.tsx as
 * React elements (no `dangerouslySetInnerHTML`). Its tree comes from the server ({@link FormattedTexts}) for the
 * messages sent with the page; a text with nothing to format needs none (`isPlainText`); others are parsed here once
 * the parser has loaded. Links open in a new tab with `rel="noopener noreferrer nofollow"`; a link to anything but
 * http(s) or mailto is shown as its text. The text itself (stored and sent over the API) is unchanged: this is only
 * its look.
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
  const fromServer = useContext(FormattedTexts).get(text);
  const parser = markdownParser.useLoaded();
  const tree = useMemo(
    () => (isPlainText(text) ? plainTree(text) : (fromServer ?? (parser ? parser.parseMarkdown(text) : null))),
    [text, fromServer, parser],
  );
  useEffect(() => {
    if (!tree) void markdownParser.load().catch(() => undefined);
  }, [tree]);

  const targets = useMemo(() => {
    const mentioned = new Set(mentions);
    return new Map(people.filter((p) => mentioned.has(p.id)).map((p) => [p.username.toLowerCase(), p.id]));
  }, [mentions, people]);
  const content = useMemo(
    () =>
      renderMarkdown(tree ?? plainTree(text), {
        colors: palette(own),
        selfMention: SELF_MENTION,
        targets,
        viewerId,
        onMentionClick,
      }),
    [tree, text, own, targets, viewerId, onMentionClick],
  );

  return (
    <div
      data-testid="message-text"
      className="min-w-0 [overflow-wrap:anywhere] [&>*+*]:mt-1.5 [&_li>*+*]:mt-1 [&_li+li]:mt-0.5 [&>p:has(+[data-trailing])]:inline"
    >
      {content}
      {children && <span data-trailing="">{children}</span>}
    </div>
  );
});
