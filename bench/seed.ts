// Reproducible data sets for `npm run bench` (bench/api.ts), written with set-based SQL: a few statements over
// arrays and generate_series, not one row at a time. The same preset always gives the same rows (ids, keys, texts,
// times, read positions), so that runs on different commits or machines measure the same thing.
import { createHash } from "node:crypto";
import { hash } from "@node-rs/argon2";
import pg from "pg";
import { participantKey } from "../lib/server/participant-key";

export interface Preset {
  name: string;
  users: number;
  /** Two-person threads. */
  threads: number;
  /** Messages per thread: `threads × messagesPerThread` in all. */
  messagesPerThread: number;
  /**
   * The users the load is driven as (their tokens and threads). Default preset: all 50 users, with 20 threads
   * each. Large preset: 50 "heavy" users with exactly 200 threads each, the case the issue asks to compare.
   */
  actors: number;
  /** Threads each actor is in (exact). */
  threadsPerActor: number;
}

/**
 * `default`: the data set the Django figures were measured on (50 users, 500 two-person threads, 20,000 messages).
 * `large`: 1,000 users, 20,000 threads, 1,000,000 messages.
 */
export const PRESETS: Record<string, Preset> = {
  default: { name: "default", users: 50, threads: 500, messagesPerThread: 40, actors: 50, threadsPerActor: 20 },
  large: { name: "large", users: 1000, threads: 20_000, messagesPerThread: 50, actors: 50, threadsPerActor: 200 },
};

export interface BenchActor {
  userId: string;
  token: string;
  /** The actor's threads, each with the other participant and that participant's token. */
  threads: { threadId: string; partnerId: string; partnerToken: string }[];
}

export interface SeededData {
  preset: Preset;
  actors: BenchActor[];
  counts: { users: number; threads: number; participants: number; messages: number };
  /** Wall-clock seconds the seeding took (inserts, then VACUUM ANALYZE). */
  seconds: number;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest();
/** A deterministic id in UUID form (the app's own ids are UUIDv7; ids are opaque to the API). */
const idFor = (kind: string, i: number) => {
  const h = sha256(`parley-bench:${kind}:${i}`).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};
/** The id the seed gives message `seq` of a thread: PostgreSQL's `md5(thread_id || ':' || seq)::uuid`. */
export const messageIdFor = (threadId: string, seq: number) => {
  const h = createHash("md5").update(`${threadId}:${seq}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

/** A token in the app's format (`prly_` + 43 base64url characters), deterministic per user. */
const tokenFor = (i: number) => `prly_${sha256(`parley-bench:token:${i}`).toString("base64url")}`;

/**
 * The two-person pairs, as user indexes. Actors come first (users 0..actors-1), each paired with
 * `threadsPerActor` distinct non-actors; the remaining threads pair non-actors along a ring (i with i+1, i+2, …),
 * skipping pairs already taken, so no one else comes near an actor's thread count.
 */
function pairs(p: Preset): [number, number][] {
  const out: [number, number][] = [];
  const seen = new Set<string>();
  const add = (a: number, b: number) => {
    const key = a < b ? `${a}:${b}` : `${b}:${a}`;
    if (a === b || seen.has(key) || out.length >= p.threads) return;
    seen.add(key);
    out.push([a, b]);
  };
  const others = p.users - p.actors;
  if (others > 0) {
    for (let a = 0; a < p.actors; a++) {
      for (let j = 0; j < p.threadsPerActor; j++) add(a, p.actors + ((a * p.threadsPerActor + j) % others));
    }
  }
  // Default preset (everyone is an actor): a ring over all users, offsets 1..10, 20 threads each.
  const ring = others > 0 ? { from: p.actors, size: others } : { from: 0, size: p.users };
  for (let k = 1; out.length < p.threads && k < ring.size; k++) {
    for (let i = 0; i < ring.size && out.length < p.threads; i++) add(ring.from + i, ring.from + ((i + k) % ring.size));
  }
  if (out.length < p.threads) throw new Error(`preset ${p.name}: only ${out.length} distinct pairs`);
  return out;
}

/**
 * Fills an empty, migrated database with `preset`'s data and returns the actors' tokens and threads.
 *
 * Messages alternate between the two participants (odd `seq` from the first, even from the second), one minute
 * apart; thread k's last message is k × 37 s before 2026-11-01T00:00Z, so lists have a stable order. Every watermark
 * is at 0 (nothing read yet), and unread counters are computed from them exactly as the app keeps them (messages
 * after the watermark sent by someone else).
 * @throws Error when the database already has users.
 */
export async function seedBench(databaseUrl: string, preset: Preset): Promise<SeededData> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "parley-bench-seed" });
  await client.connect();
  try {
    const { rows: existing } = await client.query<{ n: string }>("SELECT count(*) AS n FROM users");
    if (Number(existing[0]!.n) > 0) throw new Error("the bench database is not empty");

    const userIds = Array.from({ length: preset.users }, (_, i) => idFor("user", i));
    const tokens = Array.from({ length: preset.users }, (_, i) => tokenFor(i));
    const passwordHash = await hash("parley-bench-password");
    const threadPairs = pairs(preset);
    const threadIds = threadPairs.map((_, k) => idFor("thread", k));
    const keys = threadPairs.map(([a, b]) => participantKey([userIds[a]!, userIds[b]!]));
    const m = preset.messagesPerThread;

    await client.query("BEGIN");
    await client.query(
      `INSERT INTO users (id, username, name, password_hash, created_at)
       SELECT id, 'bench_' || lpad(i::text, 5, '0'), 'Bench User ' || i, $2, timestamptz '2026-10-01T00:00Z'
       FROM unnest($1::text[]) WITH ORDINALITY AS u(id, i)`,
      [userIds, passwordHash],
    );
    await client.query(
      `INSERT INTO api_tokens (id, user_id, name, token_hash, created_at)
       SELECT 'tok-' || user_id, user_id, 'bench', encode(sha256(convert_to(token, 'UTF8')), 'hex'), timestamptz '2026-10-01T00:00Z'
       FROM unnest($1::text[], $2::text[]) AS t(user_id, token)`,
      [userIds, tokens],
    );
    // Thread k's last activity; its messages run back from there one minute apart.
    await client.query(
      `CREATE TEMP TABLE bench_threads ON COMMIT DROP AS
       SELECT id, key, a, b, k - 1 AS k, timestamptz '2026-11-01T00:00Z' - (k - 1) * interval '37 seconds' AS last_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(id, key, a, b, k)`,
      [threadIds, keys, threadPairs.map(([a]) => userIds[a]!), threadPairs.map(([, b]) => userIds[b]!)],
    );
    await client.query(
      `INSERT INTO threads (id, participant_key, last_seq, created_at)
       SELECT id, key, $1::int, last_at - $1::int * interval '1 minute' FROM bench_threads`,
      [m],
    );
    // Message ids: see messageIdFor.
    await client.query(
      `INSERT INTO messages (id, thread_id, seq, sender_id, text, created_at)
       SELECT md5(t.id || ':' || s)::uuid::text, t.id, s, CASE WHEN s % 2 = 1 THEN t.a ELSE t.b END,
              'Message ' || s || ' of a benchmark conversation, about as long as an ordinary chat line.',
              t.last_at - ($1::int - s) * interval '1 minute'
       FROM bench_threads t, generate_series(1, $1::int) AS s`,
      [m],
    );
    // Nobody has read anything yet: every watermark at 0, so that `mark-read` in bench/api.ts can move one a
    // message at a time, and every participant has the other's messages unread.
    await client.query(
      `INSERT INTO participants (thread_id, user_id, last_read_seq, unread_count, last_activity_at, joined_at)
       SELECT t.id, p.user_id, 0, 0, t.last_at, t.last_at - $1::int * interval '1 minute'
       FROM bench_threads t CROSS JOIN LATERAL (VALUES (t.a), (t.b)) AS p(user_id)`,
      [m],
    );
    await client.query(
      `UPDATE participants p SET unread_count = c.n
       FROM (SELECT p2.thread_id, p2.user_id, count(*)::int AS n
             FROM participants p2 JOIN messages msg
               ON msg.thread_id = p2.thread_id AND msg.seq > p2.last_read_seq AND msg.sender_id <> p2.user_id
             GROUP BY p2.thread_id, p2.user_id) c
       WHERE p.thread_id = c.thread_id AND p.user_id = c.user_id`,
    );
    await client.query("COMMIT");
    await client.query("VACUUM (ANALYZE) users, api_tokens, threads, participants, messages");

    const { rows } = await client.query<{ users: string; threads: string; participants: string; messages: string }>(
      `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM threads) AS threads,
              (SELECT count(*) FROM participants) AS participants, (SELECT count(*) FROM messages) AS messages`,
    );
    const actors: BenchActor[] = Array.from({ length: preset.actors }, (_, i) => ({
      userId: userIds[i]!,
      token: tokens[i]!,
      threads: [],
    }));
    threadPairs.forEach(([a, b], k) => {
      actors[a]?.threads.push({ threadId: threadIds[k]!, partnerId: userIds[b]!, partnerToken: tokens[b]! });
      actors[b]?.threads.push({ threadId: threadIds[k]!, partnerId: userIds[a]!, partnerToken: tokens[a]! });
    });
    for (const actor of actors) {
      if (actor.threads.length !== preset.threadsPerActor) {
        throw new Error(`preset ${preset.name}: an actor has ${actor.threads.length} threads, not ${preset.threadsPerActor}`);
      }
    }
    return {
      preset,
      actors,
      counts: {
        users: Number(rows[0]!.users),
        threads: Number(rows[0]!.threads),
        participants: Number(rows[0]!.participants),
        messages: Number(rows[0]!.messages),
      },
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
