#!/usr/bin/env bash
# local_exit_codes.sh - the exit codes of SPEC section 7 as the library's
# status codes reach them through the command's one table: a write in
# read-only mode exits 4 (NEREID_EREADONLY) and changes nothing, a project
# that exists with another key exits 1 (NEREID_EEXISTS; 6 for diff and
# status), not found 3, a bad name 2; each failure is one line
# "nereid: <what failed>: <why>".
. "$(dirname "$0")/lib.sh"

R="$(new_run)"
mkdir -p data
printf 'one\n' >data/one.txt
track_ok "$R:d" data
H="$TRACKED_HASH"

# --- read-only mode: every write refused with 4, naming the mode ----------------------------
expect_error 4 nereid track "$R:d" data --replace --mode read-only
expect_contains "read-only" "$ERR" "track in read-only mode says why"
expect_error 4 nereid track "$R:new" data --mode read-only
expect_error 4 nereid track new data --mode read-only
expect_error 4 nereid rm "$R:d" --mode read-only
expect_contains "read-only" "$ERR" "rm in read-only mode says why"
expect_error 4 nereid assign "$R:copy" "$H" --mode read-only
expect_error 4 nereid run new --mode read-only
expect_contains "read-only" "$ERR" "run new in read-only mode says why"
expect_error 4 nereid project new ws/ro --mode read-only
expect_contains "read-only" "$ERR" "project new in read-only mode says why"
printf '[]' >empty.json
expect_error_in "2 4" nereid import "$R:imp" empty.json --mode read-only
# Nothing changed.
expect_eq "$H" "$(hash_of "$R:d")" "read-only refusals leave the field"
expect_error 3 nereid hash "$R:new"
expect_error 3 nereid hash "$R:copy"
# Reads work.
expect_exit 0 nereid hash "$R:d" --mode read-only
expect_eq "$H" "$OUT" "read-only mode reads"

# --- exists: a general failure, 1 ----------------------------------------------------------
expect_exit 0 nereid project new ws/keyed --key KEYA
expect_error 1 nereid project new ws/keyed --key KEYB
expect_contains "KEYA" "$ERR" "the error names the existing key"

# --- not found, usage; diff and status keep 6 for a general failure -------------------------
expect_error 3 nereid hash "$R:missing"
expect_error 3 nereid diff "$R:d" "$R:missing"
expect_error 2 nereid hash "$R:bad//field"
expect_error 2 nereid diff "$R:d" "$R:bad//field"
expect_error 2 nereid project new "bad name" --key KEYC

e2e_done
