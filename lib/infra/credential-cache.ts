import "server-only";
import pg from "pg";
import { config } from "../config";
import { connectTimeoutMs, directDatabaseUrl, queryTimeoutMs, watchListener } from "../db";
import { CREDENTIAL_CHANNELS, endedCredentialKey } from "../server/credentials";

/** `TOKEN_CACHE` (lib/config.ts): off by default on Vercel, where an instance can be frozen with its listener. */
const cacheEnabled = () => config().TOKEN_CACHE;

/**
 * This instance's memory of recent credential lookups (bearer tokens and browser sessions, lib/server/credentials.ts),
 * so that an API request does not cost a database round trip just to learn who is calling (issue 5: the token lookup
 * was half the SQL of `GET /api/unread`).
 *
 * Revocation stays prompt. Triggers on `api_tokens` and `sessions` send `NOTIFY parley_tokens, '<token hash>'` and
 * `NOTIFY parley_sessions, '<session id>'` whenever a row is deleted or its owner changes, whatever deleted it:
 * `DELETE /api/tokens/{id}`, a sign-out, a user's deletion cascading, or an operator's SQL. PostgreSQL delivers them to
 * every listening instance when the deleting transaction commits, and each drops the entry; the instance that ended a
 * credential also drops it before answering. The cache is used only while its listening connection is up: it starts
 * empty, is cleared when the connection drops (notifications sent meanwhile are lost) and again once it is back, and
 * until then every lookup goes to the database. Entries also expire after {@link TTL_MS} (or when the credential
 * itself expires, if sooner) and the cache holds at most {@link MAX_ENTRIES}, evicting the least recently used.
 *
 * What remains: an instance can accept an ended credential between the ending commit and the moment it handles the
 * notification (milliseconds, the same path live events take; docs/decisions.md).
 */

const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 10_000;

/** A cached lookup: whose credential it is, and what its kind needs to remember. */
export interface CachedCredential {
  userId: string;
  /** Tokens: the row's id. */
  tokenId?: string;
  /** Tokens: when `lastUsedAt` was last written or read, ms since the epoch (0 = never used). Updated in place. */
  lastUsedAt?: number;
  /** Sessions: when the session ends, ms since the epoch. */
  endsAt?: number;
}

interface Entry {
  value: CachedCredential;
  /** When the entry is dropped, ms since the epoch. */
  expiresAt: number;
}

class CredentialCache {
  private readonly entries = new Map<string, Entry>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private retryAt = 0;
  private retryDelay = 1000;
  private closed = false;
  private generationCounter = 0;

  /** Whether lookups may be answered from memory: only while the listening connection is up. */
  get active(): boolean {
    return this.client !== null;
  }

  /**
   * The cached lookup for a credential key (lib/server/credentials.ts, `credentialKey`), or `undefined` (not cached,
   * expired, or the listener is down). Starts the listener on first use without waiting for it.
   */
  get(key: string): CachedCredential | undefined {
    if (!this.client) {
      this.listen();
      return undefined;
    }
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Most recently used last: Map keeps insertion order, so the first key is the eviction candidate.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /**
   * Remembers a lookup made against the database, for {@link TTL_MS} or until `value.endsAt`, whichever comes first.
   * Ignored while the listener is down: a revocation could not reach this entry.
   * @param generation the value of {@link generation} read before the database lookup started. If it changed since
   *   (a credential ended, or the listener reconnected), the lookup may predate an ending and is not kept.
   */
  set(key: string, value: CachedCredential, generation: number): void {
    if (!this.client || generation !== this.generationCounter) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: Math.min(Date.now() + TTL_MS, value.endsAt ?? Infinity) });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Changes on every ending notice and whenever the cache is cleared; see {@link set}. */
  get generation(): number {
    return this.generationCounter;
  }

  /** Forgets a credential at once (this instance ended it; the notification reaches the others). */
  drop(key: string): void {
    this.entries.delete(key);
  }

  private clear(): void {
    this.entries.clear();
    this.generationCounter++;
  }

  private listen(): void {
    if (this.connecting || this.closed || Date.now() < this.retryAt || !cacheEnabled()) return;
    this.connecting = this.connect()
      .catch(() => {
        this.retryAt = Date.now() + this.retryDelay;
        this.retryDelay = Math.min(this.retryDelay * 2, 30_000);
      })
      .finally(() => {
        this.connecting = null;
      });
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: directDatabaseUrl(),
      application_name: "parley-credential-cache",
      // An attempt that gets no answer must fail: while it is pending, the cache does not try again (see lib/db.ts); so
      // must its LISTEN statements.
      connectionTimeoutMillis: connectTimeoutMs(),
      query_timeout: queryTimeoutMs(),
    });
    client.on("notification", (n) => {
      const key = endedCredentialKey(n.channel, n.payload);
      if (!key) return;
      this.entries.delete(key);
      // A lookup still in flight may have read the row before it was deleted: it must not be cached (see set).
      this.generationCounter++;
    });
    const lost = () => {
      if (this.client !== client) return;
      this.client = null;
      this.clear();
      void client.end().catch(() => undefined);
    };
    client.on("error", lost);
    client.on("end", lost);
    try {
      await client.connect();
      for (const channel of Object.keys(CREDENTIAL_CHANNELS)) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      client.removeAllListeners("end");
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    // Whatever was cached before this connection may have missed a notification.
    this.clear();
    this.client = client;
    watchListener(client, lost);
    this.retryDelay = 1000;
  }

  /** Closes the listening connection and forgets everything (graceful shutdown, tests). */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    this.clear();
    await this.connecting;
    await client?.end().catch(() => undefined);
  }

  /** Waits until the listener is up (tests); resolves `false` if it cannot connect. */
  async ready(): Promise<boolean> {
    this.listen();
    await this.connecting;
    return this.client !== null;
  }
}

const globalForCache = globalThis as unknown as { parleyCredentialCache?: CredentialCache };

/** This process's credential cache (created on first use; closes on SIGTERM and SIGINT). */
export function getCredentialCache(): CredentialCache {
  if (!globalForCache.parleyCredentialCache) {
    const cache = new CredentialCache();
    globalForCache.parleyCredentialCache = cache;
    for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void cache.close());
  }
  return globalForCache.parleyCredentialCache;
}
