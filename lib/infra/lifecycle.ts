import "server-only";
import { disconnectPrisma } from "../db";
import { log } from "../log";
import { shutdownHub } from "./live-hub";
import { getCredentialCache } from "./credential-cache";

/**
 * This instance's life after start: draining on SIGTERM, then closing what holds the database.
 *
 * The server (scripts/standalone-server.mjs) owns the order (docs/decisions.md, "Graceful shutdown"):
 * 1. {@link beginDrain}: `/api/ready` answers 503 from now on, open event streams end (their clients reconnect to
 *    another instance with `Last-Event-ID`), and the `LISTEN` connections close.
 * 2. The server stops accepting connections and waits for in-flight requests (up to `SHUTDOWN_GRACE_SECONDS`).
 * 3. {@link closeResources}: the connection pool ends.
 * It reaches these through {@link LIFECYCLE_KEY} on `globalThis`, because it runs outside Next's bundle.
 */

/** Where the server finds {@link Lifecycle}: `globalThis[Symbol.for("parley.lifecycle")]`. */
export const LIFECYCLE_KEY = Symbol.for("parley.lifecycle");

export interface Lifecycle {
  /** Step 1 above. Idempotent. */
  beginDrain(): Promise<void>;
  /** Step 3 above. Idempotent. */
  closeResources(): Promise<void>;
}

const state = globalThis as unknown as { parleyDraining?: boolean; [LIFECYCLE_KEY]?: Lifecycle };

/** True once SIGTERM (or the server) started the shutdown: readiness fails so that load balancers stop sending. */
export function isDraining(): boolean {
  return state.parleyDraining === true;
}

let drained: Promise<void> | undefined;
let closed: Promise<void> | undefined;

/** Starts draining (see the module comment): readiness off, event streams and listeners closed. */
export function beginDrain(): Promise<void> {
  drained ??= (async () => {
    state.parleyDraining = true;
    await Promise.all([shutdownHub(), getCredentialCache().close()]);
    log.info("draining: event streams closed");
  })();
  return drained;
}

/** Ends the connection pool, after the in-flight requests are done. */
export function closeResources(): Promise<void> {
  closed ??= (async () => {
    await beginDrain();
    await disconnectPrisma();
    log.info("database pool closed");
  })();
  return closed;
}

/** Publishes {@link beginDrain} and {@link closeResources} for the server (called once at start, lib/infra/boot.ts). */
export function publishLifecycle(): void {
  state[LIFECYCLE_KEY] = { beginDrain, closeResources };
}
