-- Message search (issue 18; docs/data-model.md, "Search"; lib/server/search.ts). Two partial GIN indexes over the text
-- of people's messages (kind 'text': system entries and removed messages are never searched), which schema.prisma
-- cannot declare (an expression, an operator class, a predicate).

-- Whole words, word prefixes and phrases, and ts_rank: an expression index, no stored column. The 'simple'
-- configuration lowercases (Latin, Cyrillic, … : the database's ctype is UTF-8) and does not stem, so a word is found
-- in any language as it was written. Queries must write the expression exactly so: to_tsvector('simple', m.text).
CREATE INDEX "messages_search_tsv_idx" ON "messages" USING GIN (to_tsvector('simple'::regconfig, "text")) WHERE "kind" = 'text';

-- Words found anywhere inside the text (`ployme` finds "deployment"): pg_trgm's trigram operator class, which
-- `text ILIKE '%…%'` uses. pg_trgm ships with PostgreSQL (contrib: Debian's server package, the embedded binaries) and
-- is a trusted extension (PostgreSQL 13+), so a database owner may create it. It goes in a schema of its own,
-- `extensions`, so that schema public keeps only Parley's own functions (tests/sql-functions.test.ts holds each of them
-- to a file in prisma/sql/functions/). Queries call none of its functions, only ILIKE, which the index serves whatever
-- the search_path. Where pg_trgm was installed before, in any schema, its operator class is taken from there.
-- The one PostgreSQL without pg_trgm is the in-memory WebAssembly build (PGlite) that ../shared/tools/prisma-offline
-- replays migrations in to compare them with schema.prisma: there, and only there, the trigram index is left out (it
-- changes nothing schema.prisma describes). Anywhere else a missing pg_trgm fails the migration.
DO $$
DECLARE
  v_schema name;
BEGIN
  IF version() LIKE '%wasm32%' AND NOT EXISTS (SELECT FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    RAISE NOTICE 'pg_trgm is not available in this WebAssembly build: messages_search_trgm_idx left out';
    RETURN;
  END IF;
  CREATE SCHEMA IF NOT EXISTS extensions;
  CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA extensions;
  SELECT n.nspname INTO v_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  EXECUTE format('CREATE INDEX "messages_search_trgm_idx" ON "messages" USING GIN ("text" %I.gin_trgm_ops) WHERE "kind" = %L', v_schema, 'text');
END
$$;
