import pg from "pg";
import { config } from "../config";
import { connectTimeoutMs, directDatabaseUrl } from "../db";

/** `TOKEN_CACHE` (lib/config.ts): off by default on Vercel, where an instance can be frozen with its listener. */
const tokenCacheEnabled = () => config().TOKEN_CACHE;

/**
 * This instance's memory of recent bearer-token lookups, so that an API request does not cost a database round
 * trip just to learn who is calling (issue 5: the lookup was half the SQL of `GET /api/unread`).
 *
 * Revocation stays prompt. A trigger on `api_tokens` (migration `token_revocation_notify`) sends
 * `NOTIFY parley_tokens, '<token hash>'` whenever a token row is deleted or its owner changes, whatever deleted it:
 * `DELETE /api/tokens/{id}`, a user's deletion cascading, or an operator's SQL. PostgreSQL delivers it to every
 * listening instance when the deleting transaction commits, and each drops the entry; the instance that revoked a
 * token also drops it before answering. The cache is used only while its listening connection is up: it starts empty,
 * is cleared when the connection drops (notifications sent meanwhile are lost) and again once it is back, and until
 * then every lookup goes to the database. Entries also expire after {@link TTL_MS} and the cache holds at most
 * {@link MAX_ENTRIES}, evicting the least recently used.
 *
 * What remains: an instance can accept a revoked token between the revoking commit and the moment it handles the
 * notification (milliseconds, the same path live events take; docs/decisions.md).
 */

/** The channel the trigger notifies on. Payload: the SHA-256 (hex) of the token that no longer exists. */
export const TOKENS_CHANNEL = "parley_tokens";
const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 10_000;

export interface CachedToken {
  tokenId: string;
  userId: string;
  /** When `lastUsedAt` was last written or read, ms since the epoch (0 = never used). */
  lastUsedAt: number;
}

interface Entry extends CachedToken {
  expiresAt: number;
}

class TokenCache {
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
   * The cached lookup for a token hash, or `undefined` (not cached, expired, or the listener is down). Starts the
   * listener on first use without waiting for it.
   */
  get(tokenHash: string): CachedToken | undefined {
    if (!this.client) {
      this.listen();
      return undefined;
    }
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    // Most recently used last: Map keeps insertion order, so the first key is the eviction candidate.
    this.entries.delete(tokenHash);
    this.entries.set(tokenHash, entry);
    return entry;
  }

  /**
   * Remembers a lookup made against the database. Ignored while the listener is down: a revocation could not reach
   * this entry.
   * @param generation the value of {@link generation} read before the database lookup started. If it changed since
   *   (a token was revoked, or the listener reconnected), the lookup may predate a revocation and is not kept.
   */
  set(tokenHash: string, token: CachedToken, generation: number): void {
    if (!this.client || generation !== this.generationCounter) return;
    this.entries.delete(tokenHash);
    this.entries.set(tokenHash, { ...token, expiresAt: Date.now() + TTL_MS });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Changes on every revocation notice and whenever the cache is cleared; see {@link set}. */
  get generation(): number {
    return this.generationCounter;
  }

  /** Forgets a token at once (this instance revoked it; the notification reaches the others). */
  drop(tokenHash: string): void {
    this.entries.delete(tokenHash);
  }

  private clear(): void {
    this.entries.clear();
    this.generationCounter++;
  }

  private listen(): void {
    if (this.connecting || this.closed || Date.now() < this.retryAt || !process.env.DATABASE_URL || !tokenCacheEnabled()) return;
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
      application_name: "parley-token-cache",
      // An attempt that gets no answer must fail: while it is pending, the cache does not try again (see lib/db.ts).
      connectionTimeoutMillis: connectTimeoutMs(),
    });
    client.on("notification", (n) => {
      if (n.channel !== TOKENS_CHANNEL || !n.payload) return;
      this.entries.delete(n.payload);
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
      await client.query(`LISTEN ${TOKENS_CHANNEL}`);
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

const globalForCache = globalThis as unknown as { parleyTokenCache?: TokenCache };

/** This process's token cache (created on first use; closes on SIGTERM and SIGINT). */
export function getTokenCache(): TokenCache {
  if (!globalForCache.parleyTokenCache) {
    const cache = new TokenCache();
    globalForCache.parleyTokenCache = cache;
    for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void cache.close());
  }
  return globalForCache.parleyTokenCache;
}
