#!/usr/bin/env bash
# download_copy.sh - time `download --copy` of many files with each MD5
# implementation in one run (NEREID_MD5=scalar against auto, alternating,
# the median of every one reported with their ratio). Not part of the
# test suite and asserts no time.
#
#   bash bench/download_copy.sh [NEREID_BINARY] [FILES] [KIB] [RUNS]
#
# Defaults: build/nereid, 10000 files of 100 KiB, 5 runs. The dataset, the
# store and the copies are made in a new folder in $TMPDIR (default /tmp)
# and removed at the end; each copy is removed before the next run, so the
# sources are read from the page cache and the copies written anew.
set -euo pipefail

bin=$(realpath "${1:-build/nereid}")
files=${2:-10000}
kib=${3:-100}
runs=${4:-5}
[ -x "$bin" ] || { echo "download_copy: $bin: not an executable nereid binary" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/nereid-bench-copy.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export NEREID_HOME="$work/home"
python3 - "$files" "$kib" <<'PY'
import os, sys
files, kib = int(sys.argv[1]), int(sys.argv[2])
for i in range(files):
    d = "data/%03d" % (i // 1000)
    os.makedirs(d, exist_ok=True)
    with open("%s/f%05d" % (d, i), "wb") as f:
        f.write(os.urandom(kib * 1024))
PY
run=$("$bin" run new)
"$bin" track "$run:c" data >/dev/null

time_one() { # impl -> seconds
	rm -rf out
	sync
	local t0 t1
	t0=$(date +%s.%N)
	NEREID_MD5=$1 "$bin" download "$run:c" --destination out --copy >/dev/null
	t1=$(date +%s.%N)
	python3 -c "print('%.3f' % ($t1 - $t0))"
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

scalar=() auto=()
for _ in $(seq "$runs"); do
	scalar+=("$(time_one scalar)")
	auto+=("$(time_one auto)")
done
s=$(median "${scalar[@]}")
a=$(median "${auto[@]}")
echo "download --copy of $files x $kib KiB, $runs runs, $(nproc) CPUs"
echo "scalar: ${s}s (runs: ${scalar[*]})"
echo "auto:   ${a}s (runs: ${auto[*]})"
python3 -c "print('auto / scalar: %.2f' % ($a / $s))"
