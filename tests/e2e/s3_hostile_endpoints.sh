# s3_hostile_endpoints.sh - S3 services that are hostile or broken (SPEC
# sections 4 and 5): a listing must make progress or fail (continuation
# tokens going round a cycle of any length, a key listed twice, the same
# keys on every page, endless pages without keys), every request has a
# deadline (a listing or a GET that trickles bytes is abandoned), a GET body
# longer than the recorded size or a Content-Length that disagrees stops
# the download at once (exit 5, nothing left; without a recorded size, an
# answer without Content-Length is refused), GETs carry If-Match with the
# recorded ETag (a changed object is a 412: "changed since it was
# tracked", also for multipart ETags that cannot be checked by MD5), and a
# key with a backslash is tracked and downloaded like any other.
set -u
. "$(dirname "$0")/s3lib.sh"
s3_start

# expect_within CODE SECONDS ARGS...: as expect, and done within SECONDS
# (the command is killed after twice that, so a hang fails the test).
expect_within() {
	local want=$1 limit=$2 got=0 start
	shift 2
	start=$(date +%s)
	timeout $((limit * 2)) "$NEREID_BIN" "$@" >"$WORK/stdout" 2>"$WORK/stderr" || got=$?
	[ "$got" -eq "$want" ] || fail "nereid $*: exit $got, want $want"
	[ $(($(date +%s) - start)) -le "$limit" ] || fail "nereid $*: took more than ${limit}s"
}

# One line on stderr, "nereid: ...".
expect_one_line() {
	[ "$(wc -l <"$WORK/stderr")" -eq 1 ] && grep -q '^nereid: ' "$WORK/stderr" ||
		fail "stderr is not one nereid: line: $(cat "$WORK/stderr")"
}

# Nothing at the target and no temporary beside it.
expect_nothing_in() {
	[ -z "$(find "$1" -mindepth 1 -not -type d 2>/dev/null)" ] ||
		fail "left in $1: $(find "$1" -mindepth 1)"
}

LIST_PORT=$(s3_start_fake --hostile --hostile-keys "$WORK/keys")
GET_PORT=$(s3_start_fake --hostile)
LIST="http://127.0.0.1:$LIST_PORT"
GET="http://127.0.0.1:$GET_PORT"
hostile() { # URL QUERY
	curl -sS -f "$1/__control/hostile?$2" -o /dev/null || fail "control $2"
}
run=$(new_run)

# --- listings ---------------------------------------------------------------------------------------
# A key listed twice: an error naming it, not a store error; nothing recorded.
printf 'p/a\np/dup\np/b\np/dup\n' >"$WORK/keys"
S3_ENDPOINT_URL=$LIST expect_within 1 20 track "$run:l" s3://any/p
expect_err "nereid: s3://any/p/dup: listed twice by the service"
expect_one_line
grep -qi "sqlite\|UNIQUE" "$WORK/stderr" && fail "a store error leaks out"
expect 3 ls "$run:l"

# Continuation tokens going round a cycle (of 2, 3 and 7 pages): stopped.
for n in 2 3 7; do
	hostile "$LIST" "mode=cycle&len=$n"
	S3_ENDPOINT_URL=$LIST expect_within 1 20 track "$run:l" s3://any/p
	expect_err "nereid: s3://any/p: the listing goes round in circles"
	expect_one_line
	expect 3 ls "$run:l"
done

# Every page the same keys with a new token: stopped at the second page.
hostile "$LIST" "mode=same"
S3_ENDPOINT_URL=$LIST expect_within 1 20 track "$run:l" s3://any/p
expect_err "s3://any/p/x: listed twice by the service"

# Endless pages without keys, each with a new token: given up.
hostile "$LIST" "mode=empty"
S3_ENDPOINT_URL=$LIST expect_within 1 120 track "$run:l" s3://any/p
expect_err "s3://any/p: the listing goes nowhere (1000 pages in a row without a key)"
expect 3 ls "$run:l"

# --- GETs -------------------------------------------------------------------------------------------
md5_of() { printf '%s' "$1" | md5sum | cut -d' ' -f1; }
X12=$(printf 'x%.0s' $(seq 12))
X200=$(printf 'x%.0s' $(seq 200))
record() { # FILE_PATH HASH SIZE KEY
	printf '{"file_path":"%s","file_hash":"%s","type":"S3","size":%s,"metadata":{"file_path":"s3://any/%s","last_modified":"2021-05-23 03:55:26"}}' "$@"
}
printf '[%s]' "$(record obj "$(md5_of "$X12")" 12 obj)" >"$WORK/obj.json"
printf '[%s]' "$(record slow "$(md5_of "$X200")" 200 slow)" >"$WORK/slow.json"
expect 0 import "$run:obj" "$WORK/obj.json"
expect 0 import "$run:slow" "$WORK/slow.json"

# The hostile endpoint does send the object when it behaves.
hostile "$GET" "mode=get&announce=12&send=12&etag=$(md5_of "$X12")"
S3_ENDPOINT_URL=$GET expect_within 0 20 download "$run:obj" --destination "$WORK/ok"
[ "$(cat "$WORK/ok/obj")" = "$X12" ] || fail "a sane answer must arrive"

# A trickling GET (1 byte every 0.5 s of 200): abandoned at its deadline,
# 30 s plus 1 s per 64 KiB. Runs in the background while the listing's
# deadline is tested.
hostile "$GET" "mode=get&announce=200&send=200&delay=0.5"
start_get=$(date +%s)
S3_ENDPOINT_URL=$GET timeout 120 "$NEREID_BIN" download "$run:slow" --destination "$WORK/slow" \
	>/dev/null 2>"$WORK/slow.err" &
slow_pid=$!

# A trickling listing page: abandoned at its deadline (30 s plus 16 s for
# the 1 MiB a page is taken to weigh).
hostile "$LIST" "mode=trickle-list"
S3_ENDPOINT_URL=$LIST expect_within 1 70 track "$run:l" s3://any/p
expect_err "nereid: s3://any/p: abandoned: S3 endpoint $LIST gave no complete answer within 46 s"
expect 3 ls "$run:l"

got=0
wait "$slow_pid" || got=$?
[ "$got" -eq 1 ] || fail "trickling GET: exit $got, want 1 ($(cat "$WORK/slow.err"))"
[ $(($(date +%s) - start_get)) -le 60 ] || fail "trickling GET: not abandoned in time"
grep -qF "nereid: s3://any/slow: abandoned: S3 endpoint $GET gave no complete answer within 31 s" \
	"$WORK/slow.err" || fail "trickling GET: $(cat "$WORK/slow.err")"
expect_nothing_in "$WORK/slow"

# An endless body (no Content-Length): stopped at the first byte past the
# recorded 12, exit 5, nothing left; the service could not send much.
hostile "$GET" "mode=get&send=endless"
S3_ENDPOINT_URL=$GET expect_within 5 20 download "$run:obj" --destination "$WORK/endless"
expect_err "nereid: obj: s3://any/obj sends more than the recorded 12 bytes"
expect_one_line
expect_nothing_in "$WORK/endless"
sleep 1
sent=$(curl -sS "$GET/__control/sent")
python3 -c 'import json, sys; s = json.loads(sys.argv[1]); sys.exit(not (s["closed"] and s["sent"] < (64 << 20)))' \
	"$sent" || fail "the endless body was read on: $sent"

# A record without a size: the body is bounded by its Content-Length, so an
# answer without one is refused; with one, it arrives.
printf '[{"file_path":"nosize","file_hash":"%s","type":"S3","size":null,"metadata":{"file_path":"s3://any/nosize","last_modified":"2021-05-23 03:55:26"}}]' \
	"$(md5_of "$X12")" >"$WORK/nosize.json"
expect 0 import "$run:nosize" "$WORK/nosize.json"
hostile "$GET" "mode=get&send=endless"
S3_ENDPOINT_URL=$GET expect_within 1 20 download "$run:nosize" --destination "$WORK/nosize"
expect_err "nereid: nosize: s3://any/nosize: the record has no size and the service does not say how large the object is"
expect_nothing_in "$WORK/nosize"
hostile "$GET" "mode=get&announce=12&send=12"
S3_ENDPOINT_URL=$GET expect_within 0 20 download "$run:nosize" --destination "$WORK/nosize"
[ "$(cat "$WORK/nosize/nosize")" = "$X12" ] || fail "a record without a size must still arrive"

# A Content-Length that disagrees with the recorded size, larger or
# smaller: refused before a byte is written.
for n in 1000 5; do
	hostile "$GET" "mode=get&announce=$n&send=$n"
	S3_ENDPOINT_URL=$GET expect_within 5 20 download "$run:obj" --destination "$WORK/len$n"
	expect_err "nereid: obj: s3://any/obj is announced as $n bytes, the record says 12"
	expect_nothing_in "$WORK/len$n"
done

# A service that ignores If-Match but sends another ETag: caught by it.
hostile "$GET" "mode=get&announce=12&send=12&etag=0123456789abcdef0123456789abcdef"
S3_ENDPOINT_URL=$GET expect_within 5 20 download "$run:obj" --destination "$WORK/etag"
expect_err "obj: s3://any/obj changed since it was tracked (its ETag is now 0123456789abcdef0123456789abcdef)"
expect_nothing_in "$WORK/etag"
# ... or no ETag and other bytes of the right size: caught by the MD5.
hostile "$GET" "mode=get&announce=12&send=12"
printf '[%s]' "$(record obj "$(md5_of yyyyyyyyyyyy)" 12 obj)" >"$WORK/y.json"
expect 0 import "$run:y" "$WORK/y.json"
S3_ENDPOINT_URL=$GET expect_within 5 20 download "$run:y" --destination "$WORK/md5"
expect_err "obj: downloaded data does not match its recorded hash"
expect_nothing_in "$WORK/md5"

# A recorded hash that could not be an ETag never goes into a header.
printf '[%s]' "$(record obj 'ab\r\nX-Evil: 1' 12 obj)" >"$WORK/evil.json"
if nereid import "$run:evil" "$WORK/evil.json" >/dev/null 2>&1; then
	S3_ENDPOINT_URL=$GET expect 1 download "$run:evil" --destination "$WORK/evil"
	expect_err "obj: the recorded hash is not an S3 ETag"
	expect_nothing_in "$WORK/evil"
fi

# --- If-Match against a real service ------------------------------------------------------------------
s3_mb bkt
s3_put_text bkt "d/one" "one"
s3_put_text bkt "d/two" "two"
expect 0 track "$run:d" s3://bkt/d
before=$(curl -sS "$S3_ENDPOINT_URL/__control/stats")
expect 0 download "$run:d" --destination "$WORK/d"
after=$(curl -sS "$S3_ENDPOINT_URL/__control/stats")
python3 -c '
import json, sys
b, a = json.loads(sys.argv[1]), json.loads(sys.argv[2])
gets, if_match = a["gets"] - b["gets"], a["gets_if_match"] - b["gets_if_match"]
sys.exit(not (gets == 2 and if_match == 2))' "$before" "$after" ||
	fail "every GET must carry If-Match: $before -> $after"

# A multipart ETag cannot be checked by MD5, and the size is the same: the
# If-Match answer (412) is what catches a changed object.
printf '[%s]' "$(printf '{"file_path":"m","file_hash":"0123456789abcdef0123456789abcdef-2","type":"S3","size":3,"metadata":{"file_path":"s3://bkt/d/one","last_modified":"2021-05-23 03:55:26"}}')" \
	>"$WORK/multi.json"
expect 0 import "$run:multi" "$WORK/multi.json"
expect 5 download "$run:multi" --destination "$WORK/multi"
expect_err "nereid: s3://bkt/d/one: changed since it was tracked (HTTP 412, PreconditionFailed"
expect_nothing_in "$WORK/multi"

# --- a backslash is an ordinary character of a key --------------------------------------------------
s3_put_text bkt 'bs/a\b' "back"
s3_put_text bkt 'bs/dir\x/c' "sub"
expect 0 track "$run:bs" s3://bkt/bs
[ "$(json_paths "$run:bs" | tr '\n' '|')" = 'a\b|dir\x/c|' ] || fail "backslash keys: $(json_paths "$run:bs")"
expect 0 track "$run:bs1" 's3://bkt/bs/a\b'
[ "$(json_paths "$run:bs1")" = 'a\b' ] || fail "one backslash key"
expect 0 download "$run:bs" --destination "$WORK/bs"
[ "$(cat "$WORK/bs/a\\b")" = "back" ] && [ "$(cat "$WORK/bs/dir\\x/c")" = "sub" ] ||
	fail "backslash keys download: $(find "$WORK/bs")"

echo "s3_hostile_endpoints: 1 passed, 0 failed"
