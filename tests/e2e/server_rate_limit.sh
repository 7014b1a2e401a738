#!/usr/bin/env bash
# server_rate_limit.sh - the per-token request budget (serve --rate-limit):
# over it a token gets 429 rate-limited with a Retry-After header and a JSON
# error, another token and the health route do not; the nereid command
# waits as Retry-After says and goes on; a server asking for a longer wait
# than the client accepts gets an error naming the budget (exit 1), never
# an endless loop. A malformed --rate-limit is a usage error.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/server_lib.sh"

for bad in abc 0 -1 1:0 '1:' ':5' 1:x; do
	expect_exit 2 timeout -k 5 "$E2E_TIMEOUT" "$SERVER_BIN" serve --listen 127.0.0.1:0 \
		--store "$SRV_STORE" --rate-limit "$bad"
	expect_contains "--rate-limit" "$ERR" "--rate-limit $bad is refused, naming the option"
done

expect_exit 0 srv project create team/rate --key RAT
server_start --rate-limit 1:3
A="$(new_token team/rate write --name alice)"
B="$(new_token team/rate read --name bob)"
[ -n "$A" ] && [ -n "$B" ] || fail "token create"

# Token A spends its burst of 3; within a few more requests it is refused.
got=""
for _ in $(seq 1 20); do
	curl -s --max-time 30 -D "$T/h" -o "$T/b" -w '%{http_code}' -H "Authorization: Bearer $A" \
		"$URL/api/v1/projects/team/rate" >"$T/code"
	got="$(cat "$T/code")"
	[ "$got" = 429 ] && break
done
expect_eq 429 "$got" "a token over its budget gets 429"
retry="$(tr -d '\r' <"$T/h" | sed -n 's/^[Rr]etry-[Aa]fter: //p')"
expect_match '^[1-9][0-9]*$' "$retry" "429 carries Retry-After in whole seconds"
BODY="$(cat "$T/b")"
expect_eq rate-limited "$(jget .error.code)" "the error code"
expect_contains "1 requests a second" "$(jget .error.message)" "the message states the budget"
expect_not_contains "$A" "$BODY" "the token is not echoed"

# Another token has its own budget; the health route needs none.
api GET /api/v1/projects/team/rate "$B"
expect_status 200 "another token is not limited by the first"
api GET /api/v1/health
expect_status 200 "health is not limited"

# The nereid command waits as Retry-After says, then is answered.
before="$(grep -c ' 429 ' "$SRV_LOG" || true)"
for _ in 1 2 3 4; do
	NEREID_API_TOKEN="$A" NEREID_PROJECT=team/rate "$NEREID_BIN" runs --json >/dev/null 2>&1 || true
done
expect_exit 0 env NEREID_API_TOKEN="$A" NEREID_PROJECT=team/rate "$NEREID_BIN" run new
expect_eq RAT-1 "$OUT" "a run made after waiting out 429s"
after="$(grep -c ' 429 ' "$SRV_LOG" || true)"
expect_true "the client was refused and tried again ($before -> $after 429s)" [ "$after" -gt "$before" ]
expect_exit 0 env NEREID_API_TOKEN="$B" NEREID_PROJECT=team/rate "$NEREID_BIN" runs --json
expect_eq 1 "$(printf '%s' "$OUT" | jq length)" "one run: the retried create made one"
server_finish

# A budget that would make the client wait longer than it accepts: the
# command stops at once with the server's reason.
server_start --rate-limit 0.001:1
C="$(new_token team/rate read --name carol)" # a token names its server's URL
api GET /api/v1/projects/team/rate "$C"
expect_status 200 "the one request of the burst"
expect_error 1 env NEREID_API_TOKEN="$C" NEREID_PROJECT=team/rate "$NEREID_BIN" runs --json
expect_contains "over its budget" "$ERR" "the refusal names the budget"
expect_contains "retry after" "$ERR" "and says when to retry"
server_finish
e2e_done
