#!/usr/bin/env bash
# server_client_outage.sh - the nereid command when its server goes away:
# a server killed (-9) makes every command fail at once with exit 1 and one
# line naming the server; nothing is half-written; a server started again
# on the same store serves what was tracked before, and a track resumes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server_lib.sh"

server_start
expect_exit 0 srv project create ws/o --key OUT
TOK="$(new_token ws/o write --name ana)"
mkdir -p data
printf 'one\n' >data/a.txt
printf 'two\n' >data/b.txt
expect_exit 0 nereid track data data --project ws/o --store "$URL" --api-token "$TOK"
expect_match '^OUT-1 data [0-9a-f]{64}$' "$OUT" "tracked through the server"
H="${OUT##* }"
OLD="$URL"

kill -KILL "$SRV_PID"
wait "$SRV_PID" 2>/dev/null
SRV_PID=""
for cmd in "hash OUT-1:data" "ls OUT-1:data --json" "runs" "track OUT-1:data data"; do
	# shellcheck disable=SC2086 # cmd is a list of words
	expect_error 1 nereid $cmd --project ws/o --store "$OLD" --api-token "$TOK"
	expect_eq "nereid: cannot reach $OLD: Connection refused" "$ERR" "$cmd: the server is named"
done
expect_error 1 nereid project list --store "$OLD" --api-token "$TOK"
expect_eq "nereid: cannot reach $OLD: Connection refused" "$ERR" "project list: the server is named"

# The same store behind a new server: what was tracked is there, unchanged.
server_start
TOK2="$(new_token ws/o write --name ana)"
expect_exit 0 nereid hash OUT-1:data --project ws/o --store "$URL" --api-token "$TOK2"
expect_eq "$H" "$OUT" "the field survived the server's death"
printf 'three\n' >data/c.txt
expect_exit 0 nereid track OUT-1:data data --project ws/o --store "$URL" --api-token "$TOK2"
expect_exit 0 nereid ls OUT-1:data --json --project ws/o --store "$URL" --api-token "$TOK2"
expect_eq 3 "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
	"a track after the restart adds to the field"
# The old token still works on the new server (it lives in the store),
# though it names the old address: --store wins.
expect_exit 0 nereid hash OUT-1:data --project ws/o --store "$URL" --api-token "$TOK"

e2e_done
