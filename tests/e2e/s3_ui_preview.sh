#!/usr/bin/env bash
# s3_ui_preview.sh - previews of S3 records in the web UI (route 20,
# docs/internals/ui.md): only the buckets given to --preview-s3, refused
# for any other bucket before a request is made; the record's own object,
# of the tracked version (an object changed since is 409), its first
# 1 MiB only; HTML as text; --preview-s3 checked at start.
set -u
. "$(dirname "$0")/s3lib.sh"
SERVER_BIN="$(dirname "$NEREID_BIN")/nereid-server"
[ -x "$SERVER_BIN" ] || {
	echo "skipped: no nereid-server beside $NEREID_BIN"
	exit 77
}
command -v jq >/dev/null || {
	echo "skipped: jq is not installed"
	exit 77
}
s3_start

PASSED=0
pass() { PASSED=$((PASSED + 1)); }
STATUS="" BODY="" TOKEN=""
# get PATH: GET $URL/PATH (with $TOKEN when set), sets STATUS and BODY.
get() {
	local auth=()
	[ -n "$TOKEN" ] && auth=(-H "Authorization: Bearer $TOKEN")
	STATUS=$(curl -s "${auth[@]}" -o "$WORK/body" -w '%{http_code}' "$URL$1") || fail "curl $1"
	BODY=$(cat "$WORK/body")
}
jget() { jq -r "$1" <<<"$BODY"; }
want_status() {
	[ "$STATUS" = "$1" ] || fail "$2: HTTP $STATUS, want $1 ($BODY)"
	pass
}
want_eq() {
	[ "$1" = "$2" ] || fail "$3: got \"$2\", want \"$1\""
	pass
}

# UI_PID and URL of `nereid-server ui ARGS...` ($UI_BIN ui: nereid ui
# execs the nereid-server beside it with the same options).
UI_PID=""
UI_BIN=$SERVER_BIN
UI_MODE=ui
ui_start() {
	"$UI_BIN" "$UI_MODE" --listen 127.0.0.1:0 "$@" >"$WORK/ui.out" 2>>"$WORK/ui.err" &
	UI_PID=$!
	URL=""
	for _ in $(seq 1 200); do
		URL="$(sed -n -e 's,^nereid ui: serving the store read-only at \(http://127\.0\.0\.1:[0-9]*\)/$,\1,p' \
			-e 's,^nereid-server: listening on \(http://127\.0\.0\.1:[0-9]*\)$,\1,p' "$WORK/ui.out")"
		[ -n "$URL" ] && return 0
		kill -0 "$UI_PID" 2>/dev/null || break
		sleep 0.05
	done
	fail "nereid-server ui did not start: $(cat "$WORK/ui.err")"
}
ui_stop() {
	kill -TERM "$UI_PID"
	wait "$UI_PID"
	want_eq 0 "$?" "ui exits 0 on SIGTERM"
	UI_PID=""
}
trap '[ -n "$UI_PID" ] && kill "$UI_PID" 2>/dev/null; s3_cleanup' EXIT

s3_mb data
s3_mb other
printf 'hello\n' >"$WORK/a.txt"
printf '<script>alert(1)</script>' >"$WORK/page.html"
head -c 1500000 /dev/urandom >"$WORK/big.bin"
printf 'before\n' >"$WORK/change.txt"
s3_put data set/a.txt "$WORK/a.txt"
s3_put data set/page.html "$WORK/page.html"
s3_put data set/big.bin "$WORK/big.bin"
s3_put data set/change.txt "$WORK/change.txt"
s3_put data set/gone.txt "$WORK/a.txt"
s3_put other set/b.txt "$WORK/a.txt"
run=$(new_run)
expect 0 track "$run:d" s3://data/set
expect 0 track "$run:o" s3://other/set
HD=$(hash_of "$run:d")
HO=$(hash_of "$run:o")
P=/api/v1/projects/local/sandbox

# --preview-s3 is checked at start.
got=0
"$NEREID_BIN" ui --listen 127.0.0.1:0 --preview-s3 >/dev/null 2>"$WORK/stderr" || got=$?
want_eq 2 "$got" "nereid ui: --preview-s3 without a bucket"
got=0
"$SERVER_BIN" ui --listen 127.0.0.1:0 --preview-s3 'Bad_Bucket' >/dev/null 2>"$WORK/stderr" || got=$?
want_eq 2 "$got" "a bad bucket name is a usage error"
expect_err "--preview-s3: a bucket name expected"
got=0
env -u AWS_ACCESS_KEY_ID "$SERVER_BIN" ui --listen 127.0.0.1:0 --preview-s3 data >/dev/null 2>"$WORK/stderr" || got=$?
want_eq 4 "$got" "--preview-s3 without credentials"
expect_err "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"

# Without --preview-s3, no S3 preview (default off).
ui_start
get "$P/artifacts/$HD/preview?path=a.txt"
want_status 403 "no S3 preview without --preview-s3"
ui_stop

UI_BIN=$NEREID_BIN ui_start --preview-s3 data
get "$P/artifacts/$HD/preview?path=a.txt"
want_status 200 "an object of an allowed bucket"
want_eq "hello" "$(jget .data | base64 -d)" "its bytes"
want_eq "true false text/plain 6" "$(jget '"\(.verified) \(.truncated) \(.mime) \(.size)"')" "whole, verified, text"
get "$P/artifacts/$HD/preview?path=page.html"
want_status 200 "an HTML object"
want_eq "text/plain" "$(jget .mime)" "HTML is shown as text, never run"
get "$P/artifacts/$HD/preview?path=big.bin"
want_status 200 "an object above the cap"
want_eq "true false 1500000" "$(jget '"\(.truncated) \(.verified) \(.size)"')" "truncated, not verified, its size"
jget .data | base64 -d >"$WORK/got.bin"
head -c 1048576 "$WORK/big.bin" >"$WORK/want.bin"
cmp -s "$WORK/got.bin" "$WORK/want.bin" || fail "the preview is not the object's first 1 MiB"
pass
get "$P/artifacts/$HO/preview?path=b.txt"
want_status 403 "a bucket not given to --preview-s3"
want_eq "preview: bucket other is not one this server previews (--preview-s3)" "$(jget .error.message)" "names the bucket"
# The object changes after tracking (same size): If-Match makes it a 412.
printf 'after!\n' >"$WORK/change.txt"
s3_put data set/change.txt "$WORK/change.txt"
get "$P/artifacts/$HD/preview?path=change.txt"
want_status 409 "an object changed since it was tracked"
case "$(jget .error.message)" in *"changed since it was tracked"*) pass ;; *) fail "409 says why: $BODY" ;; esac
s3_curl -X DELETE "$S3_DIRECT/data/set/gone.txt" -o /dev/null || fail "cannot delete"
get "$P/artifacts/$HD/preview?path=gone.txt"
want_status 404 "an object deleted since"
get "$P/artifacts/$HD/preview?path=nope.txt"
want_status 404 "a path no record names"
ui_stop

# A team server: the same, for a token of the project; a local file never.
mkdir -p "$WORK/local" && printf 'local\n' >"$WORK/local/l.txt"
expect 0 track "$run:l" "$WORK/local"
HL=$(hash_of "$run:l")
UI_MODE=serve ui_start
TOKEN=$("$SERVER_BIN" token create --project local/sandbox --role read --url "$URL" 2>"$WORK/stderr") ||
	fail "token create"
get "$P/artifacts/$HD/preview?path=a.txt"
want_status 403 "serve without --preview-s3 previews nothing"
ui_stop
UI_MODE=serve ui_start --preview-s3 data
get "$P/artifacts/$HD/preview?path=a.txt"
want_status 200 "serve --preview-s3 previews the allowed bucket"
want_eq "hello" "$(jget .data | base64 -d)" "its bytes, on a team server"
get "$P/artifacts/$HL/preview?path=l.txt"
want_status 403 "a team server never reads a local file"
get "$P/artifacts/$HO/preview?path=b.txt"
want_status 403 "nor another bucket"
TOKEN=""
get "$P/artifacts/$HD/preview?path=a.txt"
want_status 401 "a preview needs a token on a team server"
ui_stop

# A service that ignores the range and sends without end: the read stops
# at 1 MiB, the preview is its first 1 MiB.
BIG_ETAG=$("$NEREID_BIN" ls "$run:d" --json | jq -r '.[] | select(.file_path == "big.bin") | .file_hash')
GET_PORT=$(s3_start_fake --hostile)
curl -sS -f "http://127.0.0.1:$GET_PORT/__control/hostile?mode=get&send=endless&etag=$BIG_ETAG" -o /dev/null ||
	fail "control"
S3_ENDPOINT_URL="http://127.0.0.1:$GET_PORT" ui_start --preview-s3 data
get "$P/artifacts/$HD/preview?path=big.bin"
want_status 200 "an endless answer"
want_eq "1048576 true" "$(jget '"\(.data | @base64d | length) \(.truncated)"')" "cut at 1 MiB"
sent=$(curl -sS "http://127.0.0.1:$GET_PORT/__control/sent" | jq -r .sent)
echo "an endless answer: $sent bytes sent before the read stopped"
[ "$sent" -lt $((64 << 20)) ] || fail "the read went on past the cap: $sent bytes"
pass
ui_stop

# Refused before any request: an endpoint that notes every connection.
cat >"$WORK/listen.py" <<'PY'
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
open(sys.argv[1] + ".port", "w").write(str(s.getsockname()[1]))
while True:
    c, _ = s.accept()
    open(sys.argv[1], "a").write("connection\n")
    c.close()
PY
python3 "$WORK/listen.py" "$WORK/hits" &
echo $! >"$WORK/fake.listen.pid"
for _ in $(seq 1 100); do [ -s "$WORK/hits.port" ] && break; sleep 0.05; done
[ -s "$WORK/hits.port" ] || fail "the listener did not start"
S3_ENDPOINT_URL="http://127.0.0.1:$(cat "$WORK/hits.port")" ui_start --preview-s3 data
get "$P/artifacts/$HO/preview?path=b.txt"
want_status 403 "another bucket"
[ -e "$WORK/hits" ] && fail "a request was made for a bucket that is not allowed"
pass
get "$P/artifacts/$HD/preview?path=a.txt"
want_status 502 "an endpoint that answers nothing"
[ -s "$WORK/hits" ] || fail "the listener saw no request for an allowed bucket"
pass
ui_stop
if grep -qE 'Sanitizer|runtime error' "$WORK/ui.err"; then fail "sanitizer reports: $(cat "$WORK/ui.err")"; fi

echo "s3_ui_preview: $PASSED passed, 0 failed"
