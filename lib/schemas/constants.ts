/**
 * The contract's plain constants and helpers, without zod. Browser code on the chat pages' first load (the composer,
 * a message's text, the live cache updates) imports them from here, so that the schemas, and zod with them (about
 * 36 KB of compressed JavaScript), load only where something is validated. The schema files re-export them: each is
 * still defined once.
 */

/** Counts characters as people do (Unicode code points), not UTF-16 units. */
export const codePointLength = (s: string) => [...s].length;

/** Longest message, in Unicode code points, after trimming. */
export const MAX_MESSAGE_LENGTH = 4000;

/**
 * A mention in a message's text: `@` and a username (`[a-z0-9_]{3,32}`, any case) at the start or after a character
 * that is neither a word character nor `@` (so `bob@example.com` mentions nobody), not followed by a word character.
 * Group 1 is the username. The server's copy, which decides who is mentioned, is `parley_mentions`
 * (prisma/sql/functions/); the web client uses this one to highlight and complete mentions.
 */
export const MENTION_PATTERN = /(?<![A-Za-z0-9_@])@([A-Za-z0-9_]{3,32})(?![A-Za-z0-9_])/g;

/** Longest group title, in Unicode code points after trimming (at least 1). */
export const MAX_TITLE_LENGTH = 100;

/**
 * Length of a thread's last-message preview, in Unicode code points (PostgreSQL's `left(text, n)` counts characters,
 * which for UTF-8 databases are code points): the server cuts it, the web client cuts it the same way when an event
 * moves a thread.
 */
export const PREVIEW_LENGTH = 200;

/** What a deleted account's username starts with (lib/server/account.ts): reserved, so no one can register one. */
export const DELETED_USERNAME_PREFIX = "deleted_";
