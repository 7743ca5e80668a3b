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
