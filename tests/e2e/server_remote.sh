#!/usr/bin/env bash
# server_remote.sh - the nereid command against a real nereid-server, with
# nothing but NEREID_API_TOKEN and the project set (issue 10's "done
# means"): track, hash, ls --json, runs, used-by, find-file, diff, rm give
# what the embedded store gives; a missing field exits 3; a read token
# writing, a revoked token exit 4; and nothing a refused write sent is
# stored. Skipped (77) when this build's nereid has no http(s) store.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/server_lib.sh"

server_start
expect_exit 0 srv project create team/cls --key CLS
WTOK="$(new_token team/cls write --name alice)"
RTOK="$(new_token team/cls read --name reader)"
[ -n "$WTOK" ] && [ -n "$RTOK" ] || fail "token create"

mkdir -p data/train data/test
echo hello >data/train/a.txt
echo world >data/test/b.txt

remote() {
	NEREID_API_TOKEN="$1" NEREID_PROJECT=team/cls timeout -k 5 "$E2E_TIMEOUT" "$NEREID_BIN" "${@:2}"
}
local_() {
	NEREID_PROJECT=team/cls timeout -k 5 "$E2E_TIMEOUT" "$NEREID_BIN" "$@"
}

# A nereid without the http(s) store ignores the token and reads the
# (empty) embedded store: then there is nothing to test here.
capture remote "$WTOK" project list --json
if ! printf '%s' "$OUT" | grep -q '"team/cls"'; then
	server_stop
	skip_all "this nereid has no http(s) store yet"
fi

expect_exit 0 remote "$WTOK" track data_versions data/
expect_match '^CLS-1 data_versions [0-9a-f]{64}$' "$OUT" "track through the server"
RH="$(printf '%s' "$OUT" | awk '{print $3}')"
expect_exit 0 local_ track data_versions data/
LH="$(printf '%s' "$OUT" | awk '{print $3}')"
expect_eq "$LH" "$RH" "the same hash as the embedded store"
expect_exit 0 remote "$RTOK" hash CLS-1:data_versions
expect_eq "$RH" "$OUT" "hash through the server (a read token)"
expect_exit 0 remote "$RTOK" ls CLS-1:data_versions --json
R_LS="$OUT"
expect_exit 0 local_ ls CLS-1:data_versions --json
expect_eq "$OUT" "$R_LS" "ls --json: the same records"
expect_exit 0 remote "$RTOK" used-by CLS-1:data_versions
expect_eq "CLS-1:data_versions" "$OUT" "used-by"
expect_exit 0 remote "$RTOK" find-file b1946ac92492d2347c6235b4d2611184
expect_eq "CLS-1:data_versions train/a.txt" "$OUT" "find-file"
expect_exit 0 remote "$RTOK" runs --json
expect_eq alice "$(printf '%s' "$OUT" | jq -r '.[0].owner')" "owner is the token's name"

# Errors map to the CLI's exit codes.
expect_exit 3 remote "$RTOK" hash CLS-1:nothing
expect_exit 4 remote "$RTOK" track other data/
expect_exit 0 remote "$RTOK" runs --json
expect_eq 1 "$(printf '%s' "$OUT" | jq length)" "the refused write made no run"
expect_exit 0 srv token list
ID="$(printf '%s\n' "$OUT" | awk -F'\t' '$2 == "reader" {print $1}')"
expect_exit 0 srv token revoke "$ID"
expect_exit 4 remote "$RTOK" hash CLS-1:data_versions

expect_exit 0 remote "$WTOK" rm CLS-1:data_versions
expect_exit 3 remote "$WTOK" ls CLS-1:data_versions

# An unreachable server: exit 1, naming it.
server_finish
expect_exit 1 remote "$WTOK" runs
expect_contains "127.0.0.1" "$ERR" "the unreachable server is named"

e2e_done
