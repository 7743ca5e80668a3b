-- Trigger function of `api_tokens_notify_gone` (migration `token_revocation_notify`): tells every app instance when an
-- API token stops being valid, whatever removed it (revocation through the API, a user's deletion cascading, an
-- operator's SQL), so that cached token lookups are dropped and the event streams opened with the token are ended
-- (lib/infra/credential-cache.ts, lib/infra/live-hub.ts). NOTIFY is delivered to listeners when the deleting
-- transaction commits.
CREATE OR REPLACE FUNCTION "parley_notify_token_gone"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('parley_tokens', OLD.token_hash);
  RETURN NULL;
END
$$;
