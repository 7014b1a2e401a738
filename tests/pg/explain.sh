#!/bin/bash
# tests/pg/explain.sh BINARY - EXPLAIN every statement of the postgres://
# store on a database of 100,000 runs and a 1,000,000-record artifact
# (tests/unit/test_pg_explain.c): no sequential scan. Starts its own
# PostgreSQL; skipped (77) only when PostgreSQL's binaries are absent.
set -eu
. "$(dirname "$0")/lib.sh"
pg_start
NEREID_TEST_PG_EXPLAIN="$PG_URI" "$1"
