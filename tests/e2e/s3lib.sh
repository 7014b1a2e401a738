# s3lib.sh - what the S3 end-to-end tests (s3_*.sh) share: a temporary
# NEREID_HOME, s3rver (tests/s3/s3rver.sh) and, in front of it, the
# signature-checking endpoint tests/s3/fake_s3.py, both on 127.0.0.1 and
# stopped on exit; helpers to seed buckets with curl and to check results.
# Sourced, not run. Not a test itself (ctest runs it and it exits 77).

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	echo "s3lib.sh is sourced by the s3_*.sh tests"
	exit 77
fi

set -u
: "${NEREID_BIN:?NEREID_BIN must name the nereid binary}"
: "${NEREID_SOURCE_DIR:?NEREID_SOURCE_DIR must name the source tree}"
S3_TOOLS="$NEREID_SOURCE_DIR/tests/s3"
for tool in node npm python3 curl cmp; do
	command -v "$tool" >/dev/null || {
		echo "skipped: $tool is not installed"
		exit 77
	}
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nereid-s3.XXXXXX")
export NEREID_HOME="$WORK/home"
unset NEREID_PROJECT NEPTUNE_PROJECT NEREID_API_TOKEN NEPTUNE_API_TOKEN
unset AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION AWS_PROFILE

s3_cleanup() {
	local pidfile
	for pidfile in "$WORK"/fake.*.pid; do
		[ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
	done
	bash "$S3_TOOLS/s3rver.sh" stop "$WORK/s3rver" 2>/dev/null || true
	rm -rf "$WORK"
}
trap s3_cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	[ -s "$WORK/stderr" ] && echo "last stderr: $(cat "$WORK/stderr")" >&2
	exit 1
}

nereid() {
	"$NEREID_BIN" "$@"
}

# expect CODE COMMAND...: run the nereid command, stdout to $WORK/stdout and
# stderr to $WORK/stderr, and fail unless it exits with CODE.
expect() {
	local want=$1 got=0
	shift
	"$NEREID_BIN" "$@" >"$WORK/stdout" 2>"$WORK/stderr" || got=$?
	[ "$got" -eq "$want" ] || fail "nereid $*: exit $got, want $want"
}

# expect_err TEXT: the last command's stderr contains TEXT.
expect_err() {
	grep -qF -- "$1" "$WORK/stderr" || fail "stderr does not say \"$1\""
}

# Start s3rver and the checking endpoint in front of it; export what
# nereid needs to reach them.
s3_start() {
	mkdir -p "$WORK/s3rver"
	S3RVER_PORT=$(bash "$S3_TOOLS/s3rver.sh" start "$WORK/s3rver") || fail "s3rver did not start"
	S3_DIRECT="http://127.0.0.1:$S3RVER_PORT"
	PROXY_PORT=$(s3_start_fake --upstream "$S3_DIRECT")
	export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
	export S3_ENDPOINT_URL="http://127.0.0.1:$PROXY_PORT"
}

# s3_start_fake ARGS...: start fake_s3.py with ARGS, print its port. Its
# pid goes to a file, as this runs in a $(...) subshell.
s3_start_fake() {
	local portfile
	portfile=$(mktemp -u "$WORK/fake.XXXXXX")
	python3 "$S3_TOOLS/fake_s3.py" --port-file "$portfile" "$@" >"$portfile.log" 2>&1 &
	echo $! >"$portfile.pid"
	for _ in $(seq 1 100); do
		[ -s "$portfile" ] && {
			cat "$portfile"
			return 0
		}
		sleep 0.1
	done
	fail "fake_s3.py did not start: $(cat "$portfile.log")"
}

# The key percent-encoded for a URL path.
s3_urlkey() {
	python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="/~"))' "$1"
}

# curl signed for s3rver, straight to it (seeding is not what is tested).
s3_curl() {
	curl -sS -f --aws-sigv4 "aws:amz:us-east-1:s3" --user S3RVER:S3RVER \
		-H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}

s3_mb() {
	s3_curl -X PUT "$S3_DIRECT/$1" -o /dev/null || fail "cannot create bucket $1"
}

# s3_put BUCKET KEY FILE
s3_put() {
	s3_curl -X PUT --data-binary "@$3" "$S3_DIRECT/$1/$(s3_urlkey "$2")" -o /dev/null ||
		fail "cannot put s3://$1/$2"
}

# s3_put_text BUCKET KEY TEXT
s3_put_text() {
	printf '%s' "$3" >"$WORK/put.tmp"
	s3_put "$1" "$2" "$WORK/put.tmp"
}

# json_paths RUN:FIELD: the file_paths of the field, one per line.
json_paths() {
	"$NEREID_BIN" ls "$1" --json | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    print(r["file_path"])'
}

# new_run: print the ID of a new run.
new_run() {
	"$NEREID_BIN" run new || fail "run new"
}

hash_of() {
	"$NEREID_BIN" hash "$1" || fail "hash $1"
}
