#!/usr/bin/env bash
# server_cli.sh - the nereid-server command line (SPEC section 8,
# docs/internals/server.md): usage and help, one-line errors of the form
# "nereid-server: <what>: <why>" with their exit codes (2 usage, 3 not found,
# 4 access), project create's key rules, --store defaulting to NEREID_HOME as
# the nereid command does, and SIGINT stopping serve cleanly.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/server_lib.sh"

# One line on stderr, "nereid-server: <what>: <why>".
expect_srv_error() {
	local want="$1"
	shift
	expect_exit "$want" "$@"
	if [ "$(printf '%s\n' "$ERR" | grep -c '')" = 1 ] &&
		printf '%s' "$ERR" | grep -qE '^nereid-server: .+: .+'; then
		ok
	else
		bad "not one 'nereid-server: <what>: <why>' line: $ERR"
	fi
}

# The URL inside a token: nrd_ + base64url(URL) + _ + 43 characters.
token_url() {
	python3 -c 'import base64, sys; t = sys.argv[1]; u = t[4:-44]; print(base64.urlsafe_b64decode(u + "=" * (-len(u) % 4)).decode())' "$1"
}

run_server() {
	timeout -k 5 "$E2E_TIMEOUT" "$SERVER_BIN" "$@"
}

expect_exit 0 run_server --help
expect_contains "nereid-server serve" "$OUT" "help lists serve"
expect_exit 0 srv token create --help
expect_contains "token create" "$OUT" "a command's --help prints the usage"
expect_exit 0 srv serve -h
expect_exit 1 run_server
expect_contains "usage:" "$OUT" "no command prints the usage"
expect_exit 0 run_server --version
expect_match '^nereid-server [0-9]+\.[0-9]+\.[0-9]+$' "$OUT" "version"

expect_srv_error 2 run_server frobnicate
expect_srv_error 2 run_server token frob
expect_srv_error 2 srv serve --listen
expect_srv_error 2 srv serve --bogus
expect_srv_error 2 srv serve --listen 127.0.0.1:99999
expect_srv_error 2 srv serve --listen 127.0.0.1:0 --public-url ftp://x
expect_srv_error 2 srv serve extra
expect_srv_error 2 srv project create
expect_srv_error 2 srv project create 'no-slash'
expect_srv_error 2 srv project create ws/p --key lower
expect_srv_error 2 srv project create ws/p --role read
expect_exit 0 srv project create ws/p --key KP
expect_exit 0 srv project create ws/p
expect_eq "ws/p KP" "$OUT" "project create again keeps the key"
expect_srv_error 1 srv project create ws/p --key OTHER
expect_contains "KP" "$ERR" "another key names the existing one"
expect_srv_error 2 srv token create --project ws/p --role read --url ftp://host
expect_srv_error 2 srv token create --project ws/p --role read
expect_contains "--url" "$ERR" "no URL yet: says how to give one"
expect_srv_error 2 srv token create --project ws/p --role read --url http://h:1 --expires x
expect_srv_error 3 srv token revoke 42
expect_srv_error 2 srv token revoke -- -1
expect_srv_error 2 srv token list extra

# A token made with --url names that server.
expect_exit 0 srv token create --project ws/p --role read --url http://example.test:8642/
TOKEN="$OUT"
expect_eq "http://example.test:8642" \
	"$(token_url "$TOKEN")" \
	"the token carries the server URL (no trailing slash)"
expect_match '^nrd_[A-Za-z0-9_-]+_[A-Za-z0-9_-]{43}$' "$TOKEN" "token form"

# Without --store, the embedded store at NEREID_HOME (as nereid).
expect_exit 0 timeout 20 "$SERVER_BIN" project create home/p --key HP
expect_exit 0 nereid project list --json
expect_contains '"name":"home/p"' "$OUT" "project create without --store uses NEREID_HOME"

# serve: the printed URL, the listen URL remembered for token create, SIGINT.
server_start
expect_exit 0 srv token create --project ws/p --role read
expect_eq "$URL" "$(token_url "$OUT")" \
	"token create takes the address serve listens on"
kill -INT "$SRV_PID"
wait "$SRV_PID"
expect_eq 0 "$?" "serve exits 0 on SIGINT"
SRV_PID=""
server_start --public-url https://nereid.example.com
expect_exit 0 srv token create --project ws/p --role read
expect_eq "https://nereid.example.com" "$(token_url "$OUT")" \
	"token create prefers the --public-url"
# A second server on the same address fails with one line.
expect_srv_error 1 srv serve --listen "${URL#http://}"

server_finish

# IPv6 loopback and "localhost" are loopback too (no token needed for them).
for listen in '[::1]:0' 'localhost:0'; do
	"$SERVER_BIN" serve --listen "$listen" --store "$T/other" >"$T/v6.out" 2>"$T/v6.err" &
	pid=$!
	for _ in $(seq 1 100); do
		grep -q listening "$T/v6.out" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	u="$(sed -n 's/^nereid-server: listening on //p' "$T/v6.out")"
	if [ -z "$u" ] && grep -q 'cannot listen' "$T/v6.err"; then
		echo "no $listen on this machine: not tested" >&2
		wait "$pid"
		continue
	fi
	expect_eq 200 "$(curl -s -g -o /dev/null -w '%{http_code}' --max-time 10 "$u/api/v1/health")" \
		"serve on $listen"
	kill -TERM "$pid"
	wait "$pid"
done

e2e_done
