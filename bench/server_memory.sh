#!/usr/bin/env bash
# server_memory.sh - peak memory (maximum resident set, /usr/bin/time -v) of
# nereid-server and of the nereid client while an artifact of N records goes
# up to the server and comes back down, for several N (issue 10: "memory does
# not grow with the size of an artifact being uploaded or listed").
#
# For each N: a fresh store and server; `nereid import` of N records (sorted,
# into a new field: read twice and streamed up, so the client holds one batch
# of records, see docs/internals/server.md), then `nereid ls --json` of them
# (pages), then the same
# body sent again by curl straight to the upload route (the server's side
# alone). The server's peak is read when it stops, so it covers all three.
#
#   bash bench/server_memory.sh [BUILD_DIR] [N...]   (default build/, 100000 1000000)
set -euo pipefail
build=${1:-build}
shift || true
sizes=${*:-100000 1000000}
srv="$build/nereid-server"
cli="$build/nereid"
[ -x "$srv" ] && [ -x "$cli" ] || { echo "server_memory: no $srv or $cli (build first)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "server_memory: needs /usr/bin/time (Debian package time)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/nereid-bench-memory.XXXXXX")
pid=""
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
peak() { sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$1"; }

printf '%-9s %8s %14s %14s %14s %14s\n' records "body MB" "server KiB" "import KiB" "ls KiB" "curl put"
for n in $sizes; do
	rm -rf "$work/store" "$work/out" "$work/log"
	python3 - "$n" >"$work/body.json" <<'EOF'
import sys
n = int(sys.argv[1])
out = sys.stdout
out.write("[")
for i in range(n):
    out.write(("," if i else "") + '{"file_path":"data/%09d.bin","file_hash":"9e107d9d372bb6826bd81d3542a419d6",'
              '"type":"Local","size":%d,"metadata":{"file_path":"file:///data/%09d.bin",'
              '"last_modified":"2022-09-30 10:50:40"}}' % (i, i, i))
out.write("]")
EOF
	hash=$(python3 "$here/../tests/e2e/spec_hash.py" <"$work/body.json")
	/usr/bin/time -v -o "$work/server.time" "$srv" serve --listen 127.0.0.1:0 --store "$work/store" \
		>"$work/out" 2>"$work/log" &
	pid=$!
	for _ in $(seq 1 200); do grep -q listening "$work/out" && break; sleep 0.05; done
	url=$(sed -n 's/^nereid-server: listening on //p' "$work/out")
	tok=$("$srv" token create --project ws/mem --role write --store "$work/store" 2>/dev/null)
	export NEREID_API_TOKEN="$tok" NEREID_PROJECT=ws/mem
	"$cli" project new ws/mem --key MEM >/dev/null
	run=$("$cli" run new)
	/usr/bin/time -v -o "$work/import.time" "$cli" import "$run:data" "$work/body.json" >/dev/null
	/usr/bin/time -v -o "$work/ls.time" "$cli" ls "$run:data" --json >"$work/ls.json"
	python3 - "$work/ls.json" "$n" <<'EOF'
import json, sys
got = len(json.load(open(sys.argv[1])))
if got != int(sys.argv[2]):
    sys.exit(f"server_memory: ls gave {got} records")
EOF
	# The same body again, straight to the route: the server drains and
	# checks it (the artifact is there), answering 200.
	code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $tok" \
		-H 'Content-Type: application/json' --data-binary "@$work/body.json" \
		"$url/api/v1/projects/ws/mem/artifacts/$hash")
	kill -TERM "$(pgrep -P "$pid")" # the server, child of time, which then reports
	wait "$pid" 2>/dev/null || true
	pid=""
	printf '%-9s %8s %14s %14s %14s %14s\n' "$n" "$(($(stat -c %s "$work/body.json") / 1000000))" \
		"$(peak "$work/server.time")" "$(peak "$work/import.time")" "$(peak "$work/ls.time")" "$code"
	unset NEREID_API_TOKEN NEREID_PROJECT
done
