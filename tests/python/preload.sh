# preload.sh - sourced by the end-to-end tests that load libnereid into
# python3 through ctypes. Sets PY_ENV to the env(1) arguments python3
# needs: when the library is built with AddressSanitizer, its runtime
# preloaded (gcc links libasan.so, which ldd names; clang leaves the
# runtime to the program) and leak detection off (Python itself leaks by
# design). Exits 77 (skipped) when NEREID_LIBRARY is missing or the
# runtime cannot be found. Not a test.
if [ -z "${NEREID_LIBRARY:-}" ] || [ ! -f "$NEREID_LIBRARY" ]; then
	echo "NEREID_LIBRARY is not set to the built libnereid.so" >&2
	exit 77
fi
PY_ENV=()
if nm -D --undefined-only "$NEREID_LIBRARY" 2>/dev/null | grep -q ' __asan_init'; then
	PY_PRELOAD="$(ldd "$NEREID_LIBRARY" | awk '/libasan\.so/ { print $3; exit }')"
	if [ -z "$PY_PRELOAD" ] && command -v clang >/dev/null; then
		PY_PRELOAD="$(clang -print-file-name="libclang_rt.asan-$(uname -m).so")"
	fi
	if [ -z "$PY_PRELOAD" ] || [ ! -f "$PY_PRELOAD" ]; then
		echo "the library is built with AddressSanitizer and its runtime is not found" >&2
		exit 77
	fi
	PY_ENV=(LD_PRELOAD="$PY_PRELOAD" ASAN_OPTIONS=detect_leaks=0)
fi
