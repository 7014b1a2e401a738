#!/usr/bin/env bash
# pg_down.sh - a nereid-server on PostgreSQL whose database goes down and
# comes back (SPEC section 8), against a real PostgreSQL started for the
# test (tests/pg/lib.sh): with the database stopped, every request is
# answered 503 "unavailable" with Retry-After and a JSON error naming the
# database, the server logs the outage in one line (not one per request),
# a write made meanwhile leaves nothing behind, and the nereid command
# retries the 503s (with backoff, a bounded number of times) before it
# fails with one line. With the database started again, the same server
# process reconnects by itself: 200, and "store available again" in its log.
# Skipped only without PostgreSQL's binaries.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/server_lib.sh"
PG_NO_TRAP=1
. "$E2E_DIR/../pg/lib.sh"
pg_skip_without

trap 'e2e_rc=$?; server_stop; pg_cleanup; (exit $e2e_rc); e2e_finish' EXIT
pg_start
SRV_STORE="$PG_URI"
server_start
PID="$SRV_PID"
srv project create ws/down --key DWN >/dev/null 2>&1 || fail "project create"
TOK="$(new_token ws/down write --name clients)"
[ -n "$TOK" ] || fail "token create"
P=/api/v1/projects/ws/down
api POST $P/runs "$TOK" '{"uuid":"12345678-1234-4234-8234-123456789abc"}'
expect_status 201 "a run while the database is up"
expect_eq DWN-1 "$(jget .id)" "the first run"

# headers METHOD PATH [BODY]: one request; STATUS, BODY, and HEADERS (lower case).
headers() {
	local args=(-s -S --max-time 30 -D "$T/h" -o "$T/api.body" -w '%{http_code}' -X "$1"
		-H "Authorization: Bearer $TOK")
	[ -n "${3:-}" ] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
	STATUS="$(curl "${args[@]}" "$URL$2" 2>"$T/api.err")"
	BODY="$(cat "$T/api.body")"
	HEADERS="$(tr -d '\r' <"$T/h" | tr 'A-Z' 'a-z')"
}

pg_stop_now
before=$(grep -c ' 503 ' "$SRV_LOG")
headers GET "$P/runs/DWN-1"
expect_status 503 "a read with the database down"
expect_eq unavailable "$(jget .error.code)" "the error's code"
expect_contains "retry-after: 1" "$HEADERS" "a 503 says when to come back"
expect_contains "cannot connect" "$(jget .error.message)" "the message says the database cannot be reached"
expect_contains "store postgresql://nereid@/nereid" "$(jget .error.message)" "the message names the database"
headers POST $P/runs '{"uuid":"22345678-1234-4234-8234-123456789abc"}'
expect_status 503 "a write with the database down"
headers GET "$P/run-table?limit=5"
expect_status 503 "the table view with the database down"
# The health route reads no store: the server is up (200), and that is
# not taken for the database's return.
api GET /api/v1/health
expect_status 200 "health with the database down"
expect_eq 0 "$(grep -c 'store available again' "$SRV_LOG")" "health is not the database's return"
expect_eq 1 "$(grep -c 'store unavailable' "$SRV_LOG")" "the outage is logged once, not per request"
expect_match '^nereid-server: store unavailable, answering 503 until it is back: store postgresql://[^ ]*: cannot connect: ' \
	"$(grep 'store unavailable' "$SRV_LOG")" "the log line names the store and the cause"

# The nereid command retries a 503, a bounded number of times (each
# request five times), then fails with one line.
n0=$(grep -c ' 503 ' "$SRV_LOG")
expect_error 1 nereid runs --project ws/down --store "$URL" --api-token "$TOK"
expect_eq 1 "$(printf '%s\n' "$ERR" | wc -l)" "one line of error"
expect_contains "cannot connect" "$ERR" "the command's error names the cause"
# Each request of the command is tried five times (the project's, then
# the runs'), none more.
expect_eq 5 "$(grep -c '^GET /api/v1/projects/{ws}/{name}/runs 503 ' "$SRV_LOG")" "the runs request was tried five times"
n1=$(grep -c " 503 " "$SRV_LOG")
expect_eq 0 "$(((n1 - n0) % 5))" "every request of the command was tried five times"
kill -0 "$PID" 2>/dev/null && ok || bad "the server is still running"
expect_eq 1 "$(grep -c 'store unavailable' "$SRV_LOG")" "still one log line for the outage"
[ "$(grep -c ' 503 ' "$SRV_LOG")" -gt "$before" ] && ok || bad "the 503s are in the request log"

# Back: the same server process reconnects on the next request.
pg_launch
api GET "$P/runs/DWN-1" "$TOK"
expect_status 200 "a read once the database is back, same server"
expect_eq 1 "$(grep -c 'nereid-server: store available again' "$SRV_LOG")" "the return is logged once"
api POST $P/runs "$TOK" '{"uuid":"32345678-1234-4234-8234-123456789abc"}'
expect_status 201 "a write once the database is back"
expect_eq DWN-2 "$(jget .id)" "the write refused meanwhile left no run nor gap"
expect_exit 0 nereid runs --project ws/down --store "$URL" --api-token "$TOK"
expect_eq 2 "$(pg_psql -c "SELECT count(*) FROM runs" nereid)" "two runs in the database"
expect_eq 1 "$(grep -c 'store available again' "$SRV_LOG")" "one line for the return"
kill -0 "$PID" 2>/dev/null && ok || bad "the same server process served it all"

# A second outage is logged again, once.
pg_stop_now
headers GET "$P/runs/DWN-1"
expect_status 503 "the second outage"
expect_eq 2 "$(grep -c 'store unavailable' "$SRV_LOG")" "the second outage has its own line"
pg_launch
api GET "$P/runs/DWN-2" "$TOK"
expect_status 200 "back again"

server_finish
e2e_done
