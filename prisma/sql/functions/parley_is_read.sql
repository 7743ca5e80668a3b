-- Whether a message is read by a viewer: the one definition of read state (docs/data-model.md, "Read state").
-- A message is read by a viewer when it is not a person's text (`kind` 'system': "alice added bob" and the like, and
-- 'removed': a message a moderator removed, which nobody has to read), the viewer sent it, or its seq is at or below
-- the viewer's read watermark
-- (participants.last_read_seq). Everything that decides read state calls it: the message JSON's `isRead`
-- (parley_message_json), each recipient's `isRead` in a live event (parley_record_thread_event), and the unread
-- counts, which count the messages that are not read (parley_mark_read, parley_delete_message, parley_remove_message,
-- and the unread list in lib/server/read-state.ts).
-- A single SQL expression declared IMMUTABLE, so the planner inlines it into the calling query: it costs no call, and
-- `NOT parley_is_read(...)` becomes `kind = 'text' AND sender_id <> viewer AND seq > watermark`, which the
-- (thread_id, sender_id, seq) index serves as before.
CREATE OR REPLACE FUNCTION "parley_is_read"(
  p_kind text, p_sender_id text, p_seq int, p_viewer_id text, p_viewer_last_read_seq int
) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT p_kind <> 'text' OR p_sender_id = p_viewer_id OR p_seq <= p_viewer_last_read_seq
$$;
