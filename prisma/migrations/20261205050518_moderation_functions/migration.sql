-- Written by `npm run db:functions` from prisma/sql/functions/ (one file per function, docs/decisions.md, "One home
-- per rule"). Edit those files and run it again; an applied migration must not change.

-- prisma/sql/functions/parley_audit_log_append_only.sql
-- The trigger function that keeps the audit log append-only (triggers `audit_log_append_only`, BEFORE UPDATE OR DELETE
-- of each row, and `audit_log_no_truncate`, BEFORE TRUNCATE; migration `moderation`): whoever asks, an entry cannot be
-- changed or removed.
CREATE OR REPLACE FUNCTION "parley_audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;

-- prisma/sql/functions/parley_is_read.sql
-- Whether a message is read by a viewer: the one definition of read state (docs/data-model.md, "Read state").
-- A message is read by a viewer when it is not a person's text (`kind` 'system': "alice added bob" and the like, and
-- 'removed': a message a moderator removed, which nobody has to read), the viewer sent it, or its seq is at or below
-- the viewer's read watermark
-- (participants.last_read_seq). Everything that decides read state calls it: the message JSON's `isRead`
-- (parley_message_json), each recipient's `isRead` in a live event (parley_record_thread_event), and the unread
-- counts, which count the messages that are not read (parley_mark_read, parley_delete_message, and the unread list in
-- lib/server/read-state.ts).
-- A single SQL expression declared IMMUTABLE, so the planner inlines it into the calling query: it costs no call, and
-- `NOT parley_is_read(...)` becomes `kind = 'text' AND sender_id <> viewer AND seq > watermark`, which the
-- (thread_id, sender_id, seq) index serves as before.
CREATE OR REPLACE FUNCTION "parley_is_read"(
  p_kind text, p_sender_id text, p_seq int, p_viewer_id text, p_viewer_last_read_seq int
) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT p_kind <> 'text' OR p_sender_id = p_viewer_id OR p_seq <= p_viewer_last_read_seq
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
    'isRead', parley_is_read(m.kind, m.sender_id, m.seq, p_viewer_id, p_viewer_last_read_seq))
$$;

-- prisma/sql/functions/parley_own_message.sql
-- Finds a message for a change that only its sender may make, editing or deleting it: the one home of that rule
-- (parley_edit_message, parley_delete_message call it). Takes no lock: the callers lock the thread row next and then
-- change the row only while it is still the caller's (`WHERE sender_id = …`), so a message deleted in between is
-- reported as not found. A system entry ("alice added bob") is nobody's to change, its "sender" included, and neither
-- is a message a moderator removed (the callers change a row only while its kind is still 'text').
-- outcome: 'found' (thread_id: the message's thread) | 'message_not_found' (no such message, or the caller is not in
-- its thread: the two are not told apart) | 'forbidden' (the caller is in the thread but did not send it) |
-- 'system_entry' (the caller is in the thread and it is a system entry) | 'removed' (the caller is in the thread and a
-- moderator removed it); thread_id is NULL but for 'found'.
CREATE OR REPLACE FUNCTION "parley_own_message"(p_message_id text, p_user_id text)
RETURNS TABLE (outcome text, thread_id text) LANGUAGE sql STABLE AS $$
  SELECT coalesce(found.outcome, 'message_not_found'), CASE WHEN found.outcome = 'found' THEN found.thread_id END
  FROM (SELECT) AS one
  LEFT JOIN LATERAL (
    SELECT CASE WHEN m.kind = 'system' THEN 'system_entry'
                WHEN m.kind = 'removed' THEN 'removed'
                WHEN m.sender_id = p_user_id THEN 'found'
                ELSE 'forbidden' END AS outcome,
           m.thread_id
    FROM messages m
    WHERE m.id = p_message_id
      AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = m.thread_id AND p.user_id = p_user_id)
  ) AS found ON true
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
  RETURNING m.seq, m.kind INTO v_seq, v_kind;
  IF NOT FOUND THEN
    RETURN QUERY SELECT CASE WHEN EXISTS (SELECT 1 FROM messages m WHERE m.id = p_message_id AND m.kind = 'removed')
                             THEN 'removed' ELSE 'message_not_found' END, NULL::text, NULL::int;
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
BEGIN
  SELECT o.outcome, o.thread_id INTO v_outcome, v_thread_id FROM parley_own_message(p_message_id, p_user_id) o;
  IF v_outcome <> 'found' THEN -- 'message_not_found', 'forbidden', 'system_entry' or 'removed'
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
  WHERE m.id = p_message_id AND m.sender_id = p_user_id AND m.kind = 'text'
  RETURNING * INTO v_row;
  IF NOT FOUND THEN
    RETURN QUERY SELECT CASE WHEN EXISTS (SELECT 1 FROM messages m WHERE m.id = p_message_id AND m.kind = 'removed')
                             THEN 'removed' ELSE 'message_not_found' END, NULL::jsonb;
    RETURN;
  END IF;
  SELECT * INTO STRICT v_sender FROM users u WHERE u.id = p_user_id;

  -- The sender's own message: read whatever their watermark is.
  v_message := parley_message_json(v_row, v_sender, p_user_id, NULL);
  PERFORM parley_record_thread_event(v_thread_id, 'message.updated', jsonb_build_object('message', v_message), 'none');
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
-- Every participant who had not read it (parley_is_read as it was a text message) loses one from their unread count;
-- from now on it is read by everyone (parley_is_read: only text is ever unread). Records `message.removed` with the
-- message as it now is and every participant's new unread count.
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
  UPDATE participants p SET unread_count = p.unread_count - 1
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
-- outcome: 'created' | 'existing' (message: the earlier one) | 'conflict' (the key was used in another thread) |
-- 'thread_not_found' (no such thread, or the sender is not in it) | 'blocked' (a direct conversation of two whose
-- other person blocked the sender) | 'blocking' (… whom the sender blocked); message (as its sender sees it) is NULL
-- but for the first two. Blocks are read once the thread's lock is held, so a block that committed before is seen.
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
  v_direct boolean;
  v_block text;
BEGIN
  SELECT t.last_seq + 1, t.participant_key IS NOT NULL INTO v_seq, v_direct FROM threads t
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

  -- Blocks apply to direct conversations of two only (groups and larger direct ones are unaffected): docs/data-model.md,
  -- "Moderation". After the retry above, so that a message sent before the block is still answered as sent.
  IF v_direct AND (SELECT count(*) FROM participants p WHERE p.thread_id = p_thread_id) = 2 THEN
    SELECT CASE WHEN b.blocker_id = p_sender_id THEN 'blocking' ELSE 'blocked' END INTO v_block
    FROM participants o
    JOIN blocks b ON (b.blocker_id = o.user_id AND b.blocked_id = p_sender_id) OR (b.blocker_id = p_sender_id AND b.blocked_id = o.user_id)
    WHERE o.thread_id = p_thread_id AND o.user_id <> p_sender_id
    ORDER BY 1 DESC LIMIT 1;
    IF v_block IS NOT NULL THEN
      RETURN QUERY SELECT v_block, NULL::jsonb;
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
