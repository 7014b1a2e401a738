#!/bin/bash
# tests/pg/retry.sh BINARY - the postgres:// store retries a call that met
# a serialisation failure or deadlock whole, with backoff, a bounded number
# of times (tests/unit/test_pg_retry.c), against a real PostgreSQL started
# for it. Skipped (77) only when PostgreSQL's binaries are absent.
set -eu
. "$(dirname "$0")/lib.sh"
pg_start
out=$(NEREID_TEST_PG_RETRY="$PG_URI" "$1" 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out"
if printf '%s\n' "$out" | grep -q "^skipped"; then
        echo "FAIL: the test did not run" >&2
        exit 1
fi
exit $rc
