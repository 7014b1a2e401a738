#!/usr/bin/env bash
# server_client_concurrent.sh - 8 nereid commands tracking into one field
# through nereid-server at once lose nothing (SPEC section 4's union holds
# over HTTP: a swap refused with 409 "conflict" is retried by the library),
# and the field's hash is the one the embedded store gives for the same
# tracks; runs made at once get distinct, gap-free IDs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server_lib.sh"

server_start
expect_exit 0 srv project create ws/c --key CC
TOK="$(new_token ws/c write --name ana)"
export NEREID_API_TOKEN="$TOK" NEREID_PROJECT=ws/c

for i in 1 2 3 4 5 6 7 8; do
	mkdir -p "d$i"
	for j in 1 2 3; do
		printf '%s-%s\n' "$i" "$j" >"d$i/f$j.txt"
	done
done
touch -d '2022-09-30 10:50:40 UTC' d*/f*.txt
expect_exit 0 nereid run new
expect_eq "CC-1" "$OUT" "the run"

pids=""
for i in 1 2 3 4 5 6 7 8; do
	nereid track CC-1:data "d$i" --destination "d$i" >"$T/track$i.out" 2>"$T/track$i.err" &
	pids="$pids $!"
done
for p in $pids; do
	if wait "$p"; then ok; else bad "a concurrent track failed: $(cat "$T"/track*.err | head -c 400)"; fi
done
expect_exit 0 nereid ls CC-1:data --json
expect_eq 24 "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
	"every file of the 8 tracks is in the field"

# The same records tracked one after the other into the embedded store give
# the same hash.
LOCAL="$T/local"
expect_exit 0 nereid project new ws/c --key CC --store "$LOCAL"
expect_exit 0 nereid run new --store "$LOCAL"
for i in 1 2 3 4 5 6 7 8; do
	expect_exit 0 nereid track CC-1:data "d$i" --destination "d$i" --store "$LOCAL"
done
expect_eq "$(nereid hash CC-1:data --store "$LOCAL")" "$(nereid hash CC-1:data)" \
	"the union over HTTP equals the embedded store's"

# Runs created at once: distinct IDs, no gap.
pids=""
for i in $(seq 1 10); do
	nereid run new >"$T/run$i.out" 2>"$T/run$i.err" &
	pids="$pids $!"
done
for p in $pids; do wait "$p"; done
expect_eq "$(seq 2 11 | sed 's/^/CC-/' | sort)" "$(cat "$T"/run*.out | sort)" "10 distinct, gap-free runs"

e2e_done
