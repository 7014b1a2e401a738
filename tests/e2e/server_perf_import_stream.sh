#!/usr/bin/env bash
# server_perf_import_stream.sh - `nereid import` into a server as a stream
# (the http store's artifact_put_stream): a sorted file into a new field
# goes up one batch of records at a time, so the client's peak RSS does not
# grow with the artifact; the result is the same artifact as the in-memory
# path gives; a bad record deep in the file, a wrong hash, or a server
# killed mid-upload leave nothing on the server and say what failed.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/server_lib.sh"
[ -x /usr/bin/time ] || skip_all "needs /usr/bin/time (Debian package time)"

server_start
expect_exit 0 srv project create ws/imp --key IMP
TOK="$(new_token ws/imp write --name imp)"
C=(--project ws/imp --store "$URL" --api-token "$TOK")

# gen N FILE [BAD [TOP]]: N sorted records under TOP/ (default data);
# record BAD (from 1, 0: none) has a bad file_hash.
gen() {
	python3 - "$1" "${3:-0}" "${4:-data}" >"$2" <<'PY'
import sys
n, bad, top = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
o = sys.stdout
o.write("[")
for i in range(n):
    h = "not-an-md5" if i + 1 == bad else "9e107d9d372bb6826bd81d3542a419d6"
    o.write(("," if i else "") + '{"file_path":"%s/%09d.bin","file_hash":"%s","type":"Local",'
            '"size":%d,"metadata":{"file_path":"file:///data/%09d.bin",'
            '"last_modified":"2022-09-30 10:50:40"}}' % (top, i, h, i, i))
o.write("]")
PY
}
peak_kib() { sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$1"; }
artifact_puts() { grep -c 'PUT /api/v1/projects/{ws}/{name}/artifacts/' "$SRV_LOG"; }

# Client memory: 10,000 records, then 120,000 (about 27 MB of JSON and
# 40 MB held as records by the in-memory path): the peak may not follow.
gen 10000 "$T/small.json"
gen 120000 "$T/big.json"
for n in small big; do
	expect_exit 0 nereid run new "${C[@]}"
	run="$OUT"
	# Under AddressSanitizer, freed memory waits in a quarantine (256 MB
	# by default) before reuse: kept small here, so RSS shows what is held.
	ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}quarantine_size_mb=1:thread_local_quarantine_size_kb=64" \
		/usr/bin/time -v -o "$T/$n.time" "$NEREID_BIN" import "$run:data" "$T/$n.json" "${C[@]}" \
		>"$T/$n.out" 2>"$T/$n.err"
	expect_eq 0 "$?" "import of $n.json (stderr: $(head -c 300 "$T/$n.err"))"
	expect_eq "$(spec_hash <"$T/$n.json")" "$(cut -d' ' -f3 "$T/$n.out")" "$n: the artifact's hash"
	eval "RUN_$n=\$run"
done
small=$(peak_kib "$T/small.time")
big=$(peak_kib "$T/big.time")
if [ -n "$small" ] && [ -n "$big" ] && [ "$big" -lt $((small + 16384)) ]; then
	ok
else
	bad "client peak RSS grew with the artifact: ${small:-?} KiB for 10,000 records, ${big:-?} KiB for 120,000"
fi
expect_exit 0 nereid ls "$RUN_big:data" --json "${C[@]}"
expect_eq 120000 "$(printf '%s' "$OUT" | jq length)" "all 120,000 records come back"
expect_eq "data/000119999.bin" "$(printf '%s' "$OUT" | jq -r '.[-1].file_path')" "the last one last"

# The same records unsorted take the in-memory path: the same artifact.
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r.reverse(); json.dump(r,open(sys.argv[2],"w"))' \
	"$T/small.json" "$T/rev.json"
expect_exit 0 nereid run new "${C[@]}"
expect_exit 0 nereid import "$OUT:data" "$T/rev.json" "${C[@]}"
expect_eq "$(spec_hash <"$T/small.json")" "${OUT##* }" "unsorted input: the same hash"

# Into a field that holds records: merged (in memory), as track does.
gen 3 "$T/three.json"
expect_exit 0 nereid import "$RUN_small:data" "$T/three.json" "${C[@]}"
expect_eq "$(spec_hash <"$T/small.json")" "${OUT##* }" "merge into a field: the union"

# A bad record deep in the file: refused before anything goes up.
gen 60000 "$T/bad.json" 54321
before=$(artifact_puts)
expect_exit 0 nereid run new "${C[@]}"
run="$OUT"
expect_error 2 nereid import "$run:data" "$T/bad.json" "${C[@]}"
expect_contains 'record 54321 ("data/000054320.bin")' "$ERR" "the bad record is named"
expect_eq "$before" "$(artifact_puts)" "a bad record: no upload"
expect_error 3 nereid hash "$run:data" "${C[@]}"

# A record that does not hash to the given hash: the server refuses it.
printf '[{"file_path":"a","file_hash":"9e107d9d372bb6826bd81d3542a419d6","type":"Local","size":1,"metadata":{}}]' \
	>"$T/one.json"
WRONG=0000000000000000000000000000000000000000000000000000000000000000
api PUT "/api/v1/projects/ws/imp/artifacts/$WRONG" "$TOK" "@$T/one.json"
expect_status 400 "a wrong hash"
api GET "/api/v1/projects/ws/imp/artifacts/$WRONG" "$TOK"
expect_status 404 "a wrong hash: nothing stored"

# The server killed mid-upload: the client is stopped once the server has
# part of the body (its spool, a deleted temporary file, holds more than
# 1 MB and less than the whole), the server is killed, and the client let
# go. The client runs in slices of a few milliseconds, stopped between
# them, so that a loaded machine cannot let it finish between two looks at
# the spool; one that finished all the same is tried again with another
# artifact, up to three times.
caught=""
for try in 1 2 3; do
	gen 100000 "$T/huge.json" 0 "try$try"
	HH="$(spec_hash <"$T/huge.json")"
	total=$(stat -c %s "$T/huge.json")
	expect_exit 0 nereid run new "${C[@]}"
	run="$OUT"
	"$NEREID_BIN" import "$run:data" "$T/huge.json" "${C[@]}" >"$T/huge.out" 2>"$T/huge.err" &
	cpid=$!
	kill -STOP "$cpid" 2>/dev/null
	spooled=0
	for _ in $(seq 1 6000); do
		# The largest deleted file the server holds open: its spool (looked
		# for again each time, the server may hold other deleted files).
		for fd in /proc/"$SRV_PID"/fd/*; do
			case "$(readlink "$fd" 2>/dev/null)" in
			*"(deleted)")
				size=$(stat -L -c %s "$fd" 2>/dev/null || echo 0)
				[ "${size:-0}" -gt "$spooled" ] && spooled=$size
				;;
			esac
		done
		[ "$spooled" -gt 1000000 ] && break
		kill -0 "$cpid" 2>/dev/null || break
		kill -CONT "$cpid" 2>/dev/null
		sleep 0.002
		kill -STOP "$cpid" 2>/dev/null
	done
	if [ "$spooled" -gt 1000000 ] && [ "$spooled" -lt "$total" ]; then
		caught=1
		break
	fi
	kill -CONT "$cpid" 2>/dev/null
	wait "$cpid"
done
if [ -n "$caught" ]; then
	ok
else
	fail "the upload was not caught half-way in three tries (spooled ${spooled:-0} of $total bytes)"
fi
OLD="$URL"
kill -KILL "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
SRV_PID=""
kill -CONT "$cpid"
wait "$cpid"
expect_eq 1 "$?" "the import fails when its server dies"
expect_match "^nereid: cannot reach $OLD: " "$(cat "$T/huge.err")" "one line naming the server"
expect_eq 1 "$(wc -l <"$T/huge.err")" "one line of error"
server_start
api GET "/api/v1/projects/ws/imp/artifacts/$HH" "$TOK"
expect_status 404 "a killed upload: nothing stored"
C=(--project ws/imp --store "$URL" --api-token "$TOK")
expect_error 3 nereid hash "$run:data" "${C[@]}"
expect_exit 0 nereid import "$run:data" "$T/huge.json" "${C[@]}"
expect_eq "$HH" "${OUT##* }" "the import again, to a server started again: whole"

server_finish
e2e_done
