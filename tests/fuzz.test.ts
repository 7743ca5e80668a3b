/**
 * Fuzzing the REST API (fast-check): thousands of random requests — path parameters, query strings, bodies (JSON of
 * every shape, text, invalid UTF-8, more than the size limit) and headers (credentials, cookies, content types,
 * Origin, request ids, …) — to every operation the OpenAPI document lists, so that a new route is fuzzed as soon as it
 * is documented. Every answer must be below 500 and one the document describes (tests/helpers/contract.ts), and no
 * request may change the data.
 *
 * How "no change" holds while writes are fuzzed: every request to a write (POST, PUT, PATCH, DELETE) carries at least
 * one element that must get it rejected — an invalid `Authorization` header, no credentials, a session of a user who
 * does not exist, an outsider's credentials on another's thread, message or token, an id that names nothing, or a body
 * that cannot be valid — and may carry any others. A write that answers 2xx fails the test, and so does any change to
 * users (but presence: `last_seen_at`, `online`), api_tokens (but `last_used_at`), threads, participants, messages, reactions, events,
 * reports, blocks or the audit log, checked after every request. Reads may succeed, and often do; the one read that
 * writes, an admin reading a conversation's messages, must add exactly one `thread.messages_viewed` audit entry when
 * it answers 200 and none otherwise. `GET /api/events` is fuzzed too: a stream it opens is cancelled unread.
 *
 * The admin operations (`auth: "admin"`) are fuzzed mostly with an admin's credentials (Root's), so that they get past
 * their front door; a member's credentials are one more fault there (they answer 404 to anyone but an admin).
 *
 * Reproducing a failure: fast-check prints the seed and path; run
 * `FUZZ_SEED=<seed> FUZZ_PATH=<path> npx vitest run tests/fuzz.test.ts -t "<operation>"`. FUZZ_RUNS sets the runs per
 * operation (default 300).
 */
import fc from "fast-check";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "@/lib/schemas/common";
import { getPrisma } from "@/lib/db";
import { getHub } from "@/lib/infra/live-hub";
import { api, call } from "./helpers/api";
import { snapshotSql } from "./helpers/snapshot";
import { createAdmin, createThread, createUser, mintSessionCookie, send, sessionCookie, type TestUser } from "./helpers/fixtures";
import {
  checkAnswer,
  documentOperations,
  encodeSegment,
  type JsonSchema,
  type Operation,
  type RawRequest,
  type RawResponse,
  resolveRef,
  sendRaw,
  wellFormed,
} from "./helpers/operations";

const SEED = Number(process.env.FUZZ_SEED ?? 20261121);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const REPLAY_PATH = process.env.FUZZ_PATH || undefined;

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

// ---------------------------------------------------------------------------------------------------------------------
// The world the requests are sent into
// ---------------------------------------------------------------------------------------------------------------------

type Member = "alice" | "bob" | "carol" | "root";
/** `ghost`: a user who does not exist (a session cookie signed with the server's secret for an unknown id). */
type Who = Member | "ghost";

/**
 * Alice and Bob share a thread; Carol (the outsider) is not in it, and has a thread of her own with Dave. Root is an
 * admin of the instance, in no thread. Bob reported one of Alice's messages; Alice blocked Dave. Ids are grouped by the
 * collection they belong to (`threads`, `messages`, `users`, `tokens`, `reports`: the path segment before `{id}`).
 */
interface World {
  users: Record<Member | "dave", TestUser>;
  sessions: Record<Who, string>;
  /** A session cookie signed with another secret, and junk session cookies. */
  forgedSessions: string[];
  ids: Record<string, string[]>;
  /** What Carol must not touch: Alice and Bob's thread, its messages, their tokens. */
  foreign: Record<string, string[]>;
  allIds: string[];
  usernames: string[];
}

let world: World;

async function tokenIds(user: TestUser): Promise<string[]> {
  const res = await api.get("/api/tokens?limit=100", { token: user.token });
  return res.body.data.map((t: { id: string }) => t.id);
}

// ---------------------------------------------------------------------------------------------------------------------
// "No change to data": one hash per table
// ---------------------------------------------------------------------------------------------------------------------

/** The audit entries a successful admin read of a conversation's messages writes (one per page read). */
const VIEWED = "thread.messages_viewed";

const SNAPSHOT_SQL =
  // The audit entries of admins' reads are counted apart (see `viewedEntries`): every other entry is hashed.
  snapshotSql({ audit_log: `action <> '${VIEWED}'` }) +
  ` UNION ALL SELECT '${VIEWED}', count(*)::int, '' FROM audit_log WHERE action = '${VIEWED}'`;

/**
 * Row count and MD5 of every row (as JSON, ignored columns removed) of each table (tests/helpers/snapshot.ts), and apart from
 * them the number of {@link VIEWED} audit entries.
 */
async function snapshot(): Promise<string> {
  const rows = await getPrisma().$queryRawUnsafe<{ table: string; rows: number; hash: string }[]>(SNAPSHOT_SQL);
  return rows.map((r) => `${r.table}: ${r.rows} rows, ${r.hash}`).join("\n");
}

/** The number of {@link VIEWED} audit entries in a {@link snapshot}. */
const viewedEntries = (snap: string) => Number(new RegExp(`^${VIEWED.replaceAll(".", "\\.")}: (\\d+) rows`, "m").exec(snap)![1]);
/** A {@link snapshot} without its count of {@link VIEWED} audit entries. */
const withoutViewed = (snap: string) => snap.replace(new RegExp(`^${VIEWED.replaceAll(".", "\\.")}: .*$`, "m"), "");

// ---------------------------------------------------------------------------------------------------------------------
// Generators: strings, ids, headers
// ---------------------------------------------------------------------------------------------------------------------

/** Characters that tend to break things: NUL, lone surrogates, bidi overrides, zero-width, combining, astral. */
const trickyChar = fc.oneof(
  { arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), weight: 4 },
  fc.constantFrom("\u0000", "\ud800", "\udfff", "\u202e", "\u200b", "\ufeff", "\u0301", "\u{1f600}", "İ", "ß"),
  fc.constantFrom("%", "/", "\\", "'", '"', ";", "&", "=", "?", "#", "..", " ", "\t", "\n", "\r", "<", "{", "$1", "%00"),
);
const trickyString = (maxLength: number, minLength = 0) => fc.string({ unit: trickyChar, minLength, maxLength });

/** A Latin-1 header value (what `Headers` accepts: no NUL, CR or LF, nothing above U+00FF). */
const headerChar = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
  fc.constant("\t"),
);
const headerValue = fc.string({ unit: headerChar, maxLength: 80 });
const headerName = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,24}$/).filter((n) => !/^(authorization|cookie|content-type)$/i.test(n));
const base64url = (bytes: fc.Arbitrary<Uint8Array>) => bytes.map((b) => Buffer.from(b).toString("base64url"));

/** Ids that name nothing: random UUIDs (v4, v7), tricky and very long strings, existing ids altered. */
function missingIdArb(w: World): fc.Arbitrary<string> {
  const existing = new Set(w.allIds);
  return fc
    .oneof(
      fc.uuid({ version: 4 }),
      fc.uuid({ version: 7 }),
      trickyString(24, 1),
      fc.constantFrom("", ".", "..", "../..", "%2e%2e", "me", "unread", "null", "undefined", "0", "-1", "NaN", "' OR 1=1 --", "a".repeat(64), "a".repeat(65)),
      trickyString(2000, 65),
      fc
        .tuple(fc.constantFrom(...w.allIds), fc.constantFrom("upper", "suffix", "prefix", "truncate", "nul", "space"))
        .map(([id, how]) =>
          ({
            upper: id.toUpperCase(),
            suffix: `${id}x`,
            prefix: `x${id}`,
            truncate: id.slice(0, -1),
            nul: `${id}\u0000`,
            space: ` ${id}`,
          })[how]!,
        ),
    )
    .filter((id) => !existing.has(id));
}

/** Collections whose path segment is not their name: `/api/users/me/blocks/{userId}` names a user. */
const COLLECTION_OF_SEGMENT: Record<string, string> = { blocks: "users" };

/**
 * Whether a path parameter is an id, as the route wrapper tells them apart (lib/api/handler.ts, parseParams): `id` or
 * a name ending in `Id`. An id that cannot be valid names nothing (404); any other parameter (a reaction's emoji) is
 * input, and a bad one is a 400.
 */
const isIdParam = (name: string) => name === "id" || name.endsWith("Id");

/**
 * Values of a path parameter that is not an id, by name: valid ones (which a request that must fail pairs with another
 * fault) and invalid ones. `emoji`: one RGI emoji, or ❤ without its variation selector (taken as ❤️); refused: two
 * emoji, emoji with text, a lone skin tone, regional indicator or ZWJ, a keycap's digit, longer than 64 characters.
 */
const NON_ID_PARAM_VALUES: Record<string, () => fc.Arbitrary<string>> = {
  emoji: () =>
    fc.oneof(
      { arbitrary: fc.constantFrom("👍", "❤️", "❤", "😀", "👨‍👩‍👧", "🇫🇷", "👍🏽", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "1️⃣", "🫠"), weight: 3 },
      fc.constantFrom("👍👍", "👍 ", " 👍", "a👍", "ok", "", "\\u{1f44d}", "%F0%9F%91%8D", "\u{1f3fd}", "\u{1f1eb}", "\u200d", "1", "#", "❤\ufe0f\ufe0f", "👍\u0000"),
      fc.constantFrom("👍", "😀", "❤️").chain((e) => fc.integer({ min: 2, max: 20 }).map((n) => e.repeat(n))),
      trickyString(8, 1),
      trickyString(200, 65),
    ),
};

/** The collection a path parameter belongs to: the segment before it (`/api/threads/{id}` → `threads`). */
function collectionOf(op: Operation, param: string): string {
  const segments = op.template.split("/");
  const segment = segments[segments.indexOf(`{${param}}`) - 1] ?? "";
  return COLLECTION_OF_SEGMENT[segment] ?? segment;
}

// ---------------------------------------------------------------------------------------------------------------------
// Generators: query strings
// ---------------------------------------------------------------------------------------------------------------------

function queryValueArb(w: World): fc.Arbitrary<string> {
  const cursorLike = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? "null").toString("base64url")),
    fc
      .record(
        {
          t: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string(), fc.integer()),
          i: fc.oneof(fc.constantFrom(...w.allIds), trickyString(70)),
          s: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(2 ** 31, -1, 2 ** 53 + 1, 1e308)),
        },
        { requiredKeys: [] },
      )
      .map((v) => Buffer.from(JSON.stringify(v)).toString("base64url")),
    base64url(fc.uint8Array({ maxLength: 80 })),
  );
  return fc.oneof(
    fc.integer({ min: -1000, max: 1000 }).map(String),
    fc.constantFrom("0", "1", "100", "101", "1.5", "1e2", "0x10", " 5", "5 ", "Infinity", "-0", "NaN", "", "9".repeat(400), "1e400"),
    fc.constantFrom("true", "false", "TRUE", "1", "yes"),
    fc.constantFrom(...w.allIds, ...w.usernames),
    missingIdArb(w),
    cursorLike,
    trickyString(30),
    trickyString(600, 65),
  );
}

/**
 * A query string: none; the operation's own parameters with values shaped like their schemas (often valid); or its
 * own parameters and unknown ones with random values, plus malformed pieces.
 */
function queryArb(op: Operation, w: World): fc.Arbitrary<string> {
  const plausible = fc
    .record(Object.fromEntries(op.query.map((q) => [q.name, plausibleValue(q.schema, w).map(String)])), { requiredKeys: [] })
    .map((params) => new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (v === undefined ? [] : [[k, wellFormed(v)]]))).toString());
  return fc.oneof({ arbitrary: fc.constant(""), weight: 2 }, { arbitrary: plausible, weight: 3 }, { arbitrary: randomQueryArb(op, w), weight: 3 });
}

function randomQueryArb(op: Operation, w: World): fc.Arbitrary<string> {
  const names = op.query.map((q) => q.name);
  const name = fc.oneof(
    ...(names.length ? [{ arbitrary: fc.constantFrom(...names), weight: 4 }] : []),
    fc.constantFrom("__proto__", "constructor", "limit[]", "LIMIT", "", "lastEventId", "cursor", "limit"),
    trickyString(10),
  );
  const raw = fc.constantFrom("", "", "%", "%zz", "&&", "=", "==", "a=%00", "limit=1&limit=2", "?x", "%ff%fe", "cursor=%E2%82");
  return fc
    .tuple(fc.array(fc.tuple(name, queryValueArb(w)), { maxLength: 5 }), raw)
    .map(([pairs, junk]) => [new URLSearchParams(pairs.map(([k, v]) => [wellFormed(k), wellFormed(v)])).toString(), junk].filter(Boolean).join("&"));
}

// ---------------------------------------------------------------------------------------------------------------------
// Generators: bodies
// ---------------------------------------------------------------------------------------------------------------------

type Body =
  | { kind: "none" }
  | { kind: "json"; value: unknown }
  | { kind: "text"; text: string }
  | { kind: "bytes"; bytes: number[] }
  | { kind: "oversized"; over: number; json: boolean };

type JsonType = "string" | "number" | "boolean" | "null" | "array" | "object";
const JSON_TYPES: JsonType[] = ["string", "number", "boolean", "null", "array", "object"];

/** The JSON types a schema admits, or `null` when it does not say. `integer` counts as `number`. */
function typesOf(schema: JsonSchema): Set<JsonType> | null {
  const s = resolveRef(schema);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    const all = new Set<JsonType>();
    for (const b of branches) {
      const t = typesOf(b);
      if (!t) return null;
      t.forEach((x) => all.add(x));
    }
    return all;
  }
  if (s.type) return new Set((Array.isArray(s.type) ? s.type : [s.type]).map((t) => (t === "integer" ? "number" : (t as JsonType))));
  if (s.enum) return new Set(s.enum.map((v) => (v === null ? "null" : Array.isArray(v) ? "array" : (typeof v as JsonType))));
  return null;
}

/** The one branch of `schema` that admits `type`, or `undefined` when none or several do. */
function branchOf(schema: JsonSchema, type: JsonType): JsonSchema | undefined {
  const s = resolveRef(schema);
  const branches = (s.anyOf ?? s.oneOf)?.map(resolveRef) ?? [s];
  const admitting = branches.filter((b) => typesOf(b)?.has(type));
  return admitting.length === 1 ? admitting[0] : undefined;
}

const anyOfType: Record<JsonType, fc.Arbitrary<unknown>> = {
  string: trickyString(20),
  number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -1, 2 ** 31, 1e308)),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  object: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
};

/** ASCII letters only: their length is the same in code points, UTF-16 units and after trimming or lowercasing. */
const asciiOfLength = (min: number, max: number) => fc.string({ unit: fc.constantFrom("x", "Y", "7", "_"), minLength: min, maxLength: max });

/** Values `schema` may or may not accept: shaped like it, with tricky strings, existing ids and edge lengths. */
function plausibleValue(schema: JsonSchema, w: World): fc.Arbitrary<unknown> {
  const s = resolveRef(schema);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) return fc.oneof(...branches.map((b) => plausibleValue(b, w)));
  if (s.enum) return fc.constantFrom(...s.enum);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case "string": {
      const options: fc.Arbitrary<unknown>[] = [
        fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 100, 100) }),
        trickyString(Math.min(s.maxLength ?? 40, 40)),
        fc.constantFrom(...w.allIds, ...w.allIds, ...w.usernames, "   ", "\u3000"),
        // Around the longest accepted (in code points, astral characters included), and far beyond.
        fc
          .tuple(fc.integer({ min: -3, max: 3 }), fc.constantFrom("a", "é", "\u{1f600}", " a"))
          .map(([d, c]) => c.repeat(Math.max(0, (s.maxLength ?? 4000) + d))),
      ];
      if (s.format === "email") options.push(fc.emailAddress());
      if (s.pattern) options.push(fc.stringMatching(new RegExp(s.pattern)));
      return fc.oneof(...options);
    }
    case "integer":
    case "number":
      return fc.oneof({ arbitrary: fc.integer({ min: s.minimum ?? -10, max: s.maximum ?? 1000 }), weight: 3 }, anyOfType.number);
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(s.items ? plausibleValue(s.items, w) : fc.jsonValue({ maxDepth: 1 }), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 5, 5),
      });
    case "object": {
      const props = Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, plausibleValue(v, w)]));
      return fc.record(props, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/**
 * Values `schema` cannot accept, whatever the server's own rules add to it: a value of another JSON type; for a
 * string, one longer than `maxLength` or shorter than `minLength` (ASCII, so no trimming or case mapping changes its
 * length), or one holding U+0000 (PostgreSQL text cannot, and the API refuses it everywhere); for an array, too many or
 * too few items or an invalid one; for an object, a required property missing, an unknown one (when there may be
 * none), or a property that is invalid. `null` when nothing is certainly invalid.
 */
function invalidValue(schema: JsonSchema, w: World): fc.Arbitrary<unknown> | null {
  const options: fc.Arbitrary<unknown>[] = [];
  const types = typesOf(schema);
  if (types) {
    const others = JSON_TYPES.filter((t) => !types.has(t));
    if (others.length) options.push(fc.oneof(...others.map((t) => anyOfType[t])));
  }
  const str = branchOf(schema, "string");
  if (str) {
    if (str.maxLength !== undefined) options.push(asciiOfLength(str.maxLength + 1, str.maxLength + 80));
    if (str.minLength) options.push(asciiOfLength(0, str.minLength - 1));
    options.push(fc.tuple(trickyString(8), trickyString(8)).map(([a, b]) => `${a}\u0000${b}`));
  }
  const arr = branchOf(schema, "array");
  if (arr) {
    const item = arr.items ?? {};
    if (arr.maxItems !== undefined) options.push(plausibleValue(item, w).map((v) => Array.from({ length: arr.maxItems! + 1 }, () => v)));
    if (arr.minItems) options.push(fc.array(plausibleValue(item, w), { maxLength: arr.minItems - 1 }));
    const bad = invalidValue(item, w);
    if (bad) {
      options.push(
        fc
          .tuple(fc.array(plausibleValue(item, w), { maxLength: 3 }), bad, fc.nat())
          .map(([items, b, at]) => items.toSpliced(at % (items.length + 1), 0, b)),
      );
    }
  }
  const obj = branchOf(schema, "object");
  if (obj) {
    const base = plausibleValue(obj, w) as fc.Arbitrary<Record<string, unknown>>;
    const known = new Set(Object.keys(obj.properties ?? {}));
    for (const key of obj.required ?? []) {
      options.push(base.map((o) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key))));
    }
    if (obj.additionalProperties === false) {
      const extraKey = fc.oneof(fc.constantFrom("__proto__", "constructor", "toString", "", "id", "userId", "\u0000"), trickyString(12));
      options.push(
        fc
          .tuple(base, extraKey.filter((k) => !known.has(k)), fc.jsonValue({ maxDepth: 1 }))
          .map(([o, k, v]) => Object.fromEntries([...Object.entries(o), [k, v]])),
      );
    }
    for (const [key, sub] of Object.entries(obj.properties ?? {})) {
      const bad = invalidValue(sub, w);
      if (bad) options.push(fc.tuple(base, bad).map(([o, b]) => Object.fromEntries([...Object.entries(o).filter(([k]) => k !== key), [key, b]])));
    }
  }
  return options.length ? fc.oneof(...options) : null;
}

/** How the server will read these bytes as text: UTF-8 with a leading BOM dropped (WHATWG Encoding's `decode`). */
const decodedLikeServer = (s: string) => s.replace(/^\ufeff/, "");
const isJson = (s: string) => {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
};

/** Text that is not JSON and not blank (a blank body counts as `{}`). */
const nonJsonText = fc
  .oneof(
    trickyString(60),
    fc.constantFrom("{", '{"text": ', "[1,2", "undefined", "NaN", "{'a':1}", "text=hi&x=1", "<x/>", "\ufeff\ufeff{}", '{"text":"hi"}x', "--b\r\n", "{}{}"),
  )
  .filter((s) => decodedLikeServer(s).trim() !== "" && !isJson(decodedLikeServer(s)));

/** Bytes that are not UTF-8 (0xC0, 0xFE and 0xFF never are), anywhere among other bytes, some of them JSON. */
const invalidUtf8 = fc
  .tuple(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constant(new TextEncoder().encode('{"text":"hi"}'))), fc.nat(), fc.constantFrom(0xff, 0xc0, 0xfe))
  .map(([bytes, at, bad]) => {
    const list = [...bytes];
    list.splice(at % (list.length + 1), 0, bad);
    return list;
  });

const oversized = fc.record({ over: fc.integer({ min: 1, max: 4096 }), json: fc.boolean() }).map((o): Body => ({ kind: "oversized", ...o }));

/** Bodies the operation cannot accept, whatever the other parts of the request (see {@link invalidValue}). */
function invalidBodyArb(schema: JsonSchema, w: World): fc.Arbitrary<Body> {
  const bad = invalidValue(schema, w);
  return fc.oneof(
    ...(bad ? [{ arbitrary: bad.map((value): Body => ({ kind: "json", value })), weight: 6 }] : []),
    nonJsonText.map((text): Body => ({ kind: "text", text })),
    invalidUtf8.map((bytes): Body => ({ kind: "bytes", bytes })),
    oversized,
    // An empty or blank body counts as `{}`: invalid when something is required.
    ...(resolveRef(schema).required?.length ? [fc.constantFrom("", " \n\t").map((text): Body => ({ kind: "text", text }))] : []),
  );
}

/** Any body, valid or not. */
function anyBodyArb(schema: JsonSchema | undefined, w: World): fc.Arbitrary<Body> {
  const free: fc.Arbitrary<Body>[] = [
    fc.jsonValue({ maxDepth: 3, stringUnit: trickyChar }).map((value): Body => ({ kind: "json", value })),
    fc.constantFrom("", " ").map((text): Body => ({ kind: "text", text })),
    fc.uint8Array({ maxLength: 60 }).map((b): Body => ({ kind: "bytes", bytes: [...b] })),
  ];
  if (!schema) return fc.oneof({ arbitrary: fc.constant<Body>({ kind: "none" }), weight: 3 }, ...free);
  return fc.oneof(
    { arbitrary: plausibleValue(schema, w).map((value): Body => ({ kind: "json", value })), weight: 4 },
    { arbitrary: invalidBodyArb(schema, w), weight: 2 },
    ...free,
  );
}

function bodyBytes(body: Body): Uint8Array<ArrayBuffer> | undefined {
  switch (body.kind) {
    case "none":
      return undefined;
    case "json":
      return new TextEncoder().encode(JSON.stringify(body.value) ?? "null");
    case "text":
      return new TextEncoder().encode(body.text);
    case "bytes":
      return Uint8Array.from(body.bytes);
    case "oversized": {
      const size = MAX_BODY_BYTES + body.over;
      return new TextEncoder().encode(body.json ? `{"text":"${"a".repeat(size - 11)}"}` : "a".repeat(size));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Generators: who asks, and the whole request
// ---------------------------------------------------------------------------------------------------------------------

type Auth =
  | { kind: "anonymous" }
  | { kind: "bearer"; who: Member }
  | { kind: "session"; who: Who }
  | { kind: "header"; value: string };

/** An `Authorization` header that names no one: malformed, another scheme, or a token that is not (exactly) one. */
function junkAuthArb(w: World): fc.Arbitrary<Auth> {
  const tokens = Object.values(w.users).map((u) => u.token);
  const alphabet = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
  const altered = fc.tuple(fc.constantFrom(...tokens), fc.nat(), alphabet, fc.constantFrom("replace", "drop", "append")).map(([t, at, c, how]) => {
    const i = 5 + (at % (t.length - 5));
    if (how === "drop") return t.slice(0, i) + t.slice(i + 1);
    if (how === "append") return t + c;
    return t.slice(0, i) + (t[i] === c ? (c === "A" ? "B" : "A") : c) + t.slice(i + 1);
  });
  const value = fc.oneof(
    altered.map((t) => `Bearer ${t}`),
    fc.stringMatching(/^[A-Za-z0-9_-]{43}$/).map((t) => `Bearer prly_${t}`),
    fc.tuple(fc.constantFrom("Bearer ", "bearer ", "BEARER ", "Bearer", "Bearer  ", "Bearer\t", "Basic ", "Token ", "", "prly_"), headerValue).map(([a, b]) => a + b),
    fc.constantFrom(...tokens).map((t) => `Bearer ${t} ${t}`),
    fc.constantFrom(...tokens).map((t) => `Basic ${Buffer.from(`${t}:`).toString("base64")}`),
    headerValue,
  );
  // Whatever the header looks like, it must not carry a real token the way the server reads one.
  const valid = new Set(tokens);
  return value
    .filter((v) => !valid.has(/^Bearer ([^\s]+)$/i.exec(v.trim())?.[1] ?? ""))
    .map((v): Auth => ({ kind: "header", value: v }));
}

const members: Member[] = ["alice", "bob", "carol"];

function anyAuthArb(w: World): fc.Arbitrary<Auth> {
  return fc.oneof(
    { arbitrary: fc.constant<Auth>({ kind: "anonymous" }), weight: 1 },
    { arbitrary: fc.constantFrom(...members).map((who): Auth => ({ kind: "bearer", who })), weight: 5 },
    { arbitrary: fc.constantFrom<Who>(...members, "ghost").map((who): Auth => ({ kind: "session", who })), weight: 2 },
    { arbitrary: junkAuthArb(w), weight: 1 },
  );
}

/** Cookies besides the caller's session: junk, other apps', forged sessions. None is a valid session. */
function junkCookiesArb(w: World): fc.Arbitrary<string[]> {
  const name = fc.oneof(
    fc.constantFrom("authjs.session-token", "__Secure-authjs.session-token", "authjs.session-token.0", "authjs.csrf-token", "next-auth.session-token"),
    fc.stringMatching(/^[A-Za-z0-9_.-]{1,16}$/),
  );
  const value = fc.oneof(fc.constantFrom(...w.forgedSessions), headerValue.map((v) => v.replace(/;/g, "")), base64url(fc.uint8Array({ maxLength: 200 })));
  return fc.array(
    fc.oneof(
      fc.tuple(name, value).map(([n, v]) => `${n}=${v}`),
      headerValue,
    ),
    { maxLength: 3 },
  );
}

function headersArb(): fc.Arbitrary<[string, string][]> {
  const pair = (name: fc.Arbitrary<string>, values: fc.Arbitrary<string>) => fc.tuple(name, values);
  return fc.array(
    fc.oneof(
      pair(fc.constant("origin"), fc.oneof(fc.constantFrom("http://parley.test", "https://parley.test", "https://evil.example", "null", ""), headerValue)),
      pair(fc.constant("sec-fetch-site"), fc.oneof(fc.constantFrom("same-origin", "same-site", "cross-site", "none", ""), headerValue)),
      pair(fc.constantFrom("sec-fetch-mode", "sec-fetch-dest"), fc.constantFrom("cors", "navigate", "no-cors", "same-origin", "empty", "document")),
      pair(fc.constant("x-request-id"), fc.oneof(fc.stringMatching(/^[A-Za-z0-9._-]{1,128}$/), headerValue, fc.constant("r".repeat(129)))),
      pair(fc.constantFrom("if-none-match", "if-match"), fc.oneof(fc.constantFrom('"abc"', 'W/"abc"', "*", '""', "W/", '"a", W/"b"'), headerValue)),
      pair(fc.constantFrom("if-modified-since", "if-unmodified-since"), fc.oneof(fc.constantFrom("Thu, 01 Jan 1970 00:00:00 GMT", "yesterday"), headerValue)),
      pair(
        fc.constant("last-event-id"),
        fc.oneof(
          fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
          fc.constantFrom("0", "1", "9223372036854775807", "9223372036854775808", "9999999999999999999", "-1", "", "1.5"),
          headerValue,
        ),
      ),
      pair(fc.constant("content-length"), fc.constantFrom("0", "-1", "abc", "65537", "1e400", "99999999999999999999", " 12", "1")),
      pair(fc.constantFrom("x-forwarded-for", "x-real-ip", "forwarded", "cf-connecting-ip"), fc.oneof(fc.ipV4(), fc.ipV6(), headerValue)),
      pair(fc.constantFrom("accept", "accept-encoding", "accept-language", "user-agent", "referer", "range", "x-http-method-override", "host"), headerValue),
      pair(headerName, headerValue),
    ),
    { maxLength: 6 },
  );
}

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "application/json;charset=latin1",
  "application/problem+json",
  "application/merge-patch+json",
  "application/jsonx",
  "text/json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/octet-stream",
  "",
  ";",
];

/** Who asks, when that alone must get a request refused. `member`: anyone but an admin, for an admin operation. */
type AuthFault = "invalid-authorization" | "anonymous" | "ghost" | "outsider" | "member";
/** What makes a request certainly fail (see the file's comment); a write carries at least one. */
type Fault = AuthFault | "missing-id" | "invalid-body";

interface FuzzRequest {
  faults: Fault[];
  auth: Auth;
  cookies: string[];
  params: Record<string, string>;
  query: string;
  headers: [string, string][];
  /** `null`: no Content-Type header. */
  contentType: string | null;
  body: Body;
}

/**
 * Operations open to anonymous callers that still need someone: the caller, or credentials in the body. Random
 * credentials name no one, so without a caller, or with a session of a user who does not exist, they must refuse.
 * (Registering needs no one: anonymous is no fault there.)
 */
const NEEDS_SOMEONE = new Set(["createToken"]);

/**
 * Writes for which an id that names nothing is no fault: unblocking someone who is not blocked (anyone at all) changes
 * nothing and answers 204, as an idempotent DELETE does.
 */
const MISSING_ID_IS_NO_FAULT = new Set(["unblockUser"]);

function requestArb(op: Operation, w: World, mustFail: boolean): fc.Arbitrary<FuzzRequest> {
  const idParams = op.pathParams.filter(isIdParam);
  const unknown = op.pathParams.filter((p) => !isIdParam(p) && !NON_ID_PARAM_VALUES[p]);
  if (unknown.length) throw new Error(`${op.operationId}: no values for the path parameters ${unknown.join(", ")} (NON_ID_PARAM_VALUES)`);
  const collections = idParams.map((p) => collectionOf(op, p));
  const authFaults: AuthFault[] = op.authIgnored ? [] : ["invalid-authorization"];
  if (op.authRequired || NEEDS_SOMEONE.has(op.operationId)) authFaults.push("anonymous", "ghost");
  if (op.adminOnly) authFaults.push("member");
  else if (collections.length && collections.every((c) => w.foreign[c]?.length)) authFaults.push("outsider");
  const plan = fc
    .record({
      auth: authFaults.length
        ? fc.oneof({ arbitrary: fc.constant<AuthFault | null>(null), weight: mustFail ? 2 : 6 }, fc.constantFrom<AuthFault | null>(...authFaults))
        : fc.constant<AuthFault | null>(null),
      missingId: idParams.length && !MISSING_ID_IS_NO_FAULT.has(op.operationId) ? fc.boolean() : fc.constant(false),
      invalidBody: op.body ? fc.boolean() : fc.constant(false),
    })
    .filter((p) => !mustFail || p.auth !== null || p.missingId || p.invalidBody);

  // Built once: some (string patterns, e-mail addresses) are costly to build, and `chain` below runs per request.
  const auths: Record<AuthFault | "free", fc.Arbitrary<Auth>> = {
    // An admin operation answers nobody else: mostly Root, so that the fuzz gets past its front door.
    free: op.adminOnly
      ? fc.oneof(
          { arbitrary: fc.constant<Auth>({ kind: "bearer", who: "root" }), weight: 5 },
          { arbitrary: fc.constant<Auth>({ kind: "session", who: "root" }), weight: 2 },
          { arbitrary: anyAuthArb(w), weight: 2 },
        )
      : anyAuthArb(w),
    member: fc.constantFrom(...members).chain((who) => fc.constantFrom<Auth>({ kind: "bearer", who }, { kind: "session", who })),
    "invalid-authorization": junkAuthArb(w),
    anonymous: fc.constant({ kind: "anonymous" }),
    ghost: fc.constant({ kind: "session", who: "ghost" }),
    outsider: fc.constantFrom<Auth>({ kind: "bearer", who: "carol" }, { kind: "session", who: "carol" }),
  };
  const params = (pick: "missing" | "foreign" | "free") =>
    fc.record(
      Object.fromEntries(
        op.pathParams.map((name) => {
          if (!isIdParam(name)) return [name, NON_ID_PARAM_VALUES[name]!()];
          const collection = collections[idParams.indexOf(name)]!;
          const own = w.ids[collection] ?? [];
          if (pick === "missing") return [name, missingIdArb(w)];
          if (pick === "foreign") return [name, fc.constantFrom(...(w.foreign[collection] ?? ["-"]))];
          const free = fc.oneof(
            ...(own.length ? [{ arbitrary: fc.constantFrom(...own), weight: 4 }] : []),
            { arbitrary: fc.constantFrom(...w.allIds), weight: 1 },
            { arbitrary: missingIdArb(w), weight: 1 },
          );
          return [name, free];
        }),
      ),
    );
  const paramArbs = { missing: params("missing"), foreign: params("foreign"), free: params("free") };
  const bodies = {
    none: fc.constant<Body>({ kind: "none" }),
    invalid: op.body ? invalidBodyArb(op.body, w) : fc.constant<Body>({ kind: "none" }),
    free: anyBodyArb(op.body, w),
  };
  const rest = fc.record({
    cookies: junkCookiesArb(w),
    query: queryArb(op, w),
    headers: headersArb(),
    contentType: fc.oneof({ arbitrary: fc.constant<string | null>("application/json"), weight: 4 }, fc.constantFrom(null, ...CONTENT_TYPES), headerValue),
  });

  return plan.chain((p) => {
    const faults = [p.auth, p.missingId ? "missing-id" : null, p.invalidBody ? "invalid-body" : null].filter((f): f is Fault => f !== null);
    return fc
      .record({
        auth: auths[p.auth ?? "free"],
        params: paramArbs[p.missingId ? "missing" : p.auth === "outsider" ? "foreign" : "free"],
        body: op.method === "GET" ? bodies.none : p.invalidBody ? bodies.invalid : bodies.free,
        rest,
      })
      .map(({ rest: more, ...r }): FuzzRequest => ({ faults, ...r, ...more }));
  });
}

function toRawRequest(r: FuzzRequest, w: World): RawRequest {
  const headers = new Headers();
  for (const [name, value] of r.headers) headers.append(name, value);
  const cookies = [...r.cookies];
  if (r.auth.kind === "bearer") headers.set("authorization", `Bearer ${w.users[r.auth.who].token}`);
  if (r.auth.kind === "header") headers.set("authorization", r.auth.value);
  if (r.auth.kind === "session") cookies.unshift(w.sessions[r.auth.who]);
  if (cookies.length) headers.set("cookie", cookies.join("; "));
  if (r.contentType !== null) headers.set("content-type", r.contentType);
  return { params: r.params, query: r.query, headers, body: bodyBytes(r.body) };
}

/** The request as a person reads it, for failure messages (secrets replaced by whose they are). */
function describeRequest(op: Operation, r: FuzzRequest, raw: RawRequest): string {
  const path = op.template.replace(/\{(\w+)\}/g, (_, name: string) => encodeSegment(raw.params[name] ?? ""));
  const headers = [...raw.headers].map(([k, v]) => {
    if (k === "authorization" && r.auth.kind === "bearer") return `  authorization: Bearer <${r.auth.who}'s token>`;
    return `  ${k}: ${v.length > 300 ? `${v.slice(0, 300)}… (${v.length} chars)` : v}`;
  });
  const who = r.auth.kind === "session" ? ` (session cookie of ${r.auth.who})` : "";
  const bytes = raw.body;
  const preview = bytes ? Buffer.from(bytes.subarray(0, 400)).toString("utf8") + (bytes.length > 400 ? `… (${bytes.length} bytes)` : "") : "(none)";
  return [
    `${op.method} ${path}${raw.query ? `?${raw.query}` : ""}${who}`,
    `params: ${JSON.stringify(raw.params).slice(0, 300)}`,
    ...headers,
    `body (${r.body.kind}): ${preview}`,
    `meant to fail because of: ${r.faults.join(", ") || "(nothing: a read)"}`,
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------------------------------

const statuses = new Map<string, Map<number, number>>();
let requests = 0;
let baseline: string;
/** The data as the last request left it: each request is compared with the state just before it. */
let current: string;

beforeAll(async () => {
  const [alice, bob, carol, dave, root] = await Promise.all([
    createUser("alice", "Alice"),
    createUser("bob"),
    createUser("carol", "Carol"),
    createUser("dave"),
    createAdmin("root"),
  ]);
  const threadAB = await createThread(alice, bob);
  const threadCD = await createThread(carol, dave);
  const mine = [
    (await send(alice, threadAB, "hello bob", "fuzz-1")).id,
    (await send(bob, threadAB, "hello alice")).id,
    (await send(alice, threadAB, "\u{1f600} unicode ok")).id,
    (await send(bob, threadAB, "unread by alice")).id,
  ];
  const carols = [(await send(carol, threadCD, "hi dave")).id, (await send(dave, threadCD, "hi carol")).id];
  const reported = await api.post(`/api/messages/${mine[0]}/reports`, { token: bob.token, body: { reason: "spam", details: "fuzz" } });
  expect(reported.status).toBe(201);
  expect((await api.put(`/api/users/me/blocks/${dave.id}`, { token: alice.token })).status).toBe(204);
  // Reactions to take back (removeReaction must not take them when it must fail).
  expect((await api.put(`/api/messages/${mine[0]}/reactions/${encodeURIComponent("👍")}`, { token: bob.token })).status).toBe(200);
  expect((await api.put(`/api/messages/${mine[1]}/reactions/${encodeURIComponent("❤️")}`, { token: alice.token })).status).toBe(200);
  const viewed = await api.get(`/api/admin/threads/${threadAB}/messages?reason=fuzz`, { token: root.token });
  expect(viewed.status).toBe(200);
  // A second token each for Alice and Carol: someone's token list is more than one.
  await api.post("/api/tokens", { token: alice.token, body: { name: "second" } });
  await api.post("/api/tokens", { token: carol.token, body: { name: "second" } });
  const [aliceTokens, bobTokens, carolTokens, daveTokens, rootTokens] = await Promise.all([alice, bob, carol, dave, root].map(tokenIds));
  const ids: Record<string, string[]> = {
    threads: [threadAB, threadCD],
    messages: [...mine, ...carols],
    users: [alice.id, bob.id, carol.id, dave.id, root.id],
    tokens: [...aliceTokens!, ...bobTokens!, ...carolTokens!, ...daveTokens!, ...rootTokens!],
    reports: [reported.body.id],
  };
  world = {
    users: { alice, bob, carol, dave, root },
    sessions: {
      alice: await sessionCookie(alice.id),
      bob: await sessionCookie(bob.id),
      carol: await sessionCookie(carol.id),
      root: await sessionCookie(root.id),
      ghost: await mintSessionCookie({ sub: uuidv7(), sid: uuidv7() }),
    },
    forgedSessions: [
      (await sessionCookie(alice.id, "not-the-server-secret-0123456789abcdef0123456789")).split("=")[1]!,
      "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..AAAA.BBBB.CCCC",
      "e30",
    ],
    ids,
    foreign: { threads: [threadAB], messages: mine, tokens: [...aliceTokens!, ...bobTokens!] },
    allIds: Object.values(ids).flat(),
    usernames: [alice, bob, carol, dave, root].map((u) => u.username),
  };
  baseline = await snapshot();
  current = baseline;
});

afterAll(async () => {
  await getHub().shutdown();
  const lines = [...statuses].map(([op, counts]) => `  ${op}: ${[...counts].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(" ")}`);
  console.log(`fuzz: ${requests} requests (seed ${SEED}, ${RUNS} runs per operation)\n${lines.join("\n")}`);
});

const operations = documentOperations();

describe("fuzzing every documented operation", () => {
  it("finds operations in the OpenAPI document, every one of them fuzzed below", () => {
    expect(operations.length).toBeGreaterThanOrEqual(20);
  });

  for (const op of operations) {
    const key = `${op.method} ${op.template}`;
    const mustFail = WRITE_METHODS.has(op.method);
    const promise = mustFail
      ? "rejects every random request that carries something invalid, below 500, as documented, changing nothing"
      : "answers every random request below 500, as documented, changing nothing";

    it(`${key} (${op.operationId}) ${promise}`, { timeout: 120_000 }, async () => {
      const counts = new Map<number, number>();
      statuses.set(key, counts);
      await fc.assert(
        fc.asyncProperty(requestArb(op, world, mustFail), async (r) => {
          const raw = toRawRequest(r, world);
          const fail = (why: string, res?: RawResponse) => {
            const answer = res ? `\n→ ${res.status} ${JSON.stringify(res.body)?.slice(0, 500)}` : "";
            return new Error(`${why}\n${describeRequest(op, r, raw)}${answer}`);
          };
          let res: RawResponse | undefined;
          let error: unknown;
          try {
            res = await sendRaw(op, raw);
          } catch (e) {
            error = e;
          }
          // Before judging the answer: each request is held to the state it found, so a failure (and its shrinking)
          // names the request that changed something, not the ones after it.
          const before = current;
          current = await snapshot();
          const changed = withoutViewed(current) !== withoutViewed(before);
          const andChanged = changed ? " (and the data changed)" : "";
          if (!res) throw fail(`the request failed${andChanged}: ${(error as Error).message}`);
          requests++;
          counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
          if (res.status >= 500) throw fail(`answered ${res.status}${andChanged}`, res);
          try {
            checkAnswer(op, res);
          } catch (e) {
            throw fail(`${(e as Error).message}${andChanged}`);
          }
          if (mustFail && res.status < 300) throw fail(`a write meant to be rejected succeeded (${res.status})${andChanged}`, res);
          if (res.headers.get("content-type")?.startsWith("application/problem+json")) {
            const body = res.body as { requestId?: string };
            if (body.requestId !== res.headers.get("x-request-id")) throw fail("the problem's requestId is not its X-Request-Id", res);
          }
          // An admin's successful read of a conversation's messages writes its one audit entry; nothing else may.
          const viewedNow = viewedEntries(current) - viewedEntries(before);
          const viewedExpected = op.operationId === "listAdminThreadMessages" && res.status === 200 ? 1 : 0;
          if (viewedNow !== viewedExpected) throw fail(`${viewedNow} ${VIEWED} audit entries were written (expected ${viewedExpected}) by`, res);
          if (withoutViewed(current) !== withoutViewed(before)) throw fail(`the data changed from\n${before}\nto\n${current}\nby`, res);
        }),
        { seed: SEED, numRuns: RUNS, ...(REPLAY_PATH ? { path: REPLAY_PATH } : {}) },
      );
      // The fuzz must reach past the front door: reads succeed at times, and writes fail for more than credentials.
      const seen = [...counts.keys()];
      if (mustFail) expect(seen.some((s) => s !== 401 && s < 500)).toBe(true);
      else expect(seen.some((s) => s >= 200 && s < 300)).toBe(true);
    });
  }

  it("answers 404 problem+json to random paths under /api that name no operation", async () => {
    const segment = fc.oneof(
      fc.constantFrom("threads", "messages", "users", "tokens", "unread", "read", "typing", "me", "events", "auth", "register", "v1", ".", "..", ""),
      fc.constantFrom("admin", "stats", "reports", "resolution", "blocks", "audit-log", "password-reset"),
      fc.constantFrom(...world.allIds),
      trickyString(12, 1),
    );
    const documented = operations.map((o) => new RegExp("^" + o.template.replace(/\{\w+\}/g, "[^/]+") + "$"));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE"),
        fc.array(segment, { minLength: 1, maxLength: 5 }),
        anyAuthArb(world),
        fc.option(nonJsonText, { nil: undefined }),
        async (method, segments, auth, body) => {
          const path = "/api/" + segments.map(encodeSegment).join("/");
          const pathname = new URL(path, "http://parley.test").pathname;
          fc.pre(pathname.startsWith("/api/") && pathname !== "/api/openapi.json" && !documented.some((re) => re.test(pathname)));
          const res = await call(method, path, {
            ...(auth.kind === "bearer" ? { token: world.users[auth.who].token } : {}),
            ...(auth.kind === "header" ? { authorization: auth.value } : {}),
            ...(auth.kind === "session" ? { cookie: world.sessions[auth.who] } : {}),
            ...(method !== "GET" && body !== undefined ? { body } : {}),
          });
          requests++;
          expect(res.status, `${method} ${path}`).toBe(404);
          expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
        },
      ),
      { seed: SEED, numRuns: RUNS, ...(REPLAY_PATH ? { path: REPLAY_PATH } : {}) },
    );
  });

  it("leaves every table as it was (users but presence, api_tokens but last_used_at, threads, participants, messages, message_reactions, events, reports, blocks, the audit log but admins' reads)", async () => {
    expect(requests).toBeGreaterThanOrEqual(operations.length * Math.min(RUNS, 100));
    expect(withoutViewed(await snapshot())).toBe(withoutViewed(baseline));
  });
});
