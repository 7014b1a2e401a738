#!/usr/bin/env bash
# run_pytest.sh - runs the pytest tests of the Python package (tests/python/
# test_*.py) against the built library: NEREID_LIBRARY (set by CMake) is
# the libnereid.so to load, NEREID_SOURCE_DIR the source tree. A library
# built with AddressSanitizer gets its runtime preloaded (preload.sh). The
# python3 used is the first with pytest: python3 on PATH, else Debian's
# /usr/bin/python3 (python3-pytest); none is a failure. pytest's own exit
# codes pass through (5, no test collected, is a failure too).
set -u
NEREID_SOURCE_DIR="${NEREID_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
. "$NEREID_SOURCE_DIR/tests/python/preload.sh"
PY=
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null && "$p" -c 'import pytest' 2>/dev/null; then
		PY="$p"
		break
	fi
done
if [ -z "$PY" ]; then
	echo "no python3 with pytest: 'make deps' (or apt-get install python3-pytest)" >&2
	exit 1
fi
export PYTHONPATH="$NEREID_SOURCE_DIR/python${PYTHONPATH:+:$PYTHONPATH}"
cd "$NEREID_SOURCE_DIR" || exit 1
exec env "${PY_ENV[@]}" "$PY" -m pytest -q -p no:cacheprovider tests/python
