#!/usr/bin/env bash
# server_readme.sh - README's "A server for a team", step by step: the lines
# starting with "$ " in its three marked blocks are run as they are written
# (only the port 8642 is replaced by a free one): the server side in one
# folder, the client side in another with its own HOME and nothing but the
# token file it was handed, then the backup and its check. The client's
# run, track, ls, hash, download and runs all reach the server; the client
# makes no store of its own; the backup reads back the same hash.
. "$(dirname "$0")/lib.sh"

README="$E2E_DIR/../../README.md"
BIN_DIR="$(dirname "$NEREID_BIN")"
[ -x "$BIN_DIR/nereid-server" ] || fail "no nereid-server beside $NEREID_BIN"
PORT="$(free_port)"
SERVE_PID=""
# The server is stopped on any exit, even one before its PID was read back.
trap 'e2e_rc=$?; [ -z "$SERVE_PID" ] && [ -s "$T/serve.pid" ] && SERVE_PID="$(cat "$T/serve.pid")"; [ -n "$SERVE_PID" ] && kill -TERM "$SERVE_PID" 2>/dev/null; (exit $e2e_rc); e2e_finish' EXIT

# steps NAME: the "$ " lines of README's block marked team-steps:NAME.
steps() {
	awk -v mark="<!-- team-steps:$1 -->" '
		$0 == mark { on = 1; next }
		on && /^```/ { if (++fences == 2) exit; next }
		on && /^\$ / { print substr($0, 3) }' "$README" | sed "s/8642/$PORT/g"
}

# A shell script of the steps: each line echoed, run, and stopped on the
# first failure; after a line that ends with '&', its PID is kept and the
# server waited for, as a person would wait for "listening on".
script() {
	echo 'set -e'
	steps "$1" | while IFS= read -r line; do
		printf 'echo "+ %s" >&2\n' "$(printf '%s' "$line" | sed 's/["$`\\]/\\&/g')"
		printf '%s\n' "$line"
		case "$line" in
		*'&')
			echo 'echo $! >"$STEPS_PID_FILE"'
			echo "for i in \$(seq 1 200); do curl -sf http://127.0.0.1:$PORT/api/v1/health >/dev/null && break; sleep 0.05; done"
			;;
		esac
	done
}

for block in server client backup; do
	expect_true "README has the $block steps" [ -n "$(steps $block)" ]
done
expect_contains 'nereid-server serve' "$(steps server)" "the server steps start a server"

mkdir -p "$T/admin" "$T/alice/home"
script server >"$T/server.sh"
script client >"$T/client.sh"
{
	steps server | head -n 1 # the same shell: NEREID_HOME as set there
	script backup
} >"$T/backup.sh"

# 1. The server side.
cd "$T/admin" || fail "cd"
expect_exit 0 env PATH="$BIN_DIR:$PATH" STEPS_PID_FILE="$T/serve.pid" bash "$T/server.sh"
SERVE_PID="$(cat "$T/serve.pid" 2>/dev/null)"
expect_match '^[0-9]+$' "$SERVE_PID" "serve runs in the background"
expect_match '^nrd_' "$(cat alice.token)" "the token file holds a token"
expect_contains "alice" "$OUT" "token list shows alice's token"

# 2. Another shell: another HOME, another folder, only the token file.
cp alice.token "$T/alice/"
cd "$T/alice" || fail "cd"
expect_exit 0 env -u NEREID_HOME -u NEREID_STORE -u NEREID_PROJECT -u NEREID_API_TOKEN \
	-u NEPTUNE_API_TOKEN -u NEPTUNE_PROJECT HOME="$T/alice/home" PATH="$BIN_DIR:$PATH" \
	bash "$T/client.sh"
CLIENT_OUT="$OUT"
expect_contains "CLS-1" "$CLIENT_OUT" "run new made CLS-1 on the server"
expect_contains "part-0.csv" "$CLIENT_OUT" "ls lists the tracked file"
HASH="$(printf '%s\n' "$CLIENT_OUT" | grep -E '^[0-9a-f]{64}$' | head -n 1)"
expect_match '^[0-9a-f]{64}$' "$HASH" "hash printed the artifact hash"
expect_eq "a,b" "$(cat restored/part-0.csv 2>/dev/null)" "download recreated the file"
expect_true "the client made no store of its own" [ ! -e "$T/alice/home/.nereid/store.db" ]
expect_true "the server's store holds it" [ -s "$T/admin/nereid-store/store.db" ]
expect_contains "POST /api/v1/projects/{ws}/{name}/runs 201" "$(cat "$T/admin/nereid-server.log")" \
	"the run was made through the server"

# 3. Backup while the server runs, and its check.
cd "$T/admin" || fail "cd"
expect_exit 0 env PATH="$BIN_DIR:$PATH" bash "$T/backup.sh"
expect_eq "$HASH" "$(printf '%s\n' "$OUT" | tail -n 1)" "the backup reads back the same hash"
kill -TERM "$SERVE_PID"
for _ in $(seq 1 100); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
expect_true "serve stops on SIGTERM" [ ! -d "/proc/$SERVE_PID" ]
SERVE_PID=""
rm -f "$T/serve.pid"
e2e_done
