# s3_download_interrupt.sh - an S3 download stopped mid-GET leaves no
# temporary file: SIGTERM and SIGINT remove it (the command dies of the
# signal), and after SIGKILL the next download removes the stale one.
set -u
. "$(dirname "$0")/s3lib.sh"
s3_start

control() {
	curl -sS -f "$S3_ENDPOINT_URL/__control/$1" >/dev/null || fail "control $1"
}

temporaries() {
	find "$1" -maxdepth 1 -name '.*.nereid-*' 2>/dev/null
}

s3_mb bkt
s3_put_text bkt "d/obj.bin" "the object's content"
run=$(new_run)
expect 0 track "$run:f" s3://bkt/d

# start_stalled DEST: a download whose GET stalls (headers, then silence),
# in the background as $pid, once its temporary file exists.
start_stalled() {
	control "stall?count=1"
	set -m # job control: a background job then does not ignore SIGINT
	"$NEREID_BIN" download "$run:f" --destination "$1" >"$WORK/bg.out" 2>"$WORK/bg.err" &
	pid=$!
	set +m
	for _ in $(seq 500); do
		[ -n "$(temporaries "$1")" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	kill -KILL "$pid" 2>/dev/null
	fail "no temporary file appeared in $1 during the stalled GET"
}

for sig in TERM INT; do
	start_stalled "$WORK/out_$sig"
	kill -"$sig" "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" = $((128 + $(kill -l $sig))) ] || fail "SIG$sig: exit $rc, not death by the signal"
	[ -z "$(temporaries "$WORK/out_$sig")" ] || fail "SIG$sig left a temporary file"
	[ -e "$WORK/out_$sig/obj.bin" ] && fail "SIG$sig left something at the target"
done

start_stalled "$WORK/out_KILL"
kill -KILL "$pid"
wait "$pid" 2>/dev/null
[ -n "$(temporaries "$WORK/out_KILL")" ] || fail "SIGKILL should leave the temporary file"
control "stall?count=0"
expect 0 download "$run:f" --destination "$WORK/out_KILL"
[ -z "$(temporaries "$WORK/out_KILL")" ] || fail "the rerun kept the stale temporary file"
[ "$(cat "$WORK/out_KILL/obj.bin")" = "the object's content" ] || fail "the rerun did not download"

echo "s3_download_interrupt: 1 passed, 0 failed"
