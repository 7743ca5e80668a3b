-- Written by `npm run db:functions` from prisma/sql/functions/ (one file per function, docs/decisions.md, "One home
-- per rule"). Edit those files and run it again; an applied migration must not change.

-- Functions whose parameters, result or options changed (CREATE OR REPLACE cannot change them), or whose file is
-- gone:
DROP FUNCTION "parley_mark_read"(p_thread_id text, p_user_id text, p_up_to_message_id text);
DROP FUNCTION "parley_send_message"(p_thread_id text, p_sender_id text, p_message_id text, p_text text, p_client_message_id text);

-- prisma/sql/functions/parley_block_between.sql
-- Whether a block stands between a person and the other one of a direct conversation of two: 'blocking' (the person
-- blocked the other; said first when both did: the person knows of their own block, and is not told of the other's),
-- 'blocked' (the other blocked the person), or NULL (no block, or the thread is a group or a larger direct conversation, which
-- blocks do not affect: docs/data-model.md, "Moderation"). Blocks refuse sending (parley_send_message) and reacting
-- (parley_react) there; the rest of what a block refuses is in lib/server/blocks.ts.
-- Called with the thread's row lock held, so that a block that committed before is seen.
CREATE OR REPLACE FUNCTION "parley_block_between"(p_thread_id text, p_user_id text)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN b.blocker_id = p_user_id THEN 'blocking' ELSE 'blocked' END
  FROM threads t
  JOIN participants o ON o.thread_id = t.id AND o.user_id <> p_user_id
  JOIN blocks b ON (b.blocker_id = o.user_id AND b.blocked_id = p_user_id) OR (b.blocker_id = p_user_id AND b.blocked_id = o.user_id)
  WHERE t.id = p_thread_id AND t.participant_key IS NOT NULL
    AND (SELECT count(*) FROM participants p WHERE p.thread_id = t.id) = 2
  ORDER BY 1 DESC
  LIMIT 1
$$;

-- prisma/sql/functions/parley_mentions.sql
-- The participants a message mentions: each `@username` in its text that names someone who takes part in the thread,
-- never its sender; ids sorted, without repeats ('{}' for none). Called by parley_send_message and
-- parley_edit_message, which store the result in messages.mention_ids; the unread mention counts follow from it.
-- A mention is `@` followed by a username (lib/schemas/users.ts: `[a-z0-9_]{3,32}`, matched case-insensitively), at
-- the start of the text or after a character that is neither a word character nor `@` (so an e-mail address such as
-- bob@example.com mentions nobody), and not followed by another word character. The web client's autocomplete and
-- highlighting use the same pattern (MENTION_PATTERN, lib/schemas/messages.ts).
CREATE OR REPLACE FUNCTION "parley_mentions"(p_thread_id text, p_sender_id text, p_text text)
RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(DISTINCT p.user_id ORDER BY p.user_id), '{}')
  FROM regexp_matches(p_text, '(?:^|[^A-Za-z0-9_@])@([A-Za-z0-9_]{3,32})(?![A-Za-z0-9_])', 'g') AS r(m)
  JOIN users u ON u.username = lower(r.m[1])
  JOIN participants p ON p.thread_id = p_thread_id AND p.user_id = u.id
  WHERE p.user_id <> p_sender_id
$$;

-- prisma/sql/functions/parley_record_thread_event.sql
-- Records a live event for every current participant of a thread and queues its NOTIFY, which PostgreSQL delivers
-- at commit (docs/realtime.md). Called inside the transaction that makes the change, after the change.
-- `personal` holds what differs per recipient, merged into the payload when the event is delivered
-- (lib/server/events.ts, personalize):
--   `unreadCount` and `unreadMentionCount`: the recipient's unread counts in the thread; `p_counts` says whose to
--   attach: 'all' participants', 'only' those of `p_counts_user`, or 'none';
--   `isRead`: when the payload carries a message (`payload.message`, from parley_message_json), whether the recipient
--   has read it (parley_is_read, from the recipient's watermark as this statement sees it).
-- `p_only`, when given, narrows the recipients to those of the participants it names (`thread.removed`, which only
-- the person leaving receives). Records nothing when there is no recipient. Returns the event's id, or NULL when
-- nothing was recorded. Callers: the functions that write messages and read state, and lib/server/events.ts
-- (recordThreadEvent) for the changes to threads and their members.
CREATE OR REPLACE FUNCTION "parley_record_thread_event"(
  p_thread_id text, p_type text, p_payload jsonb, p_counts text, p_counts_user text DEFAULT NULL, p_only text[] DEFAULT NULL
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_id bigint;
  v_sender_id text := p_payload #>> '{message,sender,id}';
  v_seq int := (p_payload #>> '{message,seq}')::int;
  v_kind text := p_payload #>> '{message,kind}';
BEGIN
  IF p_counts NOT IN ('all', 'only', 'none') THEN
    RAISE EXCEPTION 'p_counts must be all, only or none, not %', p_counts;
  END IF;
  INSERT INTO events (thread_id, type, payload, personal, recipients)
  SELECT p_thread_id, p_type, p_payload,
         coalesce(jsonb_object_agg(p.user_id, f.fields) FILTER (WHERE f.fields <> '{}'::jsonb), '{}'::jsonb),
         array_agg(p.user_id ORDER BY p.user_id)
  FROM participants p
  CROSS JOIN LATERAL (
    SELECT CASE WHEN p_counts = 'all' OR (p_counts = 'only' AND p.user_id = p_counts_user)
                THEN jsonb_build_object('unreadCount', p.unread_count, 'unreadMentionCount', p.unread_mention_count)
                ELSE '{}'::jsonb END
        || CASE WHEN v_seq IS NOT NULL
                THEN jsonb_build_object('isRead', parley_is_read(v_kind, v_sender_id, v_seq, p.user_id, p.last_read_seq))
                ELSE '{}'::jsonb END AS fields
  ) f
  WHERE p.thread_id = p_thread_id AND (p_only IS NULL OR p.user_id = ANY(p_only))
  HAVING count(*) > 0
  RETURNING id INTO v_id;
  IF v_id IS NOT NULL THEN
    PERFORM pg_notify('parley_events', v_id::text);
  END IF;
  RETURN v_id;
END
$$;

-- prisma/sql/functions/parley_delete_message.sql
-- Deletes a message at its sender's request (lib/server/messages.ts, deleteMessage), in one statement and so one
-- round trip and one transaction.
-- Only the sender may (parley_own_message).
-- Locks: the thread row FOR UPDATE (after checking that the caller takes part), then the participant rows whose
-- counts change, by updating them: the same locks in the same order as sending, so a deletion waits for any mark-read
-- in flight (which holds the thread row FOR SHARE) and then sees its watermark.
-- Every participant who had not read the message (parley_is_read; never its sender) loses one from their unread
-- count, and from their unread mention count when it mentioned them; a participant who had read it keeps theirs. Records `message.deleted` with every participant's new unread
-- count. Sequence numbers leave a gap (docs/data-model.md).
-- outcome: 'deleted' (thread_id and seq: where the message was) | 'message_not_found' (no such message, the caller is
-- not in its thread, or it was deleted meanwhile) | 'forbidden' (the caller is in the thread but did not send it) |
-- 'system_entry' (a system entry, which nobody edits or deletes) | 'removed' (a moderator removed it, also while this
-- waited for the lock: the admin area keeps it) |
-- 'thread_not_found' (the thread was deleted meanwhile); thread_id and seq are NULL but for 'deleted'.
CREATE OR REPLACE FUNCTION "parley_delete_message"(p_message_id text, p_user_id text)
RETURNS TABLE (outcome text, thread_id text, seq int) LANGUAGE plpgsql AS $$
DECLARE
  v_thread_id text;
  v_outcome text;
  v_seq int;
  v_kind text;
  v_mentions text[];
BEGIN
  SELECT o.outcome, o.thread_id INTO v_outcome, v_thread_id FROM parley_own_message(p_message_id, p_user_id) o;
  IF v_outcome <> 'found' THEN -- 'message_not_found', 'forbidden', 'system_entry' or 'removed'
    RETURN QUERY SELECT v_outcome, NULL::text, NULL::int;
    RETURN;
  END IF;

  PERFORM 1 FROM threads t
  WHERE t.id = v_thread_id
    AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = t.id AND p.user_id = p_user_id)
  FOR UPDATE;
  -- Checked again under the lock: a removal from the group committed while this waited (parley_send_message says why).
  IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = v_thread_id AND p.user_id = p_user_id) THEN
    RETURN QUERY SELECT 'thread_not_found'::text, NULL::text, NULL::int;
    RETURN;
  END IF;

  DELETE FROM messages m WHERE m.id = p_message_id AND m.sender_id = p_user_id AND m.kind = 'text'
  RETURNING m.seq, m.kind, m.mention_ids INTO v_seq, v_kind, v_mentions;
  IF NOT FOUND THEN
    RETURN QUERY SELECT CASE WHEN EXISTS (SELECT 1 FROM messages m WHERE m.id = p_message_id AND m.kind = 'removed')
                             THEN 'removed' ELSE 'message_not_found' END, NULL::text, NULL::int;
    RETURN;
  END IF;
  UPDATE participants p SET
    unread_count = p.unread_count - 1,
    unread_mention_count = p.unread_mention_count - CASE WHEN p.user_id = ANY (v_mentions) THEN 1 ELSE 0 END
  WHERE p.thread_id = v_thread_id AND NOT parley_is_read(v_kind, p_user_id, v_seq, p.user_id, p.last_read_seq);
  PERFORM parley_record_thread_event(v_thread_id, 'message.deleted',
    jsonb_build_object('threadId', v_thread_id, 'messageId', p_message_id, 'seq', v_seq), 'all');
  RETURN QUERY SELECT 'deleted'::text, v_thread_id, v_seq;
END
$$;

-- prisma/sql/functions/parley_react.sql
-- Adds (`p_add`) or removes a person's reaction with one emoji to a message (lib/server/reactions.ts), in one
-- statement and so one transaction. Idempotent: adding a reaction the person already has, or removing one they do
-- not, changes nothing and records nothing. Reactions never change read state or unread counts.
-- Only a participant of the message's thread may react, only to a person's message (`kind` 'text'), and not in a
-- direct conversation of two where either blocked the other (parley_block_between).
-- Locks: the thread row FOR SHARE (after checking that the person takes part; checked again once held: a removal
-- from the group may have committed meanwhile), then the message row FOR UPDATE, which orders the reactions to one
-- message: each rebuilds messages.reactions — `[{emoji, count, userIds}]`, emoji in the order each was first used,
-- people in the order they reacted — from message_reactions after the one before it committed, so the copy is never
-- missing a concurrent reaction. Sends and edits take the thread row FOR UPDATE, and so wait, or are waited for.
-- Records `reaction.added` or `reaction.removed` with the message's new reactions (the same for every recipient).
-- outcome: 'added' | 'removed' | 'unchanged' (reactions: as they are) | 'message_not_found' (no such message, or the
-- person is not in its thread, or it was deleted meanwhile) | 'not_text' (a system entry or a removed message) |
-- 'blocked' | 'blocking' (parley_block_between); thread_id, seq and reactions are NULL for the last four.
CREATE OR REPLACE FUNCTION "parley_react"(p_message_id text, p_user_id text, p_emoji text, p_add boolean)
RETURNS TABLE (outcome text, thread_id text, seq int, reactions jsonb) LANGUAGE plpgsql AS $$
DECLARE
  v_thread_id text;
  v_seq int;
  v_kind text;
  v_block text;
  v_changed int;
  v_reactions jsonb;
BEGIN
  SELECT m.thread_id INTO v_thread_id FROM messages m WHERE m.id = p_message_id;
  IF FOUND THEN
    PERFORM 1 FROM threads t
    WHERE t.id = v_thread_id
      AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = t.id AND p.user_id = p_user_id)
    FOR SHARE;
  END IF;
  IF FOUND AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = v_thread_id AND p.user_id = p_user_id) THEN
    SELECT m.seq, m.kind, m.reactions INTO v_seq, v_kind, v_reactions FROM messages m
    WHERE m.id = p_message_id AND m.thread_id = v_thread_id
    FOR UPDATE;
  ELSE
    v_seq := NULL;
  END IF;
  IF v_seq IS NULL THEN
    RETURN QUERY SELECT 'message_not_found'::text, NULL::text, NULL::int, NULL::jsonb;
    RETURN;
  ELSIF v_kind <> 'text' THEN
    RETURN QUERY SELECT 'not_text'::text, NULL::text, NULL::int, NULL::jsonb;
    RETURN;
  END IF;
  v_block := parley_block_between(v_thread_id, p_user_id);
  IF v_block IS NOT NULL THEN
    RETURN QUERY SELECT v_block, NULL::text, NULL::int, NULL::jsonb;
    RETURN;
  END IF;

  IF p_add THEN
    INSERT INTO message_reactions (message_id, user_id, emoji, created_at)
    VALUES (p_message_id, p_user_id, p_emoji, clock_timestamp()::timestamptz(3))
    ON CONFLICT DO NOTHING;
  ELSE
    DELETE FROM message_reactions r WHERE r.message_id = p_message_id AND r.user_id = p_user_id AND r.emoji = p_emoji;
  END IF;
  GET DIAGNOSTICS v_changed = ROW_COUNT;
  IF v_changed = 0 THEN
    RETURN QUERY SELECT 'unchanged'::text, v_thread_id, v_seq, v_reactions;
    RETURN;
  END IF;

  SELECT coalesce(jsonb_agg(jsonb_build_object('emoji', g.emoji, 'count', g.n, 'userIds', g.user_ids)
                            ORDER BY g.first_at, g.emoji), '[]'::jsonb)
  INTO v_reactions
  FROM (SELECT r.emoji, count(*)::int AS n, array_agg(r.user_id ORDER BY r.created_at, r.user_id) AS user_ids,
               min(r.created_at) AS first_at
        FROM message_reactions r WHERE r.message_id = p_message_id GROUP BY r.emoji) g;
  UPDATE messages m SET reactions = v_reactions WHERE m.id = p_message_id;
  PERFORM parley_record_thread_event(v_thread_id, CASE WHEN p_add THEN 'reaction.added' ELSE 'reaction.removed' END,
    jsonb_build_object('threadId', v_thread_id, 'messageId', p_message_id, 'seq', v_seq, 'emoji', p_emoji,
                       'userId', p_user_id, 'reactions', v_reactions), 'none');
  RETURN QUERY SELECT CASE WHEN p_add THEN 'added' ELSE 'removed' END, v_thread_id, v_seq, v_reactions;
END
$$;

-- prisma/sql/functions/parley_reply_json.sql
-- The `replyTo` of a message that replies to another (lib/schemas/messages.ts, `ReplyTo`): the original's `seq` and,
-- while it exists, a short quote of it — its id, kind, sender and its first 200 characters (PREVIEW_LENGTH); a
-- removed original's text is empty, as everywhere. `message` is NULL once the original was deleted: the reply then
-- shows "original deleted". Called by parley_message_json for replies only, which keeps that function free of
-- sub-selects (and so inlined) for every other message.
CREATE OR REPLACE FUNCTION "parley_reply_json"(p_thread_id text, p_seq int)
RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('seq', p_seq, 'message', (
    SELECT jsonb_build_object(
      'id', m.id,
      'kind', m.kind,
      'sender', jsonb_build_object('id', u.id, 'username', u.username, 'name', u.name),
      'text', CASE WHEN m.kind = 'removed' THEN '' ELSE left(m.text, 200) END)
    FROM messages m JOIN users u ON u.id = m.sender_id
    WHERE m.thread_id = p_thread_id AND m.seq = p_seq))
$$;

-- prisma/sql/functions/parley_message_json.sql
-- A message in its wire shape (lib/schemas/messages.ts, `Message`) as one viewer sees it: the only place that builds
-- it. Every path that answers or announces a message takes its JSON from here: sending, editing (the functions below
-- and their events), reading one message, a thread's pages and the unread list (lib/server/messages.ts,
-- lib/server/read-state.ts), and the system entries of groups (parley_post_system_entry).
-- `u` is the message's sender (for a system entry, whoever caused it); `p_viewer_id` and `p_viewer_last_read_seq`
-- (that viewer's watermark in the thread) give `isRead` (parley_is_read). The sender's own view needs no watermark: a
-- message is read by whoever sent it, and a system entry by everyone.
-- A system entry's `system` comes from parley_system_entry_json (its people as users, named as they are now); text
-- messages have `system` NULL and pay nothing for it. This body must hold no sub-select, so that PostgreSQL inlines it
-- into the queries that page messages (measured: not inlined, a 50-message page cost about twice the database time;
-- docs/performance.md, issue 16).
-- A message a moderator removed (`kind` 'removed') keeps its text in the table for the admin area, and nobody else
-- gets it: its `text` here is empty.
-- A reply's `replyTo` comes from parley_reply_json, called for replies only. `mentions` is the stored mention_ids
-- (parley_mentions) and `reactions` the stored copy of its reactions (parley_react): neither needs another table.
-- A removed message has neither.
-- Timestamps are ISO 8601 UTC with milliseconds, as JavaScript's toISOString writes them.
CREATE OR REPLACE FUNCTION "parley_message_json"(
  m "messages", u "users", p_viewer_id text, p_viewer_last_read_seq int
) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', m.id,
    'threadId', m.thread_id,
    'seq', m.seq,
    'kind', m.kind,
    'sender', jsonb_build_object('id', u.id, 'username', u.username, 'name', u.name),
    'text', CASE WHEN m.kind = 'removed' THEN '' ELSE m.text END,
    'system', CASE WHEN m.kind = 'system' THEN parley_system_entry_json(m.system) END,
    'clientMessageId', m.client_message_id,
    'createdAt', to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'editedAt', to_char(m.edited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'replyTo', CASE WHEN m.reply_to_seq IS NOT NULL THEN parley_reply_json(m.thread_id, m.reply_to_seq) END,
    'mentions', CASE WHEN m.kind = 'removed' THEN '[]'::jsonb ELSE to_jsonb(m.mention_ids) END,
    'reactions', CASE WHEN m.kind = 'removed' THEN '[]'::jsonb ELSE m.reactions END,
    'isRead', parley_is_read(m.kind, m.sender_id, m.seq, p_viewer_id, p_viewer_last_read_seq))
$$;

-- prisma/sql/functions/parley_edit_message.sql
-- Replaces the text of a message at its sender's request and sets edited_at (lib/server/messages.ts, editMessage), in
-- one statement and so one round trip and one transaction. Read state and unread counts do not change; the mentions
-- are parsed again (parley_mentions), and each participant who has not read the message and is newly mentioned, or
-- no longer, gains or loses one unread mention.
-- Only the sender may (parley_own_message).
-- Locks: the thread row FOR UPDATE (after checking that the caller takes part), then the participant rows whose
-- mention counts change, by updating them: the order of every write to a thread. The thread lock makes a deletion of
-- the thread wait for the edit or the edit find the thread gone (no event of a thread follows its `thread.deleted`),
-- and waits for any mark-read or mark-unread in flight (they hold the thread row FOR SHARE until they commit), so the
-- event's per-recipient `isRead` and counts are taken from watermarks that nothing uncommitted is moving: a mark-read
-- that committed first is in it, one that comes later waits and records its `thread.read` after this event.
-- Records `message.updated` with every participant's unread counts; each recipient gets `isRead` from their own
-- watermark (parley_record_thread_event).
-- outcome: 'updated' (message: as its sender sees it) | 'message_not_found' (no such message, the caller is not in its
-- thread, or it was deleted meanwhile) | 'forbidden' (the caller is in the thread but did not send it) |
-- 'system_entry' (a system entry, which nobody edits or deletes) | 'removed' (a moderator removed it, also while this
-- waited for the lock) | 'thread_not_found' (the thread was deleted meanwhile); message is NULL but for 'updated'.
CREATE OR REPLACE FUNCTION "parley_edit_message"(p_message_id text, p_user_id text, p_text text)
RETURNS TABLE (outcome text, message jsonb) LANGUAGE plpgsql AS $$
DECLARE
  v_thread_id text;
  v_outcome text;
  v_row messages;
  v_sender users;
  v_message jsonb;
  v_old_mentions text[];
  v_mentions text[];
BEGIN
  SELECT o.outcome, o.thread_id INTO v_outcome, v_thread_id FROM parley_own_message(p_message_id, p_user_id) o;
  IF v_outcome <> 'found' THEN -- 'message_not_found', 'forbidden', 'system_entry' or 'removed'
    RETURN QUERY SELECT v_outcome, NULL::jsonb;
    RETURN;
  END IF;

  PERFORM 1 FROM threads t
  WHERE t.id = v_thread_id
    AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = t.id AND p.user_id = p_user_id)
  FOR UPDATE;
  -- Checked again under the lock: a removal from the group committed while this waited (parley_send_message says why).
  IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = v_thread_id AND p.user_id = p_user_id) THEN
    RETURN QUERY SELECT 'thread_not_found'::text, NULL::jsonb;
    RETURN;
  END IF;

  SELECT m.mention_ids INTO v_old_mentions FROM messages m
  WHERE m.id = p_message_id AND m.sender_id = p_user_id AND m.kind = 'text';
  v_mentions := parley_mentions(v_thread_id, p_user_id, p_text);
  UPDATE messages m SET text = p_text, edited_at = clock_timestamp()::timestamptz(3), mention_ids = v_mentions
  WHERE m.id = p_message_id AND m.sender_id = p_user_id AND m.kind = 'text'
  RETURNING * INTO v_row;
  IF NOT FOUND THEN
    RETURN QUERY SELECT CASE WHEN EXISTS (SELECT 1 FROM messages m WHERE m.id = p_message_id AND m.kind = 'removed')
                             THEN 'removed' ELSE 'message_not_found' END, NULL::jsonb;
    RETURN;
  END IF;
  SELECT * INTO STRICT v_sender FROM users u WHERE u.id = p_user_id;
  IF v_mentions IS DISTINCT FROM v_old_mentions THEN
    UPDATE participants p
    SET unread_mention_count = p.unread_mention_count + CASE WHEN p.user_id = ANY (v_mentions) THEN 1 ELSE -1 END
    WHERE p.thread_id = v_thread_id
      AND (p.user_id = ANY (v_mentions)) <> (p.user_id = ANY (v_old_mentions))
      AND NOT parley_is_read(v_row.kind, v_row.sender_id, v_row.seq, p.user_id, p.last_read_seq);
  END IF;

  -- The sender's own message: read whatever their watermark is.
  v_message := parley_message_json(v_row, v_sender, p_user_id, NULL);
  PERFORM parley_record_thread_event(v_thread_id, 'message.updated', jsonb_build_object('message', v_message), 'all');
  RETURN QUERY SELECT 'updated'::text, v_message;
END
$$;

-- prisma/sql/functions/parley_remove_message.sql
-- Removes a person's message at a moderator's request (lib/server/moderation.ts, removeMessage): the row stays, as
-- `kind` 'removed' with `removed_at` set, so that the thread shows "Removed by a moderator" in its place; its text
-- stays in the table for the admin area and leaves every answer (parley_message_json). The caller is an admin, who
-- need not take part in the thread; who and why go to the audit log in the same transaction.
-- Locks: the thread row FOR UPDATE, then the participant rows whose counts change, by updating them: the order and
-- the reason of parley_delete_message.
-- Every participant who had not read it (parley_is_read as it was a text message) loses one from their unread count
-- (and from their unread mention count when it mentioned them);
-- from now on it is read by everyone (parley_is_read: only text is ever unread). Records `message.removed` with the
-- message as it now is and every participant's new unread count, and blanks the text of its earlier events.
-- outcome: 'removed' (thread_id, message) | 'message_not_found' | 'system_entry' (a group's entry, not a person's
-- message) | 'already_removed'; thread_id and message are NULL but for 'removed'.
CREATE OR REPLACE FUNCTION "parley_remove_message"(p_message_id text)
RETURNS TABLE (outcome text, thread_id text, message jsonb) LANGUAGE plpgsql AS $$
DECLARE
  v_thread_id text;
  v_kind text;
  v_row messages;
  v_sender users;
  v_message jsonb;
BEGIN
  SELECT m.thread_id, m.kind INTO v_thread_id, v_kind FROM messages m WHERE m.id = p_message_id;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'message_not_found'::text, NULL::text, NULL::jsonb;
    RETURN;
  ELSIF v_kind = 'system' THEN
    RETURN QUERY SELECT 'system_entry'::text, NULL::text, NULL::jsonb;
    RETURN;
  END IF;

  PERFORM 1 FROM threads t WHERE t.id = v_thread_id FOR UPDATE;
  -- Under the lock, the row as it is now: deleted by its sender or removed by another moderator meanwhile.
  UPDATE messages m SET kind = 'removed', removed_at = clock_timestamp()::timestamptz(3)
  WHERE m.id = p_message_id AND m.kind = 'text'
  RETURNING * INTO v_row;
  IF NOT FOUND THEN
    RETURN QUERY SELECT CASE WHEN EXISTS (SELECT 1 FROM messages m WHERE m.id = p_message_id)
                             THEN 'already_removed' ELSE 'message_not_found' END, NULL::text, NULL::jsonb;
    RETURN;
  END IF;
  -- The outbox's earlier events of this message (its creation, its edits) lose its text too: a client reconnecting with
  -- an old Last-Event-ID replays them (docs/realtime.md), and must not get back what was removed. A range of the
  -- created_at index: an event is stamped with its transaction's start (now()), which precedes the message's own time
  -- by the send's wait for the thread lock at most; an hour is far beyond any query timeout (DATABASE_QUERY_TIMEOUT_MS
  -- is at most 10 minutes).
  -- Replies' quotes of it in later events lose the quoted text the same way.
  UPDATE events e SET payload = CASE
      WHEN e.payload #>> '{message,id}' = p_message_id
      THEN e.payload || jsonb_build_object('message', e.payload -> 'message'
             || '{"text": "", "kind": "removed", "mentions": [], "reactions": []}'::jsonb)
      ELSE jsonb_set(jsonb_set(e.payload, '{message,replyTo,message,text}', '""'::jsonb),
                     '{message,replyTo,message,kind}', '"removed"'::jsonb) END
  WHERE e.created_at >= v_row.created_at - interval '1 hour' AND e.thread_id = v_thread_id
    AND (e.payload #>> '{message,id}' = p_message_id OR e.payload #>> '{message,replyTo,message,id}' = p_message_id);
  UPDATE participants p SET
    unread_count = p.unread_count - 1,
    unread_mention_count = p.unread_mention_count - CASE WHEN p.user_id = ANY (v_row.mention_ids) THEN 1 ELSE 0 END
  WHERE p.thread_id = v_thread_id AND NOT parley_is_read('text', v_row.sender_id, v_row.seq, p.user_id, p.last_read_seq);
  SELECT * INTO STRICT v_sender FROM users u WHERE u.id = v_row.sender_id;

  v_message := parley_message_json(v_row, v_sender, v_row.sender_id, NULL);
  PERFORM parley_record_thread_event(v_thread_id, 'message.removed', jsonb_build_object('message', v_message), 'all');
  RETURN QUERY SELECT 'removed'::text, v_thread_id, v_message;
END
$$;

-- prisma/sql/functions/parley_send_message.sql
-- Sends a message (lib/server/messages.ts, sendMessage), in one statement and so one round trip and one transaction
-- (docs/decisions.md, "Hot writes as SQL functions").
-- Locks: the thread row FOR UPDATE (after checking that the sender takes part), then every participant row of the
-- thread by updating them: thread row first, then participant rows, like every write to a thread's messages or
-- counters, so they serialise in one order and cannot deadlock.
-- Steps: return the sender's earlier message with the same client_message_id if there is one; otherwise take the next
-- sequence number, add one to every other participant's unread count (the new message is the newest, so it is read
-- by nobody but its sender: parley_is_read), move the sender's watermark to it (sending marks the thread read for the
-- sender), stamp everyone's last_activity_at, insert the message and record `message.created` with every
-- participant's new unread count and read state of the message.
-- A reply (`p_reply_to_id`) stores the original's seq; the original must be a person's message (`kind` 'text') of the
-- same thread. Mentions (parley_mentions) are stored with the message and add one to the unread mention count of each
-- participant mentioned, whose unread count the message also raises.
-- outcome: 'created' | 'existing' (message: the earlier one) | 'conflict' (the key was used in another thread) |
-- 'thread_not_found' (no such thread, or the sender is not in it) | 'reply_not_found' (the original is not a person's
-- message of this thread, or no longer exists) | 'blocked' (a direct conversation of two whose
-- other person blocked the sender) | 'blocking' (… whom the sender blocked: parley_block_between); message (as its
-- sender sees it) is NULL but for the first two.
-- Two sends with one key into different threads can both miss the other's row here; the unique index
-- (sender_id, client_message_id) then fails the later INSERT and the caller retries (sendMessage).
CREATE OR REPLACE FUNCTION "parley_send_message"(
  p_thread_id text, p_sender_id text, p_message_id text, p_text text, p_client_message_id text, p_reply_to_id text
) RETURNS TABLE (outcome text, message jsonb) LANGUAGE plpgsql AS $$
DECLARE
  v_seq int;
  v_now timestamptz;
  v_row messages;
  v_sender users;
  v_message jsonb;
  v_block text;
  v_reply_to_seq int;
  v_mentions text[];
BEGIN
  SELECT t.last_seq + 1 INTO v_seq FROM threads t
  WHERE t.id = p_thread_id
    AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = t.id AND p.user_id = p_sender_id)
  FOR UPDATE;
  -- Checked again now that the lock is held: the statement above saw the participants as they were when it began,
  -- so a removal from a group that committed while it waited for the lock is seen only here (PostgreSQL docs,
  -- "Transaction Isolation", Read Committed: a locking statement re-checks only the rows it locks).
  IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = p_thread_id AND p.user_id = p_sender_id) THEN
    RETURN QUERY SELECT 'thread_not_found'::text, NULL::jsonb;
    RETURN;
  END IF;
  SELECT * INTO STRICT v_sender FROM users u WHERE u.id = p_sender_id;

  IF p_client_message_id IS NOT NULL THEN
    SELECT * INTO v_row FROM messages m
    WHERE m.sender_id = p_sender_id AND m.client_message_id = p_client_message_id;
    IF FOUND THEN
      IF v_row.thread_id <> p_thread_id THEN
        RETURN QUERY SELECT 'conflict'::text, NULL::jsonb;
      ELSE
        -- The sender's own message: read whatever their watermark is.
        RETURN QUERY SELECT 'existing'::text, parley_message_json(v_row, v_sender, p_sender_id, NULL);
      END IF;
      RETURN;
    END IF;
  END IF;

  -- After the retry above, so that a message sent before a block is still answered as sent.
  v_block := parley_block_between(p_thread_id, p_sender_id);
  IF v_block IS NOT NULL THEN
    RETURN QUERY SELECT v_block, NULL::jsonb;
    RETURN;
  END IF;

  IF p_reply_to_id IS NOT NULL THEN
    SELECT m.seq INTO v_reply_to_seq FROM messages m
    WHERE m.id = p_reply_to_id AND m.thread_id = p_thread_id AND m.kind = 'text';
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'reply_not_found'::text, NULL::jsonb;
      RETURN;
    END IF;
  END IF;
  v_mentions := parley_mentions(p_thread_id, p_sender_id, p_text);

  v_now := clock_timestamp()::timestamptz(3);
  UPDATE threads t SET last_seq = v_seq WHERE t.id = p_thread_id;
  UPDATE participants p SET
    last_activity_at = v_now,
    unread_count = CASE WHEN p.user_id = p_sender_id THEN 0 ELSE p.unread_count + 1 END,
    unread_mention_count = CASE WHEN p.user_id = p_sender_id THEN 0
                                WHEN p.user_id = ANY (v_mentions) THEN p.unread_mention_count + 1
                                ELSE p.unread_mention_count END,
    last_read_seq = CASE WHEN p.user_id = p_sender_id THEN v_seq ELSE p.last_read_seq END
  WHERE p.thread_id = p_thread_id;
  INSERT INTO messages (id, thread_id, seq, sender_id, text, client_message_id, created_at, reply_to_seq, mention_ids)
  VALUES (p_message_id, p_thread_id, v_seq, p_sender_id, p_text, p_client_message_id, v_now, v_reply_to_seq, v_mentions)
  RETURNING * INTO v_row;

  v_message := parley_message_json(v_row, v_sender, p_sender_id, v_seq);
  PERFORM parley_record_thread_event(p_thread_id, 'message.created', jsonb_build_object('message', v_message), 'all');
  RETURN QUERY SELECT 'created'::text, v_message;
END
$$;

-- prisma/sql/functions/parley_unread_after.sql
-- A participant's unread counts in a thread with their watermark at `p_last_read_seq`: the messages they have not read
-- (parley_is_read), and of those the ones that mention them (messages.mention_ids). The one count that reads
-- messages, used when a watermark moves (parley_mark_read, parley_mark_unread); every other write adjusts the stored
-- counts by one. parley_is_read is inlined, so the (thread_id, sender_id, seq) index serves it.
CREATE OR REPLACE FUNCTION "parley_unread_after"(p_thread_id text, p_user_id text, p_last_read_seq int)
RETURNS TABLE (unread_count int, unread_mention_count int) LANGUAGE sql STABLE AS $$
  SELECT count(*)::int, (count(*) FILTER (WHERE p_user_id = ANY (m.mention_ids)))::int
  FROM messages m
  WHERE m.thread_id = p_thread_id AND NOT parley_is_read(m.kind, m.sender_id, m.seq, p_user_id, p_last_read_seq)
$$;

-- prisma/sql/functions/parley_mark_read.sql
-- Moves a user's read watermark in a thread forward (lib/server/read-state.ts, markThreadRead and markMessageRead), in
-- one statement and so one round trip and one transaction (docs/decisions.md, "Hot writes as SQL functions"): to the
-- message `p_up_to_message_id` (and everything before it), or, when that is NULL, to the thread's newest message.
-- With `p_thread_id` NULL the thread is the message's. The watermark never moves backwards.
-- Locks: the thread row FOR SHARE, which keeps sends and deletions of the thread out while the count is taken, then
-- the user's participant row FOR NO KEY UPDATE, which orders the user's own concurrent marks and keeps an edit's
-- event from reading the watermark halfway (parley_edit_message).
-- The unread counts are recomputed from the new watermark (parley_unread_after): 0 at the newest message, otherwise
-- the messages after it that the user has not read, and of those the ones that mention them. When the watermark
-- moves, `thread.read` is recorded with the user's new counts. Only parley_mark_unread moves a watermark back.
-- outcome: 'moved' | 'unchanged' | 'thread_not_found' (no such thread, or the user is not in it) |
-- 'message_not_found' (no such message, or not in the thread); thread_id, last_read_seq (the watermark afterwards)
-- and the counts are NULL for the last two.
CREATE OR REPLACE FUNCTION "parley_mark_read"(p_thread_id text, p_user_id text, p_up_to_message_id text)
RETURNS TABLE (outcome text, thread_id text, last_read_seq int, unread_count int, unread_mention_count int) LANGUAGE plpgsql AS $$
DECLARE
  v_thread_id text := p_thread_id;
  v_last_seq int;
  v_last_read_seq int;
  v_unread int;
  v_mentions int;
  v_target int;
BEGIN
  IF v_thread_id IS NULL THEN
    SELECT m.thread_id INTO v_thread_id FROM messages m WHERE m.id = p_up_to_message_id;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'message_not_found'::text, NULL::text, NULL::int, NULL::int, NULL::int;
      RETURN;
    END IF;
  END IF;

  SELECT t.last_seq INTO v_last_seq FROM threads t
  WHERE t.id = v_thread_id
    AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = t.id AND p.user_id = p_user_id)
  FOR SHARE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'thread_not_found'::text, NULL::text, NULL::int, NULL::int, NULL::int;
    RETURN;
  END IF;
  SELECT p.last_read_seq, p.unread_count, p.unread_mention_count INTO v_last_read_seq, v_unread, v_mentions
  FROM participants p
  WHERE p.thread_id = v_thread_id AND p.user_id = p_user_id
  FOR NO KEY UPDATE;
  IF NOT FOUND THEN -- removed from the group while this waited for the thread lock (parley_send_message says why)
    RETURN QUERY SELECT 'thread_not_found'::text, NULL::text, NULL::int, NULL::int, NULL::int;
    RETURN;
  END IF;

  v_target := v_last_seq;
  IF p_up_to_message_id IS NOT NULL THEN
    SELECT m.seq INTO v_target FROM messages m WHERE m.id = p_up_to_message_id AND m.thread_id = v_thread_id;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'message_not_found'::text, NULL::text, NULL::int, NULL::int, NULL::int;
      RETURN;
    END IF;
  END IF;
  IF v_target <= v_last_read_seq THEN
    RETURN QUERY SELECT 'unchanged'::text, v_thread_id, v_last_read_seq, v_unread, v_mentions;
    RETURN;
  END IF;

  v_unread := 0;
  v_mentions := 0;
  IF v_target < v_last_seq THEN
    SELECT u.unread_count, u.unread_mention_count INTO v_unread, v_mentions
    FROM parley_unread_after(v_thread_id, p_user_id, v_target) u;
  END IF;
  UPDATE participants p SET last_read_seq = v_target, unread_count = v_unread, unread_mention_count = v_mentions
  WHERE p.thread_id = v_thread_id AND p.user_id = p_user_id;
  PERFORM parley_record_thread_event(v_thread_id, 'thread.read',
    jsonb_build_object('threadId', v_thread_id, 'userId', p_user_id, 'lastReadSeq', v_target), 'only', p_user_id);
  RETURN QUERY SELECT 'moved'::text, v_thread_id, v_target, v_unread, v_mentions;
END
$$;

-- prisma/sql/functions/parley_mark_unread.sql
-- Moves a user's read watermark in a thread back to just before a message (lib/server/read-state.ts, markUnread: "Mark
-- unread from here"), in one statement and so one transaction: the message and everything after it that the user did
-- not send become unread again. The only way a watermark moves back; reading never does (parley_mark_read).
-- Locks as parley_mark_read: the thread row FOR SHARE (sends and deletions wait), then the user's participant row FOR
-- NO KEY UPDATE (the user's own marks, read or unread, apply one at a time, in the order they take it).
-- The counts are recomputed from the new watermark (parley_unread_after), and `thread.read` is recorded with it, as a
-- mark-read would: everyone in the thread sees the user's read position (their "seen" marks) move back with it.
-- outcome: 'moved' | 'unchanged' (the message is already unread: the watermark is before it) | 'message_not_found'
-- (no such message, or the user is not in its thread, also when removed from it or the message deleted while this
-- waited for the lock); thread_id and the counts are NULL for the last one.
CREATE OR REPLACE FUNCTION "parley_mark_unread"(p_message_id text, p_user_id text)
RETURNS TABLE (outcome text, thread_id text, last_read_seq int, unread_count int, unread_mention_count int)
LANGUAGE plpgsql AS $$
DECLARE
  v_thread_id text;
  v_seq int;
  v_last_read_seq int;
  v_unread int;
  v_mentions int;
BEGIN
  SELECT m.thread_id INTO v_thread_id FROM messages m WHERE m.id = p_message_id;
  IF FOUND THEN
    PERFORM 1 FROM threads t
    WHERE t.id = v_thread_id
      AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = t.id AND p.user_id = p_user_id)
    FOR SHARE;
  END IF;
  IF FOUND THEN
    -- Under the lock (parley_send_message says why): still a member, and the message still there.
    SELECT p.last_read_seq INTO v_last_read_seq FROM participants p
    WHERE p.thread_id = v_thread_id AND p.user_id = p_user_id
    FOR NO KEY UPDATE;
  END IF;
  IF FOUND THEN
    SELECT m.seq INTO v_seq FROM messages m WHERE m.id = p_message_id AND m.thread_id = v_thread_id;
  END IF;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'message_not_found'::text, NULL::text, NULL::int, NULL::int, NULL::int;
    RETURN;
  END IF;

  IF v_seq - 1 >= v_last_read_seq THEN
    SELECT p.unread_count, p.unread_mention_count INTO v_unread, v_mentions FROM participants p
    WHERE p.thread_id = v_thread_id AND p.user_id = p_user_id;
    RETURN QUERY SELECT 'unchanged'::text, v_thread_id, v_last_read_seq, v_unread, v_mentions;
    RETURN;
  END IF;
  SELECT u.unread_count, u.unread_mention_count INTO v_unread, v_mentions
  FROM parley_unread_after(v_thread_id, p_user_id, v_seq - 1) u;
  UPDATE participants p SET last_read_seq = v_seq - 1, unread_count = v_unread, unread_mention_count = v_mentions
  WHERE p.thread_id = v_thread_id AND p.user_id = p_user_id;
  PERFORM parley_record_thread_event(v_thread_id, 'thread.read',
    jsonb_build_object('threadId', v_thread_id, 'userId', p_user_id, 'lastReadSeq', v_seq - 1), 'only', p_user_id);
  RETURN QUERY SELECT 'moved'::text, v_thread_id, v_seq - 1, v_unread, v_mentions;
END
$$;
