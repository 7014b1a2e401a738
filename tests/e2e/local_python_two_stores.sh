#!/usr/bin/env bash
# local_python_two_stores.sh - runs tests/python/two_stores.py, which
# drives libnereid through Python's ctypes with no environment variable
# set: two projects on two stores in one process, tracked at once. Needs
# NEREID_LIBRARY (the built libnereid.so, set by CMake); a library built
# with AddressSanitizer gets its runtime preloaded (tests/python/preload.sh).
. "$(dirname "$0")/lib.sh"

. "$NEREID_SOURCE_DIR/tests/python/preload.sh"

mkdir "$T/py"
expect_exit 0 env "${PY_ENV[@]}" python3 "$NEREID_SOURCE_DIR/tests/python/two_stores.py" "$T/py"
[ "$RC" = 0 ] || printf '%s\n' "$ERR" >&2
expect_contains "two_stores: 0 failure(s)" "$OUT" "every check of two_stores.py"

# Misuse is reported, not crashed on: a project opened before nereid_init().
expect_exit 0 env "${PY_ENV[@]}" python3 -c '
import ctypes, os, sys
lib = ctypes.CDLL(os.environ["NEREID_LIBRARY"])
lib.nereid_error_last.restype = ctypes.c_char_p
p = ctypes.c_void_p()
rc = lib.nereid_project_open(ctypes.byref(p), None, None)
print(rc, lib.nereid_error_last().decode())
'
expect_eq "-1 libnereid: nereid_init() has not been called" "$OUT" "open before nereid_init"

e2e_done
