#!/usr/bin/env bash
# server_concurrency.sh - nereid-server's compare-and-swap under concurrent
# writers, and a kill -9 in the middle of writes: 8 clients each add their
# own records to one field by read, merge, upload, swap-with-expectation
# (retrying on 409 conflict, as the library's union does), and the field ends
# with every record (nothing lost); a server killed with SIGKILL while
# clients write leaves the field at one of the hashes written (before or
# after, never half), the store readable, and a restarted server serving it.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/server_lib.sh"

server_start
TOK="$(new_token ws/u write --name writer)"
[ -n "$TOK" ] || fail "token create"
P=/api/v1/projects/ws/u
api PUT $P "$TOK" '{"key":"UNI"}'
expect_status 201 project
api POST $P/runs "$TOK" '{"uuid":"12345678-1234-4234-8234-123456789abc"}'
expect_status 201 run

# writer.py URL TOKEN WRITER N: add N records of this writer to UNI-1:data,
# one at a time, each by read-merge-upload-swap; prints the conflicts seen.
cat >"$T/writer.py" <<'PY'
import json, sys, urllib.request, urllib.error
sys.path.insert(0, sys.argv[5])
from spec_hash import artifact_hash
url, tok, who, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
base = url + "/api/v1/projects/ws/u"
def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + tok})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)
conflicts = 0
for i in range(n):
    mine = {"file_path": f"{who}/{i}.txt", "file_hash": "9e107d9d372bb6826bd81d3542a419d6",
            "type": "Local", "size": i, "metadata": {}}
    while True:
        st, f = call("GET", "/runs/UNI-1/fields/data")
        old = f["hash"] if st == 200 else ""
        recs = []
        if old:
            cursor = None
            while True:
                st, page = call("GET", f"/artifacts/{old}/files" + (f"?cursor={cursor}" if cursor else ""))
                assert st == 200, page
                recs += page["files"]
                cursor = page["next"]
                if not cursor:
                    break
        recs = [r for r in recs if r["file_path"] != mine["file_path"]] + [mine]
        h = artifact_hash(recs)
        st, a = call("PUT", f"/artifacts/{h}", recs)
        assert st in (200, 201), a
        print("try", h, flush=True)
        st, r = call("PUT", "/runs/UNI-1/fields/data", {"expect": old, "hash": h})
        if st == 200:
            print(h, flush=True)
            break
        assert st == 409 and r["error"]["code"] == "conflict", r
        conflicts += 1
print("conflicts", conflicts, file=sys.stderr)
PY

pids=()
for w in 1 2 3 4 5 6 7 8; do
	python3 "$T/writer.py" "$URL" "$TOK" "w$w" 5 "$E2E_DIR" >"$T/hashes.$w" 2>"$T/conflicts.$w" &
	pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
expect_eq 0 "$fails" "8 writers finished"
api GET "$P/artifacts/$(api GET $P/runs/UNI-1/fields/data "$TOK"; jget .hash)/files" "$TOK"
expect_eq 40 "$(jget '.files|length')" "8 writers x 5 records: nothing lost"
expect_eq "w1 w2 w3 w4 w5 w6 w7 w8" "$(jget '[.files[].file_path|split("/")[0]]|unique|join(" ")')" \
	"every writer's records are there"
total="$(cat "$T"/conflicts.* | awk '{s += $2} END {print s + 0}')"
echo "swaps refused with 409 and retried: $total" >&2

# kill -9 while writers run: the field is at a hash some writer saw
# accepted (or the one before), and the store opens and serves.
pids=()
for w in 1 2 3 4; do
	python3 "$T/writer.py" "$URL" "$TOK" "k$w" 1000 "$E2E_DIR" >"$T/khashes.$w" 2>/dev/null &
	pids+=($!)
done
for _ in $(seq 1 200); do
	[ "$(cat "$T"/khashes.* 2>/dev/null | grep -vc '^try ')" -ge 8 ] && break
	sleep 0.05
done
kill -KILL "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
SRV_PID=""
for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
DB="$(ls "$SRV_STORE"/*.db | head -n 1)"
expect_eq ok "$(sqlite3 "$DB" 'PRAGMA integrity_check;')" "the store is intact after kill -9"
server_start
api GET $P/runs/UNI-1/fields/data "$TOK"
expect_status 200 "the field after kill -9"
last="$(jget .hash)"
# A swap the store committed just before the kill is one whose answer was
# never sent: the field holds a hash some writer tried, whole.
if cat "$T"/khashes.* "$T"/hashes.* | grep -qxE "(try )?$last"; then ok; else
	bad "the field holds $last, a hash no writer tried"
fi
api GET "$P/artifacts/$last/files" "$TOK"
expect_eq "$(python3 -c 'import json,sys; sys.path.insert(0, sys.argv[1]); from spec_hash import artifact_hash; print(artifact_hash(json.load(sys.stdin)["files"]))' "$E2E_DIR" <<<"$BODY")" \
	"$last" "the field's records hash to its hash"
expect_eq 40 "$(jget '[.files[].file_path|select(startswith("w"))]|length')" \
	"the records from before the kill are all there"

server_finish
e2e_done
