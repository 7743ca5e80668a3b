// The bench seed at the path it had before the benchmarks moved to bench/: bench/seed.ts's `seedBench`, `PRESETS`
// and `messageIdFor`, for tools outside this repository that import it by this path (the comparison with the Django
// peers in docs/performance.md), with plain tsx. Nothing in the project imports this file: use bench/seed.ts.
export { messageIdFor, PRESETS, seedBench } from "../bench/seed";
export type { BenchActor, Preset, SeededData } from "../bench/seed";
