#!/usr/bin/env bash
# server_run_uuid.sh - the run's UUID (SPEC section 9: made by the client
# that creates the run) is shown where a user looks for a run's identity:
# sys/uuid in `nereid show` (text and --json), "uuid" in `runs --json`,
# and "uuid" in the HTTP API's run object (GET of a run, the run list, the
# UI's run table), on the embedded store and through a server alike. The
# UUID a client sent is the one shown. Writes of two clients into one run
# of the server, each with its own queue (async mode), both arrive: a
# queue never takes the run's UUID as its own.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/server_lib.sh"

UUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'

# --- embedded store ----------------------------------------------------------------
R1="$(new_run)"
R2="$(new_run)"
expect_exit 0 nereid show "$R1" --json
U1="$(printf '%s' "$OUT" | py 'import json,sys; print(json.load(sys.stdin).get("sys/uuid", ""))')"
expect_match "$UUID_RE" "$U1" "show --json: sys/uuid is a version-4 UUID"
expect_exit 0 nereid show "$R1"
expect_contains "$U1" "$OUT" "show: the UUID is listed"
expect_match "sys/uuid" "$OUT" "show: under sys/uuid"
expect_exit 0 nereid runs --json
expect_eq "$U1" "$(printf '%s' "$OUT" | py 'import json,sys
print([r["uuid"] for r in json.load(sys.stdin) if r["id"] == sys.argv[1]][0])' "$R1")" \
	"runs --json: the run's uuid is the one show gives"
expect_ne "$U1" "$(printf '%s' "$OUT" | py 'import json,sys
print([r["uuid"] for r in json.load(sys.stdin) if r["id"] == sys.argv[1]][0])' "$R2")" \
	"two runs, two UUIDs"

# --- the server's API ----------------------------------------------------------------
server_start
expect_exit 0 srv project create ws/u --key UID
TOK="$(new_token ws/u write --name ana)"
P=/api/v1/projects/ws/u
SENT=3f2b8c1e-5d4a-4b6c-8e7f-1a2b3c4d5e6f
api POST $P/runs "$TOK" "{\"uuid\":\"$SENT\",\"name\":\"made here\"}"
expect_eq 201 "$STATUS" "a run created with a UUID"
expect_eq "$SENT" "$(jget .uuid)" "the created run's object has the UUID sent"
RID="$(jget .id)"
api GET "$P/runs/$RID" "$TOK"
expect_eq "$SENT" "$(jget .uuid)" "GET of the run: its uuid"
api GET "$P/runs" "$TOK"
expect_eq "$SENT" "$(jget '.runs[0].uuid')" "the run list: each run's uuid"
api GET "$P/run-table" "$TOK"
expect_eq "$SENT" "$(jget '.runs[0].uuid')" "the UI's run table: each run's uuid"
api POST $P/runs "$TOK" "{\"uuid\":\"$SENT\",\"name\":\"made here\"}"
expect_eq "200 $RID $SENT" "$STATUS $(jget .id) $(jget .uuid)" "a retried create: the same run and UUID"

# --- the nereid command through the server --------------------------------------------
on() { nereid "$@" --project ws/u --store "$URL" --api-token "$TOK"; }
expect_exit 0 on show "$RID" --json
expect_eq "$SENT" "$(printf '%s' "$OUT" | py 'import json,sys; print(json.load(sys.stdin)["sys/uuid"])')" \
	"show --json through the server: the UUID the client sent"
expect_exit 0 on runs --json
expect_eq "$SENT" "$(printf '%s' "$OUT" | py 'import json,sys; print(json.load(sys.stdin)[0]["uuid"])')" \
	"runs --json through the server: the uuid"
expect_exit 0 on run new --name cli-made
RC_ID="$OUT"
expect_exit 0 on show "$RC_ID" --json
expect_match "$UUID_RE" "$(printf '%s' "$OUT" | py 'import json,sys; print(json.load(sys.stdin)["sys/uuid"])')" \
	"a run the command made through the server has its UUID"

# --- two clients write into one run asynchronously: both writes arrive ----------------
mkdir -p a b
printf 'from a\n' >a/one.txt
printf 'from b\n' >b/two.txt
NEREID_HOME="$T/home-a" expect_exit 0 on track "$RID:f" a --mode async
NEREID_HOME="$T/home-b" expect_exit 0 on track "$RID:f" b --mode async
expect_exit 0 on ls "$RID:f" --json
expect_eq "one.txt two.txt" "$(printf '%s' "$OUT" | py 'import json,sys
print(" ".join(sorted(r["file_path"] for r in json.load(sys.stdin))))')" \
	"two clients' async writes into one run: both arrive"

server_finish
e2e_done
