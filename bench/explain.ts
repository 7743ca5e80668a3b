// Query plans of the hot operations (issue 5; shown in docs/performance.md).
//
//   npm run bench:explain -- [--preset large|default]
//
// Seeds a fresh database with the preset (bench/seed.ts; a throw-away embedded PostgreSQL, or
// BENCH_DATABASE_URL) and copies it. On the copy, runs each hot operation once through the domain functions as one
// of the preset's actors (in the large preset, a user with 200 threads) and records the SQL it sent with its
// parameters (Prisma's query events). On the untouched original, prints `EXPLAIN (ANALYZE, BUFFERS)` of every
// statement, each operation's statements replayed inside a transaction that is rolled back. Markdown on stdout.
process.env.PRISMA_QUERY_EVENTS = "1";

import { parseArgs } from "node:util";
import pg from "pg";
import { createBenchDatabase, log, onCleanup, runBench } from "./kit";
import { databaseUrlFor } from "../scripts/embedded-postgres";
import { PRESETS, seedBench } from "./seed";

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { preset: { type: "string" } }, strict: true });
  const preset = PRESETS[values.preset ?? "large"];
  if (!preset) throw new Error(`--preset must be one of ${Object.keys(PRESETS).join(", ")}`);
  const db = await createBenchDatabase({ durable: true });
  log(`seeding preset ${preset.name}`);
  const seeded = await seedBench(db.url, preset);
  const original = new URL(db.url).pathname.slice(1);
  const copy = `${original}_run`;
  const admin = new pg.Client({ connectionString: databaseUrlFor(db.url, "postgres") });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${copy}" TEMPLATE "${original}"`);
  onCleanup(`database ${copy}`, async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${copy}" WITH (FORCE)`);
    await admin.end();
  });
  process.env.DATABASE_URL = databaseUrlFor(db.url, copy);

  // Imported only now: they read DATABASE_URL when the client is first created.
  const { disconnectPrisma, onQuery } = await import("../lib/db");
  const { listThreads } = await import("../lib/server/threads");
  const { getUnreadSummary, markThreadRead } = await import("../lib/server/read-state");
  const { listMessages, sendMessage } = await import("../lib/server/messages");
  const { createOrGetThread } = await import("../lib/server/threads");

  const actor = seeded.actors[0]!;
  const { threadId, partnerId } = actor.threads[0]!;
  const operations: [string, () => Promise<unknown>][] = [
    ["list threads (GET /api/threads?limit=20)", () => listThreads(actor.userId, { limit: 20, unread: false })],
    ["unread total (GET /api/unread)", () => getUnreadSummary(actor.userId)],
    ["list messages (GET /api/threads/{id}/messages?limit=50)", () => listMessages(actor.userId, threadId, { limit: 50 })],
    ["send (POST /api/threads/{id}/messages)", () => sendMessage(partnerId, threadId, { text: "explain", clientMessageId: "explain-1" })],
    ["mark read (POST /api/threads/{id}/read)", () => markThreadRead(actor.userId, threadId)],
    ["create-or-get, existing pair (POST /api/threads)", () => createOrGetThread(actor.userId, [partnerId])],
  ];

  const explain = new pg.Client({ connectionString: db.url, application_name: "parley-bench-explain" });
  await explain.connect();
  // Send and mark read are one call of a PL/pgSQL function each: auto_explain reports the plans of the statements
  // inside it, as notices to this client (PostgreSQL docs, "auto_explain": log_nested_statements, log_level).
  const nested: string[] = [];
  explain.on("notice", (n) => {
    if (n.message?.includes("Query Text:")) nested.push(n.message);
  });
  await explain.query(`LOAD 'auto_explain'`);
  for (const setting of ["log_min_duration = 0", "log_analyze = on", "log_buffers = on", "log_timing = on",
    "log_nested_statements = on", "log_level = notice"]) {
    await explain.query(`SET auto_explain.${setting}`);
  }
  const out: string[] = [
    `Preset \`${preset.name}\`: ${JSON.stringify(seeded.counts)}; as a user with ${actor.threads.length} threads.`,
    "",
  ];
  try {
    for (const [title, run] of operations) {
      const seen: { sql: string; params: unknown[] }[] = [];
      const off = onQuery((sql, params) => seen.push({ sql, params: JSON.parse(params || "[]") as unknown[] }));
      try {
        await run();
      } finally {
        off();
      }
      const statements = seen.filter((s) => !/^\s*(BEGIN|COMMIT|ROLLBACK)\b/i.test(s.sql));
      out.push(`### ${title}`, "", `${statements.length} statement(s).`, "");
      await explain.query("BEGIN");
      try {
        for (const [i, { sql, params }] of statements.entries()) {
          nested.length = 0;
          const { rows } = await explain.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`, params);
          out.push(`${i + 1}. \`${sql.replace(/\s+/g, " ").trim()}\``, "", "```", ...rows.map((r) => r["QUERY PLAN"]), "```", "");
          // auto_explain also reports the statement itself (and EXPLAIN's run of it); keep those of function bodies.
          const inner = nested.filter((n) => !n.includes("EXPLAIN (ANALYZE") && !n.includes(sql.trim().slice(0, 60)));
          if (inner.length) {
            out.push(`   Inside the function (auto_explain, in execution order):`, "", "```", ...inner, "```", "");
          }
        }
      } finally {
        await explain.query("ROLLBACK");
      }
    }
  } finally {
    await explain.end();
    await disconnectPrisma();
  }
  console.log(out.join("\n"));
  return 0;
}

await runBench(main, 20);
