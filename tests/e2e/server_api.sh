#!/usr/bin/env bash
# server_api.sh - the routes of nereid-server (docs/api/http.md) on a real
# server: health; the OpenAPI document lists exactly the route table; runs
# created with a client-made UUID (a retry gives the same run); fields put,
# read, swapped (409 on a failed expectation) and removed; artifacts uploaded
# once per hash, refused with nothing stored when the records do not hash to
# the path's hash; records paged; used-by, find-file and diff; bad path
# parameters, oversize bodies (413) and deep JSON (400) refused.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/server_lib.sh"

server_start
TOK="$(new_token ws/p write --name tester)"
[ -n "$TOK" ] || fail "token create"
P=/api/v1/projects/ws/p

api GET /api/v1/health
expect_status 200 health
expect_eq "ok $("$NEREID_BIN" --version | awk '{print $NF}')" "$(jget '.status + " " + .version')" \
	"health: status and version"

# The OpenAPI document lists every row of the route table, and only those.
api GET /api/v1/openapi.json "$TOK"
expect_status 200 openapi
expect_eq "3.0.3" "$(jget .openapi)" "openapi version"
want="$(srv routes | awk '{ m = tolower($1); p = $2; gsub(/\+/, "", p); print m " " p " " $3 }' | sort)"
got="$(jget '.paths | to_entries[] | .key as $p | .value | to_entries[] |
	"\(.key) \($p) \(.value["x-nereid-scope"])"' | sort)"
expect_eq "$want" "$got" "openapi lists exactly the route table"
expect_eq 21 "$(printf '%s\n' "$want" | grep -c '')" "21 routes"

# Projects: get-or-create, key kept, another key refused.
api GET $P "$TOK"
expect_status 404 "a project not made yet"
api PUT $P "$TOK" '{"key":"PRJ"}'
expect_status 201 "project created"
expect_eq "ws/p PRJ 0" "$(jget '"\(.name) \(.key) \(.runs)"')" "project answer"
api PUT $P "$TOK" '{"key":null}'
expect_status 200 "project again"
api PUT $P "$TOK" '{"key":"OTHER"}'
expect_status 409 "project with another key"
expect_eq exists "$(jget .error.code)" "code exists"
api PUT $P "$TOK" '{"key":"bad key"}'
expect_status 400 "bad key"
api PUT $P "$TOK" '[1,2]'
expect_status 400 "body not an object"
api PUT $P "$TOK" '{"key":'
expect_status 400 "body not JSON"

# Runs: a retried create (same uuid) gives the same run; custom_run_id resumes.
U1=3f1c0a52-7d2b-4c8e-9a1f-0b6d5e4c3a21
api POST $P/runs "$TOK" "{\"uuid\":\"$U1\",\"name\":\"first\",\"tags\":[\"b\",\"a\"],\"description\":\"d\"}"
expect_status 201 "run create"
expect_eq "PRJ-1 first tester a,b d" "$(jget '"\(.id) \(.name) \(.owner) \(.tags|join(",")) \(.description)"')" "run answer"
api POST $P/runs "$TOK" "{\"uuid\":\"$U1\",\"name\":\"first\"}"
expect_status 200 "the same uuid again"
expect_eq PRJ-1 "$(jget .id)" "a retried create gives the same run"
api POST $P/runs "$TOK" '{"uuid":"6a1c0a52-7d2b-4c8e-9a1f-0b6d5e4c3a22","custom_run_id":"exp-7"}'
expect_status 201 "run with a custom_run_id"
expect_eq PRJ-2 "$(jget .id)" "second run"
api POST $P/runs "$TOK" '{"uuid":"7a1c0a52-7d2b-4c8e-9a1f-0b6d5e4c3a23","custom_run_id":"exp-7"}'
expect_status 200 "resume by custom_run_id"
expect_eq PRJ-2 "$(jget .id)" "resumed run"
api POST $P/runs "$TOK" '{"uuid":"not-a-uuid"}'
expect_status 400 "bad uuid"
api POST $P/runs "$TOK" '{"name":"no uuid"}'
expect_status 400 "no uuid"
api POST $P/runs "$TOK" '{"uuid":"8a1c0a52-7d2b-4c8e-9a1f-0b6d5e4c3a24","tags":[1]}'
expect_status 400 "a tag that is not a string"
api GET $P/runs/PRJ-1 "$TOK"
expect_status 200 "run get"
expect_eq first "$(jget .name)" "run get: name"
api GET $P/runs/PRJ-9 "$TOK"
expect_status 404 "a run that does not exist"
api GET "$P/runs?limit=1" "$TOK"
expect_eq "PRJ-1" "$(jget '[.runs[].id]|join(",")')" "first page of runs"
NEXT="$(jget .next)"
api GET "$P/runs?limit=1&cursor=$NEXT" "$TOK"
expect_eq "PRJ-2" "$(jget '[.runs[].id]|join(",")')" "second page of runs"
api GET "$P/runs?limit=1&cursor=$(jget .next)" "$TOK"
expect_eq "0 null" "$(jget '"\(.runs|length) \(.next)"')" "the end of the runs"
api GET "$P/runs?limit=0" "$TOK"
expect_status 400 "limit 0"
api GET "$P/runs?limit=10001" "$TOK"
expect_status 400 "limit above the maximum"
api GET "$P/runs?cursor=abc" "$TOK"
expect_status 400 "a cursor the server did not give"

# Artifacts: the server computes the hash; a mismatch stores nothing.
cat >"$T/records.json" <<'JSON'
[{"file_path":"train/b.csv","file_hash":"9e107d9d372bb6826bd81d3542a419d6","type":"Local","size":43,"metadata":{"file_path":"file:///data/train/b.csv","last_modified":"2022-09-30 10:50:40"}},
 {"file_path":"train/a.csv","file_hash":"e4d909c290d0fb1ca068ffaddf22cbd0","type":"Local","size":44,"metadata":{"file_path":"file:///data/train/a.csv","last_modified":"2022-09-30 10:50:41"}},
 {"file_path":"test/c.csv","file_hash":"d41d8cd98f00b204e9800998ecf8427e","type":"Local","size":0,"metadata":{}}]
JSON
H="$(python3 "$E2E_DIR/spec_hash.py" <"$T/records.json")"
C="$(python3 "$E2E_DIR/spec_hash.py" --content <"$T/records.json")"
WRONG=0000000000000000000000000000000000000000000000000000000000000000
api PUT $P/artifacts/$WRONG "$TOK" "@$T/records.json"
expect_status 400 "records that do not hash to the path's hash"
expect_eq integrity "$(jget .error.code)" "code integrity"
api GET $P/artifacts/$WRONG "$TOK"
expect_status 404 "nothing was stored under the wrong hash"
api GET $P/artifacts/$H "$TOK"
expect_status 404 "nor under the right one"
api PUT $P/artifacts/$H "$TOK" "@$T/records.json"
expect_status 201 "artifact upload"
expect_eq "$H $C 3" "$(jget '"\(.hash) \(.content_hash) \(.files)"')" "upload answer (hashes as spec_hash.py)"
api PUT $P/artifacts/$H "$TOK" "@$T/records.json"
expect_status 200 "the same artifact again"
api GET $P/artifacts/$H "$TOK"
expect_eq "$C" "$(jget .content_hash)" "artifact get: content hash"
api PUT $P/artifacts/$H "$TOK" '[{"file_path":"../x","file_hash":"9e107d9d372bb6826bd81d3542a419d6","type":"Local","size":1,"metadata":{}}]'
expect_status 400 "a record with an unsafe file_path"
api PUT $P/artifacts/$H "$TOK" '[{"file_path":"a","file_hash":"zz","type":"Local","size":1,"metadata":{}}]'
expect_status 400 "a record with a bad file_hash"
api PUT $P/artifacts/$H "$TOK" '{"not":"an array"}'
expect_status 400 "records not an array"

# Records, a page at a time, sorted by file_path.
api GET "$P/artifacts/$H/files?limit=2" "$TOK"
expect_status 200 "files page"
expect_eq "test/c.csv train/a.csv" "$(jget '[.files[].file_path]|join(" ")')" "first page"
api GET "$P/artifacts/$H/files?limit=2&cursor=$(jget .next)" "$TOK"
expect_eq "train/b.csv null" "$(jget '"\([.files[].file_path]|join(" ")) \(.next)"')" "last page"
api GET "$P/artifacts/$H/files" "$TOK"
expect_eq "$(jq -cS 'sort_by(.file_path)' "$T/records.json")" "$(jget '.files' | jq -cS .)" \
	"records come back as SPEC section 2's JSON"
api GET "$P/artifacts/$H/files?cursor=zz" "$TOK"
expect_status 400 "bad files cursor"

# Fields: put (compare and swap), get, list, remove.
api PUT $P/runs/PRJ-1/fields/data/train "$TOK" "{\"expect\":\"\",\"hash\":\"$H\",\"roots\":[{\"location\":\"file:///data\",\"destination\":\"\"}],\"roots_mode\":\"set\"}"
expect_status 200 "field put"
api PUT $P/runs/PRJ-1/fields/data/train "$TOK" "{\"expect\":\"\",\"hash\":\"$H\"}"
expect_status 409 "field put expecting no artifact"
expect_eq conflict "$(jget .error.code)" "code conflict"
api PUT $P/runs/PRJ-2/fields/data/copy "$TOK" "{\"expect\":null,\"hash\":\"$H\"}"
expect_status 200 "second field"
api PUT $P/runs/PRJ-1/fields/data/other "$TOK" "{\"hash\":\"$WRONG\"}"
expect_status 404 "a field pointed at an artifact the project does not have"
api PUT $P/runs/PRJ-1/fields/sys/owner "$TOK" "{\"hash\":\"$H\"}"
expect_status 400 "sys/ is read-only"
api PUT $P/runs/PRJ-1/fields/data/x "$TOK" "{\"hash\":\"$H\",\"roots_mode\":\"merge\"}"
expect_status 400 "bad roots_mode"
api GET $P/runs/PRJ-1/fields/data/train "$TOK"
expect_status 200 "field get"
expect_eq "data/train $H file:///data" "$(jget '"\(.path) \(.hash) \(.roots[0].location)"')" "field answer"
api GET $P/runs/PRJ-1/fields "$TOK"
expect_eq "data/train" "$(jget '[.fields[].path]|join(",")')" "fields of a run"

# used-by, find-file, diff.
api GET $P/artifacts/$H/users "$TOK"
expect_eq "PRJ-1:data/train PRJ-2:data/copy" "$(jget '[.refs[]|"\(.run):\(.field)"]|join(" ")')" "used-by"
api GET $P/file-hashes/E4D909C290D0FB1CA068FFADDF22CBD0/users "$TOK"
expect_eq "PRJ-1:data/train:train/a.csv PRJ-2:data/copy:train/a.csv" \
	"$(jget '[.refs[]|"\(.run):\(.field):\(.file_path)"]|join(" ")')" "find-file (any case)"
api GET $P/file-hashes/nothex/users "$TOK"
expect_status 400 "find-file with a bad hash"
head -c -1 "$T/records.json" | sed '$ s/]$//' >/dev/null
jq -c '[.[] | select(.file_path != "test/c.csv")] + [{"file_path":"new.txt","file_hash":"9e107d9d372bb6826bd81d3542a419d6","type":"Local","size":1,"metadata":{}}]' \
	"$T/records.json" >"$T/records2.json"
H2="$(python3 "$E2E_DIR/spec_hash.py" <"$T/records2.json")"
api PUT $P/artifacts/$H2 "$TOK" "@$T/records2.json"
expect_status 201 "second artifact"
api PUT $P/runs/PRJ-2/fields/data/copy "$TOK" "{\"expect\":\"$H\",\"hash\":\"$H2\"}"
expect_status 200 "swap with the right expectation"
api GET "$P/diff?from=PRJ-1:data/train&to=PRJ-2%3Adata%2Fcopy" "$TOK"
expect_status 200 diff
expect_eq "added new.txt,removed test/c.csv" "$(jget '[.changes[]|"\(.kind) \(.path)"]|join(",")')" "diff"
api GET "$P/diff?from=PRJ-1:data/train" "$TOK"
expect_status 400 "diff without to"
api GET "$P/diff?from=PRJ-1:data/train&to=PRJ-9:x" "$TOK"
expect_status 404 "diff with a missing run"

# Remove: a namespace goes with every field below it; then 404.
api DELETE $P/runs/PRJ-1/fields/data "$TOK"
expect_status 200 "remove a namespace"
expect_eq data "$(jget .removed)" "removed"
api GET $P/runs/PRJ-1/fields/data/train "$TOK"
expect_status 404 "the removed field"
api DELETE $P/runs/PRJ-1/fields/data "$TOK"
expect_status 404 "remove again"
api DELETE $P/runs/PRJ-1/fields/sys "$TOK"
expect_status 400 "sys cannot be removed"

# Bad path parameters: decoded once, then checked; never a 200, never a 500.
for path in "$P/runs/PRJ-1/fields/..%2fsecret" "$P/runs/PRJ-1/fields/%252e%252e" \
	"$P/runs/PRJ-1/fields/a;b" "$P/runs/PRJ-1/fields/a%5cb" "$P/runs/PRJ-1/fields/a%00b" \
	"$P/runs/PRJ-1/fields/a%23b" "$P/runs/PRJ-1/fields/../../etc/passwd" \
	"$P/runs/PRJ-1/fields/a/./b" "/api/v1/projects/ws/..%2f..%2fetc/runs" \
	"/api/v1/projects/../p/runs" "/api/v1/projects/ws/p%3B/runs" "$P/runs/prj-1" \
	"$P/runs/PRJ-01" "$P/runs/PRJ-1%2Ffields" "$P/artifacts/..%2f$H" "$P/runs/PRJ-1/fields/a%zz"; do
	api GET "$path" "$TOK"
	case "$STATUS" in
	400 | 404) expect_status "$STATUS" "GET $path" ;;
	*) bad "GET $path: status $STATUS, expected 400 or 404" ;;
	esac
done
STATUS="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" --path-as-is "$URL$P/runs/PRJ-1/fields/a\\b")"
expect_eq 400 "$STATUS" "a backslash in a field"

# Oversize bodies: 413 before they are read (Content-Length), and when sent
# in chunks without one. The JSON routes take 1 MiB.
head -c 2000000 /dev/zero | tr '\0' ' ' >"$T/big"
api PUT $P "$TOK" "@$T/big"
expect_status 413 "a 2 MB project body"
expect_eq too-large "$(jget .error.code)" "code too-large"
STATUS="$(curl -s -o "$T/api.body" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOK" \
	-H 'Transfer-Encoding: chunked' --data-binary "@$T/big" "$URL$P/runs")"
expect_eq 413 "$STATUS" "a 2 MB chunked body"
api GET $P/runs/PRJ-1 "$TOK"
expect_status 200 "the server still answers"
# An upload announcing more than 256 MiB is refused before a byte is sent.
python3 - "${URL#http://}" "$TOK" "$P/artifacts/$H" >"$T/raw" <<'PY'
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)), timeout=20)
s.sendall(("PUT %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
           "Content-Length: 300000000\r\n\r\n" % (sys.argv[3], sys.argv[2])).encode())
print(s.recv(200).decode(errors="replace").split("\r\n")[0])
PY
expect_match "^HTTP/1.1 413 " "$(cat "$T/raw")" "413 before the body of a 300 MB upload"
# A chunked upload (no Content-Length) is spooled and stored as any other.
STATUS="$(curl -s -o "$T/api.body" -w '%{http_code}' -X PUT -H "Authorization: Bearer $TOK" \
	-H 'Transfer-Encoding: chunked' --data-binary "@$T/records.json" "$URL$P/artifacts/$H")"
expect_eq 200 "$STATUS" "a chunked upload of an artifact the project has"

# JSON nested 100,000 deep: 400, never a crash.
python3 -c 'import sys; sys.stdout.write("{\"uuid\":" + "[" * 100000 + "]" * 100000 + "}")' >"$T/deep.json"
api POST $P/runs "$TOK" "@$T/deep.json"
expect_status 400 "a body nested 100,000 deep"
python3 -c 'import sys; sys.stdout.write("[" * 100000 + "]" * 100000)' >"$T/deep.json"
api PUT $P/artifacts/$H "$TOK" "@$T/deep.json"
expect_status 400 "records nested 100,000 deep"
api GET /api/v1/health
expect_status 200 "alive after deep JSON"

# Unknown routes and methods.
api GET /api/v1/nothing "$TOK"
expect_status 404 "unknown route"
api PATCH $P "$TOK"
expect_status 405 "a method the route does not take"
kill -0 "$SRV_PID" 2>/dev/null && ok || bad "the server died"

server_finish
e2e_done
