-- The participants a message mentions: each `@username` in its text that names someone who takes part in the thread,
-- never its sender; ids sorted, without repeats ('{}' for none). Called by parley_send_message and
-- parley_edit_message, which store the result in messages.mention_ids; the unread mention counts follow from it.
-- A mention is `@` followed by a username (lib/schemas/users.ts: `[a-z0-9_]{3,32}`, matched case-insensitively), at
-- the start of the text or after a character that is neither a word character nor `@` (so an e-mail address such as
-- bob@example.com mentions nobody), and not followed by another word character. The web client's autocomplete and
-- highlighting use the same pattern (MENTION_PATTERN, lib/schemas/messages.ts). Text without an `@` mentions nobody and
-- reads no table; PL/pgSQL keeps the query's plan for the session (see parley_block_between).
CREATE OR REPLACE FUNCTION "parley_mentions"(p_thread_id text, p_sender_id text, p_text text)
RETURNS text[] LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF strpos(p_text, '@') = 0 THEN
    RETURN '{}';
  END IF;
  RETURN (
    SELECT coalesce(array_agg(DISTINCT p.user_id ORDER BY p.user_id), '{}')
    FROM regexp_matches(p_text, '(?:^|[^A-Za-z0-9_@])@([A-Za-z0-9_]{3,32})(?![A-Za-z0-9_])', 'g') AS r(m)
    JOIN users u ON u.username = lower(r.m[1])
    JOIN participants p ON p.thread_id = p_thread_id AND p.user_id = u.id
    WHERE p.user_id <> p_sender_id);
END
$$;
