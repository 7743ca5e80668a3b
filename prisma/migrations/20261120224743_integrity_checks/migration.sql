-- Integrity checks Prisma's schema language cannot express. They are a safety net under lib/server: a bug that
-- would corrupt read state fails its transaction instead of committing a wrong count.
ALTER TABLE "users" ADD CONSTRAINT "users_username_format" CHECK ("username" ~ '^[a-z0-9_]{3,32}$');
ALTER TABLE "participants" ADD CONSTRAINT "participants_unread_count_nonnegative" CHECK ("unread_count" >= 0);
ALTER TABLE "participants" ADD CONSTRAINT "participants_last_read_seq_nonnegative" CHECK ("last_read_seq" >= 0);
ALTER TABLE "messages" ADD CONSTRAINT "messages_seq_positive" CHECK ("seq" > 0);
ALTER TABLE "messages" ADD CONSTRAINT "messages_text_length" CHECK (char_length("text") BETWEEN 1 AND 4000);
