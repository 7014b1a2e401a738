#!/usr/bin/env bash
# server_ui.sh - the web UI's side of nereid-server (docs/internals/ui.md):
# the UI's files and their headers, the run-table route (sort, filter,
# keyset cursor, every bad argument refused with one line), previews
# (refused by a team server; in ui mode only the local file a record
# names, checked against its size and MD5), and `ui` mode's guards:
# loopback only, read only, no other Host name. The browser side is
# tests/ui.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/server_lib.sh"

server_start
TOK="$(new_token ws/p write --name tester)"
P=/api/v1/projects/ws/p

# The UI's files: no token, strict headers; an unknown file is 404 JSON.
curl -s -D "$T/h" -o "$T/index" "$URL/"
expect_match 'Content-Security-Policy: default-src .none.; script-src .self.;' "$(tr -d '\r' <"$T/h")" "index.html has the CSP"
expect_match 'X-Content-Type-Options: nosniff' "$(tr -d '\r' <"$T/h")" "and nosniff"
expect_match '<script type="module" src="app.js">' "$(cat "$T/index")" "index.html loads app.js"
if grep -q '<script>' "$T/index"; then bad "index.html has an inline script"; else ok; fi
api GET /app.js
expect_eq 200 "$STATUS" "app.js"
api GET /nope.html
expect_status 404 "an unknown file"
api GET /../etc/passwd
expect_status 404 "no path outside the embedded files"

# Runs: b, a, c (names), the second with a tag.
api PUT $P "$TOK" '{"key":"PRJ"}'
api POST $P/runs "$TOK" '{"uuid":"0f8fad5b-d9cb-469f-a165-70867728950e","name":"b"}'
api POST $P/runs "$TOK" '{"uuid":"7c9e6679-7425-40de-944b-e07fc1f90ae7","name":"a","tags":["Gold"]}'
api POST $P/runs "$TOK" '{"uuid":"16fd2706-8baf-433b-82eb-8c7fada847da","name":"c"}'
expect_status 201 "runs made"

api GET "$P/run-table" "$TOK"
expect_status 200 "run-table"
expect_eq "PRJ-1 PRJ-2 PRJ-3" "$(jget '[.runs[].id] | join(" ")')" "by ID, ascending by default"
expect_eq "null" "$(jget .next)" "one page"
api GET "$P/run-table?sort=name&order=desc&limit=2" "$TOK"
expect_eq "PRJ-3 PRJ-1" "$(jget '[.runs[].id] | join(" ")')" "by name, descending, a page of 2"
NEXT="$(jget .next)"
api GET "$P/run-table?sort=name&order=desc&limit=2&cursor=$NEXT" "$TOK"
expect_eq "PRJ-2" "$(jget '[.runs[].id] | join(" ")')" "the cursor goes on after the last run"
api GET "$P/run-table?sort=owner&cursor=$NEXT" "$TOK"
expect_status 400 "a cursor of another sort"
api GET "$P/run-table?q=gold" "$TOK"
expect_eq "PRJ-2" "$(jget '[.runs[].id] | join(" ")')" "filter on a tag, any case"
api GET "$P/run-table?q=%25" "$TOK"
expect_eq "0" "$(jget '.runs | length')" "% is a literal, not a wildcard"
api GET "$P/run-table?sort=size" "$TOK"
expect_status 400 "an unknown sort"
expect_match 'sort: one of id' "$(jget .error.message)" "the message names the sort"
api GET "$P/run-table?order=up" "$TOK"
expect_status 400 "an unknown order"
api GET "$P/run-table?limit=0" "$TOK"
expect_status 400 "limit 0"
api GET "$P/run-table?limit=1001" "$TOK"
expect_status 400 "limit above 1000"
api GET "$P/run-table?cursor=id.asc.1.zz" "$TOK"
expect_status 400 "a forged cursor"
api GET "$P/run-table?q=$(printf 'x%.0s' $(seq 1 300))" "$TOK"
expect_status 400 "a filter longer than 256 bytes"
api GET "$P/run-table"
expect_status 401 "run-table needs a token"
api GET /api/v1/projects/ws/other/run-table "$TOK"
expect_status 404 "another project's table is not found"

# A team server reads no file sources.
api GET "$P/artifacts/$(printf '0%.0s' $(seq 1 64))/preview?path=a" "$TOK"
expect_status 403 "serve previews nothing"
server_finish

# ui mode over an embedded store with a tracked file.
export NEREID_HOME="$T/home" NEREID_PROJECT=ws/demo
nereid project new ws/demo --key DEM >/dev/null
R="$(nereid run new)"
mkdir -p "$T/data" && printf 'hello\n' >"$T/data/a.txt" && printf '<svg onload=alert(1)>' >"$T/data/x.svg"
H="$(nereid track "$R:d" "$T/data" | awk '{print $3}')"
mkdir -p "$T/data2" && printf 'hello\n' >"$T/data2/a.txt" && printf '1' >"$T/data2/b" && printf '2' >"$T/data2/c"
nereid track "$R:e" "$T/data2" >/dev/null
"$SERVER_BIN" ui --listen 127.0.0.1:0 >"$T/ui.out" 2>"$T/ui.err" &
UI_PID=$!
for _ in $(seq 1 200); do
	URL="$(sed -n 's,^nereid ui: serving the store read-only at \(http://127\.0\.0\.1:[0-9]*\)/$,\1,p' "$T/ui.out")"
	[ -n "$URL" ] && break
	sleep 0.05
done
[ -n "$URL" ] || fail "nereid-server ui did not start: $(cat "$T/ui.err")"
DP=/api/v1/projects/ws/demo
# The diff in pages, with the counts of all of it (the UI's compare).
api GET "$DP/diff?from=$R:d&to=$R:e&limit=1"
expect_status 200 "a page of a diff"
expect_eq "1 2 1 0 1" "$(jget '"\(.changes|length) \(.counts.added) \(.counts.removed) \(.counts.changed) \(.counts.unchanged)"')" \
	"one change, and the counts of all"
expect_eq "1" "$(jget .next)" "the cursor of the next change"
api GET "$DP/diff?from=$R:d&to=$R:e&limit=10&cursor=1"
expect_eq "2 null" "$(jget '"\(.changes|length) \(.next)"')" "the rest"
api GET "$DP/diff?from=$R:d&to=$R:e"
expect_eq "3" "$(jget '.changes|length')" "without limit, every change as before"
api GET "$DP/diff?from=$R:d&to=$R:e&limit=0"
expect_status 400 "diff limit 0"
api GET "$DP/diff?from=$R:d&to=$R:e&cursor=99"
expect_status 400 "a diff cursor past the end"

api GET "$DP/artifacts/$H/preview?path=a.txt"
expect_status 200 "ui previews a tracked local file without a token"
expect_eq "hello" "$(jget .data | base64 -d)" "its bytes"
expect_eq "true text/plain" "$(jget '"\(.verified) \(.mime)"')" "checked against its MD5, as text"
api GET "$DP/artifacts/$H/preview?path=x.svg"
expect_eq "text/plain" "$(jget .mime)" "an SVG is text, never an image that runs script"
api GET "$DP/artifacts/$H/preview?path=$T/data/a.txt"
expect_status 404 "a path no record names"
api GET "$DP/artifacts/$H/preview"
expect_status 400 "no path"
printf 'hello, longer\n' >"$T/data/a.txt"
api GET "$DP/artifacts/$H/preview?path=a.txt"
expect_status 409 "a file that changed since it was tracked"
expect_match 'changed since it was tracked' "$(jget .error.message)" "says so"
rm "$T/data/a.txt" && ln -s /etc/passwd "$T/data/a.txt"
api GET "$DP/artifacts/$H/preview?path=a.txt"
expect_status 404 "a symbolic link put in its place is not followed"
api PUT /api/v1/projects/ws/new "" '{}'
expect_status 403 "ui is read only"
STATUS="$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: attacker.example' "$URL/api/v1/projects")"
expect_eq 403 "$STATUS" "another Host name (DNS rebinding) is refused"
kill -TERM "$UI_PID"
wait "$UI_PID"
expect_eq 0 "$?" "ui exits 0 on SIGTERM"
if grep -qE 'Sanitizer|runtime error' "$T/ui.err"; then bad "sanitizer reports in ui's log"; else ok; fi

# A file above the byte cap: its first 1 MiB, not verified.
head -c 2097152 /dev/zero >"$T/data2/big.txt"
nereid track "$R:f" "$T/data2" >/dev/null
HF="$(nereid hash "$R:f")"
"$SERVER_BIN" ui --listen 127.0.0.1:0 >"$T/ui2.out" 2>"$T/ui2.err" &
UI_PID=$!
for _ in $(seq 1 200); do
	URL="$(sed -n 's,^nereid ui: serving the store read-only at \(http://127\.0\.0\.1:[0-9]*\)/$,\1,p' "$T/ui2.out")"
	[ -n "$URL" ] && break
	sleep 0.05
done
api GET "$DP/artifacts/$HF/preview?path=big.txt"
expect_status 200 "a preview of a 2 MiB file"
expect_eq "true false 2097152 1048576" "$(jget '"\(.truncated) \(.verified) \(.size) \(.data|@base64d|length)"')" \
	"its first 1 MiB, not verified"
kill -TERM "$UI_PID"
wait "$UI_PID"

# nereid ui execs the nereid-server beside it.
"$NEREID_BIN" ui --no-browser --listen 127.0.0.1:0 >"$T/cli-ui.out" 2>&1 &
UI_PID=$!
URL=""
for _ in $(seq 1 200); do
	URL="$(sed -n 's,^nereid ui: serving the store read-only at \(http://127\.0\.0\.1:[0-9]*\)/$,\1,p' "$T/cli-ui.out")"
	[ -n "$URL" ] && break
	sleep 0.05
done
[ -n "$URL" ] || fail "nereid ui did not start: $(cat "$T/cli-ui.out")"
api GET /
expect_eq 200 "$STATUS" "nereid ui serves the UI"
api GET /api/v1/projects
expect_eq "ws/demo" "$(jget '.projects[].name')" "and this machine's store, without a token"
kill -TERM "$UI_PID"
wait "$UI_PID"
expect_eq 0 "$?" "nereid ui exits 0 on SIGTERM"

# ui listens on loopback only; nereid ui passes its options on.
expect_exit 4 "$SERVER_BIN" ui --listen 0.0.0.0:0
expect_match '^nereid-server: 0\.0\.0\.0:0: ui: serves loopback only' "$ERR" "the refusal names the address"
expect_error 2 nereid ui --listen
expect_error 2 nereid ui --store https://example.com
expect_error 2 nereid ui extra
expect_exit 2 env NEREID_STORE=http://127.0.0.1:9 "$SERVER_BIN" ui --listen 127.0.0.1:0
expect_match "ui: serves this machine's embedded store" "$ERR" "ui refuses a store that is not this machine's"
expect_exit 0 nereid ui --help
expect_contains "usage: nereid ui" "$OUT" "nereid ui --help"
expect_exit 0 nereid help ui
expect_contains "usage: nereid ui" "$OUT" "nereid help ui"
e2e_done
