-- Finds a message for a change that only its sender may make, editing or deleting it: the one home of that rule
-- (parley_edit_message, parley_delete_message call it). Takes no lock: the callers lock the thread row next and then
-- change the row only while it is still the caller's (`WHERE sender_id = …`), so a message deleted in between is
-- reported as not found. A system entry ("alice added bob") is nobody's to change, its "sender" included, and neither
-- is a message a moderator removed (the callers change a row only while its kind is still 'text').
-- outcome: 'found' (thread_id: the message's thread) | 'message_not_found' (no such message, or the caller is not in
-- its thread: the two are not told apart) | 'forbidden' (the caller is in the thread but did not send it) |
-- 'system_entry' (the caller is in the thread and it is a system entry) | 'removed' (the caller is in the thread and a
-- moderator removed it); thread_id is NULL but for 'found'.
CREATE OR REPLACE FUNCTION "parley_own_message"(p_message_id text, p_user_id text)
RETURNS TABLE (outcome text, thread_id text) LANGUAGE sql STABLE AS $$
  SELECT coalesce(found.outcome, 'message_not_found'), CASE WHEN found.outcome = 'found' THEN found.thread_id END
  FROM (SELECT) AS one
  LEFT JOIN LATERAL (
    SELECT CASE WHEN m.kind = 'system' THEN 'system_entry'
                WHEN m.kind = 'removed' THEN 'removed'
                WHEN m.sender_id = p_user_id THEN 'found'
                ELSE 'forbidden' END AS outcome,
           m.thread_id
    FROM messages m
    WHERE m.id = p_message_id
      AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = m.thread_id AND p.user_id = p_user_id)
  ) AS found ON true
$$;
