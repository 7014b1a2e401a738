#!/usr/bin/env bash
# local_hashcache.sh - the hash cache is only an optimisation: a damaged
# cache (garbage bytes, truncated, a folder in its place) costs one warning,
# never a failed track or a lost store, and a damaged file is built again;
# concurrent first tracks into a fresh NEREID_HOME never fail.
. "$(dirname "$0")/lib.sh"

CACHE="$NEREID_HOME/hashcache.db"
mkdir -p ds/sub
for i in $(seq 1 300); do
	printf 'file %s\n' "$i" >"ds/f$i.txt"
done
printf 'deeper\n' >ds/sub/g.txt

track_ok data ds
RUN="$TRACKED_RUN"
HASH="$TRACKED_HASH"
expect_true "the first track made the cache" test -s "$CACHE"
# Entries written in the second the files changed are not trusted: wait,
# and track again, so that the cache holds trusted entries.
sleep 1.1
track_ok "$RUN:data" ds

# warnings_in TEXT: the number of "nereid: warning: " lines in TEXT.
warnings_in() {
	printf '%s\n' "$1" | grep -c '^nereid: warning: '
}

# damaged WHAT: after the damage, a track into a new field succeeds with
# the same hash and one warning naming the cache, the earlier field is
# intact, and the next track has no warning.
damaged() {
	local what="$1"
	track_ok "$RUN:after_$2" ds
	expect_eq "$HASH" "$TRACKED_HASH" "$what: same hash as before"
	expect_eq 1 "$(warnings_in "$ERR")" "$what: one warning ($ERR)"
	expect_contains "hashcache.db" "$ERR" "$what: the warning names the cache"
	expect_eq "" "$(printf '%s\n' "$ERR" | grep -v '^nereid: warning: ')" "$what: nothing but the warning"
	expect_eq "$HASH" "$(hash_of "$RUN:data")" "$what: the earlier field is intact"
	sleep 1.1
	track_ok "$RUN:again_$2" ds
	expect_eq "" "$ERR" "$what: the next track has no warning"
}

# Garbage bytes: one warning, then the cache is built again.
head -c 20000 /dev/urandom >"$CACHE"
rm -f "$CACHE-wal" "$CACHE-shm"
damaged "garbage bytes" garbage
if command -v sqlite3 >/dev/null; then
	expect_eq "ok" "$(sqlite3 "$CACHE" 'PRAGMA quick_check' 2>&1)" "garbage bytes: the cache is sound again"
fi

# Truncated: half of a file of many pages, then in the middle of its header.
for cut in half header; do
	# The last nereid to close the cache folded its WAL into the file.
	expect_true "no WAL left beside the cache" test ! -s "$CACHE-wal"
	size=$(stat -c %s "$CACHE")
	[ "$cut" = half ] && truncate -s $((size / 2 + 100)) "$CACHE"
	[ "$cut" = header ] && truncate -s 50 "$CACHE"
	damaged "truncated ($cut)" "trunc_$cut"
done

# A folder in its place: every track warns and goes on; the folder stays.
rm -f "$CACHE" "$CACHE-wal" "$CACHE-shm"
mkdir "$CACHE"
echo mine >"$CACHE/keep"
for i in 1 2; do
	track_ok "$RUN:folder$i" ds
	expect_eq "$HASH" "$TRACKED_HASH" "folder in place: same hash"
	expect_eq 1 "$(warnings_in "$ERR")" "folder in place: one warning ($ERR)"
	expect_contains "hashcache.db" "$ERR" "folder in place: the warning names the cache"
done
expect_eq "mine" "$(cat "$CACHE/keep")" "folder in place: left as it was"
# Read-only commands with the cache in the way: a warning, never a failure.
expect_exit 0 nereid status "$RUN:data"
expect_eq 1 "$(warnings_in "$ERR")" "status with a folder in place: one warning ($ERR)"
rm -rf "$CACHE"

# Garbage in read-only mode: a warning, and the file is left as it is.
head -c 5000 /dev/urandom >"$CACHE"
sum_before=$(md5_of "$CACHE")
expect_exit 0 nereid status "$RUN:data" --mode read-only
expect_eq 1 "$(warnings_in "$ERR")" "read-only with a damaged cache: one warning ($ERR)"
expect_eq "$sum_before" "$(md5_of "$CACHE")" "read-only: the damaged cache is not touched"
rm -f "$CACHE"

# Concurrent first tracks into fresh homes: SQLite answers "database is
# locked" at once, without waiting, to one of them now and then while the
# first switches the new cache file to WAL; none may fail. By default the
# tracks race on both new files, the store and the cache (FRESH_STORE=0 makes
# the store first, so that only the cache is raced on).
FRESH_STORE=${FRESH_STORE:-1}
ROUNDS=30
for i in 1 2 3 4; do
	mkdir -p "race/d$i"
	printf 'race %s\n' "$i" >"race/d$i/r.txt"
done
failures=0
start=$SECONDS
for round in $(seq 1 $ROUNDS); do
	home="$T/race-home-$round"
	runs=4
	if [ "$FRESH_STORE" = 0 ]; then
		NEREID_HOME="$home" nereid run new >/dev/null || bad "round $round: run new failed"
		runs=5
	fi
	expect_true "round $round: no hash cache yet" test ! -e "$home/hashcache.db"
	pids=()
	for i in 1 2 3 4; do
		NEREID_HOME="$home" nereid track "f$i" "race/d$i" >"$T/race.$i.out" 2>"$T/race.$i.err" &
		pids+=($!)
	done
	for i in 1 2 3 4; do
		if ! wait "${pids[$((i - 1))]}" || [ -s "$T/race.$i.err" ]; then
			failures=$((failures + 1))
			echo "    round $round, track $i: $(head -c 300 "$T/race.$i.err")" >&2
		fi
	done
	expect_eq "$runs" "$(NEREID_HOME="$home" nereid runs --json | py 'import json,sys; print(len(json.load(sys.stdin)))')" \
		"round $round: a run for each track"
	rm -rf "$home"
done
expect_eq 0 "$failures" "concurrent first tracks: none failed or warned"
expect_true "concurrent first tracks took $((SECONDS - start))s, under 240s" test $((SECONDS - start)) -lt 240

e2e_done
