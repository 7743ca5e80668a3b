-- Trigger function of `sessions_notify_gone` (migration `browser_sessions`): tells every app instance when a session
-- stops being valid, whatever removed it (sign-out, the account's deletion cascading, an operator's SQL), so that
-- cached session lookups are dropped and the event streams opened with the session are ended
-- (lib/infra/credential-cache.ts, lib/infra/live-hub.ts). NOTIFY is delivered to listeners when the deleting
-- transaction commits, in commit order with every other notification of the database.
CREATE OR REPLACE FUNCTION "parley_notify_session_gone"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('parley_sessions', OLD.id);
  RETURN NULL;
END
$$;
