#!/usr/bin/env bash
# server_auth.sh - nereid-server's tokens and authorisation (SPEC section 8,
# docs/api/http.md): every route but health answers 401 without a token, with
# a bad one, a revoked one, an expired one, or one in the query string; a
# token of another project gets 404 on reads and 403 on writes; a read token
# cannot write and nothing is changed by a refused request; token list never
# shows a secret; the log never holds a token; serve refuses a non-loopback
# address until a token exists.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/server_lib.sh"

# Before any token: beyond loopback is refused (exit 4), loopback serves.
expect_exit 4 srv serve --listen 0.0.0.0:0
expect_match '^nereid-server: 0\.0\.0\.0:0: refusing to listen beyond loopback' "$ERR" \
	"non-loopback refusal names the address"
expect_exit 2 srv serve --listen nonsense
expect_match '^nereid-server: nonsense: --listen' "$ERR" "bad --listen"

server_start

# token create without --url takes the address serve last listened on.
expect_exit 0 srv token create --project ws/a --role write --name alice
WA="$OUT"
expect_match '^nrd_[A-Za-z0-9_-]+$' "$WA" "token create prints the token alone"
RA="$(new_token ws/a read --name reader)"
WB="$(new_token ws/b write --name bob)"
STAR="$(new_token '*' read --name auditor)"
expect_ne "" "$RA" "read token"
expect_exit 2 srv token create --project ws/a --role owner
expect_exit 2 srv token create --project 'bad name' --role read
expect_exit 2 srv token create --project ws/a --role read --expires 0
expect_exit 2 srv token create --role read

expect_exit 0 srv project create ws/a --key AAA
expect_eq "ws/a AAA" "$OUT" "project create prints name and key"
expect_exit 0 srv project create ws/b --key BBB

# Every route of the table: 401 without a token, with a bad one, and with a
# good one in the query string only (ignored).
srv routes >"$T/routes" || fail "routes"
H=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
while read -r method pattern scope; do
	path="$(printf '%s' "$pattern" | sed -e 's/{ws}/ws/; s/{name}/a/; s/{run}/AAA-1/; s/{field+}/data/' \
		-e "s/{hash}/$H/; s/{file_hash}/0123456789abcdef0123456789abcdef/")"
	api "$method" "$path"
	if [ "$scope" = none ]; then
		expect_status 200 "$method $pattern without a token"
		continue
	fi
	expect_status 401 "$method $pattern without a token"
	expect_eq unauthenticated "$(jget .error.code)" "$method $pattern: code"
	api "$method" "$path" "nrd_bogus_token"
	expect_status 401 "$method $pattern with a bad token"
	api "$method" "$path?token=$WA&access_token=$WA"
	expect_status 401 "$method $pattern with the token in the query string"
	STATUS="$(curl -s -o /dev/null -w '%{http_code}' -X "$method" -H "Authorization: Basic $WA" "$URL$path")"
	expect_eq 401 "$STATUS" "$method $pattern with another scheme"
	STATUS="$(curl -s -o /dev/null -w '%{http_code}' -X "$method" -b "token=$WA" "$URL$path")"
	expect_eq 401 "$STATUS" "$method $pattern with the token in a cookie"
done <"$T/routes"

# The right token works.
api PUT /api/v1/projects/ws/a "$WA" '{"key":null}'
expect_status 200 "write token gets its project"
expect_eq "AAA" "$(jget .key)" "the project's key"
api GET /api/v1/projects/ws/a "$RA"
expect_status 200 "read token reads its project"

# Another project's token: reads 404 (as for a project that does not
# exist), writes 403.
api GET /api/v1/projects/ws/b "$RA"
expect_status 404 "read of another project"
api GET /api/v1/projects/ws/nothing "$RA"
expect_status 404 "read of a project that does not exist"
api GET /api/v1/projects/ws/b/runs "$WA"
expect_status 404 "another project's runs"
api POST /api/v1/projects/ws/b/runs "$WA" '{"uuid":"9b2f7c1e-0000-4000-8000-000000000001","name":"x"}'
expect_status 403 "write to another project"
expect_eq forbidden "$(jget .error.code)" "code of a refused write"
api GET /api/v1/projects/ws/b/runs "$WB"
expect_eq "0" "$(jget '.runs|length')" "the refused write created nothing"

# A read token cannot write: 403, nothing changed.
api POST /api/v1/projects/ws/a/runs "$RA" '{"uuid":"9b2f7c1e-0000-4000-8000-000000000002","name":"r"}'
expect_status 403 "read token creating a run"
api PUT /api/v1/projects/ws/c "$RA" '{}'
expect_status 403 "read token creating a project"
api GET /api/v1/projects/ws/a/runs "$WA"
expect_eq "0" "$(jget '.runs|length')" "the read token created no run"

# GET /projects lists only projects in the token's scope.
api GET /api/v1/projects "$RA"
expect_eq "ws/a" "$(jget '[.projects[].name]|join(",")')" "projects of a one-project token"
api GET /api/v1/projects "$STAR"
expect_eq "ws/a,ws/b" "$(jget '[.projects[].name]|join(",")')" "projects of a '*' token"

# sys/owner of a run made through the server is the token's name.
api POST /api/v1/projects/ws/a/runs "$WA" '{"uuid":"9b2f7c1e-0000-4000-8000-000000000003","name":"n"}'
expect_status 201 "run create"
expect_eq alice "$(jget .owner)" "owner is the token's name"

# token list: ID first, never a secret; last_used kept.
expect_exit 0 srv token list
expect_not_contains "$WA" "$OUT" "token list shows no secret"
expect_not_contains "nrd_" "$OUT" "token list shows nothing like a token"
ID_WA="$(printf '%s\n' "$OUT" | awk -F'\t' '$2 == "alice" { print $1 }')"
expect_match '^[0-9]+$' "$ID_WA" "token list: ID first"
expect_match '^[0-9]+	alice	ws/a	write	.*	never	[0-9]{4}-.*	active$' \
	"$(printf '%s\n' "$OUT" | grep '	alice	')" "token list line, last_used set"

# last_used is written at most once a minute: a second request right after
# leaves it as it was.
used1="$(printf '%s\n' "$OUT" | awk -F'\t' '$2 == "alice" {print $7}')"
api GET /api/v1/projects/ws/a "$WA"
expect_status 200 "another request"
expect_exit 0 srv token list
used2="$(printf '%s\n' "$OUT" | awk -F'\t' '$2 == "alice" {print $7}')"
expect_eq "$used1" "$used2" "last_used not rewritten within the minute"

# Revoked: 401 at once.
expect_exit 0 srv token revoke "$ID_WA"
api GET /api/v1/projects/ws/a "$WA"
expect_status 401 "revoked token"
expect_exit 0 srv token list
expect_match '	revoked$' "$(printf '%s\n' "$OUT" | grep '	alice	')" "token list shows it revoked"
expect_exit 3 srv token revoke 999
expect_exit 2 srv token revoke abc

# Expired: a token whose expiry has passed (set in the store) is 401.
EXP="$(new_token ws/a read --name old --expires 1)"
api GET /api/v1/projects/ws/a "$EXP"
expect_status 200 "a token not yet expired"
DB="$(ls "$SRV_STORE"/*.db 2>/dev/null | head -n 1)"
if [ -n "$DB" ] && command -v sqlite3 >/dev/null 2>&1; then
	sqlite3 "$DB" "UPDATE tokens SET expires = '2001-01-01T00:00:00Z' WHERE name = 'old';" ||
		bad "could not age the token"
	api GET /api/v1/projects/ws/a "$EXP"
	expect_status 401 "expired token"
	expect_match expired "$(jget .error.message)" "the message says expired"
else
	bad "no store database to age a token in"
fi

# Now a token exists: beyond loopback is allowed (checked by starting and
# stopping a second server on every address, port chosen by the kernel).
"$SERVER_BIN" serve --listen 0.0.0.0:0 --store "$SRV_STORE" >"$T/any.out" 2>&1 &
ANY=$!
for _ in $(seq 1 100); do
	grep -q 'listening on' "$T/any.out" && break
	sleep 0.05
done
expect_match '^nereid-server: listening on http://0\.0\.0\.0:[0-9]+$' "$(head -n 1 "$T/any.out")" \
	"serve beyond loopback once a token exists"
kill -TERM "$ANY" 2>/dev/null
wait "$ANY"
expect_eq 0 "$?" "serve stops cleanly on SIGTERM"

# No token ever reaches the log; each request is one line: method, route, status, time.
for tok in "$WA" "$RA" "$WB" "$STAR" "$EXP"; do
	if [ -z "$tok" ] || grep -qF "${tok:4:40}" "$SRV_LOG"; then
		bad "a token is in the server log"
	else
		ok
	fi
done
expect_match '^GET /api/v1/projects/\{ws\}/\{name\} 200 [0-9.]+ms$' \
	"$(grep -m1 '^GET /api/v1/projects/{ws}/{name} 200' "$SRV_LOG")" "log line form"

server_finish
e2e_done
