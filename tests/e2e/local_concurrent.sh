#!/usr/bin/env bash
# local_concurrent.sh - several nereid processes on one store at once: 8
# tracks into the SAME field keep every file (no lost update), 8 `run new`
# get 8 distinct IDs, 8 `track FIELD PATH` without RUN: make 8 runs, and
# concurrent readers never see a broken store.
. "$(dirname "$0")/lib.sh"

N=8
ROUNDS=3
mkdir -p src
for i in $(seq 1 $N); do
	mkdir -p "src/d$i"
	printf 'file %s\n' "$i" >"src/d$i/f$i.txt"
	head -c $((i * 5000)) /dev/urandom >"src/d$i/g$i.bin"
done
WANT="$(for i in $(seq 1 $N); do echo "f$i.txt"; echo "g$i.bin"; done | LC_ALL=C sort)"

# Reference: the same tracks one after another.
RS="$(new_run)"
for i in $(seq 1 $N); do
	nereid track "$RS:seq" "src/d$i" >/dev/null 2>&1 || bad "sequential track $i failed"
done
HS="$(hash_of "$RS:seq")"
expect_eq "$WANT" "$(ls_paths "$RS:seq")" "sequential reference holds every file"

for round in $(seq 1 $ROUNDS); do
	R="$(new_run)"
	pids=()
	for i in $(seq 1 $N); do
		nereid track "$R:shared" "src/d$i" >"$T/out.$i" 2>"$T/err.$i" &
		pids+=($!)
	done
	for i in $(seq 1 $N); do
		wait "${pids[$((i - 1))]}"
		rc=$?
		expect_eq 0 "$rc" "round $round: concurrent track $i exit code ($(head -c 300 "$T/err.$i"))"
		expect_match "^$R shared [0-9a-f]{64}\$" "$(cat "$T/out.$i")" "round $round: track $i output"
	done
	expect_eq "$WANT" "$(ls_paths "$R:shared")" "round $round: the field holds the union of all 8 tracks"
	expect_eq "$HS" "$(hash_of "$R:shared")" "round $round: same hash as the sequential tracks"
	# The last hash printed by a track is the field's hash (each saw a consistent state).
	FINAL="$(hash_of "$R:shared")"
	expect_contains " $FINAL" "$(cat "$T"/out.*)" "round $round: the field's hash was printed by one of the tracks"
done

# --- 8 concurrent `run new`: 8 distinct IDs -----------------------------------------------------------
for round in $(seq 1 $ROUNDS); do
	pids=()
	for i in $(seq 1 $N); do
		nereid run new --name "c$round-$i" >"$T/run.$i" 2>"$T/runerr.$i" &
		pids+=($!)
	done
	for i in $(seq 1 $N); do
		wait "${pids[$((i - 1))]}"
		expect_eq 0 "$?" "round $round: concurrent run new $i ($(head -c 300 "$T/runerr.$i"))"
	done
	IDS="$(cat "$T"/run.* | LC_ALL=C sort)"
	expect_eq "$N" "$(printf '%s\n' "$IDS" | grep -cE "$RUNID")" "round $round: $N run IDs printed"
	expect_eq "$N" "$(printf '%s\n' "$IDS" | sort -u | grep -cE "$RUNID")" "round $round: all distinct"
	for id in $IDS; do
		expect_exit 0 nereid show "$id" --json
	done
	# Names landed on the right runs.
	for i in $(seq 1 $N); do
		id="$(cat "$T/run.$i")"
		expect_eq "c$round-$i" "$(nereid show "$id" --json 2>/dev/null | py 'import json,sys
print(json.load(sys.stdin)["sys/name"])' 2>&1)" "round $round: run $id has its own name"
	done
	rm -f "$T"/run.*
done
# Run numbers stay dense: KEY-1..KEY-max, none reused or skipped.
ALL="$(nereid runs --json 2>/dev/null | py 'import json,sys
for r in json.load(sys.stdin): print(r["id"])' 2>&1)"
COUNT="$(printf '%s\n' "$ALL" | grep -cE "$RUNID")"
KEY="${RS%-*}"
expect_eq "$(seq 1 "$COUNT" | sed "s/^/$KEY-/" | LC_ALL=C sort)" "$(printf '%s\n' "$ALL" | LC_ALL=C sort)" \
	"run IDs are $KEY-1..$KEY-$COUNT, each once"

# --- 8 concurrent `track FIELD PATH` without RUN: 8 new runs -----------------------------------------------
pids=()
for i in $(seq 1 $N); do
	nereid track solo "src/d$i" >"$T/solo.$i" 2>"$T/soloerr.$i" &
	pids+=($!)
done
for i in $(seq 1 $N); do
	wait "${pids[$((i - 1))]}"
	expect_eq 0 "$?" "concurrent track without RUN: $i ($(head -c 300 "$T/soloerr.$i"))"
done
SOLO_IDS="$(cut -d' ' -f1 "$T"/solo.* | sort -u | grep -cE "$RUNID")"
expect_eq "$N" "$SOLO_IDS" "8 tracks without RUN: made 8 distinct runs"
for i in $(seq 1 $N); do
	read -r id field h <"$T/solo.$i"
	expect_eq "$h" "$(hash_of "$id:solo")" "run $id holds its own track"
	expect_eq "f$i.txt
g$i.bin" "$(ls_paths "$id:solo")" "run $id holds only its files"
done

# --- readers during writes: never an error -------------------------------------------------------------------
R="$(new_run)"
track_ok "$R:rw" src/d1
(
	for i in $(seq 2 $N); do
		nereid track "$R:rw" "src/d$i" >/dev/null 2>>"$T/writer.err" || echo "writer $i failed" >>"$T/writer.err"
	done
) &
WPID=$!
READ_ERRORS=0
for _ in $(seq 1 20); do
	nereid hash "$R:rw" >/dev/null 2>>"$T/reader.err" || READ_ERRORS=$((READ_ERRORS + 1))
	nereid ls "$R:rw" --json >/dev/null 2>>"$T/reader.err" || READ_ERRORS=$((READ_ERRORS + 1))
done
wait $WPID
expect_eq 0 "$READ_ERRORS" "readers during writes never fail ($(head -c 300 "$T/reader.err" 2>/dev/null))"
expect_eq "" "$(cat "$T/writer.err" 2>/dev/null)" "writers with readers around never fail"
expect_eq "$HS" "$(hash_of "$R:rw")" "after the writes the field holds everything"

e2e_done
