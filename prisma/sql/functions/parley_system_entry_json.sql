-- A system entry's `system` field in its wire shape (lib/schemas/messages.ts, `SystemEntry`) from what is stored
-- (`messages.system`: {action, userIds, role?, title?}): the people it concerns as users, named as they are now (a
-- deleted account as "Deleted user"), in the entry's order. Called by parley_message_json for system entries only.
-- A function of its own because its body holds a sub-select: PostgreSQL inlines a SQL function only when its body has
-- none (PostgreSQL docs, "Inlining of SQL Functions"), and parley_message_json, which every page of messages calls
-- once per message, must stay inlined. Text messages never call this.
CREATE OR REPLACE FUNCTION "parley_system_entry_json"(p_system jsonb) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'action', p_system -> 'action',
    'users', (
      SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'username', x.username, 'name', x.name) ORDER BY i.n), '[]'::jsonb)
      FROM jsonb_array_elements_text(p_system -> 'userIds') WITH ORDINALITY AS i(id, n)
      JOIN users x ON x.id = i.id),
    'role', p_system -> 'role',
    'title', p_system -> 'title')
$$;
