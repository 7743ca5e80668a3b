"use client";

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { toast } from "sonner";
import { Button, buttonVariants } from "@/components/ui/button";
import { ApiError } from "@/lib/client/api";
import { discardMessage, retryMessage, sendMessage, useOutbox } from "@/lib/client/outbox";
import {
  loadAroundMessage,
  type MessagePages,
  queryKeys,
  returnToPresent,
  useDeleteMessage,
  useDeleteThread,
  useEditMessage,
  useMarkUnread,
  useMessages,
  useReact,
  useRemoveParticipant,
  useSetBlocked,
  useThread,
  useUserProfile,
} from "@/lib/client/queries";
import { useTypingSender } from "@/lib/client/typing";
import type { Message } from "@/lib/schemas/messages";
import { useNow } from "@/hooks/use-now";
import { displayName, presenceLabel } from "@/lib/format";
import { Avatar } from "./avatar";
import { ThreadAvatar, threadName } from "./thread-list/thread-item";
import type { Me } from "./chat-shell";
import { BlockedNotice, Composer } from "./conversation/composer";
import { ConversationHeader } from "./conversation/header";
import { type ListTarget, MessageList, type MessageListHandle } from "./conversation/message-list";
import type { MessageHandlers } from "./conversation/message-item";
import { buildTimeline, flattenPages, type TimelineItem } from "./conversation/timeline";
import type { MarkdownNode } from "./conversation/markdown/tree";
import { FormattedTexts, preloadMarkdownParser } from "./conversation/message-text";
import { conversationPopups } from "./conversation/popups-loader";
import { TypingIndicator } from "./conversation/typing-indicator";
import { resumeMarkRead, suspendMarkRead, useMarkReadWhileVisible } from "./conversation/use-mark-read-while-visible";
import { firstLine } from "./conversation/reply-preview";
import { requestSearch } from "./search/search-request";

/** Opens a dialog of ./conversation/popups.ts once that chunk is there (a load that fails says so). */
const openWhenLoaded = (open: () => void) => conversationPopups.whenLoaded(open);

const NONE_FORMATTED: readonly (readonly [string, MarkdownNode[]])[] = [];

/** What went wrong, in words a person can act on. */
const reason = (e: unknown) => (e instanceof ApiError ? e.detail : "Something went wrong. Please try again.");
const isNotFound = (e: unknown) => e instanceof ApiError && e.status === 404;

type Confirm = { kind: "thread" } | { kind: "message"; id: string } | null;

/**
 * Where the view is asked to go (`n` tells one request from the next): a message (a link's `?m=`, a search result, a
 * reply's quote), the first unread message, or the present (leaving a window of old messages).
 */
type Jump = { n: number } & ({ to: "message"; id: string } | { to: "unread" } | { to: "present" });

/** Another person's text message: what can be unread (`parley_is_read`). */
const canBeUnread = (m: Message, meId: string) => m.kind === "text" && m.sender.id !== meId;

/**
 * The open conversation: header, message log and composer. Data comes from the server-prefetched React Query cache
 * (`useThread`, `useMessages`) plus the outbox; the view marks read what the person has seen of it.
 *
 * It opens at the first unread message, under a "New messages" divider that stays where it was put (it follows the
 * read position at opening, not the marks that reading sends) until the conversation is opened again or the person
 * sends; or at the message a link names (`/t/<id>?m=<message id>`: search results), loading the window of history
 * around it when it is not loaded (`loadAroundMessage`).
 * @param nonce the request's CSP nonce, when server-rendered: the log then shows at its bottom once parsed, before
 *   hydration
 * @param formatted the formatted trees of the messages' texts, `[text, tree]` pairs made by the server for those it
 *   sent (`formatTexts`; read into the `Map` of `FormattedTexts`)
 */
export function Conversation({
  threadId,
  me,
  nonce,
  formatted = NONE_FORMATTED,
}: {
  threadId: string;
  me: Me;
  nonce?: string;
  formatted?: readonly (readonly [string, MarkdownNode[]])[];
}) {
  const router = useRouter();
  const client = useQueryClient();
  const threadQuery = useThread(threadId);
  const messagesQuery = useMessages(threadId);
  const outbox = useOutbox(threadId);
  const editMessage = useEditMessage();
  const deleteMessage = useDeleteMessage(threadId);
  const deleteThread = useDeleteThread();
  // Leaving a group is a mutation of its own (its dialog stays pending once it succeeds, which a removal of someone
  // else before it must not look like), owned here so that its callbacks run even when the `thread.removed` event
  // arrives first and the details dialog is gone.
  const leaveGroup = useRemoveParticipant(threadId, me.id);
  const typing = useTypingSender(threadId);
  const listRef = useRef<MessageListHandle>(null);
  const composerRef = useRef<HTMLTextAreaElement>(null);
  const detailsRef = useRef<HTMLButtonElement>(null);
  const [confirm, setConfirm] = useState<Confirm>(null);
  // A deleted message takes its actions button, where the dialog would return the focus, with it: the composer gets
  // the focus instead.
  const messageDeleted = useRef(false);
  const [leaving, setLeaving] = useState(false);
  const [detailsOpen, setDetailsOpen] = useState(false);
  const [profileOf, setProfileOf] = useState<string | null>(null);
  // The message being reported: kept while its dialog closes (`reportOpen`), so that its text stays for the animation.
  const [reporting, setReporting] = useState<TimelineItem | null>(null);
  const [reportOpen, setReportOpen] = useState(false);
  // Menus and dialogs (./conversation/popups.ts): loaded at the first sign that the person is about to use the
  // conversation — a pointer moving, a key, a touch, the focus moving in — rather than with the page or right after it.
  const popups = conversationPopups.useLoaded();
  const formattedTexts = useMemo(() => new Map(formatted), [formatted]);
  useEffect(() => {
    const intents = ["pointermove", "pointerdown", "keydown", "focusin", "touchstart", "wheel"] as const;
    const stop = () => intents.forEach((type) => window.removeEventListener(type, load, true));
    const load = () => {
      stop();
      void conversationPopups.load().catch(() => undefined);
    };
    intents.forEach((type) => window.addEventListener(type, load, { capture: true, passive: true }));
    return stop;
  }, []);
  // The message the person is replying to (the composer's reply bar), while it is still there to answer.
  const [replyingTo, setReplyingTo] = useState<TimelineItem | null>(null);
  const { mutate: react } = useReact(threadId);
  const { mutate: markUnread } = useMarkUnread(threadId);
  const now = useNow();
  const logRef = useRef<HTMLDivElement>(null);
  const pathname = usePathname();
  // A link to a message (`?m=`): where the conversation opens, or, while it is open, a jump.
  const linked = useSearchParams().get("m");
  const [linkedAtOpen] = useState(linked);
  const jumps = useRef(1);

  const thread = threadQuery.data;
  const others = useMemo(() => thread?.participants.filter((p) => p.id !== me.id) ?? [], [thread, me.id]);
  // In a direct conversation of two, blocking either way stops both from writing. Whether the caller blocked the
  // other person comes with their profile card (`blocked`); the other way round the server's refusal says it.
  const directOther = thread?.kind === "direct" && thread.participants.length === 2 ? (others[0] ?? null) : null;
  const blockedOther = useUserProfile(directOther?.id ?? null).data?.blocked === true ? directOther : null;
  const setBlocked = useSetBlocked();
  // Unblocking from the notice hands the focus to the composer that replaces it.
  const focusComposer = useRef(false);
  useEffect(() => {
    if (blockedOther || !focusComposer.current) return;
    focusComposer.current = false;
    composerRef.current?.focus();
  }, [blockedOther]);
  const messages = useMemo(() => flattenPages(messagesQuery.data?.pages), [messagesQuery.data]);
  const rows = useMemo(() => buildTimeline({ messages, outbox, me, others }), [messages, outbox, me, others]);

  // The conversation as it was when opened (once its data is there): the caller's read position then, if anything
  // was unread (the divider's place), and where the view goes first. `landing` keeps the list hidden, and nothing
  // marked read, until it is there.
  const [opened, setOpened] = useState<{ watermark: number | null; unread: number } | null>(null);
  const [jump, setJump] = useState<Jump | null>(null);
  const [landingState, setLanding] = useState(false);
  // A failure to load older pages while opening shows the newest messages rather than nothing, and ends the landing
  // for good (a later successful page must not hide the list again).
  if (landingState && messagesQuery.isFetchNextPageError) setLanding(false);
  const landing = landingState && !messagesQuery.isFetchNextPageError;
  if (opened === null && thread && messagesQuery.data) {
    const watermark = thread.unreadCount > 0 ? (thread.participants.find((p) => p.id === me.id)?.lastReadSeq ?? null) : null;
    setOpened({ watermark, unread: thread.unreadCount });
    const first: Jump | null = linkedAtOpen
      ? { n: 0, to: "message", id: linkedAtOpen }
      : watermark !== null
        ? { n: 0, to: "unread" }
        : null;
    setJump(first);
    setLanding(first !== null);
  }
  const watermark = opened?.watermark ?? null;
  const { hasNextPage, isFetchingNextPage, fetchNextPage, hasPreviousPage, isFetchingPreviousPage, fetchPreviousPage } = messagesQuery;
  // The first unread message may be older than the loaded pages (they run back contiguously from the newest).
  const unreadAbove = watermark !== null && hasNextPage && (messages[0]?.seq ?? Infinity) > watermark + 1;
  const dividerSeq =
    watermark === null || unreadAbove ? null : (messages.find((m) => m.seq > watermark && canBeUnread(m, me.id))?.seq ?? null);
  const target: ListTarget | null =
    jump === null
      ? null
      : jump.to === "message"
        ? messages.some((m) => m.id === jump.id)
          ? { n: jump.n, kind: "message", id: jump.id }
          : null
        : jump.to === "unread"
          ? unreadAbove
            ? null
            : dividerSeq !== null
              ? { n: jump.n, kind: "divider" }
              : { n: jump.n, kind: "bottom" }
          : { n: jump.n, kind: "bottom" };

  useMarkReadWhileVisible({ threadId, meId: me.id, logRef, messages, enabled: opened !== null && !landing });

  // Bring what a jump names into the loaded messages: the window around a message, or older pages down to the first
  // unread one. A message that is gone ends the jump with a word.
  // The jump whose window was asked for, whether the answer is pending, and the cache it left: asked again only if
  // the cache changed since (a refetch replaced the window) and the message is missing.
  const requested = useRef<{ n: number; pending: boolean; data: unknown; abort?: AbortController } | null>(null);
  const jumpFailed = (n: number, message: string, e?: unknown) => {
    setJump((j) => (j?.n === n ? null : j));
    setLanding(false);
    toast.error(message, e === undefined ? undefined : { description: reason(e) });
  };
  useEffect(() => {
    if (!jump || !opened) return;
    const asked = requested.current;
    const askedAlready = asked?.n === jump.n && (asked.pending || asked.data === messagesQuery.data);
    if (jump.to === "message" && !messages.some((m) => m.id === jump.id) && !askedAlready) {
      const request = { n: jump.n, pending: true, data: undefined as unknown, abort: new AbortController() };
      requested.current?.abort?.abort(); // a newer jump wins: the older one's answer must not replace its window
      requested.current = request;
      const { n, id } = jump;
      const current = () => requested.current === request;
      loadAroundMessage(client, threadId, id, request.abort.signal).then(
        () => {
          if (!current()) return;
          const loaded = client.getQueryData<MessagePages>(queryKeys.messages(threadId));
          request.pending = false;
          request.data = loaded;
          if (!loaded?.pages.some((p) => p.data.some((m) => m.id === id))) jumpFailed(n, "That message is no longer there");
        },
        (e: unknown) => {
          if (!current()) return;
          if (isNotFound(e)) jumpFailed(n, "That message is no longer there");
          else jumpFailed(n, "Couldn’t open that message", e);
        },
      );
    }
    if (jump.to === "unread" && unreadAbove && hasNextPage && !isFetchingNextPage && !messagesQuery.isFetchNextPageError) {
      void fetchNextPage();
    }
  });

  // A link to a message while the conversation is open (a search result of this conversation) jumps to it; the one it
  // opened with is the first jump (above). The parameter leaves the address once taken, so that the same link works
  // again and a reload opens the conversation as usual.
  const linkTaken = useRef(false);
  useEffect(() => {
    if (!linked) return;
    if (linkTaken.current || linked !== linkedAtOpen) setJump({ n: jumps.current++, to: "message", id: linked });
    linkTaken.current = true;
    window.history.replaceState(null, "", pathname);
  }, [linked, linkedAtOpen, pathname]);

  // A failed send whose request did reach the server (only the answer was lost) shows up in the messages: the
  // failed copy goes, so the message is never shown twice nor comes back if the real one is deleted later.
  useEffect(() => {
    const mine = new Set(messages.filter((m) => m.sender.id === me.id).map((m) => m.clientMessageId));
    for (const e of outbox) if (e.status === "failed" && mine.has(e.clientMessageId)) discardMessage(e.clientMessageId);
  }, [messages, outbox, me.id]);

  const { mutateAsync: edit } = editMessage;
  const handlers = useMemo<MessageHandlers>(
    () => ({
      onEdit: async (id, text) => {
        try {
          await edit({ id, text });
        } catch (e) {
          toast.error("Your edit was not saved", { description: reason(e) });
          throw e;
        }
      },
      onRequestDelete: (item) => {
        if (!item.id) return;
        messageDeleted.current = false;
        setConfirm({ kind: "message", id: item.id });
      },
      onRetry: (clientMessageId) => {
        retryMessage(client, clientMessageId).catch((e: unknown) =>
          toast.error("Message not sent", { description: reason(e) }),
        );
      },
      onDiscard: (clientMessageId) => discardMessage(clientMessageId),
      onOpenProfile: (userId) => openWhenLoaded(() => setProfileOf(userId)),
      onRequestReport: (item) =>
        openWhenLoaded(() => {
          setReporting(item);
          setReportOpen(true);
        }),
      // A reply's quote: to the original, loading the history around it when it is not loaded.
      onJumpToMessage: (id: string) => setJump({ n: jumps.current++, to: "message", id }),
      onReply: (item) => {
        setReplyingTo(item);
        requestAnimationFrame(() => composerRef.current?.focus());
      },
      onReact: (item, emoji, add) => {
        if (!item.id) return;
        react(
          { messageId: item.id, emoji, add, meId: me.id },
          // 403 in a direct conversation with a block either way: the server's words say which.
          { onError: (e) => toast.error(add ? "Your reaction was not added" : "Your reaction was not removed", { description: reason(e) }) },
        );
      },
      onMarkUnread: (item) => {
        if (!item.id) return;
        // The view would mark it read again at once: it holds off until the person scrolls, sends or comes back.
        suspendMarkRead(threadId);
        markUnread(item.id, {
          onError: (e) => {
            resumeMarkRead(threadId);
            toast.error("Not marked unread", { description: reason(e) });
          },
        });
      },
    }),
    [client, edit, react, markUnread, threadId, me.id],
  );
  // The message replied to, until it is gone: deleted or removed where the loaded messages cover its place (a window
  // of other messages, after a jump, says nothing about it).
  const replySeq = replyingTo?.seq ?? null;
  const replyGone =
    replySeq !== null &&
    messages.length > 0 &&
    replySeq >= messages[0]!.seq &&
    replySeq <= messages[messages.length - 1]!.seq &&
    !messages.some((m) => m.id === replyingTo?.id && m.kind === "text");
  const replyTarget = replyingTo && !replyGone ? replyingTo : null;

  if (leaving) return <div className="flex-1" />;

  if (isNotFound(threadQuery.error) || isNotFound(messagesQuery.error)) {
    return (
      <div data-testid="thread-not-found" className="flex flex-1 flex-col items-center justify-center gap-3 p-8 text-center">
        <h1 className="text-lg font-medium">Conversation not found</h1>
        <p className="max-w-xs text-sm text-zinc-500 dark:text-zinc-400">It may have been deleted, or you are not part of it.</p>
        <Link href="/" className={buttonVariants()}>
          Back to conversations
        </Link>
      </div>
    );
  }

  if (!thread || !messagesQuery.data) {
    const failed = threadQuery.isError || messagesQuery.isError;
    return (
      <div aria-busy={!failed} className="flex flex-1 flex-col">
        <div className="h-16 border-b border-zinc-200 dark:border-zinc-800" />
        {failed ? (
          <div role="alert" className="flex flex-1 flex-col items-center justify-center gap-3 p-8 text-center">
            <p className="font-medium">This conversation could not be loaded.</p>
            <p className="max-w-xs text-sm text-zinc-500 dark:text-zinc-400">{reason(threadQuery.error ?? messagesQuery.error)}</p>
            <Button variant="secondary" onClick={() => void Promise.all([threadQuery.refetch(), messagesQuery.refetch()])}>
              Try again
            </Button>
          </div>
        ) : (
          <div className="flex flex-1 flex-col justify-end gap-3 p-4">
            {[40, 60, 35, 55].map((w, i) => (
              <div
                key={i}
                className={`h-10 animate-pulse rounded-2xl bg-zinc-100 dark:bg-zinc-800 ${i % 2 ? "self-end" : ""}`}
                style={{ width: `${w}%` }}
              />
            ))}
          </div>
        )}
      </div>
    );
  }

  const isGroup = thread.kind === "group";
  const title = threadName(thread, me.id) || displayName(me);
  // Messages show their senders' names wherever more than one other person may write.
  const groupThread = isGroup || others.length > 1;
  const subtitle = isGroup
    ? `${thread.participants.length} ${thread.participants.length === 1 ? "member" : "members"}`
    : others.length > 1
      ? `${thread.participants.length} participants`
      : others[0]
        ? now === null
          ? `@${others[0].username}`
          : `@${others[0].username} · ${presenceLabel(others[0].presence, new Date(now))}`
        : "Just you";
  const leave = (message: string) => {
    setDetailsOpen(false);
    setLeaving(true);
    router.push("/");
    toast.success(message);
  };

  const confirmDelete = () => {
    if (confirm?.kind === "thread") {
      deleteThread.mutate(threadId, {
        onSuccess: () => leave(isGroup ? "Group deleted" : "Conversation deleted"),
        onError: (e) => {
          setConfirm(null);
          toast.error("The conversation was not deleted", { description: reason(e) });
        },
      });
    } else if (confirm?.kind === "message") {
      deleteMessage.mutate(confirm.id, {
        onSuccess: () => {
          messageDeleted.current = true;
          setConfirm(null);
        },
        onError: (e) => {
          setConfirm(null);
          toast.error("The message was not deleted", { description: reason(e) });
        },
      });
    }
  };

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <ConversationHeader
        thread={thread}
        meId={me.id}
        title={title}
        subtitle={subtitle}
        onDelete={() => openWhenLoaded(() => setConfirm({ kind: "thread" }))}
        onDetails={() => openWhenLoaded(() => setDetailsOpen(true))}
        detailsRef={detailsRef}
        onProfile={!isGroup && others.length === 1 ? () => openWhenLoaded(() => setProfileOf(others[0]!.id)) : undefined}
        onSearch={() => {
          // The sidebar's search box, narrowed to this conversation; on a phone the list is another screen.
          if (!window.matchMedia("(min-width: 768px)").matches) router.push("/");
          requestSearch(`in:${threadId} `);
        }}
      />
      {popups && <popups.ProfileCard userId={profileOf} meId={me.id} onClose={() => setProfileOf(null)} />}
      {popups && isGroup && (
        <popups.Dialog open={detailsOpen} onOpenChange={setDetailsOpen}>
          <popups.DialogContent className="flex max-h-[calc(100dvh-1.5rem)] flex-col sm:max-h-[80dvh]">
            <popups.GroupDetails
              thread={thread}
              meId={me.id}
              leave={leaveGroup}
              onGone={leave}
              onRequestDelete={() => {
                setDetailsOpen(false);
                setConfirm({ kind: "thread" });
              }}
            />
          </popups.DialogContent>
        </popups.Dialog>
      )}
      <FormattedTexts value={formattedTexts}>
        <MessageList
          ref={listRef}
          logRef={logRef}
          rows={rows}
          hasOlder={hasNextPage}
          loadingOlder={isFetchingNextPage}
          onLoadOlder={() => {
            if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
          }}
          hasNewer={hasPreviousPage}
          loadingNewer={isFetchingPreviousPage}
          onLoadNewer={() => {
            if (hasPreviousPage && !isFetchingPreviousPage && !messagesQuery.isFetchPreviousPageError) void fetchPreviousPage();
          }}
          onReturnToPresent={() => {
            setJump({ n: jumps.current++, to: "present" });
            returnToPresent(client, threadId).catch((e: unknown) =>
              toast.error("Couldn’t load the newest messages", { description: reason(e) }),
            );
          }}
          dividerSeq={dividerSeq}
          unreadAbove={unreadAbove}
          unreadCount={opened?.unread ?? 0}
          onJumpToFirstUnread={() => setJump({ n: jumps.current++, to: "unread" })}
          target={target}
          onTargetReached={(n) => {
            setJump((j) => (j?.n === n ? null : j));
            setLanding(false);
          }}
          concealed={landing}
          nonce={nonce}
          groupThread={groupThread}
          handlers={handlers}
          people={thread.participants}
          viewerId={me.id}
          intro={
            <>
              <span className="mb-3 mt-2 scale-150">
                {isGroup || others.length > 0 ? <ThreadAvatar thread={thread} meId={me.id} /> : <Avatar user={me} />}
              </span>
              <p className="text-base font-semibold">{title}</p>
            </>
          }
        />
      </FormattedTexts>
      <TypingIndicator threadId={threadId} people={others} />
      {blockedOther ? (
        <BlockedNotice
          username={blockedOther.username}
          pending={setBlocked.isPending}
          onUnblock={() =>
            setBlocked.mutate(
              { userId: blockedOther.id, blocked: false },
              {
                onSuccess: () => (focusComposer.current = true),
                onError: (e) => toast.error(`${displayName(blockedOther)} was not unblocked`, { description: reason(e) }),
              },
            )
          }
        />
      ) : (
        <Composer
          inputRef={composerRef}
          placeholder={groupThread ? "Message the group" : `Message ${title}`}
          onTyping={(text) => {
            // What is being written may need the Markdown parser when it is sent (its pending copy shows formatted).
            preloadMarkdownParser();
            typing.notify(text);
          }}
          people={others}
          replyTo={
            replyTarget && {
              name: replyTarget.own ? "yourself" : displayName(replyTarget.sender),
              text: firstLine(replyTarget.text),
            }
          }
          onCancelReply={() => setReplyingTo(null)}
          onSend={(text) => {
            typing.reset();
            // Sending ends a hold on marking read left by "Mark unread from here".
            resumeMarkRead(threadId);
            const replyTo = replyTarget?.id
              ? {
                  id: replyTarget.id,
                  seq: replyTarget.seq!,
                  sender: replyTarget.sender,
                  text: [...replyTarget.text].slice(0, 200).join(""),
                }
              : undefined;
            setReplyingTo(null);
            // Writing ends the "New messages" divider, and brings a window of old messages back to the present.
            setOpened((o) => (o && o.watermark !== null ? { ...o, watermark: null } : o));
            if (hasPreviousPage) {
              setJump({ n: jumps.current++, to: "present" });
              void returnToPresent(client, threadId).catch(() => {});
            }
            listRef.current?.pinToBottom();
            sendMessage(client, threadId, text, replyTo).catch((e: unknown) => {
              // A refusal (403: a block, either way) will not pass on a retry: say only why. The caller may have
              // blocked the other person in another tab: their profile tells, and the notice takes the composer's place.
              const refused = e instanceof ApiError && e.status === 403;
              if (refused && directOther) void client.invalidateQueries({ queryKey: queryKeys.user(directOther.id) });
              toast.error("Message not sent", { description: refused ? reason(e) : `${reason(e)} You can retry it from the conversation.` });
            });
          }}
        />
      )}
      {popups && <popups.ReportDialog message={reporting} open={reportOpen} onClose={() => setReportOpen(false)} />}
      {popups && (
        <popups.ConfirmDialog
          open={confirm?.kind === "thread"}
          title={isGroup ? "Delete this group?" : "Delete this conversation?"}
          description="All of its messages will be deleted for everyone in it. This cannot be undone."
          confirmLabel="Delete"
          pending={deleteThread.isPending}
          onConfirm={confirmDelete}
          onClose={() => setConfirm(null)}
          // Opened from the group's panel, which closed first: back to the button that opens the panel.
          finalFocus={isGroup ? detailsRef : true}
        />
      )}
      {popups && (
        <popups.ConfirmDialog
          open={confirm?.kind === "message"}
          title="Delete this message?"
          description="It will be deleted for everyone in the conversation. This cannot be undone."
          confirmLabel="Delete"
          pending={deleteMessage.isPending}
          onConfirm={confirmDelete}
          onClose={() => setConfirm(null)}
          finalFocus={() => (messageDeleted.current ? composerRef.current : true)}
        />
      )}
    </div>
  );
}
