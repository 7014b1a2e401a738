#!/usr/bin/env bash
# server_get.sh - authenticated GET requests per second against
# nereid-server on loopback, with keep-alive (issue 10's "5,000 GET field
# requests per second"): starts a server on a temporary store, makes a
# project, a run, an artifact and a field, then has curl fetch the field N
# times over one connection, and over 8 parallel ones. curl is the load
# generator (no wrk in Debian's default set); it shares the machine with the
# server, so the figures are a floor. The server's own CPU time per phase
# (utime + stime from /proc) gives requests per CPU-second of the server:
# what one core of its own would answer.
#
#   bash bench/server_get.sh [BUILD_DIR] [N]      (default build/, 20000)
set -euo pipefail
build=${1:-build}
n=${2:-20000}
srv="$build/nereid-server"
[ -x "$srv" ] || { echo "server_get: no $srv (build first)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/nereid-bench-server.XXXXXX")
pid=""
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
"$srv" serve --listen 127.0.0.1:0 --store "$work/store" --rate-limit off >"$work/out" 2>"$work/log" &
pid=$!
for _ in $(seq 1 100); do grep -q listening "$work/out" && break; sleep 0.05; done
url=$(sed -n 's/^nereid-server: listening on //p' "$work/out")
tok=$("$srv" token create --project ws/bench --role write --store "$work/store" 2>/dev/null)
auth="Authorization: Bearer $tok"
p="$url/api/v1/projects/ws/bench"
curl -sf -X PUT -H "$auth" -d '{"key":"BEN"}' "$p" >/dev/null
curl -sf -X POST -H "$auth" -d '{"uuid":"00000000-0000-4000-8000-000000000001"}' "$p/runs" >/dev/null
rec='[{"file_path":"a.csv","file_hash":"9e107d9d372bb6826bd81d3542a419d6","type":"Local","size":43,"metadata":{}}]'
hash=$(printf '%s' "$rec" | python3 "$(dirname "$0")/../tests/e2e/spec_hash.py")
curl -sf -X PUT -H "$auth" --data-binary "$rec" "$p/artifacts/$hash" >/dev/null
curl -sf -X PUT -H "$auth" -d "{\"hash\":\"$hash\"}" "$p/runs/BEN-1/fields/data/train" >/dev/null
# The server's CPU seconds so far (utime + stime, fields 14 and 15).
cpu() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$pid/stat"; }
for _ in $(seq 1 "$n"); do printf 'url = "%s"\noutput = /dev/null\n' "$p/runs/BEN-1/fields/data/train"; done >"$work/cfg"
c0=$(cpu); t0=$(date +%s.%N); curl -s -H "$auth" -K "$work/cfg"; t1=$(date +%s.%N); c1=$(cpu)
echo "one connection:   $n GETs in $(python3 -c "print(f'{$t1 - $t0:.2f}')")s, $(python3 -c "print(f'{$n / ($t1 - $t0):.0f}')") requests/s; server CPU $(python3 -c "print(f'{$c1 - $c0:.2f}s: {$n / max($c1 - $c0, 0.01):.0f}')") requests per CPU-second"
c0=$(cpu); t0=$(date +%s.%N); curl -s --parallel --parallel-max 8 -H "$auth" -K "$work/cfg" 2>/dev/null; t1=$(date +%s.%N); c1=$(cpu)
echo "8 connections:    $n GETs in $(python3 -c "print(f'{$t1 - $t0:.2f}')")s, $(python3 -c "print(f'{$n / ($t1 - $t0):.0f}')") requests/s; server CPU $(python3 -c "print(f'{$c1 - $c0:.2f}s: {$n / max($c1 - $c0, 0.01):.0f}')") requests per CPU-second"
ok=$(grep -c '^GET /api/v1/projects/{ws}/{name}/runs/{run}/fields/{field+} 200 ' "$work/log" || true)
echo "answered 200:     $ok of $((2 * n)) GETs"
