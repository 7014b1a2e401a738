#!/usr/bin/env bash
# local_size_lies.sh - a file whose size lies (/proc files say 0 bytes and
# hold more) or that grows while it is hashed is never recorded with a
# wrong hash: the track fails naming it, and nothing is recorded.
. "$(dirname "$0")/lib.sh"

R="$(new_run)"

if [ -r /proc/self/status ] && [ "$(stat -L -c %s /proc/self/status)" = 0 ]; then
	expect_error 1 nereid track "$R:proc" /proc/self/status
	expect_match '/proc/[0-9a-z]+/status: ' "$ERR" "the error names the file"
	expect_contains "more than its size of 0 bytes" "$ERR" "the error says what is wrong"
	expect_error 3 nereid hash "$R:proc"

	# Through a link inside a tracked folder (links to files are followed).
	mkdir -p withproc
	printf 'ok\n' >withproc/ok.txt
	ln -s /proc/self/status withproc/status
	expect_error 1 nereid track "$R:withproc" withproc
	expect_contains "status: holds more than its size" "$ERR" "the error names the file"
	expect_error 3 nereid hash "$R:withproc"
	# The field already holding an artifact keeps it.
	rm withproc/status
	track_ok "$R:withproc" withproc
	BEFORE="$(hash_of "$R:withproc")"
	ln -s /proc/self/status withproc/status
	expect_error 1 nereid track "$R:withproc" withproc
	expect_eq "$BEFORE" "$(hash_of "$R:withproc")" "a failed track leaves the field as it was"
else
	echo "no /proc/self/status of size 0 here: its checks skipped" >&2
fi

# A file that grows while it is hashed: 32 MiB, appended to every few
# milliseconds. Each attempt fails naming it, or (if no append fell in
# the reading) records what was read, consistently.
mkdir -p growing
head -c $((32 * 1024 * 1024)) /dev/zero >growing/log.bin
python3 - growing/log.bin <<'PY' &
import sys, time
end = time.time() + 20
with open(sys.argv[1], "ab", buffering=0) as f:
    while time.time() < end:
        f.write(b"x")
        time.sleep(0.002)
PY
WRITER=$!
# Start tracking only once the writer is appending (python3 may be slow
# to start on a loaded machine).
for _ in $(seq 1 500); do
	[ "$(stat -c %s growing/log.bin)" -gt $((32 * 1024 * 1024)) ] && break
	sleep 0.01
done
FAILED=0
for i in $(seq 1 20); do
	capture nereid track "$R:grow$i" growing
	if [ "$RC" != 0 ]; then
		FAILED=1
		expect_eq 1 "$RC" "a growing file fails the track"
		e2e_check_error_line track growing
		expect_contains "growing/log.bin" "$ERR" "the error names the growing file"
		expect_error 3 nereid hash "$R:grow$i"
		break
	fi
done
kill "$WRITER" 2>/dev/null
wait "$WRITER" 2>/dev/null
expect_eq 1 "$FAILED" "tracking a file that keeps growing fails"

e2e_done
