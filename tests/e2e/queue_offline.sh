#!/usr/bin/env bash
# queue_offline.sh - offline mode with a server and `nereid sync` (SPEC
# section 9): an offline run is offline/<uuid>, queued under NEREID_HOME and
# never sent; it reads what it tracked from its queue and nothing else; sync
# creates it on the server, prints "offline/<uuid> -> KEY-N", keeps the
# hashes of track time (files changed since do not matter) and deletes the
# queue; a failing run does not stop the others and is kept; a queue still
# written by a process is delivered and kept.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server_lib.sh"

server_start
expect_exit 0 srv project create ws/q --key QUE
TOK="$(new_token ws/q write --name ana)"
A=(--project ws/q --store "$URL" --api-token "$TOK")
Q="$NEREID_HOME/queue"

runs_count() {
	nereid runs --json "${A[@]}" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}

mkdir -p data more
printf 'one\n' >data/a.txt
printf 'two\n' >data/b.txt
printf 'three\n' >more/c.txt

# --- an offline run: queued, never sent --------------------------------------
expect_exit 0 nereid track data data --mode offline "${A[@]}"
expect_match '^offline/[0-9a-f-]{36} data [0-9a-f]{64}$' "$OUT" "an offline run is offline/<uuid>"
expect_contains 'nereid sync' "$ERR" "one warning names nereid sync"
expect_eq 1 "$(printf '%s\n' "$ERR" | grep -c '')" "exactly one warning"
ID="${OUT%% *}"
U="${ID#offline/}"
H1="${OUT##* }"
expect_true "the queue is a file under NEREID_HOME/queue" test -f "$Q/$U.db"
expect_eq 0 "$(runs_count)" "nothing reached the server"

# Reads of what this run tracked come from the queue.
expect_exit 0 nereid hash "$ID:data" --mode offline "${A[@]}"
expect_eq "$H1" "$OUT" "hash from the queue"
expect_exit 0 nereid ls "$ID:data" --json --mode offline "${A[@]}"
expect_eq "a.txt b.txt" "$(printf '%s' "$OUT" | jq -r '[.[].file_path] | join(" ")')" "ls from the queue"
expect_eq "" "$ERR" "a read warns of nothing"
# Adding to the field: the union, as in every mode.
expect_exit 0 nereid track "$ID:data" more --mode offline "${A[@]}"
H2="${OUT##* }"
expect_exit 0 nereid ls "$ID:data" --json --mode offline "${A[@]}"
expect_eq "a.txt b.txt c.txt" "$(printf '%s' "$OUT" | jq -r '[.[].file_path] | join(" ")')" "the union"
expect_exit 0 nereid track "$ID:copy" data/a.txt --mode offline "${A[@]}"
expect_exit 0 nereid rm "$ID:copy" --mode offline "${A[@]}"
expect_exit 0 nereid assign "$ID:model" "$ID:data" --mode offline "${A[@]}"
expect_exit 0 nereid show "$ID" --json --mode offline "${A[@]}"
expect_eq "data model" "$(printf '%s' "$OUT" | jq -r '[keys[] | select(startswith("sys/") | not)] | join(" ")')" \
	"show from the queue: copy removed, model assigned"
expect_eq "$H2" "$(printf '%s' "$OUT" | jq -r '.model')" "the assigned field holds the same artifact"

# Anything else is refused, naming offline mode; nothing is queued by a refusal.
expect_error 2 nereid hash QUE-1:data --mode offline "${A[@]}"
expect_contains "offline mode" "$ERR" "another run: refused"
expect_error 3 nereid rm "$ID:nothing" --mode offline "${A[@]}"
expect_contains "no such field" "$ERR" "removing nothing: an error"
expect_error 2 nereid assign "$ID:x" "$(printf '%064d' 0)" --mode offline "${A[@]}"
expect_contains "offline mode" "$ERR" "an artifact of the server: refused"
expect_error 3 nereid hash "offline/00000000-0000-4000-8000-000000000000:data" --mode offline "${A[@]}"
expect_contains "no such queued run" "$ERR" "an unknown offline run"

# --- status, then sync: the hashes of track time ----------------------------
expect_exit 0 nereid sync --status "${A[@]}"
expect_match "^$ID ws/q - 5 operations [0-9]+ bytes$" "$OUT" "status: the run, its project, 5 operations"
# The files change (and go) before the sync: nothing is scanned again.
printf 'changed\n' >data/a.txt
rm data/b.txt
expect_exit 0 nereid sync "${A[@]}"
expect_eq "$ID -> QUE-1" "$OUT" "sync prints offline/<uuid> -> KEY-N"
expect_true "the queue is deleted after the last acknowledgement" test ! -e "$Q/$U.db"
expect_exit 0 nereid hash QUE-1:data "${A[@]}"
expect_eq "$H2" "$OUT" "the server holds the hash of track time"
expect_exit 0 nereid hash QUE-1:model "${A[@]}"
expect_eq "$H2" "$OUT" "and the assigned field"
expect_exit 0 nereid ls QUE-1:data --json "${A[@]}"
expect_eq "5bbf5a52328e7439ae6e719dfe712200" \
	"$(printf '%s' "$OUT" | jq -r '.[] | select(.file_path == "a.txt") | .file_hash')" \
	"a.txt: the MD5 of what was tracked, not of the file now"
expect_exit 0 nereid show QUE-1 --json "${A[@]}"
expect_eq "data model" "$(printf '%s' "$OUT" | jq -r '[keys[] | select(startswith("sys/") | not)] | join(" ")')" \
	"the server has exactly the fields tracked"
expect_exit 0 nereid sync "${A[@]}"
expect_eq "" "$OUT" "a second sync has nothing to do"
expect_eq 1 "$(runs_count)" "one run, no duplicate"
expect_exit 0 nereid sync --status "${A[@]}"
expect_eq "" "$OUT" "nothing queued"

# --- usage and unknown runs --------------------------------------------------
expect_error 2 nereid sync --status --run "$ID" "${A[@]}"
expect_exit 3 nereid sync --run "offline/00000000-0000-4000-8000-000000000000" "${A[@]}"
expect_contains "no such queued run" "$ERR" "an unknown run is named"

# --- a failing run does not stop the others; it is kept ---------------------
printf 'one\n' >data/a.txt
expect_exit 0 nereid track data data --mode offline --project ws/other --store "$URL" --api-token "$TOK"
BADID="${OUT%% *}"
expect_exit 0 nereid track data data --mode offline "${A[@]}"
GOODID="${OUT%% *}"
expect_exit 4 nereid sync --store "$URL" --api-token "$TOK"
expect_eq "$GOODID -> QUE-2" "$OUT" "the good run is delivered"
expect_contains "$BADID" "$ERR" "the failing run is named"
expect_contains "1 queued run not delivered" "$ERR" "and counted at the end"
expect_exit 0 nereid sync --status --store "$URL" --api-token "$TOK"
expect_match "^$BADID ws/other - 1 operation [0-9]+ bytes$" "$OUT" "the failing run is kept"
expect_exit 0 nereid sync --status "${A[@]}"
expect_eq "" "$OUT" "--status --project shows that project's runs only"

# --- a queue still written by a process: delivered up to where it is, kept --
expect_exit 0 nereid track data data --mode offline "${A[@]}"
LIVEID="${OUT%% *}"
LU="${LIVEID#offline/}"
# A writer holds the queue's lock shared for as long as it writes (the
# library's writer handle does the same).
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.flock(f, fcntl.LOCK_SH)
print("held", flush=True)
time.sleep(60)' "$Q/$LU.lock" >"$T/held" &
HOLDER=$!
for _ in $(seq 1 200); do
	[ -s "$T/held" ] && break
	sleep 0.05
done
expect_exit 0 nereid sync "${A[@]}"
expect_match "^$LIVEID -> QUE-3 \(still being written" "$OUT" "a live queue is delivered and kept"
expect_true "its file stays" test -f "$Q/$LU.db"
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
expect_exit 0 nereid sync "${A[@]}"
expect_eq "$LIVEID -> QUE-3" "$OUT" "once the writer is gone, the same run"
expect_true "and the queue is deleted" test ! -e "$Q/$LU.db"
expect_eq 3 "$(runs_count)" "three runs in all"

# --- async with the server up: delivered at once, nothing left behind ---------
expect_exit 0 nereid track data data "${A[@]}"
expect_match '^QUE-4 data [0-9a-f]{64}$' "$OUT" "async: the server's run ID at once"
expect_eq "" "$ERR" "no warning"
expect_eq "${BADID#offline/}.db" "$(cd "$Q" && ls -- *.db)" "only the failing run's queue is left"
expect_exit 0 nereid track QUE-4:more more "${A[@]}"
expect_exit 0 nereid ls QUE-4:more --json "${A[@]}"
expect_eq "c.txt" "$(printf '%s' "$OUT" | jq -r '.[].file_path')" "an existing run, async: on the server"
expect_eq "${BADID#offline/}.db" "$(cd "$Q" && ls -- *.db)" "still nothing left behind"

server_finish
e2e_done
