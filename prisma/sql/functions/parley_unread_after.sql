-- A participant's unread counts in a thread with their watermark at `p_last_read_seq`: the messages they have not read
-- (parley_is_read), and of those the ones that mention them (messages.mention_ids). The one count that reads
-- messages, used when a watermark moves (parley_mark_read, parley_mark_unread); every other write adjusts the stored
-- counts by one. parley_is_read is inlined, so the (thread_id, sender_id, seq) index serves it.
CREATE OR REPLACE FUNCTION "parley_unread_after"(p_thread_id text, p_user_id text, p_last_read_seq int)
RETURNS TABLE (unread_count int, unread_mention_count int) LANGUAGE sql STABLE AS $$
  SELECT count(*)::int, (count(*) FILTER (WHERE p_user_id = ANY (m.mention_ids)))::int
  FROM messages m
  WHERE m.thread_id = p_thread_id AND NOT parley_is_read(m.kind, m.sender_id, m.seq, p_user_id, p_last_read_seq)
$$;
