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
