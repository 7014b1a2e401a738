#!/usr/bin/env bash
# local_shared_store.sh - a store that can be read but not written is read
# (SPEC sections 4, 6): another user's store (folder 755, files 644), and
# one's own store in a read-only folder, in every mode; writes to them fail
# with exit 4 and one line, and change nothing. A stale -wal/-shm left by a
# killed process neither hides what it holds nor breaks later commands. A
# read never creates or migrates a store; only a write does.
. "$(dirname "$0")/lib.sh"

NB_UID=65534
[ "$(id -u)" = 0 ] || skip_all "needs root to act as uid $NB_UID"
command -v setpriv >/dev/null 2>&1 || skip_all "needs setpriv"
command -v sqlite3 >/dev/null 2>&1 || skip_all "needs the sqlite3 tool"
setpriv --reuid=$NB_UID --regid=$NB_UID --clear-groups test -x "$NEREID_BIN" 2>/dev/null ||
	skip_all "uid $NB_UID cannot run $NEREID_BIN"
chmod 755 "$T" "$W"

# as_user HOME ARGS...: nereid as uid 65534 with NEREID_HOME=HOME, in $T/nbwork.
mkdir -p "$T/nbwork"
chown $NB_UID:$NB_UID "$T/nbwork"
as_user() {
	local home="$1"
	shift
	(cd "$T/nbwork" && timeout -k 5 "$E2E_TIMEOUT" setpriv --reuid=$NB_UID --regid=$NB_UID \
		--clear-groups env HOME="$T/nbwork" NEREID_HOME="$home" "$NEREID_BIN" "$@")
}
# Every file of a folder with its checksum and mode.
home_state() {
	(cd "$1" && find . -type f -printf '%p %m %U ' -exec md5sum {} \; | LC_ALL=C sort)
}

mkdir -p data
printf 'one\n' >data/one.txt
printf 'two\n' >data/two.txt
chmod -R a+rX data

# --- a fresh NEREID_HOME: reads create nothing, the first write creates the store ------------
for c in "runs" "runs --json" "hash SND-1:f" "ls SND-1:f" "show SND-1" "project list"; do
	capture nereid $c
done
expect_eq "" "$(ls -A "$NEREID_HOME")" "read commands create nothing in a fresh NEREID_HOME"
expect_exit 0 nereid runs --json
expect_eq "[]" "$OUT" "the built-in project reads as empty before its first run"

# --- another user's store: folder 755, files 644, owned by root ------------------------------
R="$(new_run --name shared)"
track_ok "$R:f" data
H="$TRACKED_HASH"
R2="$(new_run)"
expect_exit 0 nereid assign "$R2:g" "$R:f"
chmod 755 "$NEREID_HOME"
chmod 644 "$NEREID_HOME"/*
LS="$(ls_json "$R:f")"
SHOW="$(nereid show "$R" --json 2>/dev/null)"
RUNS="$(nereid runs --json 2>/dev/null)"
BEFORE="$(home_state "$NEREID_HOME")"

for mode in async sync offline read-only debug; do
	expect_exit 0 as_user "$NEREID_HOME" hash "$R:f" --mode $mode
	expect_eq "$H" "$OUT" "another user's store: hash ($mode)"
	expect_exit 0 as_user "$NEREID_HOME" ls "$R:f" --json --mode $mode
	expect_eq "$LS" "$OUT" "another user's store: ls --json ($mode)"
	expect_exit 0 as_user "$NEREID_HOME" show "$R" --json --mode $mode
	expect_eq "$SHOW" "$OUT" "another user's store: show --json ($mode)"
	expect_exit 0 as_user "$NEREID_HOME" runs --json --mode $mode
	expect_eq "$RUNS" "$OUT" "another user's store: runs --json ($mode)"
	expect_exit 0 as_user "$NEREID_HOME" diff "$R:f" "$R2:g" --mode $mode
	expect_exit 0 as_user "$NEREID_HOME" project list --mode $mode
	expect_contains "local/sandbox" "$OUT" "another user's store: project list ($mode)"
	expect_exit 0 as_user "$NEREID_HOME" download "$R:f" --destination "$T/nbwork/dl_$mode" --mode $mode
	expect_eq "$(cd data && pwd -P)/one.txt" "$(readlink "$T/nbwork/dl_$mode/one.txt")" \
		"another user's store: download ($mode)"
done
# Writes are refused before any work, with exit 4 and a reason.
for mode in async sync offline; do
	expect_error 4 as_user "$NEREID_HOME" run new --mode $mode
	expect_contains "cannot write" "$ERR" "the refusal says why ($mode)"
	expect_error 4 as_user "$NEREID_HOME" track "$R:h" "$W/data" --mode $mode
	expect_error 4 as_user "$NEREID_HOME" track newfield "$W/data" --mode $mode
	expect_error 4 as_user "$NEREID_HOME" assign "$R:h" "$R:f" --mode $mode
	expect_error 4 as_user "$NEREID_HOME" rm "$R:f" --mode $mode
	expect_error 4 as_user "$NEREID_HOME" project new ml/other --mode $mode
done
expect_error 4 as_user "$NEREID_HOME" run new --mode read-only
expect_eq "$BEFORE" "$(home_state "$NEREID_HOME")" "another user's store is left exactly as it was"
expect_eq "$H" "$(hash_of "$R:f")" "the owner still reads the field"

# --- a stale -wal and -shm left by a killed writer -------------------------------------------
# A writer that dies before closing leaves its write-ahead log (holding a
# committed rename) and the shared index; no checkpoint has run.
python3 - "$NEREID_HOME/store.db" <<'PY' || bad "could not leave a stale write-ahead log"
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA wal_autocheckpoint=0")
db.execute("UPDATE runs SET name = 'renamed' WHERE number = 1")
os._exit(0)
PY
chmod 644 "$NEREID_HOME"/*
expect_true "the write-ahead log is left behind" test -s "$NEREID_HOME/store.db-wal"
expect_true "the shared index is left behind" test -e "$NEREID_HOME/store.db-shm"
for mode in async read-only debug; do
	expect_exit 0 as_user "$NEREID_HOME" show "$R" --json --mode $mode
	expect_eq "renamed" "$(printf '%s' "$OUT" | py 'import json,sys; print(json.load(sys.stdin)["sys/name"])' 2>&1)" \
		"another user reads what the stale log holds ($mode)"
	expect_exit 0 as_user "$NEREID_HOME" hash "$R:f" --mode $mode
	expect_eq "$H" "$OUT" "another user reads through the stale log ($mode)"
done
expect_error 4 as_user "$NEREID_HOME" run new
# A shared index this user cannot even read: a clear refusal, not wrong data.
chmod 600 "$NEREID_HOME/store.db-shm"
expect_error_in "1 4" as_user "$NEREID_HOME" hash "$R:f"
expect_contains "store.db" "$ERR" "the error names the store"
chmod 644 "$NEREID_HOME/store.db-shm"
# The owner's later commands work, and see the rename.
expect_exit 0 nereid show "$R" --json
expect_eq "renamed" "$(printf '%s' "$OUT" | py 'import json,sys; print(json.load(sys.stdin)["sys/name"])' 2>&1)" \
	"the owner reads the stale log"
printf 'three\n' >data/three.txt
chmod a+r data/three.txt
track_ok "$R:f" data
expect_exit 0 nereid run new
expect_exit 0 nereid hash "$R:f"
expect_eq "$TRACKED_HASH" "$OUT" "the owner writes after the stale -shm"
# A stale, zeroed shared index with no log: no one is fooled by it.
H2="$TRACKED_HASH"
rm -f "$NEREID_HOME/store.db-wal"
head -c 32768 /dev/zero >"$NEREID_HOME/store.db-shm"
chmod 644 "$NEREID_HOME/store.db-shm"
expect_exit 0 as_user "$NEREID_HOME" hash "$R:f"
expect_eq "$H2" "$OUT" "a stale zeroed -shm: another user reads"
expect_exit 0 nereid hash "$R:f"
expect_eq "$H2" "$OUT" "a stale zeroed -shm: the owner reads"
expect_exit 0 nereid run new
expect_match "$RUNID" "$OUT" "a stale zeroed -shm: the owner writes"

# --- one's own store in a read-only folder ---------------------------------------------------
OWN="$T/nbwork/home"
mkdir -p "$OWN"
chown $NB_UID:$NB_UID "$OWN"
expect_exit 0 as_user "$OWN" track own "$W/data"
OR="${OUT%% *}"
OH="${OUT##* }"
expect_match "$RUNID" "$OR" "the user's own store is made by its first track"
rm -f "$OWN/hashcache.db"* # the hash cache is not the store
chmod 555 "$OWN"
OWN_BEFORE="$(home_state "$OWN")"
for mode in async read-only debug; do
	expect_exit 0 as_user "$OWN" hash "$OR:own" --mode $mode
	expect_eq "$OH" "$OUT" "own store in a read-only folder: hash ($mode)"
	expect_exit 0 as_user "$OWN" runs --json --mode $mode
	expect_contains "\"$OR\"" "$OUT" "own store in a read-only folder: runs ($mode)"
	expect_exit 0 as_user "$OWN" ls "$OR:own" --mode $mode
done
expect_error 4 as_user "$OWN" run new
expect_contains "cannot write" "$ERR" "the refusal says why"
expect_error 4 as_user "$OWN" track "$OR:own" "$W/data" --replace
expect_error 4 as_user "$OWN" rm "$OR:own"
expect_error 4 as_user "$OWN" run new --mode read-only
expect_eq "$OWN_BEFORE" "$(home_state "$OWN")" "own store in a read-only folder: unchanged"
# Files read-only too.
chmod 444 "$OWN/store.db"
expect_exit 0 as_user "$OWN" hash "$OR:own"
expect_eq "$OH" "$OUT" "own read-only store in a read-only folder: hash"
expect_error 4 as_user "$OWN" run new
# Writable again: writes work again.
chmod 755 "$OWN"
chmod 644 "$OWN/store.db"
expect_exit 0 as_user "$OWN" run new
expect_match "$RUNID" "$OUT" "writable again: run new works"

e2e_done
