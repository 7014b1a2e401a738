#!/usr/bin/env bash
# server_conformance.sh - the store conformance suite
# (tests/unit/test_store_conformance.c) against a real nereid-server: an
# empty store served, a '*' admin token, and the suite's http backend run
# with NEREID_TEST_STORE_HTTP, _TOKEN and _OWNER. Every check must pass,
# the http backend must have been run (not skipped), and without _OWNER the
# suite must refuse to run it, naming the variable. Not for the CLI over a
# server (server_remote.sh, server_client_*.sh).
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/server_lib.sh"

unset NEREID_TEST_STORE_HTTP_OWNER
CONF_BIN="${NEREID_CONFORMANCE_BIN:-$(dirname "$NEREID_BIN")/tests/test_store_conformance}"
[ -x "$CONF_BIN" ] || skip_all "no test_store_conformance at $CONF_BIN"

server_start --rate-limit off
TOK="$(new_token '*' admin --name conformance)"
[ -n "$TOK" ] || fail "token create"

conform() {
	NEREID_TEST_TMP="$T/scratch" NEREID_TEST_STORE_HTTP="$URL" NEREID_TEST_STORE_HTTP_TOKEN="$TOK" \
		timeout -k 5 600 "$CONF_BIN"
}

# Without the token's name, the http backend is not run: a clear failure.
mkdir -p "$T/scratch"
conform >"$T/noowner.out" 2>&1
expect_eq 1 "$?" "the suite fails without NEREID_TEST_STORE_HTTP_OWNER"
expect_contains "set NEREID_TEST_STORE_HTTP_OWNER to the name of the token" \
	"$(cat "$T/noowner.out")" "names the missing variable"

# The whole suite over the server.
NEREID_TEST_STORE_HTTP_OWNER=conformance conform >"$T/conf.out" 2>&1
rc=$?
expect_eq 0 "$rc" "the conformance suite passes against nereid-server"
[ "$rc" = 0 ] || grep -a -v '^backend\|^skipped' "$T/conf.out" | head -60 >&2
expect_contains "backend http at $URL" "$(cat "$T/conf.out")" "the http backend was run"
expect_match ' 0 failed$' "$(tail -n 1 "$T/conf.out")" "no check failed"

# What the suite refused left nothing behind on the server.
api GET /api/v1/projects "$TOK"
expect_status 200 "projects"
expect_eq "ml-team/classification,ml-team/other,ws/query,ws/queued,ws/version-4" \
	"$(jget '[.projects[].name]|sort|join(",")')" "only the suite's projects were made"

server_finish
e2e_done
