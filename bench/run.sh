#!/usr/bin/env bash
# Entry point of the performance benchmark (`make bench`, see bench/README.md).
#
#   bash bench/run.sh [NEREID_BINARY] [--quick] [--cases A,B,C] [--runs N]
#                     [--markdown FILE] [--workdir DIR] [--workers N] [--library SO]
#
# The binary defaults to build/nereid. Extra options can also come from the
# environment variable NEREID_BENCH_ARGS (e.g. `make bench NEREID_BENCH_ARGS=--quick`).
# The work is done by bench/bench.py (python3, standard library only); case A
# also times the Python binding (bench/py_op.py) with the libnereid.so next to
# the binary.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=build/nereid
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
        bin=$1
        shift
fi

if ! command -v python3 >/dev/null 2>&1; then
        echo "bench: python3 is needed to run the benchmark" >&2
        exit 1
fi
if [ ! -x "$bin" ]; then
        echo "bench: $bin: not an executable nereid binary (build it first: make build)" >&2
        exit 1
fi

# shellcheck disable=SC2086 # NEREID_BENCH_ARGS is a list of options
exec python3 "$here/bench.py" --nereid "$bin" ${NEREID_BENCH_ARGS:-} "$@"
