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
