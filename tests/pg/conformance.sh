#!/bin/bash
# tests/pg/conformance.sh BINARY - the store conformance suite
# (tests/unit/test_store_conformance.c) against a real PostgreSQL started
# for it: the postgres:// backend must pass every check the embedded store
# passes. Skipped (77) only when PostgreSQL's binaries are absent.
set -eu
. "$(dirname "$0")/lib.sh"
pg_start
export NEREID_TEST_STORE_POSTGRES="$PG_URI"
out=$("$1" 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out"
if ! printf '%s\n' "$out" | grep -q "^backend postgres at "; then
        echo "FAIL: the postgres backend was not run" >&2
        exit 1
fi
exit $rc
