/**
 * Demo data: five people and a handful of conversations with history and unread messages.
 * Runs through the domain functions, so watermarks and unread counts are exactly what the app would produce,
 * then spreads message times over the past days so the demo looks lived in.
 *
 * Usage: DATABASE_URL=… npx tsx prisma/seed.ts   (does nothing when users already exist)
 */
import { disconnectPrisma, getPrisma } from "../lib/db";
import { markThreadRead } from "../lib/server/read-state";
import { sendMessage } from "../lib/server/messages";
import { createOrGetThread } from "../lib/server/threads";
import { registerUser } from "../lib/server/users";

export const DEMO_PASSWORD = "parley-demo";

const people = [
  { username: "alice", name: "Alice Martin" },
  { username: "bob", name: "Bob Okafor" },
  { username: "carol", name: "Carol Nguyen" },
  { username: "dave", name: "Dave Schmidt" },
  { username: "erin", name: "Erin Walsh" },
] as const;
type Who = (typeof people)[number]["username"];

/** [sender, text, minutes ago]. */
type Line = [Who, string, number];

const conversations: { members: Who[]; lines: Line[]; readUpTo?: Partial<Record<Who, number>> }[] = [
  {
    members: ["alice", "bob"],
    lines: [
      ["bob", "Morning! Did you get a chance to look at the release notes?", 60 * 26],
      ["alice", "Yes — left a few comments on the migration section.", 60 * 25 + 40],
      ["bob", "Great, I'll fold them in.", 60 * 25 + 30],
      ["alice", "Lunch tomorrow?", 60 * 3],
      ["bob", "Sure, 12:30 at the usual place?", 14],
      ["bob", "Also, can you review my PR before then?", 12],
      ["bob", "It's the one that touches the unread counters.", 11],
    ],
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
    members: ["alice", "bob", "carol", "dave"],
    lines: [
      ["dave", "Team, standup is 10 minutes late today.", 60 * 72],
      ["carol", "👍", 60 * 72 - 1],
      ["alice", "Works for me.", 60 * 72 - 2],
      ["bob", "Who's on call this weekend?", 60 * 2],
      ["dave", "Erin, I think — I'll double-check.", 60 * 2 - 5],
    ],
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

async function main() {
  const prisma = getPrisma();
  if ((await prisma.user.count()) > 0) {
    console.log("seed: users exist already; nothing to do");
    return;
  }
  const ids = {} as Record<Who, string>;
  for (const p of people) ids[p.username] = (await registerUser({ ...p, password: DEMO_PASSWORD })).id;

  const now = Date.now();
  for (const c of conversations) {
    const owner = c.members[0]!;
    const { thread } = await createOrGetThread(ids[owner], c.members.slice(1).map((m) => ids[m]));
    const messageIds: string[] = [];
    for (const [who, text, minutesAgo] of c.lines) {
      const { message } = await sendMessage(ids[who], thread.id, { text });
      messageIds.push(message.id);
      await prisma.message.update({ where: { id: message.id }, data: { createdAt: new Date(now - minutesAgo * 60_000) } });
    }
    for (const [who, upTo] of Object.entries(c.readUpTo ?? {})) {
      await markThreadRead(ids[who as Who], thread.id, messageIds[upTo - 1]);
    }
    const lastAt = new Date(now - c.lines[c.lines.length - 1]![2] * 60_000);
    await prisma.participant.updateMany({ where: { threadId: thread.id }, data: { lastActivityAt: lastAt } });
    await prisma.thread.update({ where: { id: thread.id }, data: { createdAt: new Date(now - c.lines[0]![2] * 60_000 - 60_000) } });
  }
  console.log(`seed: ${people.length} users (password "${DEMO_PASSWORD}"), ${conversations.length} threads`);
}

main()
  .catch((e) => {
    console.error("seed failed:", e instanceof Error ? e.message : e);
    process.exitCode = 1;
  })
  .finally(() => disconnectPrisma());
