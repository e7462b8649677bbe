#!/usr/bin/env bash
# The whole suite (`make test`): on SQLite always, and on PostgreSQL as well when
# DATABASE_URL names a database. The two passes run side by side: each is one pytest
# process, mostly waiting on one core, and run one after the other they outgrew CI's
# time. Each pass has its own data directory and temporary files; their output is
# interleaved line by line, each line marked with its pass.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
data="${FANGFAN_DATA_DIR:-$PWD/var}"

sqlite_pass() {
  # The API schema test (schemathesis, long) tries each operation once: half of them in
  # each pass when there are two (core/tests/test_api_schema.py).
  env -u DATABASE_URL ${DATABASE_URL:+FANGFAN_API_SCHEMA_HALF=sqlite} \
    FANGFAN_DATA_DIR="$data/test-sqlite" "$BIN/pytest" --basetemp="$work/sqlite" "$@"
}

if [ -z "${DATABASE_URL:-}" ]; then
  sqlite_pass "$@"
  exit $?
fi

marked() { stdbuf -oL sed "s/^/[$1] /"; }
sqlite_pass "$@" 2>&1 | marked sqlite &
sqlite_pid=$!
FANGFAN_API_SCHEMA_HALF=postgresql FANGFAN_DATA_DIR="$data/test-postgresql" "$BIN/pytest" --basetemp="$work/postgresql" "$@" \
  2>&1 | marked postgresql
postgresql_status=${PIPESTATUS[0]}
wait "$sqlite_pid"
sqlite_status=$?  # pipefail: the pytest's status, not sed's
echo "SQLite pass: exit $sqlite_status; PostgreSQL pass: exit $postgresql_status"
[ "$sqlite_status" = 0 ] && [ "$postgresql_status" = 0 ]
