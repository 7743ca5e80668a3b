-- Sends a message (lib/server/messages.ts, sendMessage), in one statement and so one round trip and one transaction
-- (docs/decisions.md, "Hot writes as SQL functions").
-- Locks: the thread row FOR UPDATE (after checking that the sender takes part), then every participant row of the
-- thread by updating them: thread row first, then participant rows, like every write to a thread's messages or
-- counters, so they serialise in one order and cannot deadlock.
-- Steps: return the sender's earlier message with the same client_message_id if there is one; otherwise take the next
-- sequence number, add one to every other participant's unread count (the new message is the newest, so it is read
-- by nobody but its sender: parley_is_read), move the sender's watermark to it (sending marks the thread read for the
-- sender), stamp everyone's last_activity_at, insert the message and record `message.created` with every
-- participant's new unread count and read state of the message.
-- A reply (`p_reply_to_id`) stores the original's seq; the original must be a person's message (`kind` 'text') of the
-- same thread. Mentions (parley_mentions) are stored with the message and add one to the unread mention count of each
-- participant mentioned, whose unread count the message also raises.
-- outcome: 'created' | 'existing' (message: the earlier one) | 'conflict' (the key was used in another thread) |
-- 'thread_not_found' (no such thread, or the sender is not in it) | 'reply_not_found' (the original is not a person's
-- message of this thread, or no longer exists) | 'blocked' (a direct conversation of two whose
-- other person blocked the sender) | 'blocking' (… whom the sender blocked: parley_block_between); message (as its
-- sender sees it) is NULL but for the first two.
-- Two sends with one key into different threads can both miss the other's row here; the unique index
-- (sender_id, client_message_id) then fails the later INSERT and the caller retries (sendMessage).
CREATE OR REPLACE FUNCTION "parley_send_message"(
  p_thread_id text, p_sender_id text, p_message_id text, p_text text, p_client_message_id text, p_reply_to_id text
) RETURNS TABLE (outcome text, message jsonb) LANGUAGE plpgsql AS $$
DECLARE
  v_seq int;
  v_now timestamptz;
  v_row messages;
  v_sender users;
  v_message jsonb;
  v_block text;
  v_reply_to_seq int;
  v_mentions text[];
BEGIN
  SELECT t.last_seq + 1 INTO v_seq FROM threads t
  WHERE t.id = p_thread_id
    AND EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = t.id AND p.user_id = p_sender_id)
  FOR UPDATE;
  -- Checked again now that the lock is held: the statement above saw the participants as they were when it began,
  -- so a removal from a group that committed while it waited for the lock is seen only here (PostgreSQL docs,
  -- "Transaction Isolation", Read Committed: a locking statement re-checks only the rows it locks).
  IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM participants p WHERE p.thread_id = p_thread_id AND p.user_id = p_sender_id) THEN
    RETURN QUERY SELECT 'thread_not_found'::text, NULL::jsonb;
    RETURN;
  END IF;
  SELECT * INTO STRICT v_sender FROM users u WHERE u.id = p_sender_id;

  IF p_client_message_id IS NOT NULL THEN
    SELECT * INTO v_row FROM messages m
    WHERE m.sender_id = p_sender_id AND m.client_message_id = p_client_message_id;
    IF FOUND THEN
      IF v_row.thread_id <> p_thread_id THEN
        RETURN QUERY SELECT 'conflict'::text, NULL::jsonb;
      ELSE
        -- The sender's own message: read whatever their watermark is.
        RETURN QUERY SELECT 'existing'::text, parley_message_json(v_row, v_sender, p_sender_id, NULL);
      END IF;
      RETURN;
    END IF;
  END IF;

  -- After the retry above, so that a message sent before a block is still answered as sent.
  v_block := parley_block_between(p_thread_id, p_sender_id);
  IF v_block IS NOT NULL THEN
    RETURN QUERY SELECT v_block, NULL::jsonb;
    RETURN;
  END IF;

  IF p_reply_to_id IS NOT NULL THEN
    SELECT m.seq INTO v_reply_to_seq FROM messages m
    WHERE m.id = p_reply_to_id AND m.thread_id = p_thread_id AND m.kind = 'text';
    IF NOT FOUND THEN
      RETURN QUERY SELECT 'reply_not_found'::text, NULL::jsonb;
      RETURN;
    END IF;
  END IF;
  v_mentions := parley_mentions(p_thread_id, p_sender_id, p_text);

  v_now := clock_timestamp()::timestamptz(3);
  UPDATE threads t SET last_seq = v_seq WHERE t.id = p_thread_id;
  UPDATE participants p SET
    last_activity_at = v_now,
    unread_count = CASE WHEN p.user_id = p_sender_id THEN 0 ELSE p.unread_count + 1 END,
    unread_mention_count = CASE WHEN p.user_id = p_sender_id THEN 0
                                WHEN p.user_id = ANY (v_mentions) THEN p.unread_mention_count + 1
                                ELSE p.unread_mention_count END,
    last_read_seq = CASE WHEN p.user_id = p_sender_id THEN v_seq ELSE p.last_read_seq END
  WHERE p.thread_id = p_thread_id;
  INSERT INTO messages (id, thread_id, seq, sender_id, text, client_message_id, created_at, reply_to_seq, mention_ids)
  VALUES (p_message_id, p_thread_id, v_seq, p_sender_id, p_text, p_client_message_id, v_now, v_reply_to_seq, v_mentions)
  RETURNING * INTO v_row;

  v_message := parley_message_json(v_row, v_sender, p_sender_id, v_seq);
  PERFORM parley_record_thread_event(p_thread_id, 'message.created', jsonb_build_object('message', v_message), 'all');
  RETURN QUERY SELECT 'created'::text, v_message;
END
$$;
