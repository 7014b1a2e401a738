#!/bin/bash
# bench/pg_bench.sh [BUILD_DIR] - issue 12's figures, in one run, on a
# throwaway PostgreSQL (tests/pg/lib.sh) served by two nereid-server
# processes: an artifact of 1,000,000 records stored through a server
# (records per second), 16 concurrent clients creating runs through both
# servers (runs per second), and the table-view route (run-table) served by
# one server and by two (requests per second, and their ratio). Prints the
# figures and the CPU seconds each part used while they were measured;
# asserts nothing (bench/README.md). BENCH_ARGS (words, e.g.
# "--records 200000") are passed on to pg_bench.py.
set -eu
read -r -a BENCH_ARGS <<<"${BENCH_ARGS:-}"
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
server="$build/nereid-server"
[ -x "$server" ] || { echo "pg_bench: no $server (make build first)" >&2; exit 1; }
PG_NO_TRAP=1
. "$root/tests/pg/lib.sh"
pids=()
finish() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	pg_cleanup
}
trap finish EXIT
pg_start
work="$PG_DIR/bench"
mkdir -p "$work/home"
export NEREID_HOME="$work/home"

# start_server NAME: a server in the background (its PID kept for the
# cleanup and the CPU figures); sets url. Not in a subshell: pids must grow here.
start_server() {
	local out="$work/serve.$1" i
	url=""
	# No per-token budget: one token drives all the load here.
	"$server" serve --listen 127.0.0.1:0 --rate-limit off --store "$PG_URI" >"$out" 2>"$out.err" &
	pids+=($!)
	for i in $(seq 1 200); do
		url=$(sed -n 's/^nereid-server: listening on \(http:\/\/[0-9.:]*\)$/\1/p' "$out" 2>/dev/null)
		[ -n "$url" ] && break
		sleep 0.05
	done
	[ -n "$url" ] || { cat "$out.err" >&2; exit 1; }
}

"$server" project create ws/bench --key BEN --store "$PG_URI" >/dev/null
start_server a
A=$url
start_server b
B=$url
TOK=$("$server" token create --project ws/bench --role write --url "$A" --store "$PG_URI")
echo "pg_bench: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}'), servers $A $B, $(nproc) CPUs"
python3 "$root/bench/pg_bench.py" --token "$TOK" --spec "$root/tests/e2e" \
	--pids "$(IFS=,; echo "${pids[*]}")" --postmaster "$(head -1 "$PG_DIR/data/postmaster.pid")" \
	"${BENCH_ARGS[@]}" "$A" "$B"
