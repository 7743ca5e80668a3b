-- Written by `npm run db:functions` from prisma/sql/functions/ (one file per function, docs/decisions.md, "One home
-- per rule"). Edit those files and run it again; an applied migration must not change.

-- Functions whose parameters, result or options changed (CREATE OR REPLACE cannot change them), or whose file is
-- gone:
DROP FUNCTION "parley_is_read"(p_sender_id text, p_seq int, p_viewer_id text, p_viewer_last_read_seq int);
DROP FUNCTION "parley_record_thread_event"(p_thread_id text, p_type text, p_payload jsonb, p_counts text, p_counts_user text);

-- prisma/sql/functions/parley_is_read.sql
-- Whether a message is read by a viewer: the one definition of read state (docs/data-model.md, "Read state").
-- A message is read by a viewer when it is a system entry (`kind` 'system': "alice added bob" and the like, which
-- nobody has to read), the viewer sent it, or its seq is at or below the viewer's read watermark
-- (participants.last_read_seq). Everything that decides read state calls it: the message JSON's `isRead`
-- (parley_message_json), each recipient's `isRead` in a live event (parley_record_thread_event), and the unread
-- counts, which count the messages that are not read (parley_mark_read, parley_delete_message, and the unread list in
-- lib/server/read-state.ts).
-- A single SQL expression declared IMMUTABLE, so the planner inlines it into the calling query: it costs no call, and
-- `NOT parley_is_read(...)` becomes `kind <> 'system' AND sender_id <> viewer AND seq > watermark`, which the
-- (thread_id, sender_id, seq) index serves as before.
CREATE OR REPLACE FUNCTION "parley_is_read"(
  p_kind text, p_sender_id text, p_seq int, p_viewer_id text, p_viewer_last_read_seq int
) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT p_kind = 'system' OR p_sender_id = p_viewer_id OR p_seq <= p_viewer_last_read_seq
$$;

-- prisma/sql/functions/parley_message_json.sql
-- A message in its wire shape (lib/schemas/messages.ts, `Message`) as one viewer sees it: the only place that builds
-- it. Every path that answers or announces a message takes its JSON from here: sending, editing (the functions below
-- and their events), reading one message, a thread's pages and the unread list (lib/server/messages.ts,
-- lib/server/read-state.ts), and the system entries of groups (parley_post_system_entry).
-- `u` is the message's sender (for a system entry, whoever caused it); `p_viewer_id` and `p_viewer_last_read_seq`
-- (that viewer's watermark in the thread) give `isRead` (parley_is_read). The sender's own view needs no watermark: a
-- message is read by whoever sent it, and a system entry by everyone.
-- A system entry's `system` names its people as users (id, username, name as they are now, in the entry's order);
-- text messages have `system` NULL and pay nothing for it.
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
    'text', m.text,
    'system', CASE WHEN m.kind = 'system' THEN jsonb_build_object(
      'action', m.system -> 'action',
      'users', (
        SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'username', x.username, 'name', x.name) ORDER BY i.n), '[]'::jsonb)
        FROM jsonb_array_elements_text(m.system -> 'userIds') WITH ORDINALITY AS i(id, n)
        JOIN users x ON x.id = i.id),
      'role', m.system -> 'role',
      'title', m.system -> 'title') END,
    'clientMessageId', m.client_message_id,
    'createdAt', to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'editedAt', to_char(m.edited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'isRead', parley_is_read(m.kind, m.sender_id, m.seq, p_viewer_id, p_viewer_last_read_seq))
$$;

-- prisma/sql/functions/parley_own_message.sql
-- Finds a message for a change that only its sender may make, editing or deleting it: the one home of that rule
-- (parley_edit_message, parley_delete_message call it). Takes no lock: the callers lock the thread row next and then
-- change the row only while it is still the caller's (`WHERE sender_id = …`), so a message deleted in between is
-- reported as not found. A system entry ("alice added bob") is nobody's to change, its "sender" included.
-- outcome: 'found' (thread_id: the message's thread) | 'message_not_found' (no such message, or the caller is not in
-- its thread: the two are not told apart) | 'forbidden' (the caller is in the thread but did not send it) |
-- 'system_entry' (the caller is in the thread and it is a system entry); thread_id is NULL but for 'found'.
CREATE OR REPLACE FUNCTION "parley_own_message"(p_message_id text, p_user_id text)
RETURNS TABLE (outcome text, thread_id text) LANGUAGE sql STABLE AS $$
  SELECT coalesce(found.outcome, 'message_not_found'), CASE WHEN found.outcome = 'found' THEN found.thread_id END
  FROM (SELECT) AS one
  LEFT JOIN LATERAL (
    SELECT CASE WHEN m.kind = 'system' THEN 'system_entry'
                WHEN m.sender_id = p_user_id THEN 'found'
                ELSE 'forbidden' END AS outcome,
           m.thread_id
    FROM messages m
    WHERE m.id = p_message_id
      AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = m.thread_id AND p.user_id = p_user_id)
  ) AS found ON true
$$;

-- prisma/sql/functions/parley_record_thread_event.sql
-- Records a live event for every current participant of a thread and queues its NOTIFY, which PostgreSQL delivers
-- at commit (docs/realtime.md). Called inside the transaction that makes the change, after the change.
-- `personal` holds what differs per recipient, merged into the payload when the event is delivered
-- (lib/server/events.ts, personalize):
--   `unreadCount`: the recipient's unread count in the thread; `p_counts` says whose to attach: 'all' participants',
--   'only' that of `p_counts_user`, or 'none';
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
                THEN jsonb_build_object('unreadCount', p.unread_count) ELSE '{}'::jsonb END
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
-- count; a participant who had read it keeps theirs. Records `message.deleted` with every participant's new unread
-- count. Sequence numbers leave a gap (docs/data-model.md).
-- outcome: 'deleted' (thread_id and seq: where the message was) | 'message_not_found' (no such message, the caller is
-- not in its thread, or it was deleted meanwhile) | 'forbidden' (the caller is in the thread but did not send it) |
-- 'system_entry' (a system entry, which nobody edits or deletes) |
-- 'thread_not_found' (the thread was deleted meanwhile); thread_id and seq are NULL but for 'deleted'.
CREATE OR REPLACE FUNCTION "parley_delete_message"(p_message_id text, p_user_id text)
RETURNS TABLE (outcome text, thread_id text, seq int) LANGUAGE plpgsql AS $$
DECLARE
  v_thread_id text;
  v_outcome text;
  v_seq int;
  v_kind text;
BEGIN
  SELECT o.outcome, o.thread_id INTO v_outcome, v_thread_id FROM parley_own_message(p_message_id, p_user_id) o;
  IF v_outcome <> 'found' THEN -- 'message_not_found', 'forbidden' or 'system_entry'
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

  DELETE FROM messages m WHERE m.id = p_message_id AND m.sender_id = p_user_id RETURNING m.seq, m.kind INTO v_seq, v_kind;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'message_not_found'::text, NULL::text, NULL::int;
    RETURN;
  END IF;
  UPDATE participants p SET unread_count = p.unread_count - 1
  WHERE p.thread_id = v_thread_id AND NOT parley_is_read(v_kind, p_user_id, v_seq, p.user_id, p.last_read_seq);
  PERFORM parley_record_thread_event(v_thread_id, 'message.deleted',
    jsonb_build_object('threadId', v_thread_id, 'messageId', p_message_id, 'seq', v_seq), 'all');
  RETURN QUERY SELECT 'deleted'::text, v_thread_id, v_seq;
END
$$;

-- prisma/sql/functions/parley_edit_message.sql
-- Replaces the text of a message at its sender's request and sets edited_at (lib/server/messages.ts, editMessage), in
-- one statement and so one round trip and one transaction. Read state and unread counts do not change.
-- Only the sender may (parley_own_message).
-- Locks: the thread row FOR SHARE (after checking that the caller takes part), so that a deletion of the thread
-- waits for the edit or the edit finds the thread gone, and no event of a thread follows its `thread.deleted`; then
-- every participant row FOR SHARE, which waits for any mark-read in flight (it holds its row FOR NO KEY UPDATE), so the
-- event's per-recipient `isRead` is taken from watermarks that no uncommitted mark-read is moving: a mark-read that
-- committed first is in it, one that comes later waits and records its `thread.read` after this event.
-- Records `message.updated`, whose `isRead` each recipient gets from their own watermark (parley_record_thread_event).
-- outcome: 'updated' (message: as its sender sees it) | 'message_not_found' (no such message, the caller is not in its
-- thread, or it was deleted meanwhile) | 'forbidden' (the caller is in the thread but did not send it) |
-- 'system_entry' (a system entry, which nobody edits or deletes) |
-- 'thread_not_found' (the thread was deleted meanwhile); message is NULL but for 'updated'.
CREATE OR REPLACE FUNCTION "parley_edit_message"(p_message_id text, p_user_id text, p_text text)
RETURNS TABLE (outcome text, message jsonb) LANGUAGE plpgsql AS $$
DECLARE
  v_thread_id text;
  v_outcome text;
  v_row messages;
  v_sender users;
  v_message jsonb;
BEGIN
  SELECT o.outcome, o.thread_id INTO v_outcome, v_thread_id FROM parley_own_message(p_message_id, p_user_id) o;
  IF v_outcome <> 'found' THEN -- 'message_not_found', 'forbidden' or 'system_entry'
    RETURN QUERY SELECT v_outcome, NULL::jsonb;
    RETURN;
  END IF;

  PERFORM 1 FROM threads t
  WHERE t.id = v_thread_id
    AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = t.id AND p.user_id = p_user_id)
  FOR SHARE;
  -- Checked again under the lock: a removal from the group committed while this waited (parley_send_message says why).
  IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = v_thread_id AND p.user_id = p_user_id) THEN
    RETURN QUERY SELECT 'thread_not_found'::text, NULL::jsonb;
    RETURN;
  END IF;
  PERFORM 1 FROM participants p WHERE p.thread_id = v_thread_id ORDER BY p.user_id FOR SHARE;

  UPDATE messages m SET text = p_text, edited_at = clock_timestamp()::timestamptz(3)
  WHERE m.id = p_message_id AND m.sender_id = p_user_id
  RETURNING * INTO v_row;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'message_not_found'::text, NULL::jsonb;
    RETURN;
  END IF;
  SELECT * INTO STRICT v_sender FROM users u WHERE u.id = p_user_id;

  -- The sender's own message: read whatever their watermark is.
  v_message := parley_message_json(v_row, v_sender, p_user_id, NULL);
  PERFORM parley_record_thread_event(v_thread_id, 'message.updated', jsonb_build_object('message', v_message), 'none');
  RETURN QUERY SELECT 'updated'::text, v_message;
END
$$;

-- prisma/sql/functions/parley_mark_read.sql
-- Moves a user's read watermark in a thread forward (lib/server/read-state.ts, markThreadRead and markMessageRead), in
-- one statement and so one round trip and one transaction (docs/decisions.md, "Hot writes as SQL functions"): to the
-- message `p_up_to_message_id` (and everything before it), or, when that is NULL, to the thread's newest message.
-- With `p_thread_id` NULL the thread is the message's. The watermark never moves backwards.
-- Locks: the thread row FOR SHARE, which keeps sends and deletions of the thread out while the count is taken, then
-- the user's participant row FOR NO KEY UPDATE, which orders the user's own concurrent marks and keeps an edit's
-- event from reading the watermark halfway (parley_edit_message).
-- The unread count is recomputed from the new watermark: 0 at the newest message, otherwise the messages after it
-- that the user has not read (parley_is_read). When the watermark moves, `thread.read` is recorded with the user's new
-- unread count.
-- outcome: 'moved' | 'unchanged' | 'thread_not_found' (no such thread, or the user is not in it) |
-- 'message_not_found' (no such message, or not in the thread); thread_id and unread_count are NULL for the last two.
CREATE OR REPLACE FUNCTION "parley_mark_read"(p_thread_id text, p_user_id text, p_up_to_message_id text)
RETURNS TABLE (outcome text, thread_id text, unread_count int) LANGUAGE plpgsql AS $$
DECLARE
  v_thread_id text := p_thread_id;
  v_last_seq int;
  v_last_read_seq int;
  v_unread int;
  v_target int;
BEGIN
  IF v_thread_id IS NULL THEN
    SELECT m.thread_id INTO v_thread_id FROM messages m WHERE m.id = p_up_to_message_id;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'message_not_found'::text, NULL::text, NULL::int;
      RETURN;
    END IF;
  END IF;

  SELECT t.last_seq INTO v_last_seq FROM threads t
  WHERE t.id = v_thread_id
    AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = t.id AND p.user_id = p_user_id)
  FOR SHARE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'thread_not_found'::text, NULL::text, NULL::int;
    RETURN;
  END IF;
  SELECT p.last_read_seq, p.unread_count INTO v_last_read_seq, v_unread FROM participants p
  WHERE p.thread_id = v_thread_id AND p.user_id = p_user_id
  FOR NO KEY UPDATE;
  IF NOT FOUND THEN -- removed from the group while this waited for the thread lock (parley_send_message says why)
    RETURN QUERY SELECT 'thread_not_found'::text, NULL::text, NULL::int;
    RETURN;
  END IF;

  v_target := v_last_seq;
  IF p_up_to_message_id IS NOT NULL THEN
    SELECT m.seq INTO v_target FROM messages m WHERE m.id = p_up_to_message_id AND m.thread_id = v_thread_id;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'message_not_found'::text, NULL::text, NULL::int;
      RETURN;
    END IF;
  END IF;
  IF v_target <= v_last_read_seq THEN
    RETURN QUERY SELECT 'unchanged'::text, v_thread_id, v_unread;
    RETURN;
  END IF;

  v_unread := 0;
  IF v_target < v_last_seq THEN
    SELECT count(*)::int INTO v_unread FROM messages m
    WHERE m.thread_id = v_thread_id AND NOT parley_is_read(m.kind, m.sender_id, m.seq, p_user_id, v_target);
  END IF;
  UPDATE participants p SET last_read_seq = v_target, unread_count = v_unread
  WHERE p.thread_id = v_thread_id AND p.user_id = p_user_id;
  PERFORM parley_record_thread_event(v_thread_id, 'thread.read',
    jsonb_build_object('threadId', v_thread_id, 'userId', p_user_id, 'lastReadSeq', v_target), 'only', p_user_id);
  RETURN QUERY SELECT 'moved'::text, v_thread_id, v_unread;
END
$$;

-- prisma/sql/functions/parley_post_system_entry.sql
-- Posts a system entry in a group's timeline ("alice added bob", "carol left", "alice renamed the group to Launch"):
-- a message of kind 'system' with the next sequence number, sent in the name of whoever caused it (`p_actor_id`), with
-- `p_text` as its English fallback and `p_system` ({action, userIds, role?, title?}) as its structured form. Called by
-- lib/server/groups.ts inside the transaction that makes the change, which already holds the thread row FOR UPDATE
-- (thread row first, then participant rows: the one lock order). Nobody's read state changes: a system entry is read
-- by everyone (parley_is_read), so no unread count moves and the watermarks stay where they are; everyone's
-- last_activity_at moves to it, as a message's does, so the group rises in its members' lists. Records
-- `message.created` for the current participants, with their (unchanged) unread counts.
-- Returns the entry as every viewer sees it (parley_message_json).
CREATE OR REPLACE FUNCTION "parley_post_system_entry"(
  p_thread_id text, p_actor_id text, p_message_id text, p_system jsonb, p_text text
) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_seq int;
  v_now timestamptz := clock_timestamp()::timestamptz(3);
  v_row messages;
  v_actor users;
  v_message jsonb;
BEGIN
  UPDATE threads t SET last_seq = t.last_seq + 1 WHERE t.id = p_thread_id RETURNING t.last_seq INTO STRICT v_seq;
  UPDATE participants p SET last_activity_at = v_now WHERE p.thread_id = p_thread_id;
  INSERT INTO messages (id, thread_id, seq, sender_id, text, kind, system, created_at)
  VALUES (p_message_id, p_thread_id, v_seq, p_actor_id, p_text, 'system', p_system, v_now)
  RETURNING * INTO v_row;
  SELECT * INTO STRICT v_actor FROM users u WHERE u.id = p_actor_id;
  v_message := parley_message_json(v_row, v_actor, p_actor_id, NULL);
  PERFORM parley_record_thread_event(p_thread_id, 'message.created', jsonb_build_object('message', v_message), 'all');
  RETURN v_message;
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
-- outcome: 'created' | 'existing' (message: the earlier one) | 'conflict' (the key was used in another thread) |
-- 'thread_not_found' (no such thread, or the sender is not in it); message (as its sender sees it) is NULL for the
-- last two.
-- Two sends with one key into different threads can both miss the other's row here; the unique index
-- (sender_id, client_message_id) then fails the later INSERT and the caller retries (sendMessage).
CREATE OR REPLACE FUNCTION "parley_send_message"(
  p_thread_id text, p_sender_id text, p_message_id text, p_text text, p_client_message_id text
) RETURNS TABLE (outcome text, message jsonb) LANGUAGE plpgsql AS $$
DECLARE
  v_seq int;
  v_now timestamptz;
  v_row messages;
  v_sender users;
  v_message jsonb;
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

  v_now := clock_timestamp()::timestamptz(3);
  UPDATE threads t SET last_seq = v_seq WHERE t.id = p_thread_id;
  UPDATE participants p SET
    last_activity_at = v_now,
    unread_count = CASE WHEN p.user_id = p_sender_id THEN 0 ELSE p.unread_count + 1 END,
    last_read_seq = CASE WHEN p.user_id = p_sender_id THEN v_seq ELSE p.last_read_seq END
  WHERE p.thread_id = p_thread_id;
  INSERT INTO messages (id, thread_id, seq, sender_id, text, client_message_id, created_at)
  VALUES (p_message_id, p_thread_id, v_seq, p_sender_id, p_text, p_client_message_id, v_now)
  RETURNING * INTO v_row;

  v_message := parley_message_json(v_row, v_sender, p_sender_id, v_seq);
  PERFORM parley_record_thread_event(p_thread_id, 'message.created', jsonb_build_object('message', v_message), 'all');
  RETURN QUERY SELECT 'created'::text, v_message;
END
$$;
