-- Records a live event for every current participant of a thread and queues its NOTIFY, which PostgreSQL delivers
-- at commit (docs/realtime.md). Called inside the transaction that makes the change, after the change.
-- `personal` holds what differs per recipient, merged into the payload when the event is delivered
-- (lib/server/events.ts, personalize):
--   `unreadCount` and `unreadMentionCount`: the recipient's unread counts in the thread; `p_counts` says whose to
--   attach: 'all' participants', 'only' those of `p_counts_user`, or 'none';
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
                THEN jsonb_build_object('unreadCount', p.unread_count, 'unreadMentionCount', p.unread_mention_count)
                ELSE '{}'::jsonb END
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
