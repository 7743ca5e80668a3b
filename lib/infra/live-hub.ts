import "server-only";
import pg from "pg";
import { config } from "../config";
import { AppError } from "../errors";
import {
  type Credential,
  CREDENTIAL_CHANNELS,
  type CredentialEnd,
  credentialKey,
  endedBy,
  endedCredentialKey,
  workingCredentialKeys,
} from "../server/credentials";
import {
  EVENTS_CHANNEL,
  eventBounds,
  eventIdsAfter,
  pruneEvents,
  eventsSince,
  loadEvents,
  personalize,
  type StoredEvent,
} from "../server/events";
import { leaveGroupsOfDeletedAccounts } from "../server/groups";
import { presenceAudience, presenceNotice, sweepPresence, touchPresence } from "../server/presence";
import { connectTimeoutMs, directDatabaseUrl, queryTimeoutMs, watchListener } from "../db";
import { log } from "../log";

/**
 * One per app instance: listens on the `parley_events` channel with a dedicated PostgreSQL connection and delivers
 * events to this instance's open streams (docs/realtime.md).
 *
 * Ordering. Event ids come from one sequence, but transactions commit in any order, so id 105 can become visible
 * before id 104. If a stream delivered 105 and the client reconnected with `Last-Event-ID: 105` before 104
 * committed, replaying `id > 105` would lose 104. So the hub releases events only up to a high-water mark: the
 * largest id such that every smaller id has been seen (NOTIFY) or has stayed missing for `EVENTS_GAP_TIMEOUT_MS` (a rolled
 * back transaction consumed it). Streams receive events in id order, and replay from the database is exact. The one
 * exception, logged, is an event whose transaction commits later than the gap timeout: it is delivered on arrival.
 *
 * Credentials. Each stream was opened with a bearer token or a browser session (lib/server/credentials.ts) and ends
 * when that credential does: the same connection listens on the channels that announce ended credentials, so a
 * revocation's notice arrives in commit order with the events — before the notice of any event committed after it —
 * and the stream is ended before such an event could be written to it. Sessions also end at their expiry, by a timer.
 */

/** Most events replayed to a reconnecting client; beyond that it is told to refetch (`resync`). */
export const REPLAY_LIMIT = 500;
/** Most event ids one load of the hub asks for (`release`). */
const MAX_LOAD_IDS = 1000;
/** The longest delay `setTimeout` takes, ms (a signed 32-bit integer; longer ones fire at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Subscriber {
  userId: string;
  /** What the stream was opened with; it ends when this does. */
  credential: Credential;
  /** `credentialKey` of {@link credential}. */
  key: string;
  write(frame: string): void;
  close(): void;
  /** Set once the stream was ended for its credential; nothing more is written to it. */
  ended: boolean;
  /** Fires at the session's expiry. */
  expiryTimer?: NodeJS.Timeout;
  /** Id of the last event written to it. */
  cursor: bigint;
  /** Events released while it was replaying; written after the replay. */
  backlog: StoredEvent[] | null;
}

/** SSE framing (WHATWG HTML, "Server-sent events"): one `data:` line, since JSON.stringify emits no newlines. */
export function sseFrame(type: string, data: unknown, id?: bigint): string {
  return `${id !== undefined ? `id: ${id}\n` : ""}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

class EventHub {
  // Settings (lib/config.ts), read when the hub is made.
  private readonly gapTimeoutMs = config().EVENTS_GAP_TIMEOUT_MS;
  private readonly heartbeatMs = config().EVENTS_HEARTBEAT_MS;
  private readonly retentionHours = config().EVENTS_RETENTION_HOURS;
  private readonly presenceTimeoutMs = config().PRESENCE_TIMEOUT_MS;
  /** Presence notices are delivered one after another (each asks the database who may see it), in arrival order. */
  private presenceQueue: Promise<void> = Promise.resolve();
  private client: pg.Client | null = null;
  private starting: Promise<void> | null = null;
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  /** The same subscribers by credential key, to end them when their credential ends. */
  private readonly byCredential = new Map<string, Set<Subscriber>>();
  /** Every id ≤ stable is released. */
  private stable = 0n;
  /** Notified ids above `stable`, with when they arrived. */
  private readonly pending = new Map<bigint, number>();
  /** Ids the mark passed without a notification (gap timeout); one may still commit late. Bounded. */
  private readonly skipped = new Set<bigint>();
  private gapTimer: NodeJS.Timeout | null = null;
  private delivering: Promise<void> = Promise.resolve();
  /**
   * The ids released since the last load started, waiting for their turn on `delivering`: the next load takes them
   * all in one query (see `release`). `late` holds those among them released late (delivered whatever the cursors).
   */
  private toLoad: { ids: bigint[]; late: Set<bigint> } | null = null;
  private timers: NodeJS.Timeout[] = [];
  private reconnectDelay = 1000;
  /** Whether a reconnection is scheduled or under way (see `reconnect`). */
  private reconnecting = false;
  private closed = false;
  /** Set while the listening connection is lost, until open streams' credentials are checked again. */
  private credentialsUnchecked = false;
  /** Counts the checks queued after reconnections. */
  private credentialChecks = 0;
  /** Notifications received before the first high-water mark was read; handled once it is. */
  private startupBuffer: pg.Notification[] | null = [];

  /** Number of open streams on this instance (read by the live benchmark). */
  get size(): number {
    let n = 0;
    for (const set of this.subscribers.values()) n += set.size;
    return n;
  }

  private start(): Promise<void> {
    this.starting ??= this.connect(true).catch((e) => {
      this.starting = null;
      throw e;
    });
    return this.starting;
  }

  private async connect(first: boolean): Promise<void> {
    // Until this connection's check of the open streams' credentials (queued below) has run, no typing is written;
    // an earlier connection's check, still queued, does not count.
    const check = first ? 0 : ++this.credentialChecks;
    if (!first) this.credentialsUnchecked = true;
    const client = new pg.Client({
      connectionString: directDatabaseUrl(),
      application_name: "parley-live",
      // An attempt that gets no answer must fail, or the reconnect loop would wait on it forever (see lib/db.ts); so
      // must its LISTEN statements.
      connectionTimeoutMillis: connectTimeoutMs(),
      query_timeout: queryTimeoutMs(),
    });
    client.on("notification", (n) => this.onNotification(n));
    client.on("error", () => this.onConnectionLost(client));
    client.on("end", () => this.onConnectionLost(client));
    // A client that failed is ended, so that it holds no connection; its "error"/"end" listeners stay (no-ops once it
    // is not `this.client`), so that a late error event cannot go unhandled.
    const discard = () => {
      if (this.client === client) this.client = null;
      client.removeAllListeners("notification");
      void client.end().catch(() => undefined);
    };
    try {
      await client.connect();
      for (const channel of [EVENTS_CHANNEL, ...Object.keys(CREDENTIAL_CHANNELS)]) await client.query(`LISTEN ${channel}`);
    } catch (e) {
      discard();
      throw e;
    }
    if (this.closed) return discard();
    this.client = client;
    watchListener(client, () => this.onConnectionLost(client));
    try {
      if (first) {
        // LISTEN first, then read the newest id: anything committed after this is notified to us. Notifications that
        // arrive meanwhile wait until the mark is known (those at or below it committed before we started).
        this.stable = (await eventBounds()).max ?? 0n;
        const buffered = this.startupBuffer ?? [];
        this.startupBuffer = null;
        for (const notification of buffered) this.onNotification(notification);
        this.timers.push(
          setInterval(() => this.heartbeat(), this.heartbeatMs).unref(),
          setInterval(() => void this.prune(), 10 * 60_000).unref(),
          setInterval(() => void this.presenceTick(), Math.max(1, Math.floor(this.presenceTimeoutMs / 3))).unref(),
        );
      } else {
        // Notifications sent while we were disconnected are lost. Credentials ended meanwhile are found by asking, ahead
        // of every delivery from here on (deliveries run one after another on `delivering`); the outbox has the events.
        // Ids released from here on wait for it too: they go to a load queued after the check, not to one queued before.
        this.toLoad = null;
        this.delivering = this.delivering.then(() => this.endStreamsWithEndedCredentials(check));
        const missed = await eventIdsAfter(this.stable, 10 * REPLAY_LIMIT);
        const now = Date.now();
        for (const id of missed) this.pending.set(id, now);
        this.advance();
      }
    } catch (e) {
      discard();
      throw e;
    }
    if (this.client !== client) {
      // Lost while catching up: notifications may have been missed after what was just read, so catch up again.
      if (first) return this.reconnect();
      throw new Error("the listening connection was lost while catching up");
    }
    this.reconnectDelay = 1000;
  }

  private onConnectionLost(client: pg.Client) {
    if (this.client !== client || this.closed) return;
    this.client = null;
    this.credentialsUnchecked = true;
    client.removeAllListeners("notification");
    void client.end().catch(() => undefined);
    // Before the first connection is set up, `connect(true)` sees the loss and handles it.
    if (this.startupBuffer === null) this.reconnect();
  }

  /**
   * Listens again after the back-off delay (1 s, doubling up to 30 s), and keeps trying until that succeeds or the hub
   * shuts down; the database may take longer to come back than one delay. One loop at a time: a loss noticed while
   * a reconnection is under way is that reconnection's failure.
   */
  private reconnect() {
    if (this.reconnecting || this.closed) return;
    this.reconnecting = true;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(delay * 2, 30_000);
    setTimeout(() => {
      if (this.closed) return;
      this.connect(false).then(
        () => {
          this.reconnecting = false;
        },
        () => {
          this.reconnecting = false;
          this.reconnect();
        },
      );
    }, delay).unref();
  }

  private onNotification(notification: pg.Notification) {
    if (this.startupBuffer) {
      this.startupBuffer.push(notification);
      return;
    }
    if (notification.channel !== EVENTS_CHANNEL) return this.onCredentialEnded(notification);
    const payload = notification.payload ?? "";
    if (payload.startsWith("{")) return this.onEphemeral(payload);
    if (!/^\d+$/.test(payload)) return;
    const id = BigInt(payload);
    if (id <= this.stable) {
      // Below the mark: either an id we gave up waiting for (deliver it now, out of order), or one we released
      // already or that committed before this hub started (ignore).
      if (this.skipped.delete(id)) {
        log.warn({ eventId: payload }, "late event delivered out of order");
        this.release([id], true);
      }
      return;
    }
    this.pending.set(id, Date.now());
    this.advance();
  }

  /** Moves the high-water mark over every contiguous notified id, and over gaps older than EVENTS_GAP_TIMEOUT_MS. */
  private advance() {
    const released: bigint[] = [];
    const now = Date.now();
    while (this.pending.size > 0) {
      const next = this.stable + 1n;
      if (this.pending.has(next)) {
        this.pending.delete(next);
        this.stable = next;
        released.push(next);
        continue;
      }
      let lowest = -1n;
      for (const id of this.pending.keys()) if (lowest < 0n || id < lowest) lowest = id;
      const waited = now - this.pending.get(lowest)!;
      if (waited < this.gapTimeoutMs) {
        this.gapTimer ??= setTimeout(() => {
          this.gapTimer = null;
          this.advance();
        }, this.gapTimeoutMs - waited + 5);
        break;
      }
      // The ids in between never showed up: rolled back, or still in flight after EVENTS_GAP_TIMEOUT_MS.
      for (let id = this.stable + 1n; id < lowest && id <= this.stable + 1000n; id++) this.skipped.add(id);
      while (this.skipped.size > 10_000) this.skipped.delete(this.skipped.values().next().value!);
      this.stable = lowest - 1n;
    }
    if (released.length) this.release(released);
  }

  /**
   * Loads released events and writes them, in release order, to the streams of their recipients. Loads run one after
   * another on `delivering`; the ids released while one is under way (or queued) wait for the next, which loads them
   * all in one query: a burst of single-id releases costs one round trip per load, not one per event, so the chain
   * keeps up however fast events come (at most {@link MAX_LOAD_IDS} ids per query).
   */
  private release(ids: bigint[], late = false) {
    let batch = this.toLoad;
    if (!batch || batch.ids.length >= MAX_LOAD_IDS) {
      const queued = (batch = this.toLoad = { ids: [], late: new Set() });
      this.delivering = this.delivering.then(async () => {
        if (this.toLoad === queued) this.toLoad = null;
        if (this.subscribers.size === 0) return;
        let events: StoredEvent[];
        try {
          events = await loadEvents(queued.ids);
        } catch (e) {
          log.warn({ err: e }, "loading live events failed: streams told to resync");
          return this.broadcastResync("events could not be loaded");
        }
        const byId = new Map(events.map((event) => [event.id, event]));
        for (const id of queued.ids) {
          const event = byId.get(id);
          if (event) this.dispatch(event, queued.late.has(id));
        }
      });
    }
    batch.ids.push(...ids);
    if (late) for (const id of ids) batch.late.add(id);
  }

  /**
   * Writes an event to its recipients' streams. A stream whose cursor is already at or past the event got it by
   * replay (an event can still be on its way here when a reconnecting stream's replay reads it from the table),
   * so it is skipped — unless it is late: an id the mark gave up on, which nobody has had.
   */
  private dispatch(event: StoredEvent, late: boolean) {
    const now = Date.now();
    for (const userId of event.recipients) {
      const subs = this.subscribers.get(userId);
      if (!subs) continue;
      // One frame per recipient, however many tabs they have open.
      let frame: string | undefined;
      for (const sub of subs) {
        if (this.endIfExpired(sub, now)) continue;
        if (sub.backlog) sub.backlog.push(event);
        else if (late || event.id > sub.cursor) this.write(sub, event, (frame ??= this.frameFor(event, userId)));
      }
    }
  }

  private frameFor(event: StoredEvent, userId: string): string {
    return sseFrame(event.type, personalize(event, userId), event.id);
  }

  private write(sub: Subscriber, event: StoredEvent, frame = this.frameFor(event, sub.userId)) {
    sub.write(frame);
    if (event.id > sub.cursor) sub.cursor = event.id;
  }

  private onEphemeral(raw: string) {
    if (this.credentialsUnchecked) return;
    let msg: { type?: string; payload?: unknown; recipients?: unknown };
    try {
      msg = JSON.parse(raw);
    } catch {
      return;
    }
    if (msg.type === "presence") return this.onPresence(msg);
    if (msg.type !== "typing" || !Array.isArray(msg.recipients)) return;
    const frame = sseFrame(msg.type, msg.payload);
    const now = Date.now();
    for (const userId of msg.recipients) {
      for (const sub of this.subscribers.get(String(userId)) ?? []) if (!this.endIfExpired(sub, now)) sub.write(frame);
    }
  }

  /**
   * Someone came online or went offline (lib/server/presence.ts): tells this instance's streams of the people who share
   * a thread with them, with the last-seen time unless the viewer hides their own.
   */
  private onPresence(raw: unknown) {
    const parsed = presenceNotice.safeParse(raw);
    if (!parsed.success) return;
    const notice = parsed.data;
    this.presenceQueue = this.presenceQueue.then(async () => {
      const here = [...this.subscribers.keys()];
      const audience = await presenceAudience(notice.userId, here).catch((e: unknown) => {
        log.warn({ err: e }, "presence: could not read who to tell");
        return [];
      });
      const now = Date.now();
      for (const viewer of audience) {
        const frame = sseFrame("presence", {
          userId: notice.userId,
          presence: { status: notice.online ? "online" : "offline", lastSeenAt: viewer.hides ? null : notice.lastSeenAt },
        });
        for (const sub of this.subscribers.get(viewer.id) ?? []) if (!this.endIfExpired(sub, now)) sub.write(frame);
      }
    });
  }

  /**
   * Every third of PRESENCE_TIMEOUT_MS: marks the people with streams open here as seen, then sweeps those everywhere
   * whose time ran out. A failure (the database away) is logged; the next tick tries again.
   */
  private async presenceTick(): Promise<void> {
    // Apart: a failed touch must not keep this instance from sweeping, nor the other way round.
    await touchPresence([...this.subscribers.keys()]).catch((e: unknown) => log.warn({ err: e }, "presence: heartbeat failed"));
    await sweepPresence(this.presenceTimeoutMs).catch((e: unknown) => log.warn({ err: e }, "presence: sweep failed"));
  }

  /** A credential ended (its row was deleted): its streams on this instance end now. */
  private onCredentialEnded(notification: pg.Notification) {
    const key = endedCredentialKey(notification.channel, notification.payload);
    if (!key) return;
    for (const sub of this.byCredential.get(key) ?? []) this.end(sub, endedBy(sub.credential.kind));
  }

  /**
   * Asks the database which open streams' credentials still work, and ends the others: after the listening
   * connection was lost, when the notices of what ended meanwhile were lost with it. Until then no typing is written
   * (stored events wait on `delivering`). If the question cannot be asked, every stream is closed without a reason:
   * clients reconnect, are authenticated afresh, and replay what they missed.
   */
  private async endStreamsWithEndedCredentials(check: number) {
    try {
      const open = [...this.byCredential.values()].map((set) => set.values().next().value!.credential);
      const working = open.length === 0 ? new Set<string>() : await workingCredentialKeys(open);
      for (const [key, set] of this.byCredential) {
        if (working.has(key)) continue;
        for (const sub of set) this.end(sub, endedBy(sub.credential.kind));
      }
    } catch (e) {
      log.warn({ err: e }, "checking open streams' credentials failed: streams closed to reconnect");
      for (const set of this.subscribers.values()) for (const sub of set) this.drop(sub);
    } finally {
      // A check queued by a later reconnection is the one that may clear it.
      if (check === this.credentialChecks) this.credentialsUnchecked = false;
    }
  }

  /** Ends `sub` if its credential has expired; true when it did. */
  private endIfExpired(sub: Subscriber, now: number): boolean {
    const { expiresAt } = sub.credential;
    if (expiresAt === null || expiresAt.getTime() > now) return false;
    this.end(sub, "session_expired");
    return true;
  }

  /** Closes a stream without a reason (the client reconnects, as after a restart). */
  private drop(sub: Subscriber) {
    this.remove(sub);
    sub.close();
  }

  /**
   * Ends a stream because its credential ended: one last `unauthorized` event saying why (no id: it is not replayed),
   * then the stream closes. The client's next request with that credential gets 401.
   */
  private end(sub: Subscriber, reason: CredentialEnd) {
    if (sub.ended) return;
    sub.ended = true;
    this.remove(sub);
    sub.write(sseFrame("unauthorized", { reason }));
    sub.close();
  }

  /** Forgets a subscriber (idempotent). */
  private remove(sub: Subscriber) {
    clearTimeout(sub.expiryTimer);
    for (const [map, key] of [
      [this.subscribers, sub.userId],
      [this.byCredential, sub.key],
    ] as const) {
      const set = map.get(key);
      if (!set) continue;
      set.delete(sub);
      if (set.size === 0) map.delete(key);
    }
  }

  /** Ends `sub` when its credential expires (a timer; Node's longest delay is about 24.8 days, so it may re-arm). */
  private armExpiry(sub: Subscriber) {
    const { expiresAt } = sub.credential;
    if (expiresAt === null || sub.ended) return;
    const delay = Math.min(expiresAt.getTime() - Date.now(), MAX_TIMER_MS);
    sub.expiryTimer = setTimeout(() => {
      if (!this.endIfExpired(sub, Date.now())) this.armExpiry(sub);
    }, Math.max(delay, 0)).unref();
  }

  private heartbeat() {
    for (const set of this.subscribers.values()) for (const sub of set) sub.write(": keep-alive\n\n");
  }

  private broadcastResync(reason: string) {
    for (const set of this.subscribers.values()) {
      for (const sub of set) {
        sub.write(sseFrame("resync", { reason }, this.stable));
        sub.cursor = this.stable;
      }
    }
  }

  /** Every ten minutes: old events go, and deleted accounts still in groups leave them (lib/server/groups.ts). */
  private async prune() {
    try {
      await pruneEvents(this.retentionHours);
      await leaveGroupsOfDeletedAccounts();
    } catch (e) {
      log.warn({ err: e }, "periodic clean-up failed; the next round tries again");
    }
  }

  /**
   * Opens a stream for `userId`, who authenticated with `credential`. Replays what they missed after `since` (their
   * `Last-Event-ID`), or tells them to `resync` when that is more than {@link REPLAY_LIMIT} events or older than what
   * is retained, then sends `ready` and live events from there on, until the credential ends (then `unauthorized`
   * and `close`).
   *
   * The credential is checked again once this hub listens for its end (the request may have been authenticated from
   * a cache, or before this hub started listening), so no credential that ended before the stream opened gets one.
   * Once the stream is ready, its person is marked online (lib/server/presence.ts).
   * @returns a function that closes the subscription.
   * @throws AppError `unauthorized` when the credential ended before the stream could open; an error when the
   *   database cannot be reached.
   */
  async subscribe(
    userId: string,
    credential: Credential,
    since: bigint | null,
    write: (frame: string) => void,
    close: () => void,
  ): Promise<() => void> {
    await this.start();
    const key = credentialKey(credential.kind, credential.id);
    const sub: Subscriber = { userId, credential, key, write, close, ended: false, cursor: 0n, backlog: [] };
    for (const [map, k] of [
      [this.subscribers, userId],
      [this.byCredential, key],
    ] as const) {
      let set = map.get(k);
      if (!set) map.set(k, (set = new Set()));
      set.add(sub);
    }
    const unsubscribe = () => this.remove(sub);
    // Read with the registration, before any await: what is released from here on goes to the backlog.
    const upTo = this.stable;
    sub.cursor = upTo;
    try {
      // From here on, a notice of the credential's end reaches `sub`; what ended before is found by asking.
      if (!(await workingCredentialKeys([credential])).has(key) || sub.ended) {
        throw new AppError("unauthorized", "The credential this stream was opened with is no longer valid.");
      }
      this.armExpiry(sub);
      if (since !== null && since !== upTo) {
        const { min } = await eventBounds();
        const pruned = min === null ? since < upTo : since < min - 1n;
        const missed = since > upTo || pruned ? null : await eventsSince(userId, since, upTo, REPLAY_LIMIT);
        if (!missed || missed.length > REPLAY_LIMIT) {
          write(sseFrame("resync", { reason: missed ? "too many missed events" : "missed events are no longer kept" }, upTo));
        } else {
          for (const event of missed) write(sseFrame(event.type, personalize(event, userId), event.id));
        }
      }
      const backlog = sub.backlog ?? [];
      sub.backlog = null;
      if (sub.ended) return unsubscribe;
      for (const event of backlog) if (event.id > sub.cursor) this.write(sub, event);
      write(sseFrame("ready", {}, sub.cursor));
    } catch (e) {
      unsubscribe();
      throw e;
    }
    // Online from now (announced if they were not), before the stream counts as open; it stays open if the database
    // cannot be told (the next heartbeat tries again).
    await touchPresence([userId]).catch((e: unknown) => log.warn({ err: e }, "presence: could not mark a stream's person online"));
    return unsubscribe;
  }

  /** Ends every stream and the listening connection (graceful shutdown). */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    for (const set of this.subscribers.values()) {
      for (const sub of set) {
        clearTimeout(sub.expiryTimer);
        sub.close();
      }
    }
    this.subscribers.clear();
    this.byCredential.clear();
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }
}

const globalForHub = globalThis as unknown as { parleyHub?: EventHub };

/** This process's hub (created on first use; closes its streams on SIGTERM and SIGINT). */
export function getHub(): EventHub {
  if (!globalForHub.parleyHub) {
    const hub = new EventHub();
    globalForHub.parleyHub = hub;
    for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void hub.shutdown());
  }
  return globalForHub.parleyHub;
}

/** Ends this process's streams and listening connection, if the hub was ever started (graceful shutdown). */
export async function shutdownHub(): Promise<void> {
  await globalForHub.parleyHub?.shutdown();
}
