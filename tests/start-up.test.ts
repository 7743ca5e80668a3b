/**
 * Safe starts (issue 14): demo accounts only where asked, instances starting together on one database or from one
 * checkout, and how many processes `server.mjs` runs. The process-level runs of `npm start` are in
 * scripts/smoke-start.ts, which needs a production build; these pin the rules underneath.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { getPrisma } from "@/lib/db";
import { demoSeedPlan, SeedRefused, seedDemo } from "@/prisma/seed";
import { assembledServer } from "../scripts/assembled-server";

const ROOT = path.resolve(import.meta.dirname, "..");
const scratch = mkdtempSync(path.join(os.tmpdir(), "parley-start-up-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("where demo data may go", () => {
  const plan = (database: "embedded" | "external", seedFlag = false, env: { SEED_DEMO?: string; NODE_ENV?: string } = {}) =>
    demoSeedPlan({ database, seedFlag, ...env });

  it("seeds the embedded database, which is the demo", () => {
    expect(plan("embedded").seed).toBe(true);
    expect(plan("embedded", false, { NODE_ENV: "production" }).seed).toBe(true);
  });

  it("does not seed a database named by DATABASE_URL unless asked, and says how to ask", () => {
    const { seed, why } = plan("external");
    expect(seed).toBe(false);
    expect(why).toContain("--seed");
    expect(why).toContain("SEED_DEMO=true");
    expect(plan("external", false, { NODE_ENV: "production" }).seed).toBe(false);
  });

  it("seeds it when asked with --seed or SEED_DEMO=true", () => {
    expect(plan("external", true)).toEqual({ seed: true, why: "--seed" });
    expect(plan("external", false, { SEED_DEMO: "true" })).toEqual({ seed: true, why: "SEED_DEMO=true" });
  });

  it("refuses those requests with NODE_ENV=production unless spelled out as SEED_DEMO=production", () => {
    expect(() => plan("external", true, { NODE_ENV: "production" })).toThrow(SeedRefused);
    expect(() => plan("external", false, { SEED_DEMO: "true", NODE_ENV: "production" })).toThrow(/SEED_DEMO=production/);
    expect(() => plan("embedded", true, { NODE_ENV: "production" })).toThrow(SeedRefused);
    expect(plan("external", true, { SEED_DEMO: "production", NODE_ENV: "production" }).seed).toBe(true);
  });

  it("never seeds with SEED_DEMO=false, and refuses values it does not know or that contradict --seed", () => {
    expect(plan("embedded", false, { SEED_DEMO: "false" }).seed).toBe(false);
    expect(() => plan("external", true, { SEED_DEMO: "false" })).toThrow(/contradict/);
    expect(() => plan("external", false, { SEED_DEMO: "yes please" })).toThrow(/SEED_DEMO must be/);
  });
});

describe("seeding", () => {
  it("seeds an empty database once when instances start together, and the others find it seeded", async () => {
    const lines: string[] = [];
    const results = await Promise.all([1, 2, 3].map(() => seedDemo((line) => lines.push(line))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await getPrisma().user.count()).toBe(5);
    expect(lines.filter((l) => l.includes("not seeding"))).toHaveLength(2);
    expect(await seedDemo(() => {})).toBe(false);
  });
});

/** A project root with what scripts/assemble-standalone.sh reads, as a finished build `buildId` leaves it. */
function fakeBuild(root: string, buildId: string) {
  rmSync(path.join(root, ".next", "standalone"), { recursive: true, force: true });
  for (const dir of [".next/standalone/.next", ".next/static/chunks", "prisma/migrations/0_init", "scripts"]) {
    mkdirSync(path.join(root, dir), { recursive: true });
  }
  writeFileSync(path.join(root, ".next", "BUILD_ID"), buildId);
  writeFileSync(path.join(root, ".next", "standalone", ".next", "BUILD_ID"), buildId);
  writeFileSync(path.join(root, ".next", "standalone", "server.js"), `// build ${buildId}\n`);
  writeFileSync(path.join(root, ".next", "static", "chunks", "app.js"), `// build ${buildId}\n`);
  writeFileSync(path.join(root, "prisma", "migrations", "0_init", "migration.sql"), "SELECT 1;\n");
  for (const file of ["assemble-standalone.sh", "standalone-server.mjs"]) {
    cpSync(path.join(ROOT, "scripts", file), path.join(root, "scripts", file));
  }
}

describe("the server directory of a build", () => {
  it("is assembled once for instances starting together, complete, and shared", async () => {
    const root = mkdtempSync(path.join(scratch, "together-"));
    fakeBuild(root, "b1");
    const servers = await Promise.all([1, 2, 3].map(() => assembledServer({ root })));
    expect(new Set(servers.map((s) => s.dir)).size).toBe(1);
    const dir = servers[0]!.dir;
    expect(path.relative(root, dir)).toMatch(/^\.next\/servers\/b1-[0-9a-f]{12}$/);
    for (const file of ["server.mjs", "server.js", ".next/static/chunks/app.js", "prisma/migrations/0_init/migration.sql"]) {
      expect(existsSync(path.join(dir, file)), file).toBe(true);
    }
    // No half-assembled copy is left behind.
    expect(execFileSync("ls", [path.join(root, ".next", "servers")]).toString().trim()).toBe(path.basename(dir));
    await Promise.all(servers.map((s) => s.release()));
  });

  it("is never touched by the start of another instance, of the same build or a new one", async () => {
    const root = mkdtempSync(path.join(scratch, "running-"));
    fakeBuild(root, "b1");
    const running = await assembledServer({ root });
    const entry = path.join(running.dir, "server.mjs");
    const before = readFileSync(entry, "utf8");
    writeFileSync(path.join(running.dir, "sentinel"), "still here");

    const second = await assembledServer({ root });
    expect(second.dir).toBe(running.dir);
    fakeBuild(root, "b2");
    const third = await assembledServer({ root });
    expect(third.dir).not.toBe(running.dir);

    expect(readFileSync(path.join(running.dir, "sentinel"), "utf8")).toBe("still here");
    expect(readFileSync(entry, "utf8")).toBe(before);
    expect(readFileSync(path.join(running.dir, "server.js"), "utf8")).toBe("// build b1\n");
    expect(readFileSync(path.join(third.dir, "server.js"), "utf8")).toBe("// build b2\n");
    for (const s of [running, second, third]) await s.release();
  });

  it("is assembled anew when what it copies from outside the build changed (the server script, a migration)", async () => {
    const root = mkdtempSync(path.join(scratch, "sources-"));
    fakeBuild(root, "b1");
    const first = await assembledServer({ root });
    writeFileSync(path.join(root, "scripts", "standalone-server.mjs"), "// a newer server script\n", { flag: "a" });
    const second = await assembledServer({ root });
    expect(second.dir).not.toBe(first.dir);
    expect(readFileSync(path.join(second.dir, "server.mjs"), "utf8")).toContain("a newer server script");
    mkdirSync(path.join(root, "prisma", "migrations", "1_more"));
    writeFileSync(path.join(root, "prisma", "migrations", "1_more", "migration.sql"), "SELECT 2;\n");
    const third = await assembledServer({ root });
    expect(existsSync(path.join(third.dir, "prisma", "migrations", "1_more", "migration.sql"))).toBe(true);
    for (const s of [first, second, third]) await s.release();
  });

  it("is removed by a later start once no live process uses it", async () => {
    const root = mkdtempSync(path.join(scratch, "unused-"));
    fakeBuild(root, "b1");
    const old = await assembledServer({ root });
    // A server that was killed: its registration names a pid that no longer exists.
    const dead = execFileSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).toString();
    writeFileSync(path.join(old.dir, ".in-use", `${dead}-0000`), "");
    fakeBuild(root, "b2");
    const held = await assembledServer({ root });
    expect(existsSync(old.dir)).toBe(true); // this process still uses it

    await old.release();
    const next = await assembledServer({ root });
    expect(existsSync(old.dir)).toBe(false);
    expect(existsSync(next.dir)).toBe(true);
    for (const s of [held, next]) await s.release();
  });
});
