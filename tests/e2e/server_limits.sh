#!/usr/bin/env bash
# server_limits.sh - nereid-server under concurrency and hostile connections:
# 20 concurrent run creations get 20 distinct gap-free IDs; 10 concurrent
# retries of one create (one uuid) get one run; keep-alive holds (two
# requests on one connection); 200 idle connections do not stop a normal
# client from the same address, and 1,100 idle connections plus a client
# sending its headers a byte at a time do not stop one from another address
# (per-address limits, per-connection timeouts). No timing thresholds: each
# request only has to be answered.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/server_lib.sh"

server_start
TOK="$(new_token ws/c write --name conc)"
[ -n "$TOK" ] || fail "token create"
P=/api/v1/projects/ws/c
api PUT $P "$TOK" '{"key":"CON"}'
expect_status 201 "project"

# 20 concurrent creates, distinct uuids.
pids=()
for i in $(seq 1 20); do
	u="$(printf '00000000-0000-4000-8000-%012d' "$i")"
	curl -s --max-time 60 -X POST -H "Authorization: Bearer $TOK" \
		--data-binary "{\"uuid\":\"$u\",\"name\":\"r$i\"}" "$URL$P/runs" >"$T/create.$i" &
	pids+=($!)
done
wait "${pids[@]}" # not a bare wait: the server is a child too
ids="$(cat "$T"/create.* | jq -r .id | sort -t- -k2 -n | tr '\n' ' ')"
expect_eq "$(seq 1 20 | sed 's/^/CON-/' | tr '\n' ' ')" "$ids" "20 concurrent creates: 20 distinct gap-free IDs"

# 10 concurrent retries of one create: one run.
pids=()
for i in $(seq 1 10); do
	curl -s --max-time 60 -X POST -H "Authorization: Bearer $TOK" \
		--data-binary '{"uuid":"11111111-2222-4333-8444-555555555555","name":"once"}' \
		"$URL$P/runs" >"$T/retry.$i" &
	pids+=($!)
done
wait "${pids[@]}"
expect_eq "CON-21" "$(cat "$T"/retry.* | jq -r .id | sort -u | tr -d '\n')" "concurrent retries give one run"
api GET "$P/runs?limit=100" "$TOK"
expect_eq 21 "$(jget '.runs|length')" "21 runs in all"

# Keep-alive: two requests, one connection.
curl -s -v -o /dev/null -o /dev/null "$URL/api/v1/health" "$URL/api/v1/health" 2>"$T/keepalive"
if grep -q 'Re-using existing connection' "$T/keepalive"; then ok; else
	bad "the second request did not reuse the connection"
fi
curl -s -v -o /dev/null -o /dev/null -H "Authorization: Bearer $TOK" "$URL$P/runs/CON-1" "$URL$P/runs/CON-2" 2>"$T/keepalive"
if grep -q 'Re-using existing connection' "$T/keepalive"; then ok; else
	bad "an authenticated GET did not keep the connection"
fi

curl -s -v -o /dev/null -o /dev/null "$URL/api/v1/nothing" "$URL/api/v1/nothing" 2>"$T/keepalive"
if grep -q 'Re-using existing connection' "$T/keepalive" && grep -q '< HTTP/1.1 404' "$T/keepalive"; then ok; else
	bad "a 404 did not keep the connection"
fi

# Idle connections. idle.py N SRC opens N connections from SRC (a few of
# them sending headers a byte at a time), prints "ready", then holds them
# until its stdin closes.
cat >"$T/idle.py" <<'PY'
import resource, socket, sys, threading, time
n, src, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, n + 100)), hard))
socks = []
for i in range(n):
    s = socket.socket()
    s.bind((src, 0))
    try:
        s.connect(("127.0.0.1", port))
    except OSError:
        pass
    socks.append(s)
def slow(s):
    try:
        for b in b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100000:
            s.send(bytes([b]))
            time.sleep(0.05)
    except OSError:
        pass
for s in socks[:5]:
    threading.Thread(target=slow, args=(s,), daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
PY
port="${URL##*:}"
mkfifo "$T/hold"
python3 "$T/idle.py" 200 127.0.0.1 "$port" <"$T/hold" >"$T/idle.out" &
IDLE=$!
exec 7>"$T/hold"
for _ in $(seq 1 600); do grep -q ready "$T/idle.out" 2>/dev/null && break; sleep 0.05; done
expect_eq ready "$(cat "$T/idle.out")" "200 idle connections opened"
STATUS="$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$URL/api/v1/health")"
expect_eq 200 "$STATUS" "a normal client beside 200 idle ones from its address"
exec 7>&-
wait "$IDLE"

python3 "$T/idle.py" 1100 127.0.0.1 "$port" <"$T/hold" >"$T/idle.out" &
IDLE=$!
exec 7>"$T/hold"
for _ in $(seq 1 1200); do grep -q ready "$T/idle.out" 2>/dev/null && break; sleep 0.05; done
expect_eq ready "$(cat "$T/idle.out")" "1,100 idle connections opened"
STATUS="$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 --interface 127.0.0.2 "$URL/api/v1/health")"
expect_eq 200 "$STATUS" "a client from another address beside 1,100 idle ones"
STATUS="$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 --interface 127.0.0.2 -H "Authorization: Bearer $TOK" "$URL$P/runs/CON-3")"
expect_eq 200 "$STATUS" "an authenticated read beside them"
exec 7>&-
wait "$IDLE"
STATUS="$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$URL/api/v1/health")"
expect_eq 200 "$STATUS" "a client from the idle ones' address once they are gone"

server_finish
e2e_done
