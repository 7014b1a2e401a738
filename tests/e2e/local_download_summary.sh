#!/usr/bin/env bash
# local_download_summary.sh - a download where some files fail (SPEC
# section 5): one line per failed file, then one summary line
# "nereid: RUN:FIELD: N of M files could not be downloaded", the other files
# downloaded, and one exit code that does not depend on how the workers
# were scheduled: the code of the failed file whose path sorts first. A
# download of a single file has no summary (its own line says it all); a
# download without failure prints nothing.
. "$(dirname "$0")/lib.sh"

mkdir -p src/sub
printf 'alpha\n' >src/a
printf 'beta\n' >src/sub/b
printf 'gamma\n' >src/z
# A large file that sorts first: with --copy its corruption is found only
# once it is hashed to its end, long after a missing file sorting later
# has failed on the other worker.
python3 -c 'import os; open("src/big", "wb").write(os.urandom(24 << 20))'
R="$(new_run)"
track_ok "$R:f" src

# --- nothing fails: no summary -------------------------------------------------
expect_exit 0 nereid download "$R:f" --destination ok --copy
expect_eq "" "$ERR" "a complete download prints nothing on stderr"

# --- two of five fail: a line each, then the summary, exit 3 -------------------
rm src/sub/b src/z
expect_error_lines 3 nereid download "$R:f" --destination part
expect_eq 3 "$(printf '%s\n' "$ERR" | wc -l)" "one line per failed file and one summary"
expect_contains "sub/b: " "$ERR" "the first missing file is named"
expect_contains "z: " "$ERR" "the second missing file is named"
expect_eq "nereid: $R:f: 2 of 4 files could not be downloaded" "$(printf '%s\n' "$ERR" | tail -n 1)" \
	"the last line counts the failed files"
expect_true "the other files are downloaded" test -L part/a -a -L part/big
expect_true "no target for a missing source" test ! -e part/sub/b -a ! -e part/z

# --- every file fails: still a summary -----------------------------------------
mv src src.away
expect_exit 3 nereid download "$R:f" --destination none
expect_eq "nereid: $R:f: 4 of 4 files could not be downloaded" "$(printf '%s\n' "$ERR" | tail -n 1)" \
	"all failed: the summary says so"
mv src.away src

# --- the exit code is the failure of the path that sorts first -----------------
# "big" (corrupted: 5) sorts before "sub/b" and "z" (missing: 3), and fails
# last; the code must not depend on which failure happened first. Run
# several times so that a code taken from the first failure in time shows.
printf 'X' | dd of=src/big bs=1 seek=$((20 << 20)) conv=notrunc status=none
for i in 1 2 3; do
	expect_error_lines 5 nereid download "$R:f" --destination "order$i" --copy --workers 2
	expect_contains "big: " "$ERR" "round $i: the corrupted file is named"
	expect_eq "nereid: $R:f: 3 of 4 files could not be downloaded" \
		"$(printf '%s\n' "$ERR" | tail -n 1)" "round $i: the summary ends the output"
	expect_true "round $i: the good file is copied" cmp -s src/a "order$i/a"
done
for md5 in scalar avx2; do
	if [ "$md5" = avx2 ] && ! grep -qw avx2 /proc/cpuinfo; then
		continue
	fi
	NEREID_MD5=$md5 expect_error_lines 5 nereid download "$R:f" --destination "md5-$md5" --copy
	expect_contains "big: " "$ERR" "NEREID_MD5=$md5: the corrupted file is named"
done

# --- a single file: its own line, no summary -------------------------------------
mkdir one
printf 'solo\n' >one/only
track_ok "$R:one" one
rm one/only
expect_error 3 nereid download "$R:one" --destination single
expect_match '^nereid: only: ' "$ERR" "the one missing file is named"

# --- a failure that is no file's: one line, not a summary ------------------------
expect_error 3 nereid download "$R:no/such" --destination nothing
expect_not_contains "could not be downloaded" "$ERR" "an unknown field is no per-file failure"

e2e_done
