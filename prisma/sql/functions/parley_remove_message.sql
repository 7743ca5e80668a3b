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
