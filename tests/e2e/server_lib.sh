# server_lib.sh - shared helpers of the nereid-server end-to-end tests
# (tests/e2e/server_*.sh), on top of lib.sh. Source it after lib.sh. Gives:
#   srv ARGS...                run nereid-server (with a timeout) on the test's store
#   server_start [ARGS...]     start `serve` on 127.0.0.1 and a free port (the
#                              kernel's: --listen 127.0.0.1:0), sets URL; the
#                              server is stopped when the script ends, even on failure
#   server_stop                stop it (SIGTERM, then SIGKILL)
#   server_finish              stop it, check it exited 0 and the sanitizers said nothing
#   api METHOD PATH [TOKEN] [BODY|@FILE]   one request with curl; sets STATUS, BODY
#   jget FILTER                jq FILTER on BODY (raw output)
#   new_token PROJECT ROLE [ARGS...]       prints a new token
# The store is $SRV_STORE; the request log (stderr of serve) is $SRV_LOG.
# Not for tests of the client's http(s) store (they drive the nereid command).

SERVER_BIN="$(dirname "$NEREID_BIN")/nereid-server"
[ -x "$SERVER_BIN" ] || skip_all "no nereid-server beside $NEREID_BIN"
command -v curl >/dev/null 2>&1 || skip_all "curl is needed"
command -v jq >/dev/null 2>&1 || skip_all "jq is needed"

SRV_STORE="$T/srvstore"
SRV_LOG="$T/serve.log"
SRV_PID=""
URL=""
STATUS=""
BODY=""

srv() {
	timeout -k 5 "$E2E_TIMEOUT" "$SERVER_BIN" "$@" --store "$SRV_STORE"
}

server_stop() {
	if [ -n "$SRV_PID" ]; then
		kill -TERM "$SRV_PID" 2>/dev/null
		for _ in $(seq 1 100); do
			kill -0 "$SRV_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$SRV_PID" 2>/dev/null
		wait "$SRV_PID" 2>/dev/null
		SRV_PID=""
	fi
}

# The server goes whatever way the script ends; lib.sh's e2e_finish then
# sees the script's own status.
trap 'e2e_rc=$?; server_stop; (exit $e2e_rc); e2e_finish' EXIT

server_start() {
	local i
	: >"$T/serve.out"
	"$SERVER_BIN" serve --listen 127.0.0.1:0 --store "$SRV_STORE" "$@" \
		>"$T/serve.out" 2>>"$SRV_LOG" &
	SRV_PID=$!
	for i in $(seq 1 200); do
		URL="$(sed -n 's/^nereid-server: listening on \(http:\/\/127\.0\.0\.1:[0-9]*\)$/\1/p' "$T/serve.out")"
		[ -n "$URL" ] && return 0
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$T/serve.out" "$SRV_LOG" >&2
	fail "nereid-server serve did not start"
}

# server_finish: stop the server and check that it stopped cleanly (exit 0
# on SIGTERM) with nothing from the sanitizers in its log. Before e2e_done.
server_finish() {
	local rc
	[ -n "$SRV_PID" ] || return 0
	kill -TERM "$SRV_PID" 2>/dev/null
	wait "$SRV_PID"
	rc=$?
	SRV_PID=""
	expect_eq 0 "$rc" "serve exits 0 on SIGTERM"
	if grep -qE 'Sanitizer|runtime error' "$SRV_LOG"; then
		bad "the server's log has sanitizer reports"
		grep -m 20 -E 'Sanitizer|runtime error|#[0-9]+ ' "$SRV_LOG" >&2
	else
		ok
	fi
}

api() {
	local method="$1" path="$2" token="${3:-}" data="${4:-}"
	local args=(-s -S --path-as-is --max-time 30 -o "$T/api.body" -w '%{http_code}' -X "$method")
	[ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
	if [ -n "$data" ]; then
		args+=(-H 'Content-Type: application/json' --data-binary "$data")
	fi
	STATUS="$(curl "${args[@]}" "$URL$path" 2>"$T/api.err")"
	BODY="$(cat "$T/api.body" 2>/dev/null)"
}

jget() {
	printf '%s' "$BODY" | jq -r "$1" 2>/dev/null
}

# expect_status WANT WHAT: STATUS is WANT, and an error body is one JSON
# error with a code and a message.
expect_status() {
	expect_eq "$1" "$STATUS" "$2: status (body: $(printf '%s' "$BODY" | head -c 300))"
	case "$1" in
	4* | 5*)
		if printf '%s' "$BODY" | jq -e '.error.code and .error.message and (.|keys == ["error"])' \
			>/dev/null 2>&1; then
			ok
		else
			bad "$2: error body is not {\"error\":{\"code\",\"message\"}}: $(printf '%s' "$BODY" | head -c 300)"
		fi
		;;
	esac
}

new_token() {
	local project="$1" role="$2"
	shift 2
	srv token create --project "$project" --role "$role" --url "$URL" "$@" 2>/dev/null
}
