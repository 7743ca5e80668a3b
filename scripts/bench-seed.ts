// The bench seed at the path it had before the benchmarks moved to bench/: bench/seed.ts's `seedBench`, `PRESETS`
// and `messageIdFor`, for tools outside this repository that import it by this path (the comparison with the Django
// peers in docs/performance.md). Nothing in the project imports this file: use bench/seed.ts.
//
// Such a tool may load it with plain `tsx`, without the `--conditions=react-server` that every npm script here
// passes; then the domain module bench/seed.ts reads `participantKey` from (it carries `import "server-only"`) would
// throw. So, before loading the seed, this module adds that condition to module resolution with a loader hook
// (node:module `register`, https://nodejs.org/api/module.html#customization-hooks): the seed loads as under the
// flag.
import { register } from "node:module";
import type * as Seed from "../bench/seed";

export type { BenchActor, Preset, SeededData } from "../bench/seed";

const REACT_SERVER_HOOK = `export async function resolve(specifier, context, nextResolve) {
  const conditions = [...new Set([...context.conditions, "react-server"])];
  return nextResolve(specifier, { ...context, conditions });
}`;
register(`data:text/javascript,${encodeURIComponent(REACT_SERVER_HOOK)}`);

const seed: typeof Seed = await import("../bench/seed");
export const { seedBench, PRESETS, messageIdFor } = seed;
