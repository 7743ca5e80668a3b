// Running Parley: settings checked at start, health and readiness probes, log lines, draining.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { SETTING_NAMES } from "@/lib/config";
import { beginDrain, isDraining } from "@/lib/infra/lifecycle";
import { api } from "./helpers/api";

const ROOT = path.resolve(import.meta.dirname, "..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");

/** Runs `code` (TypeScript, from the project root) in a fresh process with exactly `env`, under React's server condition as Next runs server code; resolves its output. */
function runScript(code: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ["--conditions=react-server", "-e", code], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env } as unknown as NodeJS.ProcessEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

const lines = (out: string) => out.split("\n").filter((line) => line.trim() !== "");

describe("settings are checked when the server starts", () => {
  const boot = `import("./lib/infra/boot").then((m) => m.boot()).then(() => console.log("booted"))`;
  const good = { NODE_ENV: "production", DATABASE_URL: "postgres://u:p@127.0.0.1:1/db", AUTH_SECRET: "x".repeat(32) };

  it.concurrent.each([
    ["a missing AUTH_SECRET in production", { AUTH_SECRET: "" }, "Invalid setting AUTH_SECRET: is required in production"],
    ["a short AUTH_SECRET in production", { AUTH_SECRET: "short" }, "Invalid setting AUTH_SECRET: must be at least 32 characters"],
    ["a malformed DATABASE_URL", { DATABASE_URL: "mysql://root:hunter2@db/parley" }, "Invalid setting DATABASE_URL: expected a URL such as postgres://"],
    ["a missing DATABASE_URL", { DATABASE_URL: "" }, "Invalid setting DATABASE_URL:"],
    ["an out-of-range MAX_PARTICIPANTS", { MAX_PARTICIPANTS: "1" }, "Invalid setting MAX_PARTICIPANTS: expected at least 2"],
    ["a malformed rate limit", { RATE_LIMIT_WRITES: "lots" }, 'Invalid setting RATE_LIMIT_WRITES: expected "<requests>/<seconds>"'],
    ["an unknown LOG_LEVEL", { LOG_LEVEL: "loud" }, "Invalid setting LOG_LEVEL: expected one of fatal, error"],
  ])("stops on %s with one line naming it, and no stack trace", async (_what, change, expected) => {
    const env = Object.fromEntries(Object.entries({ ...good, ...change }).filter(([, v]) => v !== ""));
    const { code, stdout, stderr } = await runScript(boot, env);
    expect(code).toBe(1);
    expect(stderr).toBe("");
    const out = lines(stdout);
    expect(out).toHaveLength(1);
    const line = JSON.parse(out[0]!) as { level: number; msg: string };
    expect(line.level).toBe(60);
    expect(line.msg).toContain(`Cannot start: ${expected}`);
    // The URL's password is not repeated.
    expect(stdout).not.toContain("hunter2");
  });

  it("starts with valid settings", async () => {
    const { code, stdout } = await runScript(boot, good);
    expect(code).toBe(0);
    expect(lines(stdout)).toEqual(["booted"]);
  });

  it("stops with one line when migrations cannot be applied", async () => {
    const { code, stdout } = await runScript(boot, { ...good, MIGRATE_ON_START: "true" });
    expect(code).toBe(1);
    const out = lines(stdout);
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!).msg).toMatch(/^Cannot start: Migrations failed: .*ECONNREFUSED/);
  });

  it("lists every setting in .env.example and the README", () => {
    const example = readFileSync(path.join(ROOT, ".env.example"), "utf8");
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const missing = SETTING_NAMES.filter((name) => name !== "NODE_ENV" && !new RegExp(`^#? ?${name}=`, "m").test(example));
    expect(missing).toEqual([]);
    expect(SETTING_NAMES.filter((name) => name !== "NODE_ENV" && !readme.includes(`\`${name}\``))).toEqual([]);
  });
});

describe("log lines", () => {
  it("log an unexpected error once, with its cause and the request id, and never the request's secrets", async () => {
    const code = `
      import { errorResponse } from "./lib/api/problem";
      const cause = new Error("connection reset by the disk");
      const req = new Request("http://x/api/threads/t1/messages?token=qs-secret", { method: "POST", headers: { authorization: "Bearer prly_secret" } });
      const res = errorResponse(new Error("could not save", { cause }), "req-42", req);
      console.error(res.status, res.headers.get("x-request-id"));`;
    const { code: exit, stdout, stderr } = await runScript(code, { LOG_LEVEL: "info" });
    expect(exit).toBe(0);
    expect(stderr.trim()).toBe("500 req-42");
    const out = lines(stdout).map((line) => JSON.parse(line));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      level: 50,
      msg: "unhandled error",
      requestId: "req-42",
      method: "POST",
      path: "/api/threads/t1/messages",
      err: { message: "could not save", cause: { message: "connection reset by the disk" } },
    });
    expect(stdout).not.toContain("secret");
  });

  it("write one access line per API request with the id the response carries, and no body or credentials", async () => {
    const code = `
      import { log } from "./lib/log";
      import { route } from "./lib/api/handler";
      import { listThreads } from "./lib/openapi/threads";
      const handler = route(listThreads, async () => ({ data: [], nextCursor: null }));
      const req = new Request("http://x/api/threads?cursor=c", { headers: { authorization: "Bearer prly_not_a_real_token", "x-request-id": "client-req-7" } });
      handler(req, { params: Promise.resolve({}) }).then((res) => { console.error(res.status, res.headers.get("x-request-id")); log.flush(); });`;
    const { stdout, stderr } = await runScript(code, { LOG_LEVEL: "info", DATABASE_URL: process.env.DATABASE_URL!, AUTH_SECRET: "x".repeat(32) });
    expect(stderr.trim()).toBe("401 client-req-7");
    const out = lines(stdout).map((line) => JSON.parse(line));
    expect(out).toEqual([
      expect.objectContaining({ level: 30, msg: "request", requestId: "client-req-7", method: "GET", path: "/api/threads", status: 401 }),
    ]);
    expect(typeof out[0].ms).toBe("number");
    expect(stdout).not.toContain("prly_");
    expect(stdout).not.toContain("cursor");
  });
});

describe("probes", () => {
  it("answers liveness without the database", async () => {
    const res = await api.get("/api/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("is ready when every migration of this version is applied", async () => {
    const res = await api.get("/api/ready");
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ready");
    expect(res.body.migrations).toBeGreaterThan(0);
  });

  it("is not ready while a migration is missing from the database, and names it", async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      await client.query("BEGIN");
      const { rows } = await client.query<{ migration_name: string }>(
        "DELETE FROM _prisma_migrations WHERE migration_name = (SELECT max(migration_name) FROM _prisma_migrations) RETURNING migration_name",
      );
      // Seen by the app's own connections only once committed: commit, check, and put the row back.
      await client.query("COMMIT");
      const res = await api.get("/api/ready");
      expect(res.status).toBe(503);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.body.detail).toContain(rows[0]!.migration_name);
    } finally {
      await client.query(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, finished_at, applied_steps_count)
         SELECT gen_random_uuid()::text, 'restored', m, now(), 1 FROM (SELECT $1::text AS m) s
         WHERE NOT EXISTS (SELECT 1 FROM _prisma_migrations WHERE migration_name = s.m)`,
        [readdirLatest()],
      );
      await client.end();
    }
    expect((await api.get("/api/ready")).status).toBe(200);
  });

  it("is not ready once draining has begun, while liveness still answers", async () => {
    expect(isDraining()).toBe(false);
    await beginDrain();
    const res = await api.get("/api/ready");
    expect(res.status).toBe(503);
    expect(res.body.detail).toBe("This instance is shutting down.");
    expect((await api.get("/api/health")).status).toBe(200);
  });
});

/** The newest migration folder's name (the one the readiness test removes and restores). */
function readdirLatest(): string {
  return readdirSync(path.join(ROOT, "prisma", "migrations"), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .at(-1)!;
}

afterAll(() => {
  // beginDrain() marked this worker's process as draining; later files run in other workers.
  (globalThis as { parleyDraining?: boolean }).parleyDraining = false;
});
