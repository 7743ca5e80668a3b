-- The two hottest writes, sending a message and moving a read watermark, as functions: each runs as one statement,
-- so one round trip and its own transaction, instead of an interactive transaction of four to six statements
-- (docs/decisions.md, "Hot writes as SQL functions"). The statements inside, their order and their locks are the
-- ones the TypeScript ran before: every write locks the thread row first, then participant rows. Each statement of a
-- PL/pgSQL function takes a fresh snapshot under READ COMMITTED, so what is read after a lock wait is current, as it
-- was between the round trips of the interactive transaction.
-- Callers: lib/server/messages.ts (sendMessage), lib/server/read-state.ts (markThreadRead), lib/server/events.ts.

-- A message in its wire shape (lib/schemas/messages.ts, `Message`; the same as toMessage() in
-- lib/server/messages.ts, which tests/messages.test.ts holds it to), as its sender sees it: `isRead` true.
CREATE FUNCTION "parley_message_json"(m "messages", u "users") RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', m.id,
    'threadId', m.thread_id,
    'seq', m.seq,
    'sender', jsonb_build_object('id', u.id, 'username', u.username, 'name', u.name),
    'text', m.text,
    'clientMessageId', m.client_message_id,
    'createdAt', to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'editedAt', to_char(m.edited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'isRead', true)
$$;

-- Records a live event for every current participant of a thread and queues its NOTIFY, which PostgreSQL delivers
-- at commit (docs/realtime.md). `p_counts`: whose unread counts to attach, 'all' participants', 'only' those of
-- `p_counts_user`, or 'none'. Records nothing when the thread has no participants left.
-- Returns the event's id, or NULL when nothing was recorded.
CREATE FUNCTION "parley_record_thread_event"(
  p_thread_id text, p_type text, p_payload jsonb, p_counts text, p_counts_user text DEFAULT NULL
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_id bigint;
BEGIN
  IF p_counts NOT IN ('all', 'only', 'none') THEN
    RAISE EXCEPTION 'p_counts must be all, only or none, not %', p_counts;
  END IF;
  INSERT INTO events (thread_id, type, payload, personal, recipients)
  SELECT p_thread_id, p_type, p_payload,
         coalesce(
           jsonb_object_agg(p.user_id, jsonb_build_object('unreadCount', p.unread_count))
             FILTER (WHERE p_counts = 'all' OR (p_counts = 'only' AND p.user_id = p_counts_user)),
           '{}'::jsonb),
         array_agg(p.user_id ORDER BY p.user_id)
  FROM participants p
  WHERE p.thread_id = p_thread_id
  HAVING count(*) > 0
  RETURNING id INTO v_id;
  IF v_id IS NOT NULL THEN
    PERFORM pg_notify('parley_events', v_id::text);
  END IF;
  RETURN v_id;
END
$$;

-- Sends a message: lock the thread row (after checking that the sender takes part), return the sender's earlier
-- message with the same client_message_id if there is one, otherwise take the next sequence number, add one to every
-- other participant's unread count, move the sender's watermark to the new message, stamp everyone's
-- last_activity_at, insert the message and record `message.created` with every participant's new unread count.
-- outcome: 'created' | 'existing' (message: the earlier one) | 'conflict' (the key was used in another thread) |
-- 'thread_not_found' (no such thread, or the sender is not in it); message is NULL for the last two.
-- Two sends with one key into different threads can both miss the other's row here; the unique index
-- (sender_id, client_message_id) then fails the later INSERT and the caller retries (sendMessage).
CREATE FUNCTION "parley_send_message"(
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
  IF NOT FOUND THEN
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
        RETURN QUERY SELECT 'existing'::text, parley_message_json(v_row, v_sender);
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

  v_message := parley_message_json(v_row, v_sender);
  PERFORM parley_record_thread_event(p_thread_id, 'message.created', jsonb_build_object('message', v_message), 'all');
  RETURN QUERY SELECT 'created'::text, v_message;
END
$$;

-- Moves a user's read watermark in a thread forward: to the message `p_up_to_message_id` (and everything before it),
-- or, when that is NULL, to the thread's newest message. With `p_thread_id` NULL the thread is the message's.
-- The watermark never moves backwards. The unread count is recomputed from the new watermark (0 at the newest
-- message, otherwise the others' messages after it) under a share lock on the thread row, which keeps sends and
-- deletions out, and a row lock on the user's participant row, which orders the user's own concurrent marks.
-- When the watermark moves, `thread.read` is recorded with the user's new unread count.
-- outcome: 'moved' | 'unchanged' | 'thread_not_found' (no such thread, or the user is not in it) |
-- 'message_not_found' (no such message, or not in the thread); thread_id and unread_count are NULL for the last two.
CREATE FUNCTION "parley_mark_read"(p_thread_id text, p_user_id text, p_up_to_message_id text)
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
  IF NOT FOUND THEN -- cannot happen while the thread row is share-locked; answered rather than assumed
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
    WHERE m.thread_id = v_thread_id AND m.seq > v_target AND m.sender_id <> p_user_id;
  END IF;
  UPDATE participants p SET last_read_seq = v_target, unread_count = v_unread
  WHERE p.thread_id = v_thread_id AND p.user_id = p_user_id;
  PERFORM parley_record_thread_event(v_thread_id, 'thread.read',
    jsonb_build_object('threadId', v_thread_id, 'userId', p_user_id, 'lastReadSeq', v_target), 'only', p_user_id);
  RETURN QUERY SELECT 'moved'::text, v_thread_id, v_unread;
END
$$;
