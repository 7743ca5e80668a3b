-- Written by `npm run db:functions` from prisma/sql/functions/ (one file per function, docs/decisions.md, "One home
-- per rule"). Edit those files and run it again; an applied migration must not change.

-- prisma/sql/functions/parley_own_message.sql
-- Finds a message for a change that only its sender may make, editing or deleting it: the one home of that rule
-- (parley_edit_message, parley_delete_message call it). Takes no lock: the callers lock the thread row next and then
-- change the row only while it is still the caller's (`WHERE sender_id = …`), so a message deleted in between is
-- reported as not found.
-- outcome: 'found' (thread_id: the message's thread) | 'message_not_found' (no such message, or the caller is not in
-- its thread: the two are not told apart) | 'forbidden' (the caller is in the thread but did not send it);
-- thread_id is NULL but for 'found'.
CREATE OR REPLACE FUNCTION "parley_own_message"(p_message_id text, p_user_id text)
RETURNS TABLE (outcome text, thread_id text) LANGUAGE sql STABLE AS $$
  SELECT coalesce(found.outcome, 'message_not_found'), found.thread_id
  FROM (SELECT) AS one
  LEFT JOIN LATERAL (
    SELECT CASE WHEN m.sender_id = p_user_id THEN 'found' ELSE 'forbidden' END AS outcome,
           CASE WHEN m.sender_id = p_user_id THEN m.thread_id END AS thread_id
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
-- 'thread_not_found' (the thread was deleted meanwhile); thread_id and seq are NULL but for 'deleted'.
CREATE OR REPLACE FUNCTION "parley_delete_message"(p_message_id text, p_user_id text)
RETURNS TABLE (outcome text, thread_id text, seq int) LANGUAGE plpgsql AS $$
DECLARE
  v_thread_id text;
  v_outcome text;
  v_seq int;
BEGIN
  SELECT o.outcome, o.thread_id INTO v_outcome, v_thread_id FROM parley_own_message(p_message_id, p_user_id) o;
  IF v_outcome <> 'found' THEN -- 'message_not_found' or 'forbidden'
    RETURN QUERY SELECT v_outcome, NULL::text, NULL::int;
    RETURN;
  END IF;

  PERFORM 1 FROM threads t
  WHERE t.id = v_thread_id
    AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = t.id AND p.user_id = p_user_id)
  FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'thread_not_found'::text, NULL::text, NULL::int;
    RETURN;
  END IF;

  DELETE FROM messages m WHERE m.id = p_message_id AND m.sender_id = p_user_id RETURNING m.seq INTO v_seq;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'message_not_found'::text, NULL::text, NULL::int;
    RETURN;
  END IF;
  UPDATE participants p SET unread_count = p.unread_count - 1
  WHERE p.thread_id = v_thread_id AND NOT parley_is_read(p_user_id, v_seq, p.user_id, p.last_read_seq);
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
  IF v_outcome <> 'found' THEN -- 'message_not_found' or 'forbidden'
    RETURN QUERY SELECT v_outcome, NULL::jsonb;
    RETURN;
  END IF;

  PERFORM 1 FROM threads t
  WHERE t.id = v_thread_id
    AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = t.id AND p.user_id = p_user_id)
  FOR SHARE;
  IF NOT FOUND THEN
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
