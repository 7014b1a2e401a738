#!/usr/bin/env bash
# local_python_two_stores.sh - runs tests/python/two_stores.py, which
# drives libnereid through Python's ctypes with no environment variable
# set: two projects on two stores in one process, tracked at once. Needs
# NEREID_LIBRARY (the built libnereid.so, set by CMake); a library built
# with AddressSanitizer gets its runtime preloaded into python3.
. "$(dirname "$0")/lib.sh"

if [ -z "${NEREID_LIBRARY:-}" ] || [ ! -f "$NEREID_LIBRARY" ]; then
	echo "NEREID_LIBRARY is not set to the built libnereid.so" >&2
	exit 77
fi
PRELOAD=""
if nm -D --undefined-only "$NEREID_LIBRARY" 2>/dev/null | grep -q ' __asan_init'; then
	# gcc links libasan.so (ldd names it); clang leaves the runtime to the program.
	PRELOAD="$(ldd "$NEREID_LIBRARY" | awk '/libasan\.so/ { print $3; exit }')"
	if [ -z "$PRELOAD" ] && command -v clang >/dev/null; then
		PRELOAD="$(clang -print-file-name="libclang_rt.asan-$(uname -m).so")"
	fi
	if [ -z "$PRELOAD" ] || [ ! -f "$PRELOAD" ]; then
		echo "the library is built with AddressSanitizer and its runtime is not found" >&2
		exit 77
	fi
fi

mkdir "$T/py"
# Python itself leaks by design: only errors of the library count.
expect_exit 0 env ${PRELOAD:+LD_PRELOAD="$PRELOAD"} ASAN_OPTIONS=detect_leaks=0 \
	python3 "$NEREID_SOURCE_DIR/tests/python/two_stores.py" "$T/py"
[ "$RC" = 0 ] || printf '%s\n' "$ERR" >&2
expect_contains "two_stores: 0 failure(s)" "$OUT" "every check of two_stores.py"

# Misuse is reported, not crashed on: a project opened before nereid_init().
expect_exit 0 env ${PRELOAD:+LD_PRELOAD="$PRELOAD"} ASAN_OPTIONS=detect_leaks=0 python3 -c '
import ctypes, os, sys
lib = ctypes.CDLL(os.environ["NEREID_LIBRARY"])
lib.nereid_error_last.restype = ctypes.c_char_p
p = ctypes.c_void_p()
rc = lib.nereid_project_open(ctypes.byref(p), None, None)
print(rc, lib.nereid_error_last().decode())
'
expect_eq "-1 libnereid: nereid_init() has not been called" "$OUT" "open before nereid_init"

e2e_done
