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
