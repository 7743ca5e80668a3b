-- AlterTable
ALTER TABLE "users" ADD COLUMN     "about" TEXT,
ADD COLUMN     "hide_last_seen" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "last_seen_at" TIMESTAMPTZ(3),
ADD COLUMN     "online" BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE "users" ADD CONSTRAINT "users_about_length" CHECK (char_length("about") <= 200);
-- The presence sweep (lib/server/presence.ts) looks for the people still marked online: a small partial index.
CREATE INDEX "users_online_last_seen_at_idx" ON "users" ("last_seen_at") WHERE "online";
