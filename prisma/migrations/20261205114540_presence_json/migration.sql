-- Written by `npm run db:functions` from prisma/sql/functions/ (one file per function, docs/decisions.md, "One home
-- per rule"). Edit those files and run it again; an applied migration must not change.

-- prisma/sql/functions/parley_presence_json.sql
-- A person's presence in its wire shape (lib/schemas/presence.ts, `Presence`) as one viewer may see it: the only place
-- that decides it. `u` is the person; `p_viewer_id` who looks (NULL: a live event's thread, which many people receive,
-- so nobody's last-seen time), `p_viewer_hides` whether the viewer hides their own last-seen time, `p_blocked` whether
-- the two are in a block either way (lib/server/blocks.ts, peopleInBlockWith).
-- WhatsApp's rule: who hides their last-seen time sees nobody's; someone always sees their own. Between two people one
-- of whom blocked the other, neither sees the other's: offline, no time.
-- Read by the thread lists and a thread's participants (lib/server/threads.ts) and the profile card
-- (lib/server/users.ts). No sub-select, so PostgreSQL inlines it into those queries. `json`, not `jsonb`: it is only
-- ever written out, and building `json` text costs PostgreSQL less (docs/performance.md, "Issue 19").
-- Timestamps are ISO 8601 UTC with milliseconds, as JavaScript's toISOString writes them.
CREATE OR REPLACE FUNCTION "parley_presence_json"(
  u "users", p_viewer_id text, p_viewer_hides boolean, p_blocked boolean
) RETURNS json LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN p_blocked AND p_viewer_id IS DISTINCT FROM u.id THEN json_build_object('status', 'offline', 'lastSeenAt', NULL)
    ELSE json_build_object(
      'status', CASE WHEN u.online THEN 'online' ELSE 'offline' END,
      'lastSeenAt', CASE
        WHEN p_viewer_id IS NOT DISTINCT FROM u.id OR NOT (u.hide_last_seen OR p_viewer_id IS NULL OR p_viewer_hides)
        THEN to_char(u.last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
      END)
  END
$$;
