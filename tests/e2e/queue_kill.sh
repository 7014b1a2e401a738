#!/usr/bin/env bash
# queue_kill.sh - SPEC section 9's promise under kill -9 (issue 11, item 5):
# `nereid sync` killed before the run is created, after it is created but
# before the queue knows its ID, before and after an operation is
# acknowledged; the client killed between queueing and delivery; the server
# killed mid-delivery; the server stopped during an async run; two syncs of
# one queue at once. After each, syncing again leaves the server with
# exactly the runs and fields tracked: no duplicate run, each operation
# applied once (the server's applied_ops has one row per operation), no
# operation lost, the hashes of track time although the files changed.
# The kill points are NEREID_TEST_KILL_AT / NEREID_TEST_STOP_AT, read by
# the command line only (docs/internals/queue.md).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server_lib.sh"
command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 is needed"

server_start
expect_exit 0 srv project create ws/k --key KIL
TOK="$(new_token ws/k write --name ana)"
export NEREID_SYNC_TIMEOUT=1
Q="$NEREID_HOME/queue"

args() {
	A=(--project ws/k --store "$URL" --api-token "$TOK")
}
args

runs_count() {
	nereid runs --json "${A[@]}" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
applied() {
	sqlite3 "$SRV_STORE/store.db" "SELECT count(*) FROM applied_ops WHERE queue = '$1'"
}
# stopped PID: wait until the process is stopped (SIGSTOP) or gone.
stopped() {
	local s
	for _ in $(seq 1 400); do
		s="$(ps -o stat= -p "$1" 2>/dev/null)"
		case "$s" in T*) return 0 ;; "") return 1 ;; esac
		sleep 0.05
	done
	return 1
}

mkdir -p data more
printf 'one\n' >data/a.txt
printf 'two\n' >data/b.txt
printf 'three\n' >more/c.txt

# An offline run of 4 operations; its fields' hashes (from the queue) go
# to HD (data) and HM (model); its ID to ID.
offline_run() {
	printf 'one\n' >data/a.txt
	expect_exit 0 nereid track data data --mode offline "${A[@]}"
	ID="${OUT%% *}"
	expect_exit 0 nereid track "$ID:data" more --mode offline "${A[@]}"
	HD="${OUT##* }"
	expect_exit 0 nereid track "$ID:model" data/b.txt --mode offline "${A[@]}"
	expect_exit 0 nereid track "$ID:model" more/c.txt --replace --mode offline "${A[@]}"
	HM="${OUT##* }"
	# The files change before any sync: nothing is scanned again.
	printf 'changed\n' >data/a.txt
}

# The server has run RUN with exactly data=HD and model=HM, each of the 4
# operations of queue ID applied once, and the queue is gone.
check_delivered() {
	local run="$1" what="$2"
	expect_exit 0 nereid show "$run" --json "${A[@]}"
	expect_eq "data=$HD model=$HM" \
		"$(printf '%s' "$OUT" | jq -r '[to_entries[] | select(.key | startswith("sys/") | not) | "\(.key)=\(.value)"] | join(" ")')" \
		"$what: exactly the fields tracked, with the hashes of track time"
	expect_eq 4 "$(applied "${ID#offline/}")" "$what: each operation applied once"
	expect_true "$what: the queue is deleted" test ! -e "$Q/${ID#offline/}.db"
}

# --- nereid sync killed at each step ------------------------------------------
n=0
for point in "sync: create run" "sync: run created" "sync: apply@1" "sync: applied@2" \
	"sync: applied@4"; do
	offline_run
	n=$((n + 1))
	NEREID_TEST_KILL_AT="$point" capture nereid sync "${A[@]}"
	expect_eq 137 "$RC" "$point: sync killed (-9)"
	expect_true "$point: the queue survives" test -f "$Q/${ID#offline/}.db"
	expect_exit 0 nereid sync "${A[@]}"
	expect_eq "$ID -> KIL-$n" "$OUT" "$point: the rerun finds or makes the one run"
	expect_eq "$n" "$(runs_count)" "$point: no duplicate run"
	check_delivered "KIL-$n" "$point"
done

# --- the client killed between queueing and delivery (async) ---------------
printf 'one\n' >data/a.txt
expect_exit 0 nereid track data data --mode sync "${A[@]}"
WANT="${OUT##* }"
n=$((n + 1))
NEREID_TEST_KILL_AT="queue: queued@1" capture nereid track data data "${A[@]}"
expect_eq 137 "$RC" "async track killed after queueing, before delivery"
n=$((n + 1))
printf 'changed\n' >data/a.txt
expect_exit 0 nereid sync --status "${A[@]}"
expect_match "^offline/[0-9a-f-]{36} ws/k KIL-$n 1 operation " "$OUT" "the operation is queued for KIL-$n"
expect_exit 0 nereid sync "${A[@]}"
expect_match " -> KIL-$n$" "$OUT" "sync delivers it"
expect_exit 0 nereid hash "KIL-$n:data" "${A[@]}"
expect_eq "$WANT" "$OUT" "with the hash of track time"
expect_eq "$n" "$(runs_count)" "no duplicate run"

# --- the server killed mid-delivery ------------------------------------------
offline_run
NEREID_TEST_STOP_AT="sync: apply@3" "$NEREID_BIN" sync "${A[@]}" >"$T/sync.out" 2>"$T/sync.err" &
SYNC2=$!
if stopped "$SYNC2"; then
	ok
	kill -KILL "$SRV_PID"
	wait "$SRV_PID" 2>/dev/null
	SRV_PID=""
	kill -CONT "$SYNC2"
	wait "$SYNC2"
	expect_eq 1 "$?" "the sync fails when its server dies"
	expect_contains "cannot reach" "$(cat "$T/sync.err")" "naming the server"
else
	bad "sync did not stop at apply@3"
fi
expect_true "the queue is kept" test -f "$Q/${ID#offline/}.db"
server_start
args
n=$((n + 1))
expect_exit 0 nereid sync "${A[@]}"
expect_eq "$ID -> KIL-$n" "$OUT" "the same run, on the server started again"
check_delivered "KIL-$n" "server killed"

# --- the server stopped during an async run ----------------------------------
OLD="$URL"
server_stop
printf 'one\n' >data/a.txt
expect_exit 0 nereid track data data "${A[@]}"
expect_match '^offline/[0-9a-f-]{36} data [0-9a-f]{64}$' "$OUT" "async without a server: queued, not an error"
ID="${OUT%% *}"
HD="${OUT##* }"
expect_contains 'nereid sync' "$ERR" "one warning names nereid sync"
expect_eq 1 "$(printf '%s\n' "$ERR" | grep -c '')" "one warning only"
expect_exit 0 nereid track "$ID:data" more "${A[@]}"
HD="${OUT##* }"
expect_exit 0 nereid track "$ID:model" data/b.txt "${A[@]}"
expect_exit 0 nereid track "$ID:model" more/c.txt --replace "${A[@]}"
HM="${OUT##* }"
printf 'changed\n' >data/a.txt
server_start
args
n=$((n + 1))
expect_exit 0 nereid sync "${A[@]}"
expect_eq "$ID -> KIL-$n" "$OUT" "the run made by sync once the server is back"
check_delivered "KIL-$n" "network cut"
expect_ne "$OLD" "$URL" "(a new address)"

# --- two syncs of one queue at once --------------------------------------------
offline_run
NEREID_TEST_STOP_AT="sync: apply@2" "$NEREID_BIN" sync "${A[@]}" >"$T/sync.out" 2>"$T/sync.err" &
SYNC=$!
if stopped "$SYNC"; then
	ok
	expect_exit 1 nereid sync "${A[@]}"
	expect_contains "another process is delivering this queue now" "$ERR" "the second sync stands back"
	kill -CONT "$SYNC"
	wait "$SYNC"
	expect_eq 0 "$?" "the first finishes"
else
	bad "sync did not stop at apply@2"
fi
n=$((n + 1))
expect_eq "$ID -> KIL-$n" "$(cat "$T/sync.out")" "one delivery"
expect_eq "$n" "$(runs_count)" "one run per queue in all"
check_delivered "KIL-$n" "two syncs"

server_finish
e2e_done
