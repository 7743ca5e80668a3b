// Page speed with Lighthouse (issue 19; results in docs/performance.md, "Pages (issue 19)").
//
//   npm run bench:pages -- [--runs 3] [--form-factors mobile,desktop] [--pages sign-in,threads,conversation]
//                          [--max-minutes 30] [--hold]
//
// 1. A fresh database (throw-away embedded PostgreSQL, or BENCH_DATABASE_URL), migrated.
// 2. `next build` (skipped with BENCH_SKIP_BUILD=1), then the production server as `npm start` and the Docker image
//    run it: `node server.mjs` in the build's assembled directory (scripts/assembled-server.ts), on
//    127.0.0.1:BENCH_PORT (3950).
// 3. Data, over the API as a client would write it: a reader and 24 other people, a direct conversation with each
//    (a few messages), one of them 200 messages long in the formatting people use (bold, code, code blocks, lists,
//    quotes, links, mentions, replies, reactions); everything read, so the conversation opens at its newest message.
// 4. The reader signs in through Auth.js's credentials endpoint (CSRF token, then the callback); Lighthouse gets the
//    session cookie as an extra request header (`--extra-headers`), which Chromium sends with every request of the
//    page, its fetches and its event stream included.
// 5. Lighthouse's CLI with the system Chromium (CHROME_PATH; /usr/bin/chromium when it exists) on three pages —
//    /sign-in (signed out), / (the thread list) and /t/<id> (the 200-message conversation) — with the default
//    configuration (mobile: a Moto G Power's screen, simulated slow 4G and 4× CPU slowdown) and `--preset=desktop`,
//    each `--runs` times, interleaved. Per page and form factor the table shows the median run by Lighthouse's rule
//    (the run closest to the median FCP and TTI, lighthouse/core/lib/median-run.js), the performance score's range
//    over the runs, and the JavaScript transferred (compressed bytes on the wire, headers included, from the run's
//    network records): all of it, and the part that the page's HTML loads (its first load; the rest are chunks its
//    code loads later, such as the live events' parser).
// 6. Writes every run's JSON report and summary.json to bench-results/pages-<timestamp>/ (not committed).
//
// Figures depend on the CPU: run it alone on the machine (this project's CI machines: under
// `flock -x /tmp/parley-load.lock`), and keep the load average it prints with them.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { assembledServer } from "../scripts/assembled-server";
import {
  buildApp,
  createBenchDatabase,
  gitInfo,
  HOST,
  instanceEnv,
  listenerPid,
  log,
  machineInfo,
  onCleanup,
  positiveInt,
  ROOT,
  round,
  run,
  runBenchCli,
  sleep,
  stopAll,
  table,
  waitFor,
} from "./kit";

// ---------------------------------------------------------------------------------------------------------------
// Options

const PAGES = ["sign-in", "threads", "conversation"] as const;
type PageName = (typeof PAGES)[number];
const FORM_FACTORS = ["mobile", "desktop"] as const;
type FormFactor = (typeof FORM_FACTORS)[number];

const USAGE = `npm run bench:pages -- [options]
  --runs N              Lighthouse runs per page and form factor (default 3; the median run is reported)
  --form-factors A,B    mobile, desktop or both (default both)
  --pages A,B,…         ${PAGES.join(", ")} (default all)
  --max-minutes M       stop everything after this long (default 30)
  --hold                no Lighthouse: keep the seeded server running (until Ctrl-C or --max-minutes) and print
                        the pages' URLs and the reader's session cookie, to look at them with other tools
env: BENCH_DATABASE_URL, BENCH_SKIP_BUILD=1, BENCH_PORT (3950), CHROME_PATH (default /usr/bin/chromium when it exists)`;

interface Options {
  runs: number;
  formFactors: FormFactor[];
  pages: PageName[];
  maxMinutes: number;
  port: number;
  skipBuild: boolean;
  hold: boolean;
}

function listOf<T extends string>(name: string, raw: string | undefined, all: readonly T[]): T[] {
  if (raw === undefined) return [...all];
  const items = raw.split(",").map((s) => s.trim());
  for (const item of items) if (!all.includes(item as T)) throw new Error(`${name}: unknown ${JSON.stringify(item)} (one of ${all.join(", ")})`);
  return all.filter((a) => items.includes(a));
}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: "string" },
      "form-factors": { type: "string" },
      pages: { type: "string" },
      "max-minutes": { type: "string" },
      hold: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return null;
  return {
    runs: positiveInt("--runs", values.runs, 3),
    formFactors: listOf("--form-factors", values["form-factors"], FORM_FACTORS),
    pages: listOf("--pages", values.pages, PAGES),
    maxMinutes: positiveInt("--max-minutes", values["max-minutes"], 30),
    port: positiveInt("BENCH_PORT", process.env.BENCH_PORT, 3950),
    skipBuild: process.env.BENCH_SKIP_BUILD === "1",
    hold: values.hold ?? false,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The production server (as scripts/run.ts starts it for `npm start`)

interface Server {
  base: string;
  child: ChildProcess;
  logTail: string[];
}

/**
 * Starts `node server.mjs` from the build's assembled directory on 127.0.0.1:`port` and waits until `/api/health`
 * answers. Stopped (SIGTERM to its process group, SIGKILL after 15 s) and its directory released at cleanup.
 * @throws Error when it exits or does not answer within 60 s (with its last output).
 */
async function startServer(port: number, env: NodeJS.ProcessEnv): Promise<Server> {
  if (await listenerPid(port)) throw new Error(`port ${port} is in use; set BENCH_PORT`);
  const assembled = await assembledServer({ log });
  onCleanup("assembled server directory", () => assembled.release());
  const child = spawn(process.execPath, [path.join(assembled.dir, "server.mjs")], {
    cwd: ROOT,
    env: { ...env, PORT: String(port), HOSTNAME: HOST },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const server: Server = { base: `http://${HOST}:${port}`, child, logTail: [] };
  const onOutput = (chunk: Buffer) => {
    server.logTail.push(...chunk.toString("utf8").split("\n").filter((l) => l.trim() !== ""));
    server.logTail.splice(0, Math.max(0, server.logTail.length - 60));
  };
  child.stdout?.on("data", onOutput);
  child.stderr?.on("data", onOutput);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  onCleanup("production server", async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        // already gone
      }
    };
    signal("SIGTERM");
    if (!(await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]))) signal("SIGKILL");
  });
  let gone = false;
  void exited.then(() => (gone = true));
  const up = await waitFor(
    async () => {
      if (gone) return true;
      try {
        return (await fetch(`${server.base}/api/health`, { signal: AbortSignal.timeout(2000) })).ok;
      } catch {
        return false;
      }
    },
    60_000,
    250,
  );
  if (gone || !up) throw new Error(`the production server did not start on port ${port}:\n${server.logTail.join("\n")}`);
  return server;
}

// ---------------------------------------------------------------------------------------------------------------
// Data, over the API

const PASSWORD = "page-speed-bench";

interface Account {
  id: string;
  username: string;
  token: string;
}

async function api<T>(base: string, method: string, url: string, token: string | null, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : null) as T;
}

async function createAccount(base: string, username: string, name: string): Promise<Account> {
  const { id } = await api<{ id: string }>(base, "POST", "/api/auth/register", null, { username, password: PASSWORD, name });
  const { token } = await api<{ token: string }>(base, "POST", "/api/tokens", null, { username, password: PASSWORD, name: "bench" });
  return { id, username, token };
}

/** Texts of the long conversation: ordinary chat lines, with the Markdown subset and mentions people use. */
function conversationText(i: number, other: Account): string {
  const lines = [
    `Morning! Did you get a chance to look at the release notes?`,
    `Yes — **most of it** looks fine, but the migration step needs a second pair of eyes.`,
    `Which one, \`20250112_add_reactions\`?`,
    `That one. It locks \`messages\` while it backfills:\n\`\`\`sql\nUPDATE messages SET reactions = '{}' WHERE reactions IS NULL;\n\`\`\``,
    `> It locks messages while it backfills\n\nOnly for a few seconds on our data, but let's batch it anyway.`,
    `Agreed. Plan:\n- batch by 10,000 rows\n- run it off-peak\n- watch the replica lag`,
    `@${other.username} can you take the replica part?`,
    `Sure. I'll follow https://www.postgresql.org/docs/current/warm-standby.html for the lag figures.`,
    `~~Tuesday~~ Wednesday works better for the window.`,
    `1. freeze merges\n2. tag the release\n3. deploy *after* the batch finishes`,
    `Sounds good, thanks!`,
    `One more thing: the changelog still says *beta*.`,
  ];
  return `${lines[i % lines.length]}${i >= lines.length ? ` (${Math.floor(i / lines.length) + 1})` : ""}`;
}

interface Seeded {
  reader: Account;
  conversationId: string;
  counts: { people: number; threads: number; messages: number };
}

/**
 * The reader, 24 others with a short direct conversation each (the thread list: its first page of 30 holds them
 * all), and one conversation of 200 messages; everything read by the reader.
 */
async function seed(base: string): Promise<Seeded> {
  const tag = randomBytes(3).toString("hex");
  const reader = await createAccount(base, `reader_${tag}`, "Rea Reader");
  const others: Account[] = [];
  for (let i = 0; i < 24; i++) others.push(await createAccount(base, `person${i}_${tag}`, `Person ${i + 1}`));
  let messages = 0;
  const send = async (who: Account, threadId: string, text: string, replyToId?: string) => {
    messages++;
    return api<{ id: string }>(base, "POST", `/api/threads/${threadId}/messages`, who.token, { text, ...(replyToId ? { replyToId } : {}) });
  };
  const markRead = (threadId: string) => api(base, "POST", `/api/threads/${threadId}/read`, reader.token, {});

  // The long conversation first, so the short ones are newer and it sits lower in the list, as an older chat would.
  const partner = others[0]!;
  const { id: conversationId } = await api<{ id: string }>(base, "POST", "/api/threads", reader.token, { participantIds: [partner.id] });
  const sent: string[] = [];
  for (let i = 0; i < 200; i++) {
    const [from, to] = i % 3 === 0 ? [reader, partner] : [partner, reader];
    const replyTo = i % 25 === 24 ? sent[i - 3] : undefined;
    const { id } = await send(from, conversationId, conversationText(i, to), replyTo);
    sent.push(id);
    if (i % 20 === 5) await api(base, "PUT", `/api/messages/${id}/reactions/${encodeURIComponent("👍")}`, to.token);
  }
  await markRead(conversationId);

  for (const [i, other] of others.slice(1).entries()) {
    const { id } = await api<{ id: string }>(base, "POST", "/api/threads", reader.token, { participantIds: [other.id] });
    await send(other, id, `Hi! Quick question about **ticket ${100 + i}**.`);
    await send(reader, id, "Sure, go ahead.");
    await send(other, id, `Could you review \`branch-${i}\` before lunch?`);
    await markRead(id);
  }
  return { reader, conversationId, counts: { people: 1 + others.length, threads: others.length, messages } };
}

/**
 * Signs `username` in through Auth.js's credentials endpoint, as its own sign-in page would post it.
 * @returns the `Cookie` header value carrying the session (its chunks, when Auth.js splits it).
 * @throws Error when no session cookie comes back.
 */
async function signIn(base: string, username: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const pairs = (res: Response) => res.headers.getSetCookie().map((c) => c.split(";")[0]!);
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: pairs(csrf).join("; ") },
    body: new URLSearchParams({ csrfToken, username, password: PASSWORD, callbackUrl: "/" }),
  });
  await res.arrayBuffer();
  const session = pairs(res).filter((p) => /^authjs\.session-token(\.\d+)?=./.test(p));
  if (session.length === 0) throw new Error(`sign-in as ${username} gave no session cookie (status ${res.status})`);
  const me = await fetch(`${base}/api/users/me`, { headers: { cookie: session.join("; ") } });
  if (!me.ok) throw new Error(`the session cookie of ${username} is refused: GET /api/users/me → ${me.status}`);
  await me.arrayBuffer();
  return session.join("; ");
}

// ---------------------------------------------------------------------------------------------------------------
// Lighthouse

/** The parts of a Lighthouse result (LHR) read here. */
interface Lhr {
  lighthouseVersion: string;
  finalDisplayedUrl: string;
  runtimeError?: { code: string; message: string };
  runWarnings: string[];
  categories: Record<string, { score: number | null; auditRefs: { id: string; weight: number }[] }>;
  audits: Record<
    string,
    {
      id: string;
      title: string;
      score: number | null;
      scoreDisplayMode: string;
      numericValue?: number;
      displayValue?: string;
      details?: { items?: Record<string, unknown>[]; overallSavingsBytes?: number };
    }
  >;
}

interface NetworkItem {
  url: string;
  resourceType?: string;
  transferSize?: number;
}

const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"] as const;

function chromePath(): string {
  const found = process.env.CHROME_PATH ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);
  if (!found) throw new Error("no Chromium: set CHROME_PATH (Debian: apt-get install chromium)");
  return found;
}

/** One Lighthouse run through its CLI (a fresh Chromium and profile each time); resolves with the parsed report. */
async function lighthouse(url: string, formFactor: FormFactor, cookie: string | null, outFile: string): Promise<Lhr> {
  const args = [
    url,
    "--output=json",
    `--output-path=${outFile}`,
    "--quiet",
    "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ...(formFactor === "desktop" ? ["--preset=desktop"] : []),
    ...(cookie ? [`--extra-headers=${JSON.stringify({ Cookie: cookie })}`] : []),
  ];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(path.join(ROOT, "node_modules", ".bin", "lighthouse"), args, {
      cwd: ROOT,
      env: { ...process.env, CHROME_PATH: chromePath() },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const abort = () => child.kill("SIGTERM");
    stopAll.signal.addEventListener("abort", abort, { once: true });
    child.once("error", reject);
    child.once("exit", (c) => {
      stopAll.signal.removeEventListener("abort", abort);
      if (c !== 0) console.error(stderr.trim());
      resolve(c ?? 1);
    });
  });
  if (code !== 0) throw new Error(`lighthouse exited with code ${code} on ${url} (${formFactor})`);
  const lhr = JSON.parse(await readFile(outFile, "utf8")) as Lhr;
  if (lhr.runtimeError) throw new Error(`lighthouse on ${url} (${formFactor}): ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
  return lhr;
}

/**
 * Lighthouse 12 with a newer Chromium now and then fails to find the navigation in its trace (`NO_NAVSTART`, a
 * runtime error, not a property of the page): such a run is repeated, at most {@link ATTEMPTS} times in all.
 */
const ATTEMPTS = 3;

async function withRetries(what: string, attempt: () => Promise<Lhr>): Promise<Lhr> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= ATTEMPTS || stopAll.signal.aborted) throw error;
      log(`${what}: ${error instanceof Error ? error.message : String(error)}; trying again`);
    }
  }
}

const numeric = (lhr: Lhr, audit: string) => lhr.audits[audit]?.numericValue ?? NaN;

/** Lighthouse's median run: closest to the median FCP and the median TTI (lighthouse/core/lib/median-run.js). */
function medianRun(runs: Lhr[]): Lhr {
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const fcp = median(runs.map((r) => numeric(r, "first-contentful-paint")));
  const tti = median(runs.map((r) => numeric(r, "interactive")));
  const distance = (r: Lhr) => (fcp - numeric(r, "first-contentful-paint")) ** 2 + (tti - numeric(r, "interactive")) ** 2;
  return [...runs].sort((a, b) => distance(a) - distance(b) || numeric(a, "interactive") - numeric(b, "interactive"))[0]!;
}

/**
 * The scripts of a run, compressed bytes on the wire (headers included): all of them, and those the page's HTML asks for (`withPage`, by
 * path: the page's first load); the rest are chunks its code loads later (`import()`).
 */
function scriptBytes(lhr: Lhr, htmlScripts: ReadonlySet<string>): { all: number; withPage: number; requests: number } {
  const items = (lhr.audits["network-requests"]?.details?.items ?? []) as unknown as NetworkItem[];
  const scripts = items.filter((i) => i.resourceType === "Script");
  const sum = (list: NetworkItem[]) => list.reduce((s, i) => s + (i.transferSize ?? 0), 0);
  return { all: sum(scripts), withPage: sum(scripts.filter((i) => htmlScripts.has(new URL(i.url).pathname))), requests: scripts.length };
}

/** The paths of the scripts an HTML page loads (`<script src>`). */
function scriptsOf(html: string): Set<string> {
  return new Set([...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => new URL(m[1]!.replaceAll("&amp;", "&"), "http://x").pathname));
}

/** Audits of the four categories that did not pass in this run (weight > 0 or not), for the report. */
function failingAudits(lhr: Lhr): { category: string; id: string; title: string; score: number | null; displayValue?: string }[] {
  const out = [];
  for (const category of CATEGORIES) {
    for (const ref of lhr.categories[category]?.auditRefs ?? []) {
      const audit = lhr.audits[ref.id];
      if (!audit || audit.score === null || audit.score >= 0.9) continue;
      if (!["binary", "numeric", "metricSavings"].includes(audit.scoreDisplayMode)) continue;
      out.push({ category, id: audit.id, title: audit.title, score: audit.score, displayValue: audit.displayValue });
    }
  }
  return out;
}

interface PageResult {
  page: PageName;
  formFactor: FormFactor;
  url: string;
  runs: number;
  medianReport: string;
  scores: Record<(typeof CATEGORIES)[number], number | null>;
  performanceRange: [number, number];
  fcpMs: number;
  lcpMs: number;
  tbtMs: number;
  cls: number;
  speedIndexMs: number;
  ttiMs: number;
  scriptKB: { all: number; withPage: number; requests: number };
  unusedScriptKB: number;
  failing: ReturnType<typeof failingAudits>;
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------------------------

async function main(opts: Options): Promise<number> {
  const startedAt = new Date();
  const outDir = path.join(ROOT, "bench-results", `pages-${startedAt.toISOString().replace(/[:.]/g, "-")}`);
  await mkdir(outDir, { recursive: true });
  const git = await gitInfo();
  const uptime = async () => (await run("uptime")).stdout.trim();
  log(`commit ${git.commit ?? "?"}${git.dirty ? " (uncommitted changes)" : ""}; ${await uptime()}`);

  const db = await createBenchDatabase({ durable: false });
  const env = instanceEnv(db.url, { LOG_LEVEL: "warn" });
  await buildApp(env, opts.skipBuild);
  const server = await startServer(opts.port, env);
  log(`production server on ${server.base}; seeding`);
  const seeded = await seed(server.base);
  log(`seeded ${JSON.stringify(seeded.counts)}`);
  const cookie = await signIn(server.base, seeded.reader.username);

  const urls: Record<PageName, { path: string; cookie: string | null }> = {
    "sign-in": { path: "/sign-in", cookie: null },
    threads: { path: "/", cookie },
    conversation: { path: `/t/${seeded.conversationId}`, cookie },
  };
  // One warm-up request per page: the server's first render of a route compiles nothing, but loads its modules.
  // Its HTML tells which scripts are the page's own first load.
  const htmlScripts = new Map<PageName, Set<string>>();
  for (const page of opts.pages) {
    const res = await fetch(`${server.base}${urls[page].path}`, { headers: urls[page].cookie ? { cookie: urls[page].cookie! } : {} });
    const html = await res.text();
    if (res.status !== 200) throw new Error(`${urls[page].path} answered ${res.status}`);
    htmlScripts.set(page, scriptsOf(html));
  }

  if (opts.hold) {
    for (const page of opts.pages) log(`${page}: ${server.base}${urls[page].path}`);
    log(`the reader's cookie (signed-in pages): ${cookie}`);
    log("holding: Ctrl-C stops the server");
    await new Promise<never>(() => {});
  }

  const loadBefore = await uptime();
  log(`lighthouse: ${opts.runs} run(s) × ${opts.pages.length} page(s) × ${opts.formFactors.join(", ")}; ${loadBefore}`);
  const runs = new Map<string, { lhr: Lhr; file: string }[]>();
  for (let r = 1; r <= opts.runs; r++) {
    for (const formFactor of opts.formFactors) {
      for (const page of opts.pages) {
        const file = path.join(outDir, `${page}-${formFactor}-${r}.json`);
        const lhr = await withRetries(`${page}/${formFactor} run ${r}`, () =>
          lighthouse(`${server.base}${urls[page].path}`, formFactor, urls[page].cookie, file),
        );
        const key = `${page}/${formFactor}`;
        runs.set(key, [...(runs.get(key) ?? []), { lhr, file }]);
        log(`${key} run ${r}: performance ${Math.round((lhr.categories.performance?.score ?? 0) * 100)}`);
      }
    }
  }
  const loadAfter = await uptime();

  const results: PageResult[] = [];
  for (const page of opts.pages) {
    for (const formFactor of opts.formFactors) {
      const all = runs.get(`${page}/${formFactor}`)!;
      const lhr = medianRun(all.map((x) => x.lhr));
      const perf = all.map((x) => Math.round((x.lhr.categories.performance?.score ?? 0) * 100));
      const bytes = scriptBytes(lhr, htmlScripts.get(page)!);
      results.push({
        page,
        formFactor,
        url: urls[page].path,
        runs: all.length,
        medianReport: path.relative(ROOT, all.find((x) => x.lhr === lhr)!.file),
        scores: Object.fromEntries(
          CATEGORIES.map((c) => [c, lhr.categories[c]?.score == null ? null : Math.round(lhr.categories[c]!.score! * 100)]),
        ) as PageResult["scores"],
        performanceRange: [Math.min(...perf), Math.max(...perf)],
        fcpMs: Math.round(numeric(lhr, "first-contentful-paint")),
        lcpMs: Math.round(numeric(lhr, "largest-contentful-paint")),
        tbtMs: Math.round(numeric(lhr, "total-blocking-time")),
        cls: round(numeric(lhr, "cumulative-layout-shift"), 3),
        speedIndexMs: Math.round(numeric(lhr, "speed-index")),
        ttiMs: Math.round(numeric(lhr, "interactive")),
        scriptKB: { all: round(bytes.all / 1024, 1), withPage: round(bytes.withPage / 1024, 1), requests: bytes.requests },
        unusedScriptKB: round((lhr.audits["unused-javascript"]?.details?.overallSavingsBytes ?? 0) / 1024, 1),
        failing: failingAudits(lhr),
        warnings: lhr.runWarnings,
      });
    }
  }

  const summary = {
    startedAt: startedAt.toISOString(),
    git,
    machine: await machineInfo(null, db.server),
    uptime: { before: loadBefore, after: loadAfter },
    lighthouse: (JSON.parse(await readFile(path.join(ROOT, "node_modules", "lighthouse", "package.json"), "utf8")) as { version: string }).version,
    chromium: (await run(chromePath(), ["--version"]).catch(() => ({ stdout: "?" }))).stdout.trim(),
    options: opts,
    data: seeded.counts,
    results,
  };
  await writeFile(path.join(outDir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);

  console.log(`\nLighthouse ${summary.lighthouse}, ${summary.chromium}; commit ${git.commit ?? "?"}${git.dirty ? " (dirty)" : ""}`);
  console.log(`load: before ${loadBefore}\n      after  ${loadAfter}`);
  console.log(`median of ${opts.runs} run(s) each; JS = script bytes transferred (compressed, KB): all / those the page's HTML loads (its first load; the rest its code loads later); unused = Lighthouse's unused-javascript\n`);
  console.log(
    table(
      ["page", "form", "perf", "(range)", "a11y", "bp", "seo", "FCP ms", "LCP ms", "TBT ms", "CLS", "JS KB", "in HTML KB", "scripts", "unused KB"],
      results.map((r) => [
        r.page,
        r.formFactor,
        r.scores.performance,
        `${r.performanceRange[0]}–${r.performanceRange[1]}`,
        r.scores.accessibility,
        r.scores["best-practices"],
        r.scores.seo,
        r.fcpMs,
        r.lcpMs,
        r.tbtMs,
        r.cls,
        r.scriptKB.all,
        r.scriptKB.withPage,
        r.scriptKB.requests,
        r.unusedScriptKB,
      ]),
    ),
  );
  for (const r of results) {
    if (r.failing.length === 0) continue;
    console.log(`\n${r.page} (${r.formFactor}) audits below 0.9:`);
    for (const f of r.failing) console.log(`  ${f.category}: ${f.id} (${f.score})${f.displayValue ? ` ${f.displayValue}` : ""}`);
  }
  console.log(`\nreports: ${path.relative(ROOT, outDir)}/`);
  return 0;
}

await runBenchCli(parseOptions, USAGE, main);
