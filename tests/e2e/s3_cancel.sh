#!/usr/bin/env bash
# s3_cancel.sh - a program stops an S3 download from its progress callback
# (what Ctrl-C does in a binding): the GET in flight is abandoned at once,
# not at its deadline, the download fails with NEREID_ECANCELLED and leaves
# nothing at the target. Drives libnereid through ctypes with options only
# (credentials and endpoint in nereid_options, no AWS_* variable), against
# the fake endpoint trickling one byte every half second.
. "$(dirname "$0")/s3lib.sh"
. "$NEREID_SOURCE_DIR/tests/python/preload.sh"

GET_PORT=$(s3_start_fake --hostile)
GET="http://127.0.0.1:$GET_PORT"
md5_of() { printf '%s' "$1" | md5sum | cut -d' ' -f1; }
X200=$(printf 'x%.0s' $(seq 200))
printf '[{"file_path":"slow","file_hash":"%s","type":"S3","size":200,"metadata":{"file_path":"s3://any/slow","last_modified":"2021-05-23 03:55:26"}}]' \
	"$(md5_of "$X200")" >"$WORK/slow.json"
run=$(new_run)
expect 0 import "$run:slow" "$WORK/slow.json"
curl -sS -f "$GET/__control/hostile?mode=get&announce=200&send=200&delay=0.5" -o /dev/null ||
	fail "cannot set the endpoint up"

cat >"$WORK/cancel.py" <<'PY'
import ctypes, os, sys, time
run_id, store, endpoint, dest = sys.argv[1:5]
for name in list(os.environ):
    if name.startswith(("NEREID_", "NEPTUNE_", "AWS_", "S3_")) and name != "NEREID_LIBRARY":
        del os.environ[name]
PROGRESS = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.c_uint64,
                            ctypes.c_uint64, ctypes.c_void_p)
class Options(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint), ("project", ctypes.c_char_p),
                ("store", ctypes.c_char_p), ("api_token", ctypes.c_char_p),
                ("mode", ctypes.c_int), ("workers", ctypes.c_uint),
                ("owner", ctypes.c_char_p), ("home", ctypes.c_char_p),
                ("cache", ctypes.c_char_p), ("s3_access_key_id", ctypes.c_char_p),
                ("s3_secret_access_key", ctypes.c_char_p),
                ("s3_session_token", ctypes.c_char_p), ("s3_region", ctypes.c_char_p),
                ("s3_endpoint", ctypes.c_char_p), ("notify", ctypes.c_void_p),
                ("progress", PROGRESS), ("payload", ctypes.c_void_p),
                ("internal", ctypes.c_void_p)]
lib = ctypes.CDLL(os.environ["NEREID_LIBRARY"])
lib.nereid_error_last.restype = ctypes.c_char_p
start = time.monotonic()
# Stop once the GET has been going for a second.
progress = PROGRESS(lambda stage, done, total, p: int(time.monotonic() - start > 1.0))
opts = Options()
assert lib.nereid_options_init(ctypes.byref(opts), 1) == 0
opts.store = store.encode()
opts.s3_access_key_id = b"KEY"
opts.s3_secret_access_key = b"SECRET"
opts.s3_endpoint = endpoint.encode()
opts.workers = 2
opts.progress = progress
assert lib.nereid_init() == 1
project, run = ctypes.c_void_p(), ctypes.c_void_p()
assert lib.nereid_project_open(ctypes.byref(project), None, ctypes.byref(opts)) == 0
assert lib.nereid_run_open(ctypes.byref(run), project, run_id.encode(), None) == 0
start = time.monotonic()
rc = lib.nereid_run_download(run, b"slow", dest.encode(), 0)
elapsed = time.monotonic() - start
print(rc, "%.1f" % elapsed, lib.nereid_error_last().decode())
lib.nereid_run_free(run)
lib.nereid_project_free(project)
lib.nereid_shutdown()
PY

mkdir -p "$WORK/dest"
out=$(env "${PY_ENV[@]}" timeout 120 python3 "$WORK/cancel.py" "$run" "$NEREID_HOME" "$GET" \
	"$WORK/dest" 2>"$WORK/stderr") || fail "the ctypes script failed: $out"
read -r rc elapsed message <<<"$out"
[ "$rc" = -8 ] || fail "download: rc $rc, want -8 (NEREID_ECANCELLED): $message"
case "$message" in
*"$run:slow: download cancelled"*) ;;
*) fail "message: $message" ;;
esac
# Stopped within seconds, where the trickle would last 100 s and the
# deadline is 30 s.
[ "${elapsed%.*}" -lt 10 ] || fail "cancelled after ${elapsed}s"
[ -z "$(find "$WORK/dest" -mindepth 1)" ] || fail "left in the target: $(find "$WORK/dest" -mindepth 1)"
echo "s3_cancel: ok (${elapsed}s)"
