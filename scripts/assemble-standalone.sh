#!/bin/sh
# Assembles the self-contained server directory that the Docker image runs, from a finished `npm run build`
# (next.config.ts sets output: "standalone"). The Dockerfile's build stage and tests/smoke/standalone.ts both call
# it, so CI tests exactly the files the image holds.
#
#   sh scripts/assemble-standalone.sh <out-dir>
#
# <out-dir> is created; when it exists it must be empty. It receives:
#   server.mjs             scripts/standalone-server.mjs, the entry point (`node server.mjs`)
#   web-concurrency.mjs    scripts/web-concurrency.mjs, which server.mjs imports (WEB_CONCURRENCY)
#   server.js, package.json, node_modules/, .next/
#                          Next's standalone output: the server and only the dependencies it traced
#   .next/static/          the browser's assets, which Next leaves out of the standalone output
#   public/                when the project has one (the same)
#   prisma/migrations/     applied at boot when MIGRATE_ON_START=true
#
# Exits non-zero, saying why, when the build is missing or is not a standalone build of the same BUILD_ID.
set -eu

fail() {
  echo "assemble-standalone: $*" >&2
  exit 1
}

[ "$#" -eq 1 ] && [ -n "$1" ] || fail "usage: sh scripts/assemble-standalone.sh <out-dir>"
out=$1

root=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
build="$root/.next"
standalone="$build/standalone"

[ -f "$build/BUILD_ID" ] || fail "no production build in $build: run \`npm run build\` first"
[ -f "$standalone/server.js" ] && [ -f "$standalone/.next/BUILD_ID" ] ||
  fail "no standalone output in $standalone: next.config.ts needs output: \"standalone\", then \`npm run build\`"
# A build without output: "standalone" leaves an older standalone directory in place: do not ship that one.
build_id=$(cat "$build/BUILD_ID")
[ "$build_id" = "$(cat "$standalone/.next/BUILD_ID")" ] ||
  fail "$standalone is from another build than $build/BUILD_ID: run \`npm run build\` again"
[ -d "$build/static" ] || fail "no $build/static: the build is incomplete; run \`npm run build\` again"
[ -d "$root/prisma/migrations" ] || fail "no prisma/migrations in $root"
[ -f "$root/scripts/standalone-server.mjs" ] || fail "no scripts/standalone-server.mjs in $root"
[ -f "$root/scripts/web-concurrency.mjs" ] || fail "no scripts/web-concurrency.mjs in $root"

if [ -e "$out" ]; then
  [ -d "$out" ] || fail "$out exists and is not a directory"
  [ -z "$(ls -A -- "$out")" ] || fail "$out is not empty"
fi
mkdir -p -- "$out"

# copy <dir> <dest>: the contents of <dir> into <dest>, merged with what Next's tracing already put there (it copies
# prisma/migrations when the server code reads them). -P: symbolic links stay links (POSIX leaves -R's choice open).
copy() {
  mkdir -p -- "$2"
  cp -RP -- "$1/." "$2/"
}

copy "$standalone" "$out"
copy "$build/static" "$out/.next/static"
if [ -d "$root/public" ]; then
  copy "$root/public" "$out/public"
fi
copy "$root/prisma/migrations" "$out/prisma/migrations"
cp -- "$root/scripts/standalone-server.mjs" "$out/server.mjs"
cp -- "$root/scripts/web-concurrency.mjs" "$out/web-concurrency.mjs"

# A build that started meanwhile (another terminal) may have replaced files while they were copied.
[ "$(cat "$build/BUILD_ID" 2>/dev/null)" = "$build_id" ] || fail "the build in $build changed while it was copied"
echo "assemble-standalone: build $build_id assembled in $out"
