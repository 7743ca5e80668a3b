// scripts/bench-seed.ts: the bench seed at its old path, for tools outside the repository that import it with plain
// tsx (docs/performance.md, the peer comparison).
import { execFile } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { messageIdFor, PRESETS } from "@/bench/seed";

const ROOT = path.resolve(import.meta.dirname, "..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");

/** Runs `code` (TypeScript, from the project root) with plain tsx, no extra conditions; resolves its exit and output. */
function runPlainTsx(code: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { PATH: process.env.PATH ?? "" } as unknown as NodeJS.ProcessEnv;
    execFile(TSX, ["-e", code], { cwd: ROOT, env, encoding: "utf8" }, (error, stdout, stderr) =>
      resolve({ exitCode: typeof error?.code === "number" ? error.code : error ? 1 : 0, stdout, stderr }),
    );
  });
}

describe("scripts/bench-seed.ts", () => {
  it("loads without --conditions=react-server and exports bench/seed.ts's seedBench, PRESETS and messageIdFor", async () => {
    const code = `import("./scripts/bench-seed.ts").then((m) => console.log(JSON.stringify({
      seedBench: typeof m.seedBench,
      preset: m.PRESETS.default,
      messageId: m.messageIdFor("0190c2a4-8d3e-7000-8000-000000000001", 7),
    })))`;
    const run = await runPlainTsx(code);
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      seedBench: "function",
      preset: PRESETS.default,
      messageId: messageIdFor("0190c2a4-8d3e-7000-8000-000000000001", 7),
    });
  });
});
