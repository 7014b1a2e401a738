#!/usr/bin/env bash
# queue_ranks.sh - several processes of one run (issue 11): four ranks
# find one run by its custom run ID and track different fields into it at
# once, in async mode, each command a process of its own; their operations
# go through the one queue of that run and are delivered once each. Then
# again with one rank's command killed -9 just after its operation was
# queued (NEREID_TEST_KILL_AT "queue: queued"): `nereid sync` delivers it,
# and the server holds every field whose track printed its hash, with that
# hash, each operation applied once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server_lib.sh"
command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 is needed"

server_start
expect_exit 0 srv project create ws/r --key RNK
TOK="$(new_token ws/r write --name ana)"
A=(--project ws/r --store "$URL" --api-token "$TOK")
Q="$NEREID_HOME/queue"

applied_rows() {
	sqlite3 "$SRV_STORE/store.db" "SELECT count(*) FROM applied_ops"
}

# rank R N KILL: rank R's N tracks into the run of custom run ID job-1,
# each its own process; with KILL, its third is killed after queueing.
# Prints "field hash" per track whose command printed one.
rank() {
	local r="$1" n="$2" kill="${3:-}" id j out
	id="$("$NEREID_BIN" run new --custom-run-id job-1 "${A[@]}" 2>>"$T/rank$r.err")" || return 1
	echo "id $id"
	mkdir -p "$T/r$r"
	for j in $(seq 1 "$n"); do
		printf 'rank %s file %s\n' "$r" "$j" >"$T/r$r/f$j.txt"
		if [ -n "$kill" ] && [ "$j" = 3 ]; then
			NEREID_TEST_KILL_AT="queue: queued" "$NEREID_BIN" track "$id:rank$r/f$j" \
				"$T/r$r/f$j.txt" "${A[@]}" >/dev/null 2>>"$T/rank$r.err"
			echo "killed $?"
			continue
		fi
		out="$("$NEREID_BIN" track "$id:rank$r/f$j" "$T/r$r/f$j.txt" "${A[@]}" \
			2>>"$T/rank$r.err")" || return 1
		echo "tracked ${out#* }"
	done
}

# check ROUND: every printed field on the server with its hash; one run;
# as many applied operations as fields.
check() {
	local round="$1" id field hash
	id="$(sed -n 's/^id //p' "$T"/out.* | sort -u)"
	expect_eq "RNK-1" "$id" "$round: the four ranks found one run"
	while read -r _ field hash; do
		expect_exit 0 nereid hash "RNK-1:$field" "${A[@]}"
		expect_eq "$hash" "$OUT" "$round: $field holds what its track printed"
	done < <(grep -h '^tracked ' "$T"/out.*)
	expect_eq "$2" "$(applied_rows)" "$round: each operation applied once"
}

# --- four ranks at once ------------------------------------------------------
for r in 0 1 2 3; do
	rank "$r" 4 >"$T/out.$r" &
	eval "P$r=$!"
done
for r in 0 1 2 3; do
	eval "wait \$P$r"
	expect_eq 0 "$?" "rank $r ran"
done
check "four ranks" 16
expect_eq "" "$(ls "$Q" 2>/dev/null)" "no queue left: the last process removed it"

# --- again, one rank's command killed after queueing --------------------------
rm -f "$T"/out.*
for r in 0 1 2 3; do
	if [ "$r" = 2 ]; then
		rank "$r" 5 kill >"$T/out.$r" &
	else
		rank "$r" 5 >"$T/out.$r" &
	fi
	eval "P$r=$!"
done
for r in 0 1 2 3; do
	eval "wait \$P$r"
	expect_eq 0 "$?" "rank $r ran"
done
expect_eq "killed 137" "$(grep '^killed' "$T/out.2")" "rank 2's third track was killed -9"
expect_exit 0 nereid sync "${A[@]}"
# 16 from the first round, 20 now: the killed one was queued before the
# kill, so it is delivered too (by the others' senders or by sync).
check "one rank killed" 36
expect_exit 0 nereid hash "RNK-1:rank2/f3" "${A[@]}"
expect_match '^[0-9a-f]{64}$' "$OUT" "the killed rank's queued track is delivered"
expect_exit 0 nereid sync --status "${A[@]}"
expect_eq "" "$OUT" "nothing left queued"

server_finish
e2e_done
