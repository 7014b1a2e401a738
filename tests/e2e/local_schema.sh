#!/usr/bin/env bash
# local_schema.sh - what the store file is (SPEC section 6): a SQLite
# database of another program, a store written by a newer Nereid, or a file
# that is not a database at all is refused by every command in every mode,
# with one clear line, and left byte for byte as it was; a store made before
# Nereid marked its stores (PRAGMA application_id / user_version) is read as
# it is and marked by its first write only.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || skip_all "needs the sqlite3 tool"

mkdir -p data
printf 'one\n' >data/one.txt

# Every file of a folder with its checksum.
home_state() {
	(cd "$1" && find . -type f -exec md5sum {} + | LC_ALL=C sort)
}
# The same, but SQLite's shared index and an empty write-ahead log, which a
# reader of a WAL database may leave (as in local_modes.sh).
home_state_db() {
	(cd "$1" && find . -type f ! -name '*-shm' ! \( -name '*-wal' -size 0 \) \
		-exec md5sum {} + | LC_ALL=C sort)
}
pragma() {
	sqlite3 "$1" "PRAGMA $2"
}

# refused_everywhere HOME WHY [STATE]: every command in every mode refuses
# HOME's store with exit 1, an error naming the store and saying WHY, and
# changes nothing in HOME (as STATE, home_state by default, sees it).
refused_everywhere() {
	local home="$1" why="$2" state="${3:-home_state}" before mode c
	before="$($state "$home")"
	for mode in async sync offline read-only debug; do
		for c in "runs" "hash AB-1:f" "ls AB-1:f" "show AB-1" "run new" "track f data" \
			"track AB-1:f data" "project new ws/p --key WSP" "project list" "rm AB-1:f"; do
			expect_error 1 env NEREID_HOME="$home" "$NEREID_BIN" $c --mode $mode
			expect_contains "$home/store.db" "$ERR" "the error names the store ($c, $mode)"
			expect_contains "$why" "$ERR" "the error says why ($c, $mode)"
		done
	done
	expect_eq "$before" "$($state "$home")" "the refused store is left as it was"
}

# --- another program's SQLite database --------------------------------------------------------
FOREIGN="$T/foreign"
mkdir -p "$FOREIGN"
sqlite3 "$FOREIGN/store.db" "CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT);
	INSERT INTO notes(text) VALUES('keep me');"
refused_everywhere "$FOREIGN" "not a Nereid store"
expect_eq "notes" "$(sqlite3 "$FOREIGN/store.db" .tables)" "no table was added to the foreign database"
expect_eq "delete" "$(pragma "$FOREIGN/store.db" journal_mode)" "its journal mode is unchanged"

# A database with another program's application_id and no table at all.
sqlite3 "$T/other_app.db" "PRAGMA application_id = 1234;"
mkdir -p "$T/other_app"
cp "$T/other_app.db" "$T/other_app/store.db"
refused_everywhere "$T/other_app" "not a Nereid store"

# A file that is not a database.
mkdir -p "$T/garbage"
head -c 8192 /dev/urandom >"$T/garbage/store.db"
refused_everywhere "$T/garbage" "not a Nereid store"

# --- a store written by a newer Nereid -------------------------------------------------------
R="$(new_run)"
track_ok "$R:f" data
H="$TRACKED_HASH"
expect_eq "1314014274" "$(pragma "$NEREID_HOME/store.db" application_id)" "a store carries Nereid's application_id"
expect_eq "5" "$(pragma "$NEREID_HOME/store.db" user_version)" "and its schema version"
NEWER="$T/newer"
mkdir -p "$NEWER"
cp "$NEREID_HOME/store.db" "$NEWER/store.db"
sqlite3 "$NEWER/store.db" "PRAGMA user_version = 7;" >/dev/null
refused_everywhere "$NEWER" "newer"
expect_eq "7" "$(pragma "$NEWER/store.db" user_version)" "the newer store keeps its version"

# --- a store made before the mark (application_id 0, meta.schema_version) --------------------
OLD="$T/old"
mkdir -p "$OLD"
cp "$NEREID_HOME/store.db" "$OLD/store.db"
sqlite3 "$OLD/store.db" "PRAGMA application_id = 0; PRAGMA user_version = 0;" >/dev/null
OLD_BEFORE="$(home_state "$OLD")"
old() { env NEREID_HOME="$OLD" "$NEREID_BIN" "$@"; }
expect_exit 0 old hash "$R:f"
expect_eq "$H" "$OUT" "an older store is read"
expect_exit 0 old runs --json
expect_exit 0 old hash "$R:f" --mode read-only
expect_exit 0 old track "$R:f" data --mode debug
expect_error 4 old run new --mode read-only
expect_eq "$OLD_BEFORE" "$(home_state_db "$OLD")" "reads leave an older store as it was (no migration)"
expect_eq "0" "$(pragma "$OLD/store.db" user_version)" "still unmarked after reads"
expect_exit 0 old run new
expect_eq "1314014274" "$(pragma "$OLD/store.db" application_id)" "the first write marks an older store"
expect_eq "5" "$(pragma "$OLD/store.db" user_version)" "with its schema version"
expect_exit 0 old hash "$R:f"
expect_eq "$H" "$OUT" "the marked store still holds the field"

# An unmarked store whose meta says a newer schema is refused too.
OLDNEW="$T/oldnew"
mkdir -p "$OLDNEW"
cp "$NEREID_HOME/store.db" "$OLDNEW/store.db"
sqlite3 "$OLDNEW/store.db" "PRAGMA application_id = 0; PRAGMA user_version = 0;
	UPDATE meta SET value = '2' WHERE key = 'schema_version';" >/dev/null
# Only SQLite can read meta: a reader of this WAL store may leave its index.
refused_everywhere "$OLDNEW" "newer" home_state_db

# An empty store.db (a store made by nothing yet) reads as empty and is made by a write.
EMPTY="$T/empty"
mkdir -p "$EMPTY"
: >"$EMPTY/store.db"
expect_exit 0 env NEREID_HOME="$EMPTY" "$NEREID_BIN" runs --json
expect_eq "[]" "$OUT" "an empty store.db reads as an empty store"
expect_eq "0" "$(stat -c %s "$EMPTY/store.db")" "and a read leaves it empty"
expect_exit 0 env NEREID_HOME="$EMPTY" "$NEREID_BIN" run new
expect_eq "5" "$(pragma "$EMPTY/store.db" user_version)" "the first write makes the store"
expect_eq "16384" "$(pragma "$EMPTY/store.db" page_size)" "a new store has 16 KiB pages"
expect_exit 0 env NEREID_HOME="$EMPTY" "$NEREID_BIN" track f data
expect_eq "16384" "$(pragma "$EMPTY/hashcache.db" page_size)" "a new hash cache has 16 KiB pages"

# A store and a hash cache of 4 KiB pages (made by an earlier build) keep them and work.
SMALL="$T/small"
mkdir -p "$SMALL"
for f in store.db hashcache.db; do
	cp "$EMPTY/$f" "$SMALL/$f"
	sqlite3 "$SMALL/$f" "PRAGMA journal_mode=DELETE; PRAGMA page_size=4096; VACUUM;
		PRAGMA journal_mode=WAL;" >/dev/null
	expect_eq "4096" "$(pragma "$SMALL/$f" page_size)" "$f made with 4 KiB pages"
done
printf 'two\n' >data/two.txt
expect_exit 0 env NEREID_HOME="$SMALL" "$NEREID_BIN" run new
R2="$OUT"
expect_exit 0 env NEREID_HOME="$SMALL" "$NEREID_BIN" track "$R2:f" data
expect_exit 0 env NEREID_HOME="$SMALL" "$NEREID_BIN" ls "$R2:f"
expect_contains "two.txt" "$OUT" "a store of 4 KiB pages takes a new artifact"
for f in store.db hashcache.db; do
	expect_eq "4096" "$(pragma "$SMALL/$f" page_size)" "$f keeps its 4 KiB pages"
	expect_eq "ok" "$(pragma "$SMALL/$f" integrity_check)" "$f is whole"
done
rm data/two.txt

# Several processes making a fresh store at once: each waits for the
# others (the switch to WAL included) and sees a whole store, never a
# half-made one taken for another program's.
for i in $(seq 1 12); do
	RACE="$T/race$i"
	for j in 1 2 3 4 5 6; do
		env NEREID_HOME="$RACE" "$NEREID_BIN" run new >"$T/race.out.$j" 2>&1 &
	done
	wait
	capture env NEREID_HOME="$RACE" "$NEREID_BIN" runs --json
	N="$(printf '%s' "$OUT" | py 'import json,sys; print(len(json.load(sys.stdin)))' 2>&1)"
	if [ "$N" != 6 ]; then
		bad "6 processes making a fresh store: $N runs ($(cat "$T"/race.out.* | grep nereid: | head -2))"
	else
		ok
	fi
done

e2e_done
