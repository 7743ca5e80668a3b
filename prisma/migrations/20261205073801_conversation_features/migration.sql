-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "mention_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "reactions" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "reply_to_seq" INTEGER;

-- AlterTable
ALTER TABLE "participants" ADD COLUMN     "unread_mention_count" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "message_reactions" (
    "message_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "emoji" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_reactions_pkey" PRIMARY KEY ("message_id","emoji","user_id")
);

-- CreateIndex
CREATE INDEX "message_reactions_user_id_idx" ON "message_reactions"("user_id");

-- AddForeignKey
ALTER TABLE "message_reactions" ADD CONSTRAINT "message_reactions_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_reactions" ADD CONSTRAINT "message_reactions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Rules the schema cannot say (docs/data-model.md, "Replies, mentions and reactions").
ALTER TABLE "messages" ADD CONSTRAINT "messages_reply_to_earlier" CHECK ("reply_to_seq" >= 1 AND "reply_to_seq" < "seq");
ALTER TABLE "messages" ADD CONSTRAINT "messages_mention_ids" CHECK ("mention_ids" IS NOT NULL AND NOT ("sender_id" = ANY ("mention_ids")));
ALTER TABLE "messages" ADD CONSTRAINT "messages_reactions" CHECK (jsonb_typeof("reactions") = 'array');
ALTER TABLE "participants" ADD CONSTRAINT "participants_unread_mention_count" CHECK ("unread_mention_count" BETWEEN 0 AND "unread_count");
ALTER TABLE "message_reactions" ADD CONSTRAINT "message_reactions_emoji" CHECK (octet_length("emoji") BETWEEN 1 AND 64);
