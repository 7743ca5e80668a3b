-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "removed_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "last_sign_in_at" TIMESTAMPTZ(3),
ADD COLUMN     "must_change_password" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "role" TEXT NOT NULL DEFAULT 'member',
ADD COLUMN     "suspended_at" TIMESTAMPTZ(3),
ADD COLUMN     "suspension_reason" TEXT;

-- CreateTable
CREATE TABLE "reports" (
    "id" TEXT NOT NULL,
    "message_id" TEXT,
    "thread_id" TEXT NOT NULL,
    "reporter_id" TEXT NOT NULL,
    "sender_id" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "details" TEXT,
    "message_text" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolution" TEXT,
    "resolved_at" TIMESTAMPTZ(3),
    "resolved_by_id" TEXT,

    CONSTRAINT "reports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "blocks" (
    "blocker_id" TEXT NOT NULL,
    "blocked_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "blocks_pkey" PRIMARY KEY ("blocker_id","blocked_id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_id" TEXT,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT NOT NULL,
    "reason" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "reports_sender_id_idx" ON "reports"("sender_id");

-- CreateIndex
CREATE UNIQUE INDEX "reports_message_id_reporter_id_key" ON "reports"("message_id", "reporter_id");

-- CreateIndex
CREATE INDEX "blocks_blocked_id_blocker_id_idx" ON "blocks"("blocked_id", "blocker_id");

-- CreateIndex
CREATE INDEX "audit_log_target_id_idx" ON "audit_log"("target_id");

-- CreateIndex
CREATE INDEX "audit_log_actor_id_idx" ON "audit_log"("actor_id");

-- AddForeignKey
ALTER TABLE "reports" ADD CONSTRAINT "reports_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reports" ADD CONSTRAINT "reports_reporter_id_fkey" FOREIGN KEY ("reporter_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reports" ADD CONSTRAINT "reports_sender_id_fkey" FOREIGN KEY ("sender_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "blocks" ADD CONSTRAINT "blocks_blocker_id_fkey" FOREIGN KEY ("blocker_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "blocks" ADD CONSTRAINT "blocks_blocked_id_fkey" FOREIGN KEY ("blocked_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Rules the schema cannot say (docs/data-model.md, "Moderation").
ALTER TABLE "users" ADD CONSTRAINT "users_role" CHECK ("role" IN ('member', 'admin'));
ALTER TABLE "users" ADD CONSTRAINT "users_suspension" CHECK (
  ("suspended_at" IS NULL) = ("suspension_reason" IS NULL) AND char_length("suspension_reason") BETWEEN 1 AND 500);
ALTER TABLE "messages" DROP CONSTRAINT "messages_kind";
ALTER TABLE "messages" ADD CONSTRAINT "messages_kind" CHECK (
  "kind" IN ('text', 'system', 'removed')
  AND ("kind" = 'system') = ("system" IS NOT NULL)
  AND ("kind" = 'removed') = ("removed_at" IS NOT NULL));
ALTER TABLE "reports" ADD CONSTRAINT "reports_reason" CHECK ("reason" IN ('spam', 'harassment', 'hate', 'violence', 'sexual', 'other'));
ALTER TABLE "reports" ADD CONSTRAINT "reports_details_length" CHECK (char_length("details") BETWEEN 1 AND 500);
ALTER TABLE "reports" ADD CONSTRAINT "reports_resolution" CHECK (
  ("resolution" IS NULL OR "resolution" IN ('message_removed', 'sender_suspended', 'dismissed'))
  AND ("resolution" IS NULL) = ("resolved_at" IS NULL));
ALTER TABLE "blocks" ADD CONSTRAINT "blocks_not_self" CHECK ("blocker_id" <> "blocked_id");

-- The admins, for the last-admin rule's lock and the admin list; the open reports, oldest first, for the queue.
CREATE INDEX "users_admin_idx" ON "users" ("id") WHERE "role" = 'admin';
CREATE INDEX "reports_open_idx" ON "reports" ("created_at", "id") WHERE "resolution" IS NULL;

-- The audit log is append-only: whatever the caller, an entry cannot be changed or removed.
CREATE FUNCTION "parley_audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION "parley_audit_log_append_only"();
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "parley_audit_log_append_only"();
