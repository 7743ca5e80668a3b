-- The `replyTo` of a message that replies to another (lib/schemas/messages.ts, `ReplyTo`): the original's `seq` and,
-- while it exists, a short quote of it — its id, kind, sender and its first 200 characters (PREVIEW_LENGTH); a
-- removed original's text is empty, as everywhere. `message` is NULL once the original was deleted: the reply then
-- shows "original deleted". Called by parley_message_json for replies only, which keeps that function free of
-- sub-selects (and so inlined) for every other message.
CREATE OR REPLACE FUNCTION "parley_reply_json"(p_thread_id text, p_seq int)
RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('seq', p_seq, 'message', (
    SELECT jsonb_build_object(
      'id', m.id,
      'kind', m.kind,
      'sender', jsonb_build_object('id', u.id, 'username', u.username, 'name', u.name),
      'text', CASE WHEN m.kind = 'removed' THEN '' ELSE left(m.text, 200) END)
    FROM messages m JOIN users u ON u.id = m.sender_id
    WHERE m.thread_id = p_thread_id AND m.seq = p_seq))
$$;
