-- The presence sweep's index on the people marked online, keyed by id instead of last_seen_at: the heartbeat updates
-- last_seen_at of everyone online every third of PRESENCE_TIMEOUT_MS, and an update that changes no indexed column
-- can be a HOT update (no new index entries). The sweep reads the online ones in id order (the order both it and the
-- heartbeat lock rows in) and checks their times; there are only ever as many as are online.
DROP INDEX "users_online_last_seen_at_idx";
CREATE INDEX "users_online_idx" ON "users" ("id") WHERE "online";
