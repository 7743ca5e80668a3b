-- CreateTable
CREATE TABLE "sessions" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "sessions_user_id_expires_at_idx" ON "sessions"("user_id", "expires_at");

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Tell every app instance when a session stops being valid, whatever removed it (sign-out, the account's deletion
-- cascading, an operator's SQL), so that cached session lookups are dropped and the event streams opened with the
-- session are ended (lib/server/credential-cache.ts, lib/server/live-hub.ts). NOTIFY is delivered to listeners when
-- the deleting transaction commits, in commit order with every other notification of the database.
CREATE FUNCTION "parley_notify_session_gone"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('parley_sessions', OLD.id);
  RETURN NULL;
END
$$;

CREATE TRIGGER "sessions_notify_gone"
  AFTER DELETE OR UPDATE OF "id", "user_id", "expires_at" ON "sessions"
  FOR EACH ROW EXECUTE FUNCTION "parley_notify_session_gone"();
