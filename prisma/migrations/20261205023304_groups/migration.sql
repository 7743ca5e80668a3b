-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'text',
ADD COLUMN     "system" JSONB;

-- AlterTable
ALTER TABLE "participants" ADD COLUMN     "role" TEXT NOT NULL DEFAULT 'member';

-- AlterTable
ALTER TABLE "threads" ADD COLUMN     "description" TEXT,
ADD COLUMN     "title" TEXT,
ALTER COLUMN "participant_key" DROP NOT NULL;

-- Integrity (docs/data-model.md, "Groups"): a thread is a direct conversation (a participant key, no title) or a
-- group (a title, no key); only a group has a description.
ALTER TABLE "threads" ADD CONSTRAINT "threads_kind" CHECK (("title" IS NULL) = ("participant_key" IS NOT NULL));
ALTER TABLE "threads" ADD CONSTRAINT "threads_title_length" CHECK (char_length("title") BETWEEN 1 AND 100);
ALTER TABLE "threads" ADD CONSTRAINT "threads_description" CHECK ("description" IS NULL OR ("title" IS NOT NULL AND char_length("description") <= 500));
ALTER TABLE "participants" ADD CONSTRAINT "participants_role" CHECK ("role" IN ('admin', 'member'));
ALTER TABLE "messages" ADD CONSTRAINT "messages_kind" CHECK ("kind" IN ('text', 'system') AND ("kind" = 'system') = ("system" IS NOT NULL));
