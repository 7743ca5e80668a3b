-- Adds (`p_add`) or removes a person's reaction with one emoji to a message (lib/server/reactions.ts), in one
-- statement and so one transaction. Idempotent: adding a reaction the person already has, or removing one they do
-- not, changes nothing and records nothing. Reactions never change read state or unread counts.
-- Only a participant of the message's thread may react, only to a person's message (`kind` 'text'), and not in a
-- direct conversation of two where either blocked the other (parley_block_between); taking one's own reaction back
-- stays possible there. A message takes at most `p_max_emoji` different emoji (MAX_REACTION_EMOJI,
-- lib/schemas/reactions.ts): a reaction with another one is refused, which bounds the message's reactions and the size
-- of every event that carries them.
-- Locks: the thread row FOR SHARE (after checking that the person takes part; checked again once held: a removal
-- from the group may have committed meanwhile), then the message row FOR UPDATE, which orders the reactions to one
-- message: each rebuilds messages.reactions — `[{emoji, count, userIds}]`, emoji in the order each was first used,
-- people in the order they reacted — from message_reactions after the one before it committed, so the copy is never
-- missing a concurrent reaction. Sends and edits take the thread row FOR UPDATE, and so wait, or are waited for.
-- Records `reaction.added` or `reaction.removed` with the message's new reactions (the same for every recipient).
-- outcome: 'added' | 'removed' | 'unchanged' (reactions: as they are) | 'message_not_found' (no such message, or the
-- person is not in its thread, or it was deleted meanwhile) | 'not_text' (a system entry or a removed message) |
-- 'blocked' | 'blocking' (parley_block_between); thread_id, seq and reactions are NULL for the last four |
-- 'too_many' (reactions: as they are: `p_max_emoji` other emoji already).
CREATE OR REPLACE FUNCTION "parley_react"(p_message_id text, p_user_id text, p_emoji text, p_add boolean, p_max_emoji int)
RETURNS TABLE (outcome text, thread_id text, seq int, reactions jsonb) LANGUAGE plpgsql AS $$
DECLARE
  v_thread_id text;
  v_seq int;
  v_kind text;
  v_block text;
  v_changed int;
  v_reactions jsonb;
BEGIN
  SELECT m.thread_id INTO v_thread_id FROM messages m WHERE m.id = p_message_id;
  IF FOUND THEN
    PERFORM 1 FROM threads t
    WHERE t.id = v_thread_id
      AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = t.id AND p.user_id = p_user_id)
    FOR SHARE;
  END IF;
  IF FOUND AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = v_thread_id AND p.user_id = p_user_id) THEN
    SELECT m.seq, m.kind, m.reactions INTO v_seq, v_kind, v_reactions FROM messages m
    WHERE m.id = p_message_id AND m.thread_id = v_thread_id
    FOR UPDATE;
  ELSE
    v_seq := NULL;
  END IF;
  IF v_seq IS NULL THEN
    RETURN QUERY SELECT 'message_not_found'::text, NULL::text, NULL::int, NULL::jsonb;
    RETURN;
  ELSIF v_kind <> 'text' THEN
    RETURN QUERY SELECT 'not_text'::text, NULL::text, NULL::int, NULL::jsonb;
    RETURN;
  END IF;
  IF p_add THEN
    v_block := parley_block_between(v_thread_id, p_user_id);
  END IF;
  IF v_block IS NOT NULL THEN
    RETURN QUERY SELECT v_block, NULL::text, NULL::int, NULL::jsonb;
    RETURN;
  END IF;

  IF p_add AND jsonb_array_length(v_reactions) >= p_max_emoji
     AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v_reactions) r WHERE r ->> 'emoji' = p_emoji) THEN
    RETURN QUERY SELECT 'too_many'::text, v_thread_id, v_seq, v_reactions;
    RETURN;
  END IF;

  IF p_add THEN
    INSERT INTO message_reactions (message_id, user_id, emoji, created_at)
    VALUES (p_message_id, p_user_id, p_emoji, clock_timestamp()::timestamptz(3))
    ON CONFLICT DO NOTHING;
  ELSE
    DELETE FROM message_reactions r WHERE r.message_id = p_message_id AND r.user_id = p_user_id AND r.emoji = p_emoji;
  END IF;
  GET DIAGNOSTICS v_changed = ROW_COUNT;
  IF v_changed = 0 THEN
    RETURN QUERY SELECT 'unchanged'::text, v_thread_id, v_seq, v_reactions;
    RETURN;
  END IF;

  SELECT coalesce(jsonb_agg(jsonb_build_object('emoji', g.emoji, 'count', g.n, 'userIds', g.user_ids)
                            ORDER BY g.first_at, g.emoji), '[]'::jsonb)
  INTO v_reactions
  FROM (SELECT r.emoji, count(*)::int AS n, array_agg(r.user_id ORDER BY r.created_at, r.user_id) AS user_ids,
               min(r.created_at) AS first_at
        FROM message_reactions r WHERE r.message_id = p_message_id GROUP BY r.emoji) g;
  UPDATE messages m SET reactions = v_reactions WHERE m.id = p_message_id;
  PERFORM parley_record_thread_event(v_thread_id, CASE WHEN p_add THEN 'reaction.added' ELSE 'reaction.removed' END,
    jsonb_build_object('threadId', v_thread_id, 'messageId', p_message_id, 'seq', v_seq, 'emoji', p_emoji,
                       'userId', p_user_id, 'reactions', v_reactions), 'none');
  RETURN QUERY SELECT CASE WHEN p_add THEN 'added' ELSE 'removed' END, v_thread_id, v_seq, v_reactions;
END
$$;
