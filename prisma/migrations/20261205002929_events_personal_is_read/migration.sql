-- Live events carry each recipient's `isRead` of their message in `personal` since migration one_home_per_rule
-- (parley_record_thread_event); lib/server/events.ts `personalize` no longer derives it. This gives the events still
-- kept for replay (EVENTS_RETENTION_HOURS) the same field, so that a client reconnecting across the upgrade is told
-- what it was told before for a new message (read by its sender only), and for an edit its own read state now (the
-- watermark at the time of the edit is not kept; before, every recipient was told the sender's view, read).
-- Fields already there are kept, so events written by the new functions are left as they are.
UPDATE events e SET personal = r.personal
FROM (
  SELECT ev.id,
         ev.personal || jsonb_object_agg(
           rcpt.user_id,
           jsonb_build_object('isRead', CASE
             WHEN ev.type = 'message.created' THEN rcpt.user_id = ev.payload #>> '{message,sender,id}'
             ELSE coalesce(parley_is_read(ev.payload #>> '{message,sender,id}', (ev.payload #>> '{message,seq}')::int,
                                          rcpt.user_id, p.last_read_seq), false)
           END) || coalesce(ev.personal -> rcpt.user_id, '{}'::jsonb)) AS personal
  FROM events ev
  CROSS JOIN LATERAL unnest(ev.recipients) AS rcpt(user_id)
  LEFT JOIN participants p ON p.thread_id = ev.thread_id AND p.user_id = rcpt.user_id
  WHERE ev.type IN ('message.created', 'message.updated') AND ev.payload ? 'message'
  GROUP BY ev.id
) r
WHERE e.id = r.id;
