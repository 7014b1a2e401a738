#!/usr/bin/env bash
# local_md5mb_status.sh - status of a field without remembered folders
# (assigned from a hash) re-hashes its records' local sources in batches,
# side by side in the SIMD lanes: with every MD5 implementation and no
# hash cache to answer, the same answer as md5sum would give. Files of
# every size, changed with the same size, changed in size, removed, become
# a folder, a FIFO or a link to a device: each reported once under its own
# file_path; nothing else reported, and the hash cache then answers alike.
# An implementation this CPU cannot run is skipped with a message.
. "$(dirname "$0")/lib.sh"

mkdir -p d/small d/mid d/big
python3 - <<'PY'
import os, random
rng = random.Random(1414)
for n in range(200):
    open("d/small/s%03d" % n, "wb").write(rng.randbytes(n * 37 % 9000))
for i in range(30):
    open("d/mid/m%02d" % i, "wb").write(rng.randbytes(rng.randint(60000, 300000)))
open("d/big/huge", "wb").write(rng.randbytes((3 << 20) + 5))
PY
R="$(new_run)"
track_ok "$R:f" d
H="$(hash_of "$R:f")"
R2="$(new_run)"
expect_exit 0 nereid assign "$R2:g" "$H"

impls="scalar"
if grep -qw avx2 /proc/cpuinfo; then impls="$impls avx2"; else echo "avx2 skipped: this CPU has no AVX2" >&2; fi
if grep -qw avx512f /proc/cpuinfo && grep -qw avx512vl /proc/cpuinfo; then impls="$impls avx512"; else echo "avx512 skipped: this CPU has no AVX-512 F and VL" >&2; fi

# status_each WHAT CODE WANT: with each implementation and no hash cache
# (every file read), status exits CODE and prints WANT; then once more
# with the cache just written.
status_each() {
	local impl
	for impl in $impls; do
		rm -f "$NEREID_HOME"/hashcache.db*
		NEREID_MD5="$impl" expect_exit "$2" nereid status "$R2:g"
		expect_eq "$3" "$OUT" "$1, NEREID_MD5=$impl"
		expect_eq "" "$ERR" "$1, NEREID_MD5=$impl: nothing on stderr"
	done
	expect_exit "$2" nereid status "$R2:g"
	expect_eq "$3" "$OUT" "$1, from the hash cache"
}

status_each "nothing changed" 0 ""

# Same sizes, other bytes: only the digests tell.
printf 'X' | dd of=d/small/s150 bs=1 seek=17 conv=notrunc status=none
printf 'Y' | dd of=d/mid/m07 bs=1 seek=50000 conv=notrunc status=none
printf 'Z' | dd of=d/big/huge bs=1 seek=3000000 conv=notrunc status=none
printf 'longer now' >>d/small/s003
rm d/small/s010 d/mid/m20
rm d/small/s011 && mkdir d/small/s011 && echo inner >d/small/s011/inner
rm d/small/s012 && mkfifo d/small/s012
rm d/small/s013 && ln -s /dev/zero d/small/s013
WANT="changed big/huge
changed mid/m07
removed mid/m20
changed small/s003
removed small/s010
removed small/s011
removed small/s012
removed small/s013
changed small/s150"
status_each "changes" 1 "$WANT"
expect_exit 1 nereid status "$R2:g" --json
expect_eq '{"added":[],"removed":["mid/m20","small/s010","small/s011","small/s012","small/s013"],"changed":["big/huge","mid/m07","small/s003","small/s150"]}' \
	"$OUT" "the same in JSON"

# The field itself is left as it was.
expect_eq "$H" "$(hash_of "$R2:g")" "status changes nothing in the store"

# A source that cannot be checked (a file name that is not UTF-8, among
# good ones) fails the batch: the records are then checked one by one, so
# the error names that file, with every implementation.
python3 -c 'open(b"d/bad\xffname", "w").write("b")'
B_MD5="$(md5_of d/small/s001)"
rec() { # rec FILE_PATH SOURCE_NAME
	printf '{"file_path":"%s","file_hash":"%s","type":"Local","size":37,"metadata":{"file_path":"file://%s/d/%s","last_modified":"2026-01-01 00:00:00"}}' \
		"$1" "$B_MD5" "$PWD" "$2"
}
printf '[%s,%s,%s]' "$(rec a small/s001)" "$(rec b 'bad%FFname')" "$(rec c small/s001)" >bad.json
R3="$(new_run)"
expect_exit 0 nereid import "$R3:h" bad.json
for impl in $impls; do
	rm -f "$NEREID_HOME"/hashcache.db*
	NEREID_MD5="$impl" expect_error 6 nereid status "$R3:h"
	expect_contains "d/bad\\\\xFFname: file name is not valid UTF-8" "$ERR" \
		"NEREID_MD5=$impl: the error names the file"
	expect_eq "" "$OUT" "NEREID_MD5=$impl: no partial answer"
done

e2e_done
