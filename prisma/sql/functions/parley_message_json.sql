-- A message in its wire shape (lib/schemas/messages.ts, `Message`) as one viewer sees it: the only place that builds
-- it. Every path that answers or announces a message takes its JSON from here: sending, editing (the functions below
-- and their events), reading one message, a thread's pages and the unread list (lib/server/messages.ts,
-- lib/server/read-state.ts), and the system entries of groups (parley_post_system_entry).
-- `u` is the message's sender (for a system entry, whoever caused it); `p_viewer_id` and `p_viewer_last_read_seq`
-- (that viewer's watermark in the thread) give `isRead` (parley_is_read). The sender's own view needs no watermark: a
-- message is read by whoever sent it, and a system entry by everyone.
-- A system entry's `system` comes from parley_system_entry_json (its people as users, named as they are now); text
-- messages have `system` NULL and pay nothing for it. This body must hold no sub-select, so that PostgreSQL inlines it
-- into the queries that page messages (measured: not inlined, a 50-message page cost about twice the database time;
-- docs/performance.md, issue 16).
-- A message a moderator removed (`kind` 'removed') keeps its text in the table for the admin area, and nobody else
-- gets it: its `text` here is empty.
-- A reply's `replyTo` comes from parley_reply_json, called for replies only. `mentions` is the stored mention_ids
-- (parley_mentions) and `reactions` the stored copy of its reactions (parley_react): neither needs another table.
-- A removed message has neither.
-- Timestamps are ISO 8601 UTC with milliseconds, as JavaScript's toISOString writes them.
CREATE OR REPLACE FUNCTION "parley_message_json"(
  m "messages", u "users", p_viewer_id text, p_viewer_last_read_seq int
) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', m.id,
    'threadId', m.thread_id,
    'seq', m.seq,
    'kind', m.kind,
    'sender', jsonb_build_object('id', u.id, 'username', u.username, 'name', u.name),
    'text', CASE WHEN m.kind = 'removed' THEN '' ELSE m.text END,
    'system', CASE WHEN m.kind = 'system' THEN parley_system_entry_json(m.system) END,
    'clientMessageId', m.client_message_id,
    'createdAt', to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'editedAt', to_char(m.edited_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'replyTo', CASE WHEN m.reply_to_seq IS NOT NULL THEN parley_reply_json(m.thread_id, m.reply_to_seq) END,
    'mentions', CASE WHEN m.kind = 'removed' THEN '[]'::jsonb ELSE to_jsonb(m.mention_ids) END,
    'reactions', CASE WHEN m.kind = 'removed' THEN '[]'::jsonb ELSE m.reactions END,
    'isRead', parley_is_read(m.kind, m.sender_id, m.seq, p_viewer_id, p_viewer_last_read_seq))
$$;
