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
