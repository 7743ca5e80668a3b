-- Tell every app instance when an API token stops being valid, whatever removed it (revocation through the API, a
-- user's deletion cascading, an operator's SQL), so that cached token lookups are dropped at once
-- (lib/server/token-cache.ts). NOTIFY is delivered to listeners when the deleting transaction commits.
CREATE FUNCTION "parley_notify_token_gone"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('parley_tokens', OLD.token_hash);
  RETURN NULL;
END
$$;

CREATE TRIGGER "api_tokens_notify_gone"
  AFTER DELETE OR UPDATE OF "token_hash", "user_id" ON "api_tokens"
  FOR EACH ROW EXECUTE FUNCTION "parley_notify_token_gone"();
