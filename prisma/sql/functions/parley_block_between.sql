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
