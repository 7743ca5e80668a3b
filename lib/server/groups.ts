import "server-only";
import { v7 as uuidv7 } from "uuid";
import { config } from "../config";
import { AppError, notFound } from "../errors";
import type { Message, SystemEntry } from "../schemas/messages";
import type { Participant, Role, Thread, UpdateThreadInput } from "../schemas/threads";
import { recordThreadEvent } from "./events";
import { type Db, getPrisma } from "./sql";
import { refuseIfBlockedBy } from "./blocks";
import { getThread, getThreadForEvent, type LockedThread, lockThreadAsMember, memberSet, requireUsers } from "./threads";

// Groups (docs/data-model.md, "Groups"): titled threads whose members change. Every change here is one transaction
// that locks the thread row FOR UPDATE first and then reads or writes participant rows (the one lock order of every
// write to a thread), so changes to one group, and the sends, reads and deletions in it, happen one after another.
// Each change posts a system entry in the timeline (parley_post_system_entry: read by everyone, so no unread count
// moves) and records `thread.updated` with the thread as its members now see it; someone removed gets
// `thread.removed` first, as their last event of the group.

/** A user as a system entry's English rendering names them. */
type Person = { id: string; username: string; name: string | null };

const display = (p: Person) => p.name ?? p.username;

/** What the caller's lock on a group found: a thread with a title. */
type LockedGroup = LockedThread & { title: string };

/**
 * Locks a group for a change by the caller (lib/server/threads.ts, lockThreadAsMember: thread row first, membership
 * read under the lock).
 * @throws AppError `not_found` (404) when there is no such thread or the caller is not in it; `conflict` (409) when
 *   it is a direct conversation, whose people are fixed.
 */
async function lockGroup(tx: Db, callerId: string, threadId: string): Promise<LockedGroup> {
  const thread = await lockThreadAsMember(tx, callerId, threadId);
  if (thread.title === null) {
    throw new AppError(
      "conflict",
      "This is a direct conversation: its people are fixed. Create a group (a thread with a title) to change members.",
    );
  }
  return { ...thread, title: thread.title };
}

/** @throws AppError `forbidden` (403) unless the caller is one of the group's admins. */
function requireAdmin(group: LockedGroup, what: string): void {
  if (group.role !== "admin") throw new AppError("forbidden", `Only a group's admins can ${what}.`);
}

/** The users `ids` (whoever they are now, deleted accounts included), for naming them in a system entry. */
async function people(tx: Db, ids: readonly string[]): Promise<Map<string, Person>> {
  const rows = await tx.$queryRaw<Person[]>`SELECT id, username, name FROM users WHERE id = ANY(${ids}::text[])`;
  return new Map(rows.map((r) => [r.id, r]));
}

/** A system entry's structured form as stored (`messages.system`): the users are ids, named when read. */
type StoredEntry = { action: SystemEntry["action"]; userIds: string[]; role?: Role; title?: string };

/**
 * Posts a system entry (`parley_post_system_entry`) in the name of `actorId`, with `text` as its English rendering,
 * and records `message.created` for the current members.
 */
async function postEntry(tx: Db, threadId: string, actorId: string, entry: StoredEntry, text: string): Promise<Message> {
  const [row] = await tx.$queryRaw<{ message: Message }[]>`
    SELECT parley_post_system_entry(${threadId}, ${actorId}, ${uuidv7()}, ${JSON.stringify(entry)}::jsonb, ${text}) AS message`;
  return row!.message;
}

/**
 * Records `thread.updated` for every member, with the thread as they see it (each gets their own `unreadCount`;
 * nobody's last-seen time: lib/server/threads.ts, getThreadForEvent).
 * @param viewerId a member, through whom the thread is read
 * @returns the thread as `viewerId` sees it
 */
async function announce(tx: Db, threadId: string, viewerId: string): Promise<Thread> {
  await recordThreadEvent(tx, threadId, "thread.updated", { thread: await getThreadForEvent(tx, viewerId, threadId) }, { all: true });
  return getThread(viewerId, threadId, tx);
}

/**
 * Creates a group: a thread with a title (and optionally a description) for the caller and `participantIds`, never
 * merged with another (two groups of the same people can exist). The caller is its first admin, the others members.
 * Its timeline starts with a system entry ("alice created the group Launch"); the members get `thread.created`.
 * @returns the group as the caller sees it.
 * @throws AppError `validation` (400) for duplicates, no one besides the caller, or more than `MAX_PARTICIPANTS`
 *   people; `not_found` (404) when an id names no user (or a deleted account); `forbidden` (403) when one of them
 *   blocked the caller (lib/server/blocks.ts).
 */
export async function createGroup(
  callerId: string,
  participantIds: readonly string[],
  title: string,
  description: string | null,
): Promise<Thread> {
  const members = memberSet(callerId, participantIds);
  return getPrisma().$transaction(async (tx) => {
    const users = await requireUsers(tx, members, "#/participantIds");
    await refuseIfBlockedBy(tx, callerId, members, "start");
    const creator = users.find((u) => u.id === callerId)!;
    const threadId = uuidv7();
    await tx.$executeRaw`INSERT INTO threads (id, title, description) VALUES (${threadId}, ${title}, ${description})`;
    // Watermarks and unread counts start at their defaults, 0 (docs/data-model.md, "Unread counts").
    await tx.$executeRaw`
      INSERT INTO participants (thread_id, user_id, role, last_activity_at, joined_at)
      SELECT ${threadId}, u, CASE WHEN u = ${callerId} THEN 'admin' ELSE 'member' END, t.created_at, t.created_at
      FROM unnest(${members}::text[]) AS u, threads t WHERE t.id = ${threadId}`;
    await postEntry(tx, threadId, callerId, { action: "group_created", userIds: [], title }, `${display(creator)} created the group ${title}`);
    await recordThreadEvent(tx, threadId, "thread.created", { thread: await getThreadForEvent(tx, callerId, threadId) });
    return getThread(callerId, threadId, tx);
  });
}

/**
 * Changes a group's title and/or description (`description: null` clears it). Each field that changes gets its system
 * entry; then `thread.updated`. A field given with its current value changes nothing and records nothing.
 * @returns the group as the caller sees it.
 * @throws AppError `not_found` (404) when the thread is not the caller's; `conflict` (409) for a direct conversation;
 *   `forbidden` (403) unless the caller is an admin.
 */
export async function updateGroup(callerId: string, threadId: string, input: UpdateThreadInput): Promise<Thread> {
  return getPrisma().$transaction(async (tx) => {
    const group = await lockGroup(tx, callerId, threadId);
    requireAdmin(group, "rename it or change its description");
    const title = input.title !== undefined && input.title !== group.title ? input.title : undefined;
    const description = input.description !== undefined && input.description !== group.description ? input.description : undefined;
    if (title === undefined && description === undefined) return getThread(callerId, threadId, tx);
    const me = (await people(tx, [callerId])).get(callerId)!;
    if (title !== undefined) {
      await tx.$executeRaw`UPDATE threads SET title = ${title} WHERE id = ${threadId}`;
      await postEntry(tx, threadId, callerId, { action: "title_changed", userIds: [], title }, `${display(me)} renamed the group to ${title}`);
    }
    if (description !== undefined) {
      await tx.$executeRaw`UPDATE threads SET description = ${description} WHERE id = ${threadId}`;
      await postEntry(
        tx,
        threadId,
        callerId,
        { action: "description_changed", userIds: [] },
        description === null ? `${display(me)} removed the group description` : `${display(me)} changed the group description`,
      );
    }
    return announce(tx, threadId, callerId);
  });
}

/**
 * Adds people to a group (admins only). Those already in it are skipped; when nobody is new, nothing changes. A new
 * member starts with nothing unread and their read watermark at the group's newest message: the earlier history is
 * theirs to read, already read (docs/data-model.md, "Groups"). Then a system entry ("alice added bob and carol") and
 * `thread.updated`: the new members' first two events of the group are that entry's `message.created`, then this.
 * @returns the group as the caller sees it.
 * @throws AppError `not_found` (404) when the thread is not the caller's, or (pointer `#/userIds`) an id names no user;
 *   `conflict` (409) for a direct conversation, or when the group would have more than `MAX_PARTICIPANTS` members;
 *   `forbidden` (403) unless the caller is an admin, or when someone added blocked the caller; `validation` (400) for
 *   duplicate ids.
 */
export async function addParticipants(callerId: string, threadId: string, userIds: readonly string[]): Promise<Thread> {
  if (new Set(userIds).size !== userIds.length) {
    throw new AppError("validation", "userIds lists a user more than once.", [{ pointer: "#/userIds", detail: "Contains duplicates." }]);
  }
  return getPrisma().$transaction(async (tx) => {
    const group = await lockGroup(tx, callerId, threadId);
    requireAdmin(group, "add people");
    const current = await tx.$queryRaw<{ user_id: string }[]>`SELECT user_id FROM participants WHERE thread_id = ${threadId}`;
    const present = new Set(current.map((r) => r.user_id));
    const added = userIds.filter((id) => !present.has(id));
    if (added.length === 0) return getThread(callerId, threadId, tx);
    const max = config().MAX_PARTICIPANTS;
    if (present.size + added.length > max) {
      throw new AppError("conflict", `A group can have at most ${max} members; it has ${present.size}.`, [
        { pointer: "#/userIds", detail: `At most ${max - present.size} more.` },
      ]);
    }
    const users = new Map((await requireUsers(tx, added, "#/userIds")).map((u) => [u.id, u]));
    await refuseIfBlockedBy(tx, callerId, added, "add");
    await tx.$executeRaw`
      INSERT INTO participants (thread_id, user_id, role, last_read_seq, unread_count, joined_at)
      SELECT ${threadId}, u, 'member', t.last_seq, 0, clock_timestamp() FROM unnest(${added}::text[]) AS u, threads t
      WHERE t.id = ${threadId}`;
    const me = (await people(tx, [callerId])).get(callerId)!;
    const names = added.map((id) => display(users.get(id)!));
    await postEntry(tx, threadId, callerId, { action: "participants_added", userIds: added }, `${display(me)} added ${listOf(names)}`);
    return announce(tx, threadId, callerId);
  });
}

/** "bob", "bob and carol", "bob, carol and dan". */
function listOf(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/**
 * Takes `userId` out of a group: the caller leaving (anyone may) or an admin removing someone. In one transaction,
 * under the thread's lock: `thread.removed` to the person going (their last event of it), their membership goes
 * (their unread messages there leave their totals with it), and then:
 * - no one left: the group is deleted;
 * - no admin left: the longest-standing member (earliest `joinedAt`, then id; a deleted account only when nobody else
 *   is left) becomes admin, with its own entry;
 * - a system entry ("bob left", "alice removed bob") and `thread.updated` for those who remain.
 * @throws AppError `not_found` (404) when the thread is not the caller's, or `userId` is not in it; `conflict` (409)
 *   for a direct conversation; `forbidden` (403) when removing someone else without being an admin.
 */
export async function removeParticipant(callerId: string, threadId: string, userId: string): Promise<void> {
  await getPrisma().$transaction(async (tx) => {
    const group = await lockGroup(tx, callerId, threadId);
    const leaving = userId === callerId;
    if (!leaving) requireAdmin(group, "remove people");
    const gone = await tx.$queryRaw<{ user_id: string }[]>`
      SELECT user_id FROM participants WHERE thread_id = ${threadId} AND user_id = ${userId}`;
    if (gone.length === 0) throw notFound("Participant");
    await recordThreadEvent(tx, threadId, "thread.removed", { threadId, reason: leaving ? "left" : "removed" }, null, [userId]);
    await tx.$executeRaw`DELETE FROM participants WHERE thread_id = ${threadId} AND user_id = ${userId}`;

    // In the order of succession: people before deleted accounts still leaving (leaveAllGroups), then by seniority.
    const rest = await tx.$queryRaw<{ user_id: string; role: Role }[]>`
      SELECT p.user_id, p.role FROM participants p JOIN users u ON u.id = p.user_id
      WHERE p.thread_id = ${threadId}
      ORDER BY u.deleted_at IS NOT NULL, p.joined_at, p.user_id`;
    if (rest.length === 0) {
      await tx.$executeRaw`DELETE FROM threads WHERE id = ${threadId}`;
      return;
    }
    const named = await people(tx, [callerId, userId]);
    const actor = named.get(callerId)!;
    const target = named.get(userId)!;
    if (leaving) {
      await postEntry(tx, threadId, callerId, { action: "participant_left", userIds: [] }, `${display(actor)} left`);
    } else {
      await postEntry(tx, threadId, callerId, { action: "participant_removed", userIds: [userId] }, `${display(actor)} removed ${display(target)}`);
    }
    if (!rest.some((p) => p.role === "admin")) {
      const heir = rest[0]!.user_id;
      await tx.$executeRaw`UPDATE participants SET role = 'admin' WHERE thread_id = ${threadId} AND user_id = ${heir}`;
      const heirName = display((await people(tx, [heir])).get(heir)!);
      // In the heir's own name: nobody chose them (an entry whose sender is the one it names reads "… is now an admin").
      await postEntry(tx, threadId, heir, { action: "role_changed", userIds: [heir], role: "admin" }, `${heirName} is now an admin`);
    }
    await announce(tx, threadId, rest[0]!.user_id);
  });
}

/**
 * Makes a member an admin or an admin a member (admins only). The last admin cannot step down (they can leave, and
 * the group then gets a new admin). The same role again changes nothing. Otherwise a system entry and
 * `thread.updated`.
 * @returns the participant with their new role.
 * @throws AppError `not_found` (404) when the thread is not the caller's, or `userId` is not in it; `conflict` (409)
 *   for a direct conversation, or when it would leave the group without an admin; `forbidden` (403) unless the caller
 *   is an admin.
 */
export async function setRole(callerId: string, threadId: string, userId: string, role: Role): Promise<Participant> {
  return getPrisma().$transaction(async (tx) => {
    const group = await lockGroup(tx, callerId, threadId);
    requireAdmin(group, "change roles");
    const rows = await tx.$queryRaw<{ user_id: string; role: Role }[]>`
      SELECT user_id, role FROM participants WHERE thread_id = ${threadId}`;
    const target = rows.find((r) => r.user_id === userId);
    if (!target) throw notFound("Participant");
    if (target.role !== role) {
      if (role === "member" && !rows.some((r) => r.role === "admin" && r.user_id !== userId)) {
        throw new AppError("conflict", "A group needs an admin: make someone else admin first, or leave the group.", [
          { pointer: "#/role", detail: "The last admin cannot step down." },
        ]);
      }
      await tx.$executeRaw`UPDATE participants SET role = ${role} WHERE thread_id = ${threadId} AND user_id = ${userId}`;
      const named = await people(tx, [callerId, userId]);
      const who = display(named.get(userId)!);
      const text = role === "admin" ? `${display(named.get(callerId)!)} made ${who} an admin` : `${display(named.get(callerId)!)} made ${who} a member`;
      await postEntry(tx, threadId, callerId, { action: "role_changed", userIds: [userId], role }, text);
    }
    const thread = target.role === role ? await getThread(callerId, threadId, tx) : await announce(tx, threadId, callerId);
    return thread.participants.find((p) => p.id === userId)!;
  });
}

/**
 * Takes a deleted account out of every group it was in (lib/server/account.ts, after the account became a tombstone),
 * each as if the person left: the groups go on without them, get a new admin or are deleted as
 * {@link removeParticipant} says. Direct conversations keep them, under the tombstone's name.
 * @throws whatever a group's transaction threw (the database away): the groups not yet left are left later, by
 *   {@link leaveGroupsOfDeletedAccounts}.
 */
export async function leaveAllGroups(userId: string): Promise<void> {
  const groups = await getPrisma().$queryRaw<{ thread_id: string }[]>`
    SELECT p.thread_id FROM participants p JOIN threads t ON t.id = p.thread_id
    WHERE p.user_id = ${userId} AND t.title IS NOT NULL`;
  for (const { thread_id } of groups) {
    try {
      await removeParticipant(userId, thread_id, userId);
    } catch (e) {
      // Gone meanwhile (deleted by an admin, or removed): nothing left to leave.
      if (!(e instanceof AppError && e.type === "not_found")) throw e;
    }
  }
}

/**
 * Finishes what {@link leaveAllGroups} could not (the server stopped, or the database was away, after an account's
 * tombstone committed): takes deleted accounts still in groups out of them, up to `limit` accounts a call. Run every
 * few minutes by each instance (lib/infra/live-hub.ts, with the events' prune); concurrent runs are harmless, since
 * leaving a group one has already left is skipped.
 * @returns how many accounts it went through.
 */
export async function leaveGroupsOfDeletedAccounts(limit = 100): Promise<number> {
  const rows = await getPrisma().$queryRaw<{ user_id: string }[]>`
    SELECT DISTINCT p.user_id FROM participants p
    JOIN users u ON u.id = p.user_id AND u.deleted_at IS NOT NULL
    JOIN threads t ON t.id = p.thread_id AND t.title IS NOT NULL
    LIMIT ${limit}`;
  for (const { user_id } of rows) await leaveAllGroups(user_id);
  return rows.length;
}
