#!/usr/bin/env bash
# server_client_parity.sh - the nereid command against a real nereid-server
# (the http(s) store, SPEC section 8) gives the same output and exit codes as
# against the embedded store: the same scenario runs on both and every
# output is compared byte for byte (times left out), the error cases
# included. Also: a token and a project are all the configuration needed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/server_lib.sh"

export USER=ana # sys/owner: the embedded store's from USER, the server's the token's name
server_start
expect_exit 0 srv project create ws/p --key WSP
TOK="$(new_token ws/p write --name ana)"
expect_match '^nrd_' "$TOK" "a write token"
LOCAL="$T/local"
expect_exit 0 nereid project new ws/p --key WSP --store "$LOCAL"

# The data: fixed contents and times, so both stores see the same records.
mkdir -p data/train/deep data/test
printf 'a,b\n1,2\n' >data/train/sample.csv
printf 'x\n' >data/train/deep/x.txt
printf 'test\n' >data/test/t.csv
printf 'model\n' >model.bin
touch -d '2022-09-30 10:50:40 UTC' data/train/sample.csv data/train/deep/x.txt data/test/t.csv model.bin

# on WHERE ARGS...: run nereid against the server or the embedded store.
on() {
	local where="$1"
	shift
	if [ "$where" = server ]; then
		nereid "$@" --project ws/p --store "$URL" --api-token "$TOK"
	else
		nereid "$@" --project ws/p --store "$LOCAL"
	fi
}

# both NAME ARGS...: run the command on both stores; their stdout, and
# their exit codes, must be equal. The server's output is left in OUT.
both() {
	local name="$1" rs rl
	shift
	on server "$@" >"$T/s.out" 2>"$T/s.err"
	rs=$?
	on local "$@" >"$T/l.out" 2>"$T/l.err"
	rl=$?
	expect_eq "$rl" "$rs" "$name: exit code (server stderr: $(head -c 300 "$T/s.err"))"
	if cmp -s "$T/s.out" "$T/l.out"; then
		ok
	else
		bad "$name: outputs differ: $(diff "$T/l.out" "$T/s.out" | head -c 600)"
	fi
	OUT="$(cat "$T/s.out")"
	ERR="$(cat "$T/s.err")"
	RC=$rs
}

both "run new" run new --name first
expect_eq "WSP-1" "$OUT" "the first run"
both "track train" track WSP-1:data/train data/train
expect_match '^WSP-1 data/train [0-9a-f]{64}$' "$OUT" "track prints RUN FIELD HASH"
both "track test" track WSP-1:data/test data/test --destination t
both "track model" track WSP-1:model model.bin
both "track a new run" track other data/test --name second
expect_match '^WSP-2 other ' "$OUT" "a track without RUN makes WSP-2"
both "track again (union)" track WSP-1:data/train data/train/deep
both "hash" hash WSP-1:data/train
both "hash --content" hash WSP-1:data/train --content
both "ls" ls WSP-1:data/train
both "ls --json" ls WSP-1:data/train --json
expect_contains '"file_path":"deep/x.txt"' "$OUT" "ls --json has the records"
both "ls of test" ls WSP-1:data/test --json
# Times and run UUIDs differ between the two stores (each made its own run):
# left out, a UUID replaced by "UUID" when it has the shape of one.
PARITY_UUID='import json, re, sys
def uuid(v):
    return "UUID" if re.fullmatch("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", v or "") else v
'
PARITY_SHOW="$PARITY_UUID"'d = json.load(sys.stdin)
print(json.dumps({k: uuid(v) if k == "sys/uuid" else v for k, v in d.items() if not k.endswith("_time")}, sort_keys=True))'
PARITY_RUNS="$PARITY_UUID"'print(json.dumps([{k: uuid(v) if k == "uuid" else v for k, v in r.items() if not k.endswith("_time")} for r in json.load(sys.stdin)]))'
on server show WSP-1 --json | python3 -c "$PARITY_SHOW" >"$T/s.show"
on local show WSP-1 --json | python3 -c "$PARITY_SHOW" >"$T/l.show"
expect_eq "$(cat "$T/l.show")" "$(cat "$T/s.show")" "show --json, times left out"
expect_contains '"sys/owner": "ana"' "$(cat "$T/s.show")" "sys/owner on the server"
expect_contains '"sys/uuid": "UUID"' "$(cat "$T/s.show")" "sys/uuid on the server"
on server runs --json | python3 -c "$PARITY_RUNS" >"$T/s.runs"
on local runs --json | python3 -c "$PARITY_RUNS" >"$T/l.runs"
expect_eq "$(cat "$T/l.runs")" "$(cat "$T/s.runs")" "runs --json, times left out"
expect_contains '"id": "WSP-2"' "$(cat "$T/s.runs")" "runs lists both runs"
expect_contains '"uuid": "UUID"' "$(cat "$T/s.runs")" "runs --json: the UUID of each run from the server"
both "diff" diff WSP-1:data/test WSP-2:other
both "diff --json" diff WSP-1:data/train WSP-1:data/test --json
expect_eq 1 "$RC" "diff of different artifacts exits 1"
both "status" status WSP-1:data/train
expect_eq 0 "$RC" "nothing changed"
printf 'changed\n' >data/train/sample.csv
both "status after a change" status WSP-1:data/train --json
expect_eq 1 "$RC" "status sees the change"
H="$(on server hash WSP-1:data/test)"
both "used-by hash" used-by "$H"
both "used-by ref --json" used-by WSP-1:data/test --json
both "find-file" find-file "$(md5sum <data/test/t.csv | cut -c1-32)"
both "find-file --json" find-file "$(md5sum <data/test/t.csv | cut -c1-32)" --json
both "assign by ref" assign WSP-2:copy WSP-1:data/test
both "assign by hash" assign WSP-2:again "$H"
both "used-by after assign" used-by "$H" --json
expect_contains '"run":"WSP-2","field":"copy"' "$OUT" "used-by finds the assigned field"
both "show after assign" ls WSP-2:again --json
both "rm" rm WSP-2:copy
both "rm again: not found" rm WSP-2:copy
expect_eq 3 "$RC" "rm of a missing field exits 3"
both "rm sys/: refused" rm WSP-2:sys/name
expect_eq 2 "$RC" "rm sys/ exits 2"
both "hash of a missing run" hash WSP-9:data
expect_eq 3 "$RC" "a missing run exits 3"
both "hash of a missing field" hash WSP-1:nothing
expect_eq 3 "$RC" "a missing field exits 3"
both "used-by an unknown artifact" used-by 0000000000000000000000000000000000000000000000000000000000000000
expect_eq 3 "$RC" "an unknown artifact exits 3"
both "assign an unknown hash" assign WSP-1:x 0000000000000000000000000000000000000000000000000000000000000000
expect_eq 3 "$RC" "assign of an unknown hash exits 3"
both "read-only track" track WSP-1:ro data/test --mode read-only
expect_eq 4 "$RC" "read-only mode refuses a write"
on local ls WSP-1:data/train --json >"$T/records.json"
both "import" import WSP-2:imported "$T/records.json"
both "imported records" ls WSP-2:imported --json
printf '[{"file_path":"../x","file_hash":"0","type":"Local"}]' >"$T/bad.json"
both "import of a bad record" import WSP-2:bad "$T/bad.json"
expect_eq 2 "$RC" "a bad record is refused"
both "project new" project new ws/p --key WSP
expect_exit 0 nereid project new ws/z --key ZED --store "$URL" --api-token "$(new_token '*' write --name ana)"
expect_contains "ZED" "$OUT" "project new through the server"
both "project list" project list --json
both "debug track" track WSP-1:dbg data/test --mode debug
expect_match '^WSP-1 dbg [0-9a-f]{64}$' "$OUT" "debug mode computes the track"
both "debug mode stored nothing" hash WSP-1:dbg
expect_eq 3 "$RC" "nothing stored in debug mode"

# download: the same tree of links on both sides.
expect_exit 0 on server download WSP-1:data/test --destination "$T/dl-s"
expect_exit 0 on local download WSP-1:data/test --destination "$T/dl-l"
expect_eq "$(cd "$T/dl-l" && find . | sort)" "$(cd "$T/dl-s" && find . | sort)" "download trees"
expect_eq "$(readlink -f "$T/dl-l/t/t.csv")" "$(readlink -f "$T/dl-s/t/t.csv")" "download links"

# A token and a project are all the configuration needed (SPEC section 8),
# even with NEREID_HOME set; --api-token the same.
expect_exit 0 env NEREID_API_TOKEN="$TOK" NEREID_PROJECT=ws/p "$NEREID_BIN" hash WSP-1:data/train
expect_eq "$(on server hash WSP-1:data/train)" "$OUT" "token-only configuration"
expect_exit 0 env NEPTUNE_API_TOKEN="$TOK" NEPTUNE_PROJECT=ws/p "$NEREID_BIN" runs
expect_contains "WSP-2" "$OUT" "Neptune's variable names"
expect_exit 0 "$NEREID_BIN" ls WSP-1:data/test --api-token "$TOK" --project ws/p --json
expect_contains '"t/t.csv"' "$OUT" "--api-token alone"
# NEREID_STORE is an explicit store: it wins over the token's server.
expect_error 3 env NEREID_API_TOKEN="$TOK" NEREID_PROJECT=ws/p NEREID_STORE="$T/empty" "$NEREID_BIN" hash WSP-1:data/train

# Refusals: exit codes of SPEC section 7, one line naming what failed.
BAD="${TOK:0:${#TOK}-43}AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
expect_error 4 env NEREID_API_TOKEN="$BAD" NEREID_PROJECT=ws/p "$NEREID_BIN" runs
expect_contains "$URL" "$ERR" "a refused token names the server"
expect_not_contains "$BAD" "$ERR" "the token is never printed"
RTOK="$(new_token ws/p read --name reader)"
expect_error 4 nereid track WSP-1:data/x data/test --project ws/p --api-token "$RTOK"
expect_exit 0 nereid hash WSP-1:data/test --project ws/p --api-token "$RTOK"
OTHER="$(new_token ws/q write --name other)"
expect_error 3 nereid hash WSP-1:data/test --project ws/p --api-token "$OTHER"
# Another project's token: its runs read as missing (exit 3, existence is
# not leaked), and a write that makes a run is refused (exit 4).
expect_error 3 nereid track WSP-1:data/x data/test --project ws/p --api-token "$OTHER"
expect_error 4 nereid track data/x data/test --project ws/p --api-token "$OTHER"
expect_error 1 nereid runs --project ws/p --store http://127.0.0.1:1 --api-token "$TOK"
expect_eq "nereid: cannot reach http://127.0.0.1:1: Connection refused" "$ERR" "unreachable server"
expect_error 4 nereid runs --project ws/p --store "$URL"
expect_contains "no API token" "$ERR" "no token"
# Nothing was changed by the refused requests.
expect_eq "$(on local hash WSP-1:data/test)" "$(on server hash WSP-1:data/test)" "unchanged"
expect_exit 0 on server show WSP-1
expect_not_contains "data/x" "$OUT" "no field from a refused track"

e2e_done
