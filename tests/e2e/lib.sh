# lib.sh - shared helpers of the end-to-end tests of the `nereid` command.
#
# Source it from a test script. It makes a temporary folder $T (removed on
# exit) holding the store ($NEREID_HOME = $T/home) and a work folder
# ($W = $T/cwd, the current directory), and gives:
#   nereid ARGS...            run $NEREID_BIN (with a timeout)
#   expect_exit CODE CMD...   run CMD, check its exit code; sets OUT, ERR, RC
#   expect_exit_in "C1 C2" CMD...  same, any of the codes is accepted
#   expect_error CODE CMD...  expect_exit, and stderr is one "nereid: " line
#   expect_eq WANT GOT WHAT   check two strings are equal
#   expect_match ERE GOT WHAT check a string matches an extended regex
#   expect_contains NEEDLE GOT WHAT
#   ok WHAT / bad WHAT        count a pass / a failure (with the line)
#   fail WHAT                 print the line and stop the script (exit 1)
#   free_port                 print a free TCP port of 127.0.0.1 (not from the
#                             kernel's ephemeral range: see below)
#   e2e_done                  the last line of every script
# and prints "N passed, N failed" when the script ends. A failed check does
# not stop the script, so one run shows every failure; the exit status is 1
# when anything failed. Exit 77 means skipped (ctest SKIP_RETURN_CODE).
# This file is not for S3 helpers (see the S3 tests).

set -u

if [ -z "${NEREID_BIN:-}" ]; then
	echo "NEREID_BIN is not set: the path of the nereid binary" >&2
	exit 77
fi
case "$NEREID_BIN" in
/*) ;;
*) NEREID_BIN="$(pwd)/$NEREID_BIN" ;;
esac
if [ ! -x "$NEREID_BIN" ]; then
	echo "NEREID_BIN=$NEREID_BIN is not an executable" >&2
	exit 77
fi
command -v python3 >/dev/null 2>&1 || {
	echo "python3 is needed by the end-to-end tests" >&2
	exit 77
}

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
E2E_NAME="$(basename "$0" .sh)"
# Seconds a single nereid command may take before it counts as hung.
E2E_TIMEOUT="${E2E_TIMEOUT:-60}"

T="$(mktemp -d "${TMPDIR:-/tmp}/nereid-e2e-$E2E_NAME.XXXXXX")"
export NEREID_HOME="$T/home"
W="$T/cwd"
mkdir -p "$NEREID_HOME" "$W"
cd "$W" || exit 1

# The tests must not see the caller's configuration.
unset NEREID_PROJECT NEPTUNE_PROJECT NEREID_API_TOKEN NEPTUNE_API_TOKEN
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN S3_ENDPOINT_URL
export TZ=UTC
export LC_ALL=C.UTF-8 2>/dev/null || export LC_ALL=C

E2E_PASSED=0
E2E_DONE=0
E2E_FAILED=0
OUT=""
ERR=""
RC=0

e2e_finish() {
	local rc=$?
	cd / || true
	# Files made unreadable or read-only for a test must not stop the cleanup.
	chmod -R u+rwX "$T" 2>/dev/null
	rm -rf "$T"
	if [ "$rc" = 77 ]; then
		echo "$E2E_NAME: skipped"
		exit 77
	fi
	if [ "$E2E_DONE" != 1 ]; then
		E2E_FAILED=$((E2E_FAILED + 1))
		echo "FAIL $E2E_NAME: the script stopped before its end (status $rc)" >&2
	fi
	echo "$E2E_NAME: $E2E_PASSED passed, $E2E_FAILED failed"
	if [ "$E2E_FAILED" -gt 0 ]; then
		exit 1
	fi
	exit 0
}
trap e2e_finish EXIT

# The line of the test script that called the helper.
e2e_where() {
	local i
	for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
		if [ "${BASH_SOURCE[$i]}" != "${BASH_SOURCE[0]}" ]; then
			echo "$(basename "${BASH_SOURCE[$i]}"):${BASH_LINENO[$((i - 1))]}"
			return
		fi
	done
	echo "?"
}

ok() {
	E2E_PASSED=$((E2E_PASSED + 1))
}

bad() {
	E2E_FAILED=$((E2E_FAILED + 1))
	echo "FAIL $(e2e_where): $*" >&2
}

fail() {
	E2E_FAILED=$((E2E_FAILED + 1))
	echo "FAIL $(e2e_where): $* (stopping)" >&2
	E2E_DONE=1 # counted already
	exit 1
}

# e2e_done: the last line of every script (an early stop counts as failed).
e2e_done() {
	E2E_DONE=1
	exit 0
}

skip_all() {
	echo "SKIP $E2E_NAME: $*" >&2
	exit 77
}

nereid() {
	timeout -k 5 "$E2E_TIMEOUT" "$NEREID_BIN" "$@"
}

# Run a command, keep its stdout in OUT, stderr in ERR, exit code in RC.
capture() {
	"$@" >"$T/.out" 2>"$T/.err"
	RC=$?
	OUT="$(cat "$T/.out")"
	ERR="$(cat "$T/.err")"
	return 0
}

e2e_describe() {
	local s="$*"
	if [ ${#s} -gt 300 ]; then
		s="${s:0:300}..."
	fi
	printf '%s' "$s"
}

e2e_show_output() {
	if [ -n "$OUT" ]; then
		printf '    stdout: %s\n' "$(printf '%s' "$OUT" | head -c 600)" >&2
	fi
	if [ -n "$ERR" ]; then
		printf '    stderr: %s\n' "$(printf '%s' "$ERR" | head -c 600)" >&2
	fi
}

expect_exit() {
	local want="$1"
	shift
	capture "$@"
	if [ "$RC" = "$want" ]; then
		ok
		return 0
	fi
	bad "exit $RC, expected $want: $(e2e_describe "$@")"
	e2e_show_output
	return 1
}

expect_exit_in() {
	local wants="$1" w
	shift
	capture "$@"
	for w in $wants; do
		if [ "$RC" = "$w" ]; then
			ok
			return 0
		fi
	done
	bad "exit $RC, expected one of {$wants}: $(e2e_describe "$@")"
	e2e_show_output
	return 1
}

# The error contract of SPEC section 7: one line "nereid: <what>: <why>".
# Warnings ("nereid: warning: ...", e.g. a skipped FIFO) may come before it.
e2e_check_error_line() {
	local lines err
	err="$(printf '%s\n' "$ERR" | LC_ALL=C grep -v '^nereid: warning: ')"
	lines="$(printf '%s\n' "$err" | grep -c '')"
	if [ -z "$err" ]; then
		bad "no error message on stderr: $(e2e_describe "$@")"
	elif [ "$lines" != 1 ]; then
		bad "error is $lines lines, expected one: $(e2e_describe "$@")"
		e2e_show_output
	elif ! printf '%s' "$err" | LC_ALL=C grep -qE '^nereid: .+: .+'; then
		bad "error not of the form 'nereid: <what failed>: <why>': $(e2e_describe "$@")"
		e2e_show_output
	else
		ok
	fi
}

expect_error() {
	local want="$1"
	shift
	expect_exit "$want" "$@"
	e2e_check_error_line "$@"
	[ "$RC" = "$want" ]
}

# expect_error_lines CODE CMD...: for commands that go on after per-file
# failures (download): one or more lines, each "nereid: <what>: <why>".
expect_error_lines() {
	local want="$1"
	shift
	expect_exit "$want" "$@"
	if [ -z "$ERR" ]; then
		bad "no error message on stderr: $(e2e_describe "$@")"
	elif printf '%s\n' "$ERR" | LC_ALL=C grep -qvE '^nereid: .+: .+'; then
		bad "a stderr line is not 'nereid: <what failed>: <why>': $(e2e_describe "$@")"
		e2e_show_output
	else
		ok
	fi
}

expect_error_in() {
	local wants="$1"
	shift
	expect_exit_in "$wants" "$@"
	e2e_check_error_line "$@"
}

expect_eq() {
	if [ "$1" == "$2" ]; then
		ok
		return 0
	fi
	bad "${3:-values differ}"
	printf '    expected: %s\n    got:      %s\n' "$(printf '%s' "$1" | head -c 800)" \
		"$(printf '%s' "$2" | head -c 800)" >&2
	return 1
}

expect_ne() {
	if [ "$1" != "$2" ]; then
		ok
		return 0
	fi
	bad "${3:-values are equal}: both are '$(printf '%s' "$1" | head -c 200)'"
	return 1
}

expect_match() {
	if printf '%s' "$2" | LC_ALL=C grep -qE -- "$1"; then
		ok
		return 0
	fi
	bad "${3:-no match}: '$(printf '%s' "$2" | head -c 400)' does not match /$1/"
	return 1
}

expect_contains() {
	case "$2" in
	*"$1"*)
		ok
		return 0
		;;
	esac
	bad "${3:-not found}: '$1' not in '$(printf '%s' "$2" | head -c 600)'"
	return 1
}

expect_not_contains() {
	case "$2" in
	*"$1"*)
		bad "${3:-found}: '$1' is in '$(printf '%s' "$2" | head -c 600)'"
		return 1
		;;
	esac
	ok
	return 0
}

# expect_true WHAT CMD...: the command succeeds.
expect_true() {
	local what="$1"
	shift
	if "$@"; then
		ok
		return 0
	fi
	bad "$what"
	return 1
}

# --- helpers on nereid's output -------------------------------------------

HEX64='^[0-9a-f]{64}$'
RUNID='^[A-Z]{2,10}-[0-9]+$'

# new_run [ARGS...]: create a run, print its ID; stops the script on failure.
new_run() {
	local id
	id="$(nereid run new "$@" 2>"$T/.new_run.err")" ||
		fail "nereid run new $* failed: $(cat "$T/.new_run.err")"
	[[ "$id" =~ $RUNID ]] || fail "nereid run new printed '$id', not a run ID"
	printf '%s' "$id"
}

# track_ok REF PATH [ARGS...]: track, check exit 0 and the "RUN FIELD HASH"
# line; sets TRACKED_HASH (empty on failure).
track_ok() {
	local ref="$1" field
	TRACKED_HASH=""
	expect_exit 0 nereid track "$@" || return 1
	field="${ref#*:}"
	if [[ "$OUT" =~ ^([A-Z]{2,10}-[0-9]+)\ (.+)\ ([0-9a-f]{64})$ ]] &&
		[ "${BASH_REMATCH[2]}" = "$field" ]; then
		TRACKED_RUN="${BASH_REMATCH[1]}"
		TRACKED_HASH="${BASH_REMATCH[3]}"
		if [ "$ref" != "$field" ] && [ "${ref%%:*}" != "$TRACKED_RUN" ]; then
			bad "track $ref printed run $TRACKED_RUN"
			return 1
		fi
		ok
		return 0
	fi
	bad "track $* printed '$OUT', expected 'RUN-ID $field <64 hex>'"
	return 1
}

# hash_of REF [--content]: print the hash (empty when the command fails).
hash_of() {
	nereid hash "$@" 2>/dev/null
}

# ls_json REF: print the JSON array of records.
ls_json() {
	nereid ls "$1" --json 2>/dev/null
}

# py CODE [ARGS...]: run a python3 snippet (JSON handling).
py() {
	local code="$1"
	shift
	python3 -c "$code" "$@"
}

# ls_paths REF: the file_path of every record, one a line, in listed order.
ls_paths() {
	ls_json "$1" | py 'import json,sys
for r in json.load(sys.stdin): print(r["file_path"])' 2>/dev/null
}

# spec_hash [--content] < records.json: the reference hash of SPEC section 3.
spec_hash() {
	python3 "$E2E_DIR/spec_hash.py" "$@"
}

# free_port: a TCP port of 127.0.0.1 that is free now, for a program that
# must be told its port before it listens (rather than listening on port 0
# and saying which it got). Picked at random outside the kernel's ephemeral
# range, where every port-0 server and every outgoing connection of the
# tests running beside land: a port taken from that range could be taken
# again before the program binds it.
free_port() {
	python3 - <<'PY'
import random, socket
lo, hi = 32768, 60999
try:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        lo, hi = map(int, f.read().split())
except (OSError, ValueError):
    pass
ports = [p for p in range(10000, 65536) if not lo <= p <= hi and p != 8642]
random.shuffle(ports)
for p in ports[:200]:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
else:
    raise SystemExit("free_port: no free port found")
PY
}

# The MD5 of a file, lowercase hex.
md5_of() {
	md5sum <"$1" | cut -d' ' -f1
}

# The UTC modification time of a file as SPEC section 2 records it.
mtime_utc() {
	date -u -r "$1" '+%Y-%m-%d %H:%M:%S'
}

# has_command NAME: the CLI knows a subcommand (it does not say "unknown").
nereid_has_command() {
	nereid "$1" --help >/dev/null 2>&1 && return 0
	local err
	err="$(nereid "$1" 2>&1 >/dev/null)"
	case "$err" in
	*"unknown command"* | *"Unknown command"* | *"unknown subcommand"*) return 1 ;;
	esac
	return 0
}
