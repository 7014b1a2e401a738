#!/usr/bin/env bash
# local_md5mb_copy.sh - download --copy verifies copies in the lanes of the
# multi-buffer MD5 with each implementation forced (NEREID_MD5=scalar,
# avx2, avx512): many files of every kind of length are copied identical
# (content, permission bits, times); a corrupted source, one that grew and
# one that is missing are each named, fail the download (exit 5 for a
# content that is not the recorded one) and leave neither a target nor a
# temporary file, while every other file is copied. An implementation
# this CPU cannot run is skipped with a message.
. "$(dirname "$0")/lib.sh"

mkdir -p src/small src/deep/er src/big
python3 - <<'PY'
import os, random
rng = random.Random(143)
for n in range(0, 300, 3):
    open("src/small/s%03d" % n, "wb").write(rng.randbytes(n))
for i in range(60):
    open("src/deep/er/k%02d" % i, "wb").write(rng.randbytes(rng.randint(1024, 70000)))
for i in range(3):
    open("src/big/m%d" % i, "wb").write(rng.randbytes((1 << 20) + 13 * i))
PY
chmod 640 src/deep/er/k07
touch -d '2003-04-05 06:07:08' src/deep/er/k07
COUNT="$(find src -type f | wc -l)"

impls="scalar"
if grep -qw avx2 /proc/cpuinfo; then impls="$impls avx2"; else echo "avx2 skipped: this CPU has no AVX2" >&2; fi
if grep -qw avx512f /proc/cpuinfo && grep -qw avx512vl /proc/cpuinfo; then impls="$impls avx512"; else echo "avx512 skipped: this CPU has no AVX-512 F and VL" >&2; fi

# No temporary file of Nereid's anywhere below $1.
no_temp() {
	test "$(find "$1" -name '.*.nereid-*' | wc -l)" = 0
}

for impl in $impls; do
	export NEREID_HOME="$T/home-$impl"
	export NEREID_MD5="$impl"
	rm -rf "data-$impl"
	cp -rp src "data-$impl"
	R="$(new_run)"
	track_ok "$R:f" "data-$impl"

	# Every file copied, identical, as a file (not a link).
	expect_exit 0 nereid download "$R:f" --destination "out-$impl" --copy
	expect_true "NEREID_MD5=$impl: every copy is identical to its source" \
		diff -r "data-$impl" "out-$impl"
	expect_eq "$COUNT" "$(find "out-$impl" -type f | wc -l)" \
		"NEREID_MD5=$impl: $COUNT files copied as files"
	expect_eq "0" "$(find "out-$impl" -type l | wc -l)" "NEREID_MD5=$impl: no links"
	expect_eq "640 $(stat -c %Y "data-$impl/deep/er/k07")" \
		"$(stat -c '%a %Y' "out-$impl/deep/er/k07")" \
		"NEREID_MD5=$impl: permission bits and times kept"
	expect_true "NEREID_MD5=$impl: no temporary file left" no_temp "out-$impl"
	# Again: every target holds its content already, nothing changes.
	expect_exit 0 nereid download "$R:f" --destination "out-$impl" --copy
	expect_true "NEREID_MD5=$impl: a second download keeps the copies" \
		diff -r "data-$impl" "out-$impl"

	# One byte changed in a large source and in a small one (sizes and
	# times kept): both named, exit 5, no target and no temporary for
	# them, every other file copied.
	printf 'X' | dd of="data-$impl/big/m1" bs=1 seek=700000 conv=notrunc status=none
	printf 'Y' | dd of="data-$impl/deep/er/k31" bs=1 seek=100 conv=notrunc status=none
	expect_error_lines 5 nereid download "$R:f" --destination "bad-$impl" --copy
	expect_contains "big/m1: $W/data-$impl/big/m1 does not match its recorded hash" "$ERR" \
		"NEREID_MD5=$impl: the corrupted large source is named"
	expect_contains "deep/er/k31: " "$ERR" "NEREID_MD5=$impl: the corrupted small source is named"
	expect_eq 3 "$(printf '%s\n' "$ERR" | wc -l)" "NEREID_MD5=$impl: one line for each, and the summary"
	expect_true "NEREID_MD5=$impl: no target for a corrupted source" \
		test ! -e "bad-$impl/big/m1" -a ! -e "bad-$impl/deep/er/k31"
	expect_eq "$((COUNT - 2))" "$(find "bad-$impl" -type f | wc -l)" \
		"NEREID_MD5=$impl: every other file copied"
	expect_true "NEREID_MD5=$impl: no temporary file after a failed check" no_temp "bad-$impl"

	# A source that grew: refused before more than its size is written.
	printf 'more' >>"data-$impl/small/s150"
	rm "data-$impl/small/s003"
	expect_error_lines 5 nereid download "$R:f" --destination "grew-$impl" --copy
	expect_contains "small/s150: source $W/data-$impl/small/s150 holds more than its recorded 150 bytes" \
		"$ERR" "NEREID_MD5=$impl: the grown source is named"
	expect_contains "small/s003: source $W/data-$impl/small/s003: No such file or directory" \
		"$ERR" "NEREID_MD5=$impl: the missing source is named"
	expect_true "NEREID_MD5=$impl: no target for a grown or missing source" \
		test ! -e "grew-$impl/small/s150" -a ! -e "grew-$impl/small/s003"
	expect_true "NEREID_MD5=$impl: no temporary file after a grown source" no_temp "grew-$impl"

	# A target holding other content is named and left as it is without
	# --force (exit 1); the targets holding the recorded content stay.
	cp -p src/small/s003 src/small/s150 "data-$impl/small/"
	# One of the recorded size (hashed to be told apart), one not.
	printf 'mine!!' >"out-$impl/small/s006"
	printf 'mine' >"out-$impl/deep/er/k08"
	for mode in --copy ""; do
		# shellcheck disable=SC2086 # mode is one option or none
		expect_error_lines 1 nereid download "$R:f" --destination "out-$impl" $mode
		expect_contains "small/s006: the target exists with other content" "$ERR" \
			"NEREID_MD5=$impl $mode: the changed target of the same size is named"
		expect_contains "deep/er/k08: the target exists with other content" "$ERR" \
			"NEREID_MD5=$impl $mode: the changed target of another size is named"
		expect_eq 3 "$(printf '%s\n' "$ERR" | wc -l)" "NEREID_MD5=$impl $mode: nothing else but the summary"
		expect_eq "mine!!" "$(cat "out-$impl/small/s006")" \
			"NEREID_MD5=$impl $mode: the changed target is kept"
		expect_true "NEREID_MD5=$impl $mode: the copies are not turned into links" \
			test ! -L "out-$impl/big/m1"
	done
	expect_true "NEREID_MD5=$impl: the earlier good copy is kept" \
		cmp -s "src/big/m1" "out-$impl/big/m1"
done
unset NEREID_MD5

e2e_done
