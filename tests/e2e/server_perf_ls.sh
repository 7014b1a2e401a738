#!/usr/bin/env bash
# server_perf_ls.sh - `nereid ls --json` from a server (the http store's
# artifact walk: keyset pages read one record at a time, the next page
# fetched while the current one is read): the output is byte for byte the
# records given, the client's and the server's memory do not grow with the
# artifact, and a listing whose server dies half-way is an error (exit 1,
# one line naming the server), never a short list that looks whole.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/server_lib.sh"
[ -x /usr/bin/time ] || skip_all "needs /usr/bin/time (Debian package time)"

# Under AddressSanitizer, freed memory waits in a quarantine (256 MB by
# default) before reuse: kept small, so RSS shows what is held.
SMALL_QUARANTINE="quarantine_size_mb=1:thread_local_quarantine_size_kb=64"
ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}$SMALL_QUARANTINE" server_start
expect_exit 0 srv project create ws/ls --key LS
TOK="$(new_token ws/ls write --name ls)"
C=(--project ws/ls --store "$URL" --api-token "$TOK")

# gen N FILE: N sorted records, in the compact form `ls --json` prints.
gen() {
	python3 - "$1" >"$2" <<'PY'
import sys
n = int(sys.argv[1])
o = sys.stdout
o.write("[")
for i in range(n):
    o.write(("," if i else "") + '{"file_path":"data/%02d/%09d.bin","file_hash":'
            '"9e107d9d372bb6826bd81d3542a419d6","type":"Local","size":%d,"metadata":'
            '{"file_path":"file:///data/%09d.bin","last_modified":"2022-09-30 10:50:40"}}'
            % (i // 10000, i, i * 7, i))
o.write("]\n")
PY
}
peak_kib() { sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$1"; }
server_hwm_kib() { sed -n 's/^VmHWM:\s*\([0-9]*\) kB$/\1/p' "/proc/$SRV_PID/status"; }

gen 10000 "$T/small.json"
gen 150000 "$T/big.json"
for n in small big; do
	expect_exit 0 nereid run new "${C[@]}"
	eval "RUN_$n=\$OUT"
	expect_exit 0 nereid import "$OUT:data" "$T/$n.json" "${C[@]}"
done

# The listing is the records given, byte for byte, and the client's peak
# RSS for 150,000 records (about 30 MB of JSON) stays near that for 10,000.
# The server's high-water mark may not grow by the listing's size either.
hwm_before=$(server_hwm_kib)
for n in small big; do
	eval "run=\$RUN_$n"
	ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}$SMALL_QUARANTINE" \
		/usr/bin/time -v -o "$T/$n.time" "$NEREID_BIN" ls "$run:data" --json "${C[@]}" \
		>"$T/$n.out" 2>"$T/$n.err"
	expect_eq 0 "$?" "ls --json of $n (stderr: $(head -c 300 "$T/$n.err"))"
	if cmp -s "$T/$n.json" "$T/$n.out"; then
		ok
	else
		bad "ls --json of $n is not the records imported ($(wc -c <"$T/$n.out") bytes, want $(wc -c <"$T/$n.json"))"
	fi
done
hwm_after=$(server_hwm_kib)
small=$(peak_kib "$T/small.time")
big=$(peak_kib "$T/big.time")
if [ -n "$small" ] && [ -n "$big" ] && [ "$big" -lt $((small + 16384)) ]; then
	ok
else
	bad "client peak RSS grew with the listing: ${small:-?} KiB for 10,000 records, ${big:-?} KiB for 150,000"
fi
if [ -n "$hwm_before" ] && [ -n "$hwm_after" ] && [ "$hwm_after" -lt $((hwm_before + 24576)) ]; then
	ok
else
	bad "the server's peak RSS grew with the listing: ${hwm_before:-?} KiB before, ${hwm_after:-?} KiB after"
fi

# The server killed while the client is half-way: the client is held by
# its output (a FIFO nobody reads past 100 kB), the server killed, the
# output then read to the end. The listing fails with one line naming the
# server, and what was printed is not a whole JSON array.
mkfifo "$T/fifo"
"$NEREID_BIN" ls "$RUN_big:data" --json "${C[@]}" >"$T/fifo" 2>"$T/kill.err" &
cpid=$!
exec 3<"$T/fifo"
head -c 100000 <&3 >"$T/kill.head"
OLD="$URL"
kill -KILL "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
SRV_PID=""
cat <&3 >"$T/kill.rest"
exec 3<&-
wait "$cpid"
expect_eq 1 "$?" "ls fails when its server dies half-way"
expect_match "^nereid: cannot reach $OLD: " "$(cat "$T/kill.err")" "one line naming the server"
expect_eq 1 "$(wc -l <"$T/kill.err")" "one line of error"
printed=$(($(wc -c <"$T/kill.head") + $(wc -c <"$T/kill.rest")))
if [ "$printed" -lt "$(wc -c <"$T/big.json")" ] && ! cat "$T/kill.head" "$T/kill.rest" | jq -e . >/dev/null 2>&1; then
	ok
else
	bad "a listing cut short looks whole ($printed bytes printed)"
fi

e2e_done
