#!/usr/bin/env bash
# local_modes.sh - run modes (SPEC section 6): read-only refuses every
# write with exit 4 and never creates or changes a store but reads and
# downloads; debug stores nothing; async, sync and offline all persist.
. "$(dirname "$0")/lib.sh"

mkdir -p data
printf 'one\n' >data/one.txt
printf 'two\n' >data/two.txt

# Every file of the store with its checksum, but SQLite's shared-memory
# index and empty write-ahead logs (a reader may create both).
store_state() {
	(cd "$1" && find . -type f ! -name '*-shm' ! \( -name '*-wal' -size 0 \) \
		-exec md5sum {} + 2>/dev/null | LC_ALL=C sort)
}

# --- read-only on a fresh NEREID_HOME: every command fails or reads nothing, nothing created ----
FRESH="$T/fresh"
mkdir -p "$FRESH"
ro() { env NEREID_HOME="$FRESH" "$NEREID_BIN" --mode read-only "$@"; }
ro_after() { env NEREID_HOME="$FRESH" "$NEREID_BIN" "$@" --mode read-only; }
expect_error 4 ro_after run new
expect_error 4 ro_after run new --name x
expect_error 4 ro_after track f data
expect_error_in "3 4" ro_after track "AB-1:f" data
expect_error_in "3 4" ro_after assign "AB-1:f" "AB-2:g"
expect_error_in "3 4" ro_after show "AB-1"
expect_error_in "3 4" ro_after hash "AB-1:f"
expect_error_in "3 4" ro_after download "AB-1:f" --destination "$T/fresh_dl"
expect_error_in "3 4" ro_after status "AB-1:f"
capture ro_after runs
expect_true "read-only runs on a missing store: empty or not found (exit $RC)" test "$RC" = 0 -o "$RC" = 3
if [ "$RC" = 0 ]; then
	expect_eq "" "$(printf '%s' "$OUT" | grep -E '^[A-Z]{2,10}-[0-9]+')" "no run listed"
fi
capture ro_after runs --json
if [ "$RC" = 0 ]; then
	expect_eq "[]" "$(printf '%s' "$OUT" | tr -d ' \n')" "runs --json of a missing store is []"
fi
expect_eq "" "$(ls -A "$FRESH")" "read-only never creates anything in NEREID_HOME"
# The option before the command works the same (if the CLI accepts it there).
capture ro run new
[ "$RC" = 0 ] && bad "--mode read-only before the command still created a run"
expect_eq "" "$(ls -A "$FRESH")" "NEREID_HOME still empty"
# A NEREID_HOME that does not exist is not created either.
expect_exit_in "3 4" env NEREID_HOME="$T/not_yet" "$NEREID_BIN" hash "AB-1:f" --mode read-only
expect_true "read-only does not create NEREID_HOME" test ! -e "$T/not_yet"
expect_error 4 env NEREID_HOME="$T/not_yet" "$NEREID_BIN" run new --mode read-only
expect_true "read-only does not create NEREID_HOME" test ! -e "$T/not_yet"
# The error says why.
expect_error 4 ro_after track f data
expect_match 'read-only|read only' "$ERR" "the error mentions read-only"

# --- read-only on an existing store: reads work, writes fail with 4, nothing changes --------------------
R="$(new_run --name base)"
KEY="${R%-*}"
track_ok "$R:f" data
H="$TRACKED_HASH"
R2="$(new_run)"
expect_exit 0 nereid assign "$R2:g" "$R:f"
BEFORE="$(store_state "$NEREID_HOME")"
RUNS_BEFORE="$(nereid runs --json 2>/dev/null)"

expect_exit 0 nereid hash "$R:f" --mode read-only
expect_eq "$H" "$OUT" "read-only hash"
expect_exit 0 nereid hash "$R:f" --content --mode read-only
expect_exit 0 nereid ls "$R:f" --json --mode read-only
expect_eq "$(ls_json "$R:f")" "$OUT" "read-only ls --json"
expect_exit 0 nereid ls "$R:f" --mode read-only
expect_exit 0 nereid show "$R" --mode read-only
expect_exit 0 nereid show "$R" --json --mode read-only
expect_exit 0 nereid runs --mode read-only
expect_exit 0 nereid runs --json --mode read-only
expect_eq "$RUNS_BEFORE" "$OUT" "read-only runs --json"
expect_exit 0 nereid diff "$R:f" "$R2:g" --mode read-only
expect_exit 0 nereid status "$R:f" --mode read-only
expect_exit 0 nereid download "$R:f" --destination dl --mode read-only
expect_eq "$(cd data && pwd -P)/one.txt" "$(readlink dl/one.txt)" "read-only download (the seed's use case)"
expect_exit 0 nereid download "$R:f" --destination dlc --copy --mode read-only
expect_true "read-only download --copy" cmp -s dlc/two.txt data/two.txt

printf 'three\n' >data/three.txt
expect_error 4 nereid track "$R:f" data --mode read-only
expect_error 4 nereid track "$R:new" data --mode read-only
expect_error 4 nereid track newfield data --mode read-only
expect_error 4 nereid run new --mode read-only
expect_error 4 nereid assign "$R:h" "$R:f" --mode read-only
expect_error 4 nereid assign "$R:h" "$H" --mode read-only
expect_error 4 nereid assign "$R2:g" "$R:f" --mode read-only
if nereid_has_command import; then
	printf '[{"file_path":"x","file_hash":"abc","type":"S3","size":null,"metadata":{}}]' >rec.json
	expect_error 4 nereid import "$R:imp" rec.json --mode read-only
fi
# status after a change still reads fine in read-only (and writes nothing).
expect_exit 1 nereid status "$R:f" --mode read-only
expect_contains "added three.txt" "$OUT" "read-only status sees the new file"

expect_eq "$BEFORE" "$(store_state "$NEREID_HOME")" "read-only commands left every store file unchanged"
expect_eq "$H" "$(hash_of "$R:f")" "the field is unchanged"
expect_error 3 nereid hash "$R:new"
expect_error 3 nereid hash "$R:h"
expect_eq "$RUNS_BEFORE" "$(nereid runs --json 2>/dev/null)" "no run was created"

# --- debug: nothing is stored ---------------------------------------------------------------------
expect_exit 0 nereid track "$R:dbg" data --mode debug
expect_match "^$R dbg [0-9a-f]{64}\$" "$OUT" "debug track prints its line"
DH="${OUT##* }"
expect_error 3 nereid hash "$R:dbg"
expect_exit 0 nereid track "$R:real" data
expect_eq "$OUT" "$R real $DH" "debug track computes the same hash as a real one"
expect_exit 0 nereid track "$R:f" data/three.txt --mode debug
expect_eq "$H" "$(hash_of "$R:f")" "debug track into an existing field changes nothing"
expect_exit 0 nereid run new --mode debug
DR="$OUT"
expect_match "$RUNID" "$DR" "debug run new prints an ID"
expect_exit 0 nereid track dfield data --mode debug
DR2="${OUT%% *}"
RUNS_NOW="$(nereid runs --json 2>/dev/null)"
expect_eq "2" "$(printf '%s' "$RUNS_NOW" | py 'import json,sys; print(len(json.load(sys.stdin)))' 2>&1)" \
	"debug runs are not stored"
[ -n "$DR2" ] && expect_error 3 nereid hash "$DR2:dfield"
expect_exit 0 nereid assign "$R2:dbg" "$R:f" --mode debug
expect_error 3 nereid hash "$R2:dbg"
# Nothing stored: the next normal run gets the next free number, as if debug never ran.
expect_eq "$KEY-3" "$(new_run)" "debug runs do not use up run numbers in the store"

# A fresh NEREID_HOME in debug mode: a later normal command finds nothing.
DHOME="$T/debug_home"
mkdir -p "$DHOME"
expect_exit 0 env NEREID_HOME="$DHOME" "$NEREID_BIN" track f data --mode debug
DRUN="${OUT%% *}"
expect_error 3 env NEREID_HOME="$DHOME" "$NEREID_BIN" hash "$DRUN:f"
expect_exit 0 env NEREID_HOME="$DHOME" "$NEREID_BIN" runs --json
expect_eq "[]" "$(printf '%s' "$OUT" | tr -d ' \n')" "debug left no run in a fresh store"

# --- async, sync, offline: all stored once the command returns -------------------------------------------
for m in async sync offline; do
	expect_exit 0 nereid track "$R:m_$m" data --mode "$m"
	expect_exit 0 nereid hash "$R:m_$m"
	expect_match "$HEX64" "$OUT" "mode $m: the field is stored"
	expect_exit 0 nereid run new --mode "$m"
	expect_match "$RUNID" "$OUT" "mode $m: run new"
	expect_exit 0 nereid show "$OUT"
done
expect_error 2 nereid runs --mode nonsense
expect_error 2 nereid runs --mode
expect_error 2 nereid runs --mode READ-ONLY

e2e_done
