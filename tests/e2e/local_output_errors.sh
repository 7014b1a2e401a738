#!/usr/bin/env bash
# local_output_errors.sh - output that cannot be written fails the command
# ("nereid: writing output: ...", exit 1; 6 for status and diff), and
# status and diff tell "differs" (1) from a failure (2 usage, 3 not found,
# 4 access, 5 integrity, 6 any other failure).
. "$(dirname "$0")/lib.sh"

[ -w /dev/full ] || skip_all "no /dev/full"

# to_full CODE CMD...: run CMD with stdout on a full device.
to_full() {
	local want="$1"
	shift
	"$@" >/dev/full 2>"$T/.err"
	RC=$?
	ERR="$(cat "$T/.err")"
	OUT=""
	if [ "$RC" = "$want" ]; then ok; else bad "exit $RC, expected $want: $* >/dev/full"; fi
	e2e_check_error_line "$@"
	expect_contains "nereid: writing output: No space left on device" "$ERR" "$* >/dev/full: says why"
}

R="$(new_run --name out)"
mkdir -p d
for i in $(seq 1 50); do echo "file $i" >"d/f$i"; done
expect_exit 0 nereid track "$R:f" d
expect_exit 0 nereid track "$R:g" d/f1
printf '[{"file_path":"a","file_hash":"0cc175b9c0f1b6a831c399e269772661","type":"Local","size":1,"metadata":{}}]' >in.json

# --- every command checks its output ---
to_full 1 nereid ls "$R:f" --json
to_full 1 nereid ls "$R:f"
to_full 1 nereid hash "$R:f"
to_full 1 nereid show "$R"
to_full 1 nereid show "$R" --json
to_full 1 nereid runs
to_full 1 nereid runs --json
to_full 1 nereid run new
to_full 1 nereid track "$R:h" d
to_full 1 nereid import "$R:imp" in.json
to_full 1 nereid project new ws/full
to_full 1 nereid --help
to_full 1 nereid --version
to_full 1 nereid ls --help
to_full 1 nereid
# status and diff: 6, whether they found differences or not
to_full 6 nereid diff "$R:f" "$R:f" --json
to_full 6 nereid diff "$R:f" "$R:g"
echo changed >d/f1
to_full 6 nereid status "$R:f"
echo "file 1" >d/f1

# A large export to a full disk is not silently truncated.
mkdir -p big
for i in $(seq 1 3000); do echo "$i" >"big/file-with-a-long-name-$i.txt"; done
expect_exit 0 nereid track "$R:big" big
to_full 1 nereid ls "$R:big" --json
# A closed stdout is a failure too.
nereid ls "$R:big" --json >&- 2>"$T/.err"
RC=$?
expect_eq 1 "$RC" "ls --json with stdout closed"
expect_contains "writing output" "$(cat "$T/.err")" "closed stdout: says so"
# ... and nothing is done: no run made, no store file written through fd 1.
expect_exit 0 nereid runs --json
before="$OUT"
nereid run new >&- 2>/dev/null
expect_eq 1 "$?" "run new with stdout closed fails"
nereid track "$R:closed" d >&- 2>/dev/null
expect_eq 1 "$?" "track with stdout closed fails"
nereid status "$R:f" >&- 2>/dev/null
expect_eq 6 "$?" "status with stdout closed: a general failure"
expect_exit 0 nereid runs --json
expect_eq "$before" "$OUT" "no run was made with stdout closed"
expect_error 3 nereid hash "$R:closed"
nereid hash "$R:f" <&- 2>&- >/dev/null
expect_eq 0 "$?" "stdin and stderr closed: still works"

# --- status and diff: 0 same, 1 differs, and failures keep their own codes ---
expect_exit 0 nereid status "$R:f"
expect_exit 0 nereid diff "$R:f" "$R:f"
expect_exit 1 nereid diff "$R:f" "$R:g"
expect_error 2 nereid status "$R:bad//field"
expect_error 2 nereid diff "$R:f"
expect_error 2 nereid status "$R:f" --frobnicate
expect_error 3 nereid status "$R:nothing"
expect_error 3 nereid diff "$R:f" "$R:nothing"
expect_error 3 nereid status "SND-999:f"
# A store that is not a database: a general failure, 6 (never 1, "differs").
cp -r "$NEREID_HOME" "$T/home-copy"
rm -f "$NEREID_HOME"/store.db-wal "$NEREID_HOME"/store.db-shm
head -c 8192 /dev/urandom >"$NEREID_HOME/store.db"
expect_exit_in "4 6" nereid status "$R:f"
expect_exit_in "4 6" nereid diff "$R:f" "$R:g"
e2e_check_error_line nereid diff "$R:f" "$R:g"
rm -rf "$NEREID_HOME" && mv "$T/home-copy" "$NEREID_HOME"
expect_exit 0 nereid status "$R:f"

e2e_done
