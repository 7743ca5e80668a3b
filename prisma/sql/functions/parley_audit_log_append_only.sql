-- The trigger function that keeps the audit log append-only (triggers `audit_log_append_only`, BEFORE UPDATE OR DELETE
-- of each row, and `audit_log_no_truncate`, BEFORE TRUNCATE; migration `moderation`): whoever asks, an entry cannot be
-- changed or removed.
CREATE OR REPLACE FUNCTION "parley_audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
