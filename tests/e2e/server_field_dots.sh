#!/usr/bin/env bash
# server_field_dots.sh - a field path with a "." or ".." segment is refused
# alike by the embedded store and through nereid-server (same exit code,
# same message, nothing stored), and by the HTTP API however it is encoded;
# names that only contain dots ("...", "a..b", ".hidden") are fields like
# any other in both.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/server_lib.sh"

server_start
expect_exit 0 srv project create team/dots --key DOT
TOK="$(new_token team/dots write --name alice)"
[ -n "$TOK" ] || fail "token create"

remote() {
	NEREID_API_TOKEN="$TOK" NEREID_PROJECT=team/dots timeout -k 5 "$E2E_TIMEOUT" "$NEREID_BIN" "$@"
}
local_() {
	NEREID_PROJECT=team/dots timeout -k 5 "$E2E_TIMEOUT" "$NEREID_BIN" "$@"
}

mkdir -p data
echo one >data/a.txt
expect_exit 0 remote run new
expect_eq DOT-1 "$OUT" "a run on the server"
expect_exit 0 local_ project new team/dots --key DOT
expect_exit 0 local_ run new
expect_eq DOT-1 "$OUT" "a run in the embedded store"

for field in 'a/../b' '..' '.' './x' 'x/.' 'a/./b' 'x/..'; do
	expect_error 2 local_ track "DOT-1:$field" data/
	LERR="$ERR"
	expect_contains 'may not be "." or ".."' "$LERR" "embedded: $field refused, saying why"
	expect_error 2 remote track "DOT-1:$field" data/
	expect_eq "$LERR" "$ERR" "the server refuses $field with the embedded store's message"
	expect_error 2 local_ hash "DOT-1:$field"
	LERR="$ERR"
	expect_error 2 remote hash "DOT-1:$field"
	expect_eq "$LERR" "$ERR" "hash $field: the same refusal from the server"
done
expect_exit 0 remote show DOT-1 --json
expect_eq '{}' "$(printf '%s' "$OUT" | jq -c '.fields // {}')" "nothing was stored on the server"
expect_exit 0 local_ show DOT-1 --json
expect_eq '{}' "$(printf '%s' "$OUT" | jq -c '.fields // {}')" "nothing was stored embedded"

# Dots inside a name are a name: both stores take them.
for field in '...' 'a..b/c' '.hidden/x' 'v1.2/..x'; do
	expect_exit 0 local_ track "DOT-1:$field" data/
	LH="$(printf '%s' "$OUT" | awk '{print $3}')"
	expect_exit 0 remote track "DOT-1:$field" data/
	expect_eq "$LH" "$(printf '%s' "$OUT" | awk '{print $3}')" "$field: the same artifact on both"
	expect_exit 0 remote hash "DOT-1:$field"
	expect_eq "$LH" "$OUT" "$field read back from the server"
done

# The HTTP API itself, whatever the encoding: 400, never another field.
for enc in 'a/%2e%2e/b' 'a/%2E/b' '%2e%2e' 'a/..' 'x/%2e'; do
	api GET "/api/v1/projects/team/dots/runs/DOT-1/fields/$enc" "$TOK"
	expect_status 400 "GET field $enc"
	api PUT "/api/v1/projects/team/dots/runs/DOT-1/fields/$enc" "$TOK" "{\"hash\":\"$LH\"}"
	expect_status 400 "PUT field $enc"
done
api GET "/api/v1/projects/team/dots/runs/DOT-1/fields/a..b/c" "$TOK"
expect_status 200 "GET a field named with dots"

server_finish
e2e_done
