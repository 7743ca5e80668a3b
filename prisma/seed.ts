/**
 * Demo data: five people and a handful of conversations with history and unread messages.
 * Runs through the domain functions, so watermarks and unread counts are exactly what the app would produce,
 * then spreads message times over the past days so the demo looks lived in.
 *
 * The demo accounts share a password printed in the README, so they belong in the embedded demo database only:
 * {@link demoSeedPlan} says where else they may go. `npm run dev` / `npm start` (scripts/run.ts) call
 * {@link seedDemo}; `npm run db:seed` runs this file:
 *
 *   DATABASE_URL=… npm run db:seed     (does nothing when users already exist; refused with NODE_ENV=production
 *                                        unless SEED_DEMO=production)
 */
import pg from "pg";
import { connectTimeoutMs, directDatabaseUrl, disconnectPrisma, getPrisma } from "../lib/db";
import { markThreadRead } from "../lib/server/read-state";
import { sendMessage } from "../lib/server/messages";
import { react } from "../lib/server/reactions";
import { createGroup } from "../lib/server/groups";
import { setUserRole } from "../lib/server/roles";
import { createOrGetThread } from "../lib/server/threads";
import { registerUser } from "../lib/server/users";
import { isMainModule } from "../scripts/processes";

export const DEMO_PASSWORD = "parley-demo";

/** The demo account that is an instance admin (README, "Administration"). */
export const DEMO_ADMIN = "dave";

const people = [
  { username: "alice", name: "Alice Martin" },
  { username: "bob", name: "Bob Okafor" },
  { username: "carol", name: "Carol Nguyen" },
  { username: "dave", name: "Dave Schmidt" },
  { username: "erin", name: "Erin Walsh" },
] as const;
type Who = (typeof people)[number]["username"];

/** [sender, text, minutes ago, the line (1-based) it replies to]. Text is Markdown, as people type it. */
type Line = [Who, string, number, number?];

/**
 * A direct conversation, or with `title` a group (its first member the admin). `reactions`: [line (1-based), who,
 * emoji]; `readUpTo`: how far each person has read (line, 1-based).
 */
const conversations: {
  members: Who[];
  title?: string;
  lines: Line[];
  reactions?: [number, Who, string][];
  readUpTo?: Partial<Record<Who, number>>;
}[] = [
  {
    members: ["alice", "bob"],
    lines: [
      ["bob", "Morning! Did you get a chance to look at the release notes?", 60 * 26],
      ["alice", "Yes — left a few comments on the migration section.", 60 * 25 + 40],
      ["bob", "Great, I'll fold them in.", 60 * 25 + 30],
      ["alice", "Lunch tomorrow?", 60 * 3],
      ["bob", "Sure, 12:30 at the usual place?", 14],
      ["bob", "Also, can you review my PR before then?", 12],
      ["bob", "It's the one that touches the **unread counters**.", 11],
    ],
    reactions: [[2, "bob", "🙏"], [4, "bob", "👍"]],
    readUpTo: { alice: 4 },
  },
  {
    members: ["alice", "carol"],
    lines: [
      ["carol", "The design review moved to Thursday.", 60 * 50],
      ["alice", "Thanks for the heads-up!", 60 * 49],
      ["carol", "I've shared the new mock-ups in the drive.", 60 * 5],
      ["carol", "Dark mode is in there too 🌙", 60 * 5 - 2],
    ],
    readUpTo: { alice: 2 },
  },
  {
    members: ["dave", "alice", "bob", "carol"],
    title: "Team",
    lines: [
      ["dave", "Team, standup is 10 minutes late today.", 60 * 72],
      ["carol", "👍", 60 * 72 - 1],
      ["alice", "Works for me.", 60 * 72 - 2],
      ["bob", "@dave who's on call this weekend?", 60 * 2],
      ["dave", "Erin, I think — I'll double-check. @alice can you confirm the `on-call` rota?", 60 * 2 - 5, 4],
    ],
    reactions: [[1, "alice", "👍"], [1, "bob", "👍"], [5, "bob", "🙏"]],
    readUpTo: { alice: 3, carol: 5 },
  },
  {
    members: ["alice", "dave"],
    lines: [
      ["alice", "Here are the numbers from last quarter.", 60 * 24 * 6],
      ["dave", "Perfect, thank you.", 60 * 24 * 6 - 30],
    ],
  },
  {
    members: ["bob", "erin"],
    lines: [
      ["erin", "Can you send me the on-call schedule?", 60 * 8],
      ["bob", "Sent!", 60 * 7],
    ],
  },
];

/** Whether to seed, and the reason, for the log. */
export interface SeedPlan {
  seed: boolean;
  why: string;
}

/** Seeding was asked for where it must not happen, or `SEED_DEMO` has no meaning: the message says which. */
export class SeedRefused extends Error {
  override name = "SeedRefused";
}

/**
 * Whether demo data may go into the database (issue 14): into the embedded database, yes (it is the demo); into one
 * named by `DATABASE_URL` only on request, `--seed` or `SEED_DEMO=true`; and with `NODE_ENV=production` only when
 * that request is spelled out as `SEED_DEMO=production`. `SEED_DEMO=false` never seeds. Seeding itself still
 * happens only into a database without users ({@link seedDemo}).
 * @param opts.database `embedded` (scripts/embedded-postgres.ts started it) or `external` (`DATABASE_URL`).
 * @param opts.seedFlag whether the command line said `--seed`.
 * @throws SeedRefused for an unknown `SEED_DEMO`, a contradiction (`--seed` with `SEED_DEMO=false`), or a request to
 *   seed with `NODE_ENV=production` that is not `SEED_DEMO=production`.
 */
export function demoSeedPlan(opts: {
  database: "embedded" | "external";
  seedFlag: boolean;
  SEED_DEMO?: string;
  NODE_ENV?: string;
}): SeedPlan {
  const setting = (opts.SEED_DEMO ?? "").trim().toLowerCase();
  if (!["", "true", "false", "production"].includes(setting)) {
    throw new SeedRefused(`SEED_DEMO must be true, false or production; got "${opts.SEED_DEMO}"`);
  }
  if (setting === "false") {
    if (opts.seedFlag) throw new SeedRefused("--seed and SEED_DEMO=false contradict each other");
    return { seed: false, why: "SEED_DEMO=false" };
  }
  const asked = opts.seedFlag || setting !== "";
  if (asked && opts.NODE_ENV === "production" && setting !== "production") {
    throw new SeedRefused(
      `refusing to create the demo accounts (password "${DEMO_PASSWORD}", published in the README) with ` +
        "NODE_ENV=production; to do it anyway, set SEED_DEMO=production",
    );
  }
  if (opts.database === "embedded") return { seed: true, why: "the embedded database is the demo database" };
  if (asked) return { seed: true, why: opts.seedFlag ? "--seed" : `SEED_DEMO=${setting}` };
  return {
    seed: false,
    why:
      `DATABASE_URL names a database of your own, and the demo accounts' password is published in the README; ` +
      "pass --seed or set SEED_DEMO=true to seed an empty one",
  };
}

/** Session-level advisory lock key held while deciding whether to seed and seeding (arbitrary, Parley's own). */
export const SEED_LOCK_KEY = 7_261_023;

/**
 * Seeds the demo data into `DATABASE_URL`'s database when it has no users, deciding that under an advisory lock on a
 * direct connection, so that instances starting together on one empty database seed it exactly once (the others
 * wait, then find users). Leaves the Prisma pool open (the caller disconnects).
 * @returns whether it seeded.
 */
export async function seedDemo(log: (line: string) => void = console.log): Promise<boolean> {
  // No query timeout: waiting for the lock while another instance seeds is the point.
  const lock = new pg.Client({ connectionString: directDatabaseUrl(), application_name: "parley-seed", connectionTimeoutMillis: connectTimeoutMs() });
  await lock.connect();
  try {
    await lock.query("SELECT pg_advisory_lock($1)", [SEED_LOCK_KEY]);
    if ((await getPrisma().user.count()) > 0) {
      log("seed: the database has users already; not seeding");
      return false;
    }
    await seedDemoData();
    log(`seed: ${people.length} demo users (password "${DEMO_PASSWORD}"), ${conversations.length} threads`);
    return true;
  } finally {
    await lock.query("SELECT pg_advisory_unlock($1)", [SEED_LOCK_KEY]).catch(() => undefined);
    await lock.end().catch(() => undefined);
  }
}

async function seedDemoData(): Promise<void> {
  const prisma = getPrisma();
  const ids = {} as Record<Who, string>;
  for (const p of people) ids[p.username] = (await registerUser({ ...p, password: DEMO_PASSWORD })).id;
  // The demo's instance admin (README): the admin area at /admin is Dave's.
  await prisma.$transaction((tx) => setUserRole(tx, null, ids[DEMO_ADMIN], "admin", "Demo data"));

  const now = Date.now();
  for (const c of conversations) {
    const owner = c.members[0]!;
    const others = c.members.slice(1).map((m) => ids[m]);
    const thread = c.title ? await createGroup(ids[owner], others, c.title, null) : (await createOrGetThread(ids[owner], others)).thread;
    const messageIds: string[] = [];
    for (const [who, text, minutesAgo, replyTo] of c.lines) {
      const replyToId = replyTo === undefined ? undefined : messageIds[replyTo - 1];
      const { message } = await sendMessage(ids[who], thread.id, { text, replyToId });
      messageIds.push(message.id);
      await prisma.message.update({ where: { id: message.id }, data: { createdAt: new Date(now - minutesAgo * 60_000) } });
    }
    for (const [line, who, emoji] of c.reactions ?? []) await react(ids[who], messageIds[line - 1]!, emoji, true);
    for (const [who, upTo] of Object.entries(c.readUpTo ?? {})) {
      await markThreadRead(ids[who as Who], thread.id, messageIds[upTo - 1]);
    }
    const lastAt = new Date(now - c.lines[c.lines.length - 1]![2] * 60_000);
    await prisma.participant.updateMany({ where: { threadId: thread.id }, data: { lastActivityAt: lastAt } });
    const createdAt = new Date(now - c.lines[0]![2] * 60_000 - 60_000);
    await prisma.thread.update({ where: { id: thread.id }, data: { createdAt } });
    // Everyone joined when the thread began, before its (backdated) messages: "Seen" compares the two.
    await prisma.participant.updateMany({ where: { threadId: thread.id }, data: { joinedAt: createdAt } });
    // A group's "created the group" entry dates from its creation, before the first message.
    await prisma.message.updateMany({ where: { threadId: thread.id, kind: "system" }, data: { createdAt } });
  }
}

/** `npm run db:seed`: the command is the request to seed; NODE_ENV=production still needs SEED_DEMO=production. */
async function main(): Promise<number> {
  try {
    demoSeedPlan({ database: "external", seedFlag: true, SEED_DEMO: process.env.SEED_DEMO, NODE_ENV: process.env.NODE_ENV });
    await seedDemo();
    return 0;
  } catch (e) {
    console.error(`seed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    await disconnectPrisma();
  }
}

if (isMainModule(import.meta.url)) process.exitCode = await main();
