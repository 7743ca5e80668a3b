import "server-only";
import type { EventType } from "../schemas/events";
import { blockedEitherWay } from "./blocks";
import { type Db, getPrisma, Prisma } from "./sql";

/**
 * The transactional outbox of live events (docs/realtime.md).
 *
 * Writers call {@link recordThreadEvent} inside the transaction that makes the change, so an event exists exactly
 * when its change committed. The same statement queues `NOTIFY parley_events, '<id>'`, which PostgreSQL delivers to
 * every listening app instance at commit (PostgreSQL docs, "NOTIFY": notifications are delivered between
 * transactions, in commit order, and not at all when the transaction aborts).
 */

/**
 * The LISTEN/NOTIFY channel. Payload: a persisted event's id (decimal), or a JSON ephemeral event. The SQL function
 * `parley_record_thread_event` names it too.
 */
export const EVENTS_CHANNEL = "parley_events";

/** Event types stored in the outbox (everything but the ephemeral and control ones). */
export type PersistedEventType = Exclude<EventType, "typing" | "resync" | "ready">;

/** Whose unread counts to attach to the event: every participant's, one participant's, or none. */
export type PersonalCounts = { all: true } | { only: string } | null;

/**
 * Records an event for every current participant of `threadId` and queues its NOTIFY. Call it inside the
 * transaction that makes the change, after the change (so the participants' unread counts are the new ones).
 * Records nothing when the thread has no participants left. The SQL is `parley_record_thread_event`
 * (prisma/sql/functions/), which the functions that write messages and read state call too; this is for the others
 * (threads and their members). An event whose payload carries a `message` gets each recipient's `isRead` for it.
 * `recipients`, when given, narrows them to those of the participants it names.
 */
export async function recordThreadEvent(
  tx: Db,
  threadId: string,
  type: PersistedEventType,
  payload: object,
  counts: PersonalCounts = null,
  recipients: readonly string[] | null = null,
): Promise<void> {
  const [mode, user] = counts === null ? ["none", null] : "all" in counts ? ["all", null] : ["only", counts.only];
  const [row] = await tx.$queryRaw<{ id: bigint | null }[]>`
    SELECT parley_record_thread_event(${threadId}, ${type}, ${JSON.stringify(payload)}::jsonb, ${mode}, ${user},
      ${recipients}::text[]) AS id`;
  if (row?.id != null && "thread" in payload) await hideBlockedPresence(tx, row.id, threadId);
}

/**
 * For an event whose payload carries a whole thread (participants with their presence, the same for every
 * recipient): puts `hidePresenceOf` into the personal fields of each recipient who is in a block with other
 * participants (either way), naming them, so that {@link personalize} shows them offline to that recipient, as every
 * other answer does (`parley_presence_json`). One statement; nothing when there is no such block.
 */
async function hideBlockedPresence(tx: Db, eventId: bigint, threadId: string): Promise<void> {
  await tx.$executeRaw`
    UPDATE events e SET personal = e.personal || m.fields
    FROM (
      SELECT jsonb_object_agg(r.recipient, coalesce(ev.personal -> r.recipient, '{}'::jsonb) || jsonb_build_object('hidePresenceOf', r.hidden)) AS fields
      FROM events ev
      CROSS JOIN LATERAL (
        SELECT p.user_id AS recipient, jsonb_agg(o.user_id) AS hidden
        FROM participants p JOIN participants o ON o.thread_id = p.thread_id AND o.user_id <> p.user_id
        WHERE p.thread_id = ${threadId} AND p.user_id = ANY(ev.recipients)
          AND ${blockedEitherWay(Prisma.sql`p.user_id`, Prisma.sql`o.user_id`)}
        GROUP BY p.user_id
      ) r
      WHERE ev.id = ${eventId}
      HAVING count(*) > 0
    ) m
    WHERE e.id = ${eventId}`;
}

/**
 * Announces an ephemeral event (not stored, no id, never replayed) to `recipients`.
 * The NOTIFY payload stays far below PostgreSQL's 8000-byte limit: ids only.
 */
export async function notifyEphemeral(type: "typing", payload: object, recipients: string[]): Promise<void> {
  const message = JSON.stringify({ type, payload, recipients });
  await getPrisma().$queryRaw`SELECT pg_notify(${EVENTS_CHANNEL}, ${message})::text`;
}

/** A stored event as the hub reads it. */
export interface StoredEvent {
  id: bigint;
  type: PersistedEventType;
  payload: Record<string, unknown>;
  /** Per recipient: `unreadCount`, `unreadMentionCount`, and, when the payload has a `message`, `isRead` (see {@link personalize}). */
  personal: Record<string, Record<string, unknown>>;
  recipients: string[];
}

/** Loads events by id, in id order. */
export function loadEvents(ids: bigint[]): Promise<StoredEvent[]> {
  return getPrisma().$queryRaw<StoredEvent[]>`
    SELECT id, type, payload, personal, recipients FROM events WHERE id = ANY(${ids}::bigint[]) ORDER BY id`;
}

/**
 * The events `userId` received after `afterId` up to `upToId`, oldest first, at most `limit + 1` rows (one more than
 * the limit tells the caller that too much was missed).
 */
export function eventsSince(userId: string, afterId: bigint, upToId: bigint, limit: number): Promise<StoredEvent[]> {
  return getPrisma().$queryRaw<StoredEvent[]>`
    SELECT id, type, payload, personal, recipients FROM events
    WHERE recipients @> ARRAY[${userId}]::text[] AND id > ${afterId} AND id <= ${upToId}
    ORDER BY id LIMIT ${limit + 1}`;
}

/** Ids of stored events after `afterId`, oldest first, at most `limit` (what a listener that lost its connection missed). */
export async function eventIdsAfter(afterId: bigint, limit: number): Promise<bigint[]> {
  const rows = await getPrisma().$queryRaw<{ id: bigint }[]>`
    SELECT id FROM events WHERE id > ${afterId} ORDER BY id LIMIT ${limit}`;
  return rows.map((r) => r.id);
}

/** Advisory lock key of the retention prune, the same on every instance (any fixed number; only this takes it). */
const PRUNE_LOCK_KEY = 7_261_021;

/**
 * Deletes the events older than `retentionHours` (`EVENTS_RETENTION_HOURS`): a client that reconnects with an older
 * `Last-Event-ID` is told to refetch (`resync`). One instance at a time prunes; the others skip their turn rather than
 * wait (a transaction-scoped advisory lock, `pg_try_advisory_xact_lock`).
 */
export async function pruneEvents(retentionHours: number): Promise<void> {
  await getPrisma().$transaction(async (tx) => {
    const [lock] = await tx.$queryRaw<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${PRUNE_LOCK_KEY}) AS ok`;
    if (lock?.ok) await tx.$executeRaw`DELETE FROM events WHERE created_at < now() - make_interval(hours => ${retentionHours}::int)`;
  });
}

/** Id bounds of the retained events (`null`s when there are none). */
export async function eventBounds(): Promise<{ min: bigint | null; max: bigint | null }> {
  const [row] = await getPrisma().$queryRaw<{ min: bigint | null; max: bigint | null }[]>`
    SELECT min(id) AS min, max(id) AS max FROM events`;
  return row ?? { min: null, max: null };
}

/**
 * The payload one recipient sees: the shared payload with that recipient's personal fields put in. The personal
 * fields are decided in SQL when the event is written (`parley_record_thread_event`), by the same rules as every other
 * answer: `unreadCount` and `unreadMentionCount` (the recipient's counts in the thread) go into the payload's `thread`
 * when it carries one (`thread.updated`), else into the payload itself; `isRead` (whether the recipient has read the event's message:
 * `parley_is_read`) into its `message`; `hidePresenceOf` (people in a block with the recipient) shows those
 * participants of the payload's `thread` offline. Nothing about read state is decided here.
 */
export function personalize(event: StoredEvent, userId: string): Record<string, unknown> {
  const { isRead, unreadCount, unreadMentionCount, hidePresenceOf, ...fields } = event.personal[userId] ?? {};
  const payload: Record<string, unknown> = { ...event.payload, ...fields };
  if (isRead !== undefined && isObject(payload.message)) payload.message = { ...payload.message, isRead };
  if (Array.isArray(hidePresenceOf) && isObject(payload.thread) && Array.isArray(payload.thread.participants)) {
    const hidden = new Set(hidePresenceOf);
    payload.thread = {
      ...payload.thread,
      participants: payload.thread.participants.map((p: unknown) =>
        isObject(p) && hidden.has(p.id) ? { ...p, presence: { status: "offline", lastSeenAt: null } } : p,
      ),
    };
  }
  if (unreadCount !== undefined) {
    const counts = { unreadCount, unreadMentionCount: unreadMentionCount ?? 0 };
    if (isObject(payload.thread)) payload.thread = { ...payload.thread, ...counts };
    else Object.assign(payload, counts);
  }
  return payload;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
