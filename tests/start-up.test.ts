/**
 * Safe starts (issue 14): demo accounts only where asked, instances starting together on one database or from one
 * checkout, and how many processes `server.mjs` runs. The process-level runs of `npm start` are in
 * tests/smoke/start.ts, which needs a production build; these pin the rules underneath.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { getPrisma } from "@/lib/db";
import { demoSeedPlan, SeedRefused, seedDemo } from "@/prisma/seed";
import pg from "pg";
import { assembledServer } from "../scripts/assembled-server";
import { EmbeddedPostgresInUse, getFreePort, startEmbeddedPostgres } from "../scripts/embedded-postgres";
import { availableCpus, webConcurrency } from "../scripts/web-concurrency.mjs";

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
  for (const file of ["assemble-standalone.sh", "standalone-server.mjs", "web-concurrency.mjs"]) {
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
    for (const file of ["server.mjs", "web-concurrency.mjs", "server.js", ".next/static/chunks/app.js", "prisma/migrations/0_init/migration.sql"]) {
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

describe("WEB_CONCURRENCY", () => {
  it("is one process unless set, a whole number when set, or one per available CPU with auto", () => {
    expect(webConcurrency(undefined)).toBe(1);
    expect(webConcurrency("")).toBe(1);
    expect(webConcurrency("4")).toBe(4);
    expect(webConcurrency("auto", () => 3)).toBe(3);
    for (const bad of ["0", "-1", "1.5", "two", "257"]) expect(() => webConcurrency(bad), bad).toThrow(/WEB_CONCURRENCY/);
  });

  /** A fake filesystem root with `/proc/self/cgroup` and the given files under it. */
  function fsTree(files: Record<string, string>): string {
    const root = mkdtempSync(path.join(scratch, "cgroup-"));
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
      writeFileSync(path.join(root, file), content);
    }
    return root;
  }

  it("auto counts the CPUs a cgroup quota allows, rounded up, when that is fewer than the machine's", () => {
    // cgroup v2, a container limited to 1.5 CPUs (Docker --cpus=1.5) on an 8-CPU machine.
    const v2 = fsTree({ "proc/self/cgroup": "0::/\n", "sys/fs/cgroup/cpu.max": "150000 100000\n" });
    expect(availableCpus(v2, 8)).toBe(2);
    // cgroup v2, the limit set on a parent of the process's own group.
    const nested = fsTree({
      "proc/self/cgroup": "0::/app/web\n",
      "sys/fs/cgroup/app/web/cpu.max": "max 100000\n",
      "sys/fs/cgroup/app/cpu.max": "300000 100000\n",
    });
    expect(availableCpus(nested, 8)).toBe(3);
    // cgroup v1 (this machine's kind), with and without a quota.
    const v1 = fsTree({
      "proc/self/cgroup": "4:memory:/x\n1:cpu,cpuacct:/\n",
      "sys/fs/cgroup/cpu/cpu.cfs_quota_us": "100000\n",
      "sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n",
    });
    expect(availableCpus(v1, 8)).toBe(1);
    const unlimited = fsTree({
      "proc/self/cgroup": "1:cpu:/\n",
      "sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1\n",
      "sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n",
    });
    expect(availableCpus(unlimited, 8)).toBe(8);
    // A quota above the machine's CPUs changes nothing; no cgroup information at all neither.
    expect(availableCpus(fsTree({ "proc/self/cgroup": "0::/\n", "sys/fs/cgroup/cpu.max": "1600000 100000\n" }), 8)).toBe(8);
    expect(availableCpus(fsTree({}), 2)).toBe(2);
  });
});

describe("the embedded database of a checkout", () => {
  it("is not stopped by a second start while a live run uses it; that start is refused, saying how to share it", async () => {
    // PostgreSQL runs as the `postgres` OS user when the tests run as root: it must be able to reach the directory.
    chmodSync(scratch, 0o755);
    const dataDir = path.join(scratch, "embedded");
    const first = await startEmbeddedPostgres({ dataDir, port: await getFreePort(), persistent: true });
    try {
      const second = startEmbeddedPostgres({ dataDir, port: await getFreePort(), persistent: true });
      await expect(second).rejects.toThrow(EmbeddedPostgresInUse);
      await expect(second).rejects.toThrow(`DATABASE_URL=postgres://postgres:postgres@127.0.0.1:${first.port}/parley`);
      const client = new pg.Client({ connectionString: first.url });
      await client.connect();
      expect((await client.query("SELECT 1 AS one")).rows[0].one).toBe(1);
      await client.end();
    } finally {
      await first.stop();
    }
  }, 60_000);
});
