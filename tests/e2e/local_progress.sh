#!/usr/bin/env bash
# local_progress.sh - the progress line (SPEC section 7): shown on stderr
# while tracking and downloading when stderr is a terminal, never when it
# is a file or a pipe, and never mixed into stdout's results.
. "$(dirname "$0")/lib.sh"

command -v script >/dev/null 2>&1 || skip_all "script (util-linux) is needed for a terminal"

mkdir -p data/a data/b
for i in $(seq 1 300); do printf '%s\n' "$i" >"data/a/f$i"; done
printf 'b\n' >data/b/g

R="$(new_run)"
# Under `script` the command runs on a pseudo-terminal: its stderr is a tty.
script -qec "\"$NEREID_BIN\" track $R:tty data 2>&1 >/dev/null" /dev/null >"$T/tty.txt" </dev/null
expect_contains "hashing" "$(tr '\r' '\n' <"$T/tty.txt")" "a terminal shows the hashing progress"
expect_match "hashing [0-9]+/301" "$(tr '\r' '\n' <"$T/tty.txt")" "the progress counts files of the total"

script -qec "\"$NEREID_BIN\" download $R:tty --destination out 2>&1 >/dev/null" /dev/null \
	>"$T/tty-dl.txt" </dev/null
expect_contains "downloading" "$(tr '\r' '\n' <"$T/tty-dl.txt")" "a terminal shows the download progress"
expect_eq 301 "$(find out -type l | wc -l)" "the download under a terminal still made every link"

# Not a terminal: nothing but results.
expect_exit 0 nereid track "$R:file" data
expect_eq "" "$ERR" "no progress when stderr is not a terminal"
expect_match "^$R file [0-9a-f]{64}$" "$OUT" "stdout holds only the result line"
expect_eq "$(hash_of "$R:tty")" "$(hash_of "$R:file")" "the same hash with and without a terminal"

e2e_done
