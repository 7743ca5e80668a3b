"use client";

/**
 * The outbox: messages the person has sent that the server has not confirmed yet.
 *
 * Sending is optimistic: a message appears at once as pending, carrying a `clientMessageId`. Sends of one thread go
 * out one after another, so they arrive in the order typed. On success the server's message replaces the pending
 * one; on failure it is marked failed, and Retry sends it again with the SAME clientMessageId, so the server
 * returns the original message instead of creating a duplicate when the first attempt did arrive.
 */
import type { QueryClient } from "@tanstack/react-query";
import { useMemo, useSyncExternalStore } from "react";
import type { Message } from "../schemas/messages";
import { apiFetch } from "./api";
import { invalidateThread, upsertMessage } from "./queries";

export interface OutboxEntry {
  threadId: string;
  clientMessageId: string;
  text: string;
  /** The message it replies to, if it is a reply (`replyToId`). */
  replyTo?: { id: string; seq: number; sender: { id: string; username: string; name: string | null }; text: string };
  status: "pending" | "failed";
  /** When the person sent it (ms since epoch), for ordering and display. */
  createdAt: number;
  error?: string;
}

let entries: OutboxEntry[] = [];
const listeners = new Set<() => void>();
const queues = new Map<string, Promise<void>>();

function setEntries(next: OutboxEntry[]) {
  entries = next;
  for (const l of listeners) l();
}

function update(clientMessageId: string, patch: Partial<OutboxEntry> | null) {
  setEntries(
    patch === null
      ? entries.filter((e) => e.clientMessageId !== clientMessageId)
      : entries.map((e) => (e.clientMessageId === clientMessageId ? { ...e, ...patch } : e)),
  );
}

function deliver(client: QueryClient, entry: OutboxEntry): Promise<void> {
  const previous = queues.get(entry.threadId) ?? Promise.resolve();
  const next = previous.then(async () => {
    try {
      const message = await apiFetch<Message>(`/api/threads/${entry.threadId}/messages`, {
        method: "POST",
        body: { text: entry.text, clientMessageId: entry.clientMessageId, replyToId: entry.replyTo?.id },
      });
      upsertMessage(client, message);
      update(entry.clientMessageId, null);
      void invalidateThread(client, entry.threadId);
    } catch (e) {
      // Its live event already confirmed it (settleOutboxEntry): it arrived, only the answer was lost.
      if (!entries.some((x) => x.clientMessageId === entry.clientMessageId)) return;
      update(entry.clientMessageId, { status: "failed", error: e instanceof Error ? e.message : "Not sent." });
      throw e;
    }
  });
  queues.set(entry.threadId, next.catch(() => undefined));
  return next;
}

/**
 * Sends `text` to a thread optimistically.
 * @returns a promise that settles when the server answered (rejects with the ApiError on failure; the entry then
 *   stays in the outbox as failed — unless the live stream confirmed the message meanwhile, which counts as sent).
 */
export function sendMessage(
  client: QueryClient,
  threadId: string,
  text: string,
  replyTo?: OutboxEntry["replyTo"],
): Promise<void> {
  const entry: OutboxEntry = {
    threadId,
    clientMessageId: crypto.randomUUID(),
    text,
    replyTo,
    status: "pending",
    createdAt: Date.now(),
  };
  setEntries([...entries, entry]);
  return deliver(client, entry);
}

/** Sends a failed entry again with its original clientMessageId. */
export function retryMessage(client: QueryClient, clientMessageId: string): Promise<void> {
  const entry = entries.find((e) => e.clientMessageId === clientMessageId);
  if (!entry) return Promise.resolve();
  update(clientMessageId, { status: "pending", error: undefined });
  return deliver(client, { ...entry, status: "pending" });
}

/** Drops a failed entry the person gave up on. */
export function discardMessage(clientMessageId: string): void {
  update(clientMessageId, null);
}

/**
 * The server confirmed a message another way than the POST's answer (its live `message.created` event came first,
 * or another tab retried it): its entry, pending or failed, leaves the outbox. A later answer to the POST finds
 * nothing to update.
 */
export function settleOutboxEntry(clientMessageId: string): void {
  if (entries.some((e) => e.clientMessageId === clientMessageId)) update(clientMessageId, null);
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};
const EMPTY: OutboxEntry[] = [];

/** The outbox entries of one thread, oldest first; re-renders when they change. */
export function useOutbox(threadId: string): OutboxEntry[] {
  const all = useSyncExternalStore(subscribe, () => entries, () => EMPTY);
  return useMemo(() => all.filter((e) => e.threadId === threadId), [all, threadId]);
}
