"use client";

import { useSyncExternalStore } from "react";
import { toast } from "sonner";

/** A module that the page loads when it is first needed, not with the page (see {@link lazyModule}). */
export interface LazyModule<T> {
  /** Starts loading it (once; again after a failure); resolves with the module. */
  load: () => Promise<T>;
  /** The module once loaded, else null; the calling component re-renders when it arrives. */
  useLoaded: () => T | null;
  /**
   * For what the person asked for: runs `then` with the module once it has loaded (at once when it is there); a load
   * that fails (no connection) says so in a toast, and the next ask tries again.
   */
  whenLoaded: (then: (module: T) => void) => void;
}

/**
 * A part of a page that only an action shows (a dialog's body, say), split out of the page's first load: `import()` it
 * here, at module level, and open what needs it in `load().then(…)`. What opens then mounts complete in one render,
 * as a statically imported component would: a dialog takes the focus where it would have, with no loading state in
 * between. Starting `load()` when the pointer reaches the button, or on focus, hides most of the wait; a load that
 * fails (no connection) rejects, and `whenLoaded` says so.
 * @param importer `() => import("./the-module")`, written out so that the bundler makes a chunk of it
 */
export function lazyModule<T>(importer: () => Promise<T>): LazyModule<T> {
  let loaded: T | null = null;
  let pending: Promise<T> | null = null;
  const listeners = new Set<() => void>();
  const subscribe = (listener: () => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  const load = () =>
    (pending ??= importer().then(
      (module) => {
        loaded = module;
        for (const listener of listeners) listener();
        return module;
      },
      (error: unknown) => {
        pending = null;
        throw error;
      },
    ));
  return {
    load,
    whenLoaded: (then) =>
      void load().then(then, () => toast.error("Couldn’t open that", { description: "Check your connection, then try again." })),
    useLoaded: () =>
      useSyncExternalStore(
        subscribe,
        () => loaded,
        () => null,
      ),
  };
}
