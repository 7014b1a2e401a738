#!/usr/bin/env bash
# local_md5mb.sh - every MD5 implementation (NEREID_MD5=scalar, avx2,
# avx512) records the digests md5sum gives, over a folder where files of
# every small length, medium and large files end at different times in
# the lanes; status sees a change with each; a bad NEREID_MD5 value and a
# file that cannot be read or grows fail naming what failed, recording
# nothing. An implementation this CPU cannot run is skipped with a message.
. "$(dirname "$0")/lib.sh"

# The folder: 0..300 bytes, a few KiB files, 1 MiB files and one of 9 MiB.
mkdir -p mix/small mix/deep/er mix/big
python3 - <<'PY'
import os, random
rng = random.Random(14)
for n in range(301):
    open("mix/small/s%03d" % n, "wb").write(rng.randbytes(n))
for i in range(40):
    open("mix/deep/er/k%02d" % i, "wb").write(rng.randbytes(rng.randint(1024, 8192)))
for i in range(3):
    open("mix/big/m%d" % i, "wb").write(rng.randbytes((1 << 20) + 7 * i))
open("mix/big/huge", "wb").write(rng.randbytes(9 << 20))
PY
WANT="$(cd mix && find . -type f -printf '%P\n' | sort | while read -r f; do
	printf '%s %s\n' "$f" "$(md5_of "$f")"
done)"

impls="scalar"
if grep -qw avx2 /proc/cpuinfo; then impls="$impls avx2"; else echo "avx2 skipped: this CPU has no AVX2" >&2; fi
if grep -qw avx512f /proc/cpuinfo && grep -qw avx512vl /proc/cpuinfo; then impls="$impls avx512"; else echo "avx512 skipped: this CPU has no AVX-512 F and VL" >&2; fi

FIRST=""
for impl in $impls; do
	# A fresh store and hash cache each time: every file is hashed.
	export NEREID_HOME="$T/home-$impl"
	export NEREID_MD5="$impl"
	R="$(new_run)"
	track_ok "$R:mix" mix
	GOT="$(ls_json "$R:mix" | py 'import json,sys
for r in sorted(json.load(sys.stdin), key=lambda r: r["file_path"]):
    print(r["file_path"], r["file_hash"])')"
	expect_eq "$WANT" "$GOT" "NEREID_MD5=$impl: every file's MD5 is md5sum's"
	if [ -z "$FIRST" ]; then FIRST="$TRACKED_HASH"; fi
	expect_eq "$FIRST" "$TRACKED_HASH" "NEREID_MD5=$impl: the same artifact hash"

	# status hashes the folder again: one byte changed in the large file.
	expect_exit 0 nereid status "$R:mix"
	cp -p mix/big/huge "$T/huge.bak"
	printf 'X' | dd of=mix/big/huge bs=1 seek=5000000 conv=notrunc status=none
	touch -d '2001-01-01' mix/big/huge
	expect_exit 1 nereid status "$R:mix"
	expect_eq "changed big/huge" "$OUT" "NEREID_MD5=$impl: status sees the changed byte"
	cp -p "$T/huge.bak" mix/big/huge
done
unset NEREID_MD5
export NEREID_HOME="$T/home"

# A value that is no implementation: refused, naming the variable.
R="$(new_run)"
expect_error 1 env NEREID_MD5=avx1024 "$NEREID_BIN" track "$R:x" mix
expect_contains "NEREID_MD5=avx1024" "$ERR" "the error names the variable and value"
expect_error 3 nereid hash "$R:x"

for impl in $impls; do
	export NEREID_MD5="$impl"
	# A file whose size lies (/proc files say 0 bytes): the track fails
	# naming it, whatever lane it is in, and records nothing.
	if [ -r /proc/self/status ] && [ "$(stat -L -c %s /proc/self/status)" = 0 ]; then
		mkdir -p "lies-$impl"
		cp mix/small/s1* "lies-$impl/"
		ln -s /proc/self/status "lies-$impl/status"
		expect_error 1 nereid track "$R:lies" "lies-$impl"
		expect_contains "status: holds more than its size of 0 bytes" "$ERR" \
			"NEREID_MD5=$impl: the error names the file"
		expect_error 3 nereid hash "$R:lies"
	fi
	# A file that cannot be read (a folder's permissions hold for root
	# too only through a FIFO swap; an unreadable file only for others).
	if [ "$(id -u)" != 0 ]; then
		mkdir -p "locked-$impl"
		cp mix/small/s00* "locked-$impl/"
		chmod 000 "locked-$impl/s005"
		expect_error 1 nereid track "$R:locked" "locked-$impl"
		expect_contains "s005" "$ERR" "NEREID_MD5=$impl: the error names the unreadable file"
		chmod 644 "locked-$impl/s005"
	fi
done
unset NEREID_MD5

e2e_done
