#!/usr/bin/env bash
# pg_scaleout.sh - several nereid-server processes on one PostgreSQL
# database (SPEC section 8), against a real PostgreSQL started for the test
# (tests/pg/lib.sh): eight first writers at once on an empty database (the
# schema made once); 16 clients at once on two servers create runs (every
# KEY-N distinct and gap-free) and track into one field by read, merge,
# upload, swap (the union holds every record); one server killed with
# SIGKILL in the middle of requests while the other goes on (nothing acked
# is lost, numbers stay gap-free); the database restarted under a running
# server (requests fail cleanly with a JSON error, then work again without
# restarting the server). Skipped only without PostgreSQL's binaries.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/server_lib.sh"
PG_NO_TRAP=1
. "$E2E_DIR/../pg/lib.sh"
pg_skip_without
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed"

PID_A=""
trap 'e2e_rc=$?; [ -n "$PID_A" ] && kill -KILL "$PID_A" 2>/dev/null; server_stop; pg_cleanup; (exit $e2e_rc); e2e_finish' EXIT
pg_start

# Eight commands at once on an empty database: each needs the schema, and
# it is made exactly once (the migration's advisory lock), no one failing.
MIG="$(pg_newdb migrate)"
pids=()
for i in $(seq 1 8); do
	"$SERVER_BIN" project create "ws/m$i" --store "$MIG" >"$T/mig.$i" 2>&1 &
	pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
expect_eq 0 "$fails" "8 concurrent first writers on an empty database"
[ "$fails" = 0 ] || cat "$T"/mig.* >&2
expect_eq "1 8" "$(pg_psql -F ' ' -c "SELECT (SELECT count(*) FROM nereid_meta), (SELECT count(*) FROM projects)" migrate 2>&1)" \
	"one schema, eight projects"

SRV_STORE="$PG_URI"

# Two servers, both started before anything is in the database: the
# schema is made once between them.
server_start
URL_A="$URL"
PID_A="$SRV_PID"
SRV_PID=""
server_start
URL_B="$URL"
expect_eq 1 "$(pg_psql -c "SELECT count(*) FROM nereid_meta" nereid 2>&1)" "one schema, made once"
srv project create ws/scale --key SCL >/dev/null 2>&1 || fail "project create"
TOK="$(new_token ws/scale write --name clients)"
[ -n "$TOK" ] || fail "token create"
P=/api/v1/projects/ws/scale
URL="$URL_A"
api POST $P/runs "$TOK" '{"uuid":"12345678-1234-4234-8234-123456789abc"}'
expect_status 201 "the shared run, through server A"
expect_eq SCL-1 "$(jget .id)" "the first run"

# client.py TOKEN WHO RUNS RECORDS URL...: create RUNS runs (each with its
# own uuid, retried with the same uuid on another server when a server
# fails), then add RECORDS records of its own to SCL-1:shared by read,
# merge, upload, swap; servers are used in turn, and one that fails is
# dropped. Prints "run ID" and "ack FILE_PATH" for what was answered.
cat >"$T/client.py" <<'PY'
import http.client, json, sys, uuid, urllib.request, urllib.error
sys.path.insert(0, sys.argv[1])
from spec_hash import artifact_hash
tok, who, nruns, nrecs = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
servers = sys.argv[6:]
turn = [0]
def call(method, path, body=None):
    while True:
        url = servers[turn[0] % len(servers)] + "/api/v1/projects/ws/scale" + path
        turn[0] += 1
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Authorization": "Bearer " + tok})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:
            # A server gone in the middle of a request (a half answer included).
            print("server failed:", url, repr(e), file=sys.stderr, flush=True)
            if len(servers) == 1:
                raise
            servers.remove(url.split("/api/")[0])
for i in range(nruns):
    st, r = call("POST", "/runs", {"uuid": str(uuid.uuid4())})
    # 200: a retry (same uuid) on the other server of a create the killed
    # server had made before it could answer.
    assert st in (200, 201), (st, r)
    print("run", r["id"], flush=True)
for i in range(nrecs):
    mine = {"file_path": f"{who}/{i}.txt", "file_hash": "9e107d9d372bb6826bd81d3542a419d6",
            "type": "Local", "size": i, "metadata": {}}
    while True:
        st, f = call("GET", "/runs/SCL-1/fields/shared")
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
        st, r = call("PUT", "/runs/SCL-1/fields/shared", {"expect": old, "hash": h})
        if st == 200:
            print("ack", mine["file_path"], flush=True)
            break
        assert st == 409, (st, r)
PY

# Every run of the project: distinct, numbered 1..N without a gap.
check_runs() {
	local want="$1" what="$2" got
	api GET "$P/runs?limit=1000" "$TOK"
	got="$(jget '[.runs[].id | ltrimstr("SCL-") | tonumber] | sort | . as $n | [length, (if length == 0 then 0 else .[-1] end), (unique | length)] | map(tostring) | join(" ")')"
	expect_eq "$want $want $want" "$got" "$what: runs counted, highest number, distinct"
}

pids=()
for c in $(seq 1 16); do
	python3 "$T/client.py" "$E2E_DIR" "$TOK" "c$c" 8 3 "$URL_A" "$URL_B" >"$T/out.$c" 2>"$T/err.$c" &
	pids+=($!)
done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
expect_eq 0 "$fails" "16 clients on two servers finished"
[ "$fails" = 0 ] || cat "$T"/err.* >&2
expect_eq 128 "$(cat "$T"/out.* | grep -c '^run ')" "16 x 8 runs answered"
expect_eq 128 "$(cat "$T"/out.* | grep '^run ' | sort -u | wc -l)" "every answered run ID distinct"
check_runs 129 "after 16 clients"
api GET $P/runs/SCL-1/fields/shared "$TOK"
expect_status 200 "the shared field"
api GET "$P/artifacts/$(jget .hash)/files?limit=1000" "$TOK"
expect_eq 48 "$(jget '.files|length')" "16 clients x 3 records: the union holds them all"

# One server killed with SIGKILL while 8 clients use both: they go on with
# the other, and nothing an answer acknowledged is lost.
pids=()
for c in $(seq 1 8); do
	python3 "$T/client.py" "$E2E_DIR" "$TOK" "k$c" 20 6 "$URL_A" "$URL_B" >"$T/kout.$c" 2>"$T/kerr.$c" &
	pids+=($!)
done
for _ in $(seq 1 400); do
	[ "$(cat "$T"/kout.* 2>/dev/null | grep -c '^run ')" -ge 16 ] && break
	sleep 0.05
done
kill -KILL "$PID_A"
wait "$PID_A" 2>/dev/null
PID_A=""
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
expect_eq 0 "$fails" "8 clients went on with server B after A was killed"
[ "$fails" = 0 ] || cat "$T"/kerr.* >&2
URL="$URL_B"
check_runs $((129 + 160)) "after the kill"
api GET $P/runs/SCL-1/fields/shared "$TOK"
api GET "$P/artifacts/$(jget .hash)/files?limit=1000" "$TOK"
expect_eq $((48 + 48)) "$(jget '.files|length')" "every acknowledged record is in the field"

# The database restarted under the running server B: requests fail
# cleanly (a JSON error, no hang), then work again with the same server.
pg_stop_now
api GET "$P/runs/SCL-1" "$TOK"
case "$STATUS" in 5*) ok ;; *) bad "a request with the database down: status $STATUS, want 5xx" ;; esac
expect_status "$STATUS" "a request with the database down"
expect_contains "connect" "$(jget .error.message)" "the error says the database cannot be reached"
pg_launch
api GET "$P/runs/SCL-1" "$TOK"
expect_status 200 "a read once the database is back, same server"
api POST $P/runs "$TOK" '{"uuid":"22345678-1234-4234-8234-123456789abc"}'
expect_status 201 "a write once the database is back"
expect_eq "SCL-$((129 + 160 + 1))" "$(jget .id)" "numbers go on without a gap"
kill -0 "$SRV_PID" 2>/dev/null && ok || bad "server B is still running"

server_finish
e2e_done
