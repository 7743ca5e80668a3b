-- Written by `npm run db:functions` from prisma/sql/functions/ (one file per function, docs/decisions.md, "One home
-- per rule"). Edit those files and run it again; an applied migration must not change.

-- Functions whose parameters, result or options changed (CREATE OR REPLACE cannot change them), or whose file is
-- gone:
DROP FUNCTION "parley_block_between"(p_thread_id text, p_user_id text);
DROP FUNCTION "parley_mentions"(p_thread_id text, p_sender_id text, p_text text);

-- prisma/sql/functions/parley_block_between.sql
-- Whether a block stands between a person and the other one of a direct conversation of two: 'blocking' (the person
-- blocked the other; said first when both did: the person knows of their own block, and is not told of the other's),
-- 'blocked' (the other blocked the person), or NULL (no block, or the thread is a group or a larger direct conversation, which
-- blocks do not affect: docs/data-model.md, "Moderation"). Blocks refuse sending (parley_send_message) and reacting
-- (parley_react) there; the rest of what a block refuses is in lib/server/blocks.ts.
-- Called with the thread's row lock held, so that a block that committed before is seen. PL/pgSQL, not SQL: its query
-- plan is kept for the session (a SQL function called from PL/pgSQL is planned again on every call; measured on send:
-- docs/performance.md, issue 18).
CREATE OR REPLACE FUNCTION "parley_block_between"(p_thread_id text, p_user_id text)
RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    SELECT CASE WHEN b.blocker_id = p_user_id THEN 'blocking' ELSE 'blocked' END
    FROM threads t
    JOIN participants o ON o.thread_id = t.id AND o.user_id <> p_user_id
    JOIN blocks b ON (b.blocker_id = o.user_id AND b.blocked_id = p_user_id) OR (b.blocker_id = p_user_id AND b.blocked_id = o.user_id)
    WHERE t.id = p_thread_id AND t.participant_key IS NOT NULL
      AND (SELECT count(*) FROM participants p WHERE p.thread_id = t.id) = 2
    ORDER BY 1 DESC
    LIMIT 1);
END
$$;

-- prisma/sql/functions/parley_mentions.sql
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
