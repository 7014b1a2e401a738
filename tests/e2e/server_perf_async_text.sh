#!/usr/bin/env bash
# server_perf_async_text.sh - a queued put's records go up as the text the
# queue kept (docs/internals/queue.md, "The upload's text"): a queued
# operation whose text, hashes or checksum were damaged on disk is refused
# by `nereid sync` with one line naming the queue and the operation, never
# sent and never half applied, and kept; repaired, it is delivered with the
# hash of track time. Text whose checksum was made again to match (so the
# client cannot tell) is still refused by the server, whose hash decides.
# A union with what the field holds on the server (the records decoded)
# and a client killed -9 between queueing and delivery lose nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server_lib.sh"

server_start
expect_exit 0 srv project create ws/t --key TXT
TOK="$(new_token ws/t write --name ana)"
A=(--project ws/t --store "$URL" --api-token "$TOK")
Q="$NEREID_HOME/queue"

mkdir -p data more
for i in $(seq 1 30); do printf 'file %d\n' "$i" >"data/f$i.txt"; done
printf 'more\n' >more/m.txt

# The one queue file under NEREID_HOME/queue, and SQL on it.
queue_db() { ls "$Q"/*.db; }
qsql() { sqlite3 "$(queue_db)" "$@"; }

# --- damaged on disk: refused, reported, kept --------------------------------
expect_exit 0 nereid track data data --mode offline "${A[@]}"
ID="${OUT%% *}"
H1="${OUT##* }"
expect_eq 1 "$(qsql 'SELECT count(*) FROM sums')" "the queue keeps the put's sums"
GOOD="$(qsql 'SELECT records FROM ops')"
expect_contains '"size":7' "$GOOD" "the text holds a size to damage"
printf '%s' "$GOOD" >"$T/good.json"

damage_case() {
	local what="$1" sql="$2" restore="$3"
	qsql "$sql"
	expect_exit_in "1 5" nereid sync "${A[@]}"
	expect_eq 1 "$(printf '%s\n' "$ERR" | grep -c '^nereid: offline/.*: operation 1: records damaged on disk')" \
		"$what: one line names the run, the queue and the operation"
	expect_contains "$(basename "$(queue_db)")" "$ERR" "$what: the queue named"
	expect_true "$what: the queue is kept" test -f "$(queue_db)"
	expect_eq 1 "$(qsql 'SELECT count(*) FROM ops')" "$what: the operation is kept"
	if grep -q 'PUT /api/v1/projects/{ws}/{name}/artifacts' "$SRV_LOG"; then
		bad "$what: the damaged text was sent"
	else
		ok
	fi
	qsql "$restore"
}
damage_case "a size in the text" \
	"UPDATE ops SET records = replace(records, '\"size\":7', '\"size\":8')" \
	"UPDATE ops SET records = CAST(readfile('$T/good.json') AS TEXT)"
expect_eq "$GOOD" "$(qsql 'SELECT records FROM ops')" "the text restored"
SUM="$(qsql 'SELECT sum FROM sums')"
damage_case "the checksum" "UPDATE sums SET sum = '$(printf '%064d' 0)'" \
	"UPDATE sums SET sum = '$SUM'"
HASH="$(qsql 'SELECT hash FROM sums')"
damage_case "the hash" "UPDATE sums SET hash = '$(printf '%064d' 1)'" \
	"UPDATE sums SET hash = '$HASH'"
# Nothing of the run's field reached the server (the run itself may have
# been made: that is the delivery's first, idempotent step).
expect_exit 0 nereid runs --json "${A[@]}"
if [ "$(printf '%s' "$OUT" | jq length)" = 1 ]; then
	expect_error 3 nereid hash TXT-1:data "${A[@]}"
else
	expect_eq 0 "$(printf '%s' "$OUT" | jq length)" "no run, or a run without the field"
fi

# Repaired: delivered, with the hash of track time.
expect_exit 0 nereid sync "${A[@]}"
expect_eq "$ID -> TXT-1" "$OUT" "the repaired queue syncs"
expect_exit 0 nereid hash TXT-1:data "${A[@]}"
expect_eq "$H1" "$OUT" "the hash of track time"
expect_false_file() { if [ -e "$1" ]; then bad "$2"; else ok; fi; }
expect_false_file "$Q/${ID#offline/}.db" "the queue is gone after its last acknowledgement"

# --- the client cannot tell, the server can ----------------------------------
# Text changed and its checksum made again: the server computes the hash
# of what it received, refuses it, and stores nothing.
# (An artifact the server does not have yet: one it has is not sent again.)
printf 'new\n' >data/new.txt
expect_exit 0 nereid track data2 data --mode offline "${A[@]}"
rm data/new.txt
ID2="${OUT%% *}"
python3 - "$(queue_db)" <<'EOF'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
seq, text = db.execute("SELECT seq, records FROM ops").fetchone()
text = text.replace('"size":7', '"size":8', 1)
h, c = db.execute("SELECT hash, content FROM sums WHERE seq = ?", (seq,)).fetchone()
s = hashlib.sha256((h + c + text).encode()).hexdigest()
db.execute("UPDATE ops SET records = ? WHERE seq = ?", (text, seq))
db.execute("UPDATE sums SET sum = ? WHERE seq = ?", (s, seq))
db.commit()
EOF
expect_exit_in "1 5" nereid sync "${A[@]}"
expect_contains "hash to" "$ERR" "the server's hash refuses the records"
expect_exit 0 nereid runs --json "${A[@]}"
for run in $(printf '%s' "$OUT" | jq -r '.[].id'); do
	capture nereid hash "$run:data2" "${A[@]}"
	expect_eq 3 "$RC" "$run:data2 was not stored"
done
rm -f "$Q"/*

# --- a queue an earlier build wrote (no sums): delivered record by record -----
printf 'older\n' >data/older.txt
expect_exit 0 nereid track old data --mode offline "${A[@]}"
ID3="${OUT%% *}"
H3="${OUT##* }"
rm data/older.txt
qsql "DROP TRIGGER ops_gone; DROP TABLE sums;"
expect_exit 0 nereid sync "${A[@]}"
expect_match "^$ID3 -> TXT-[0-9]+\$" "$OUT" "an earlier build's queue syncs"
RUN3="${OUT##* }"
expect_exit 0 nereid hash "$RUN3:old" "${A[@]}"
expect_eq "$H3" "$OUT" "with the hash of track time"

# --- a union with the server's field: the records decoded --------------------
expect_exit 0 nereid track TXT-1:data more "${A[@]}"
H2="${OUT##* }"
expect_ne "$H1" "$H2" "the union is another artifact"
expect_exit 0 nereid ls TXT-1:data --json "${A[@]}"
expect_eq 31 "$(printf '%s' "$OUT" | jq length)" "the union holds both tracks' records"
expect_exit 0 nereid track x data --store "$T/local" --project ws/t
expect_exit 0 nereid track "${OUT%% *}:x" more --store "$T/local" --project ws/t
expect_eq "$H2" "${OUT##* }" "the same hash as the embedded store's union"
expect_exit 0 nereid track TXT-1:data data --replace "${A[@]}"
expect_eq "$H1" "${OUT##* }" "--replace: the text as it is again"

# --- the client killed between queueing and delivery -------------------------
NEREID_TEST_KILL_AT="queue: queued@1" capture nereid track TXT-1:k data "${A[@]}"
expect_eq 137 "$RC" "async track killed after queueing, before delivery"
expect_exit 0 nereid sync "${A[@]}"
expect_exit 0 nereid hash TXT-1:k "${A[@]}"
expect_eq "$H1" "$OUT" "delivered by sync, the hash of track time"
expect_exit 0 nereid sync --status "${A[@]}"
expect_eq "" "$OUT" "nothing left queued"

server_finish
e2e_done
