#!/usr/bin/env bash
# local_download_copy_bound.sh - `download --copy` never writes more than
# the recorded size: a source that grew since it was tracked (or was
# replaced by a larger file) fails with exit 5 as soon as it passes the
# size, naming the file, and leaves nothing at the target.
. "$(dirname "$0")/lib.sh"

mkdir grew
printf 'ten bytes\n' >grew/f.bin
printf 'same\n' >grew/ok.txt
R="$(new_run)"
track_ok "$R:g" grew
# Replaced by 64 MiB: the copy must stop after the first block past 10 bytes.
head -c $((64 * 1024 * 1024)) /dev/zero >grew/f.bin
mkdir out
expect_error_lines 5 nereid download "$R:g" --destination out --copy
expect_contains "f.bin" "$ERR" "the error names the file"
expect_contains "holds more than its recorded 10 bytes" "$ERR" "the error says the source outgrew its record"
expect_true "nothing at the target" test ! -e out/f.bin
expect_eq "" "$(find out -name '.*nereid-*')" "no temporary file is left"
expect_eq "same" "$(cat out/ok.txt)" "the other file is still copied"
e2e_done
