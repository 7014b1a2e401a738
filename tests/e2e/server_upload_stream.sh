#!/usr/bin/env bash
# server_upload_stream.sh - route 13 (artifact upload) as a stream: sorted
# records are stored as they are read back; records in another order are
# still accepted (sorted in memory), with the same hash; a duplicate path,
# a bad record in the middle, a wrong hash or a cut-off body stores
# nothing and says what failed; a 20,000-record artifact goes up and comes
# back whole, page by page.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/server_lib.sh"

server_start
expect_exit 0 srv project create team/up --key UP
TOK="$(new_token team/up write --name up)"
P=/api/v1/projects/team/up
rec() { printf '{"file_path":"%s","file_hash":"%s","type":"Local","size":%s,"metadata":{}}' "$1" "$2" "$3"; }
A=9e107d9d372bb6826bd81d3542a419d6
B=d41d8cd98f00b204e9800998ecf8427e

# Sorted: stored as it streams.
printf '[%s,%s,%s]' "$(rec a.txt $A 1)" "$(rec b/c.txt $B 2)" "$(rec z.txt $A 3)" >"$T/sorted.json"
H="$(spec_hash <"$T/sorted.json")"
api PUT "$P/artifacts/$H" "$TOK" "@$T/sorted.json"
expect_status 201 "a sorted upload"
expect_eq 3 "$(jget .files)" "three records stored"
expect_eq "$(spec_hash --content <"$T/sorted.json")" "$(jget .content_hash)" "content hash computed on the way"
api PUT "$P/artifacts/$H" "$TOK" "@$T/sorted.json"
expect_status 200 "the same upload again: there already"

# Another order: the same artifact; a new set in another order is stored.
printf '[%s,%s,%s]' "$(rec z.txt $A 3)" "$(rec a.txt $A 1)" "$(rec b/c.txt $B 2)" >"$T/shuffled.json"
api PUT "$P/artifacts/$H" "$TOK" "@$T/shuffled.json"
expect_status 200 "records in another order hash the same"
printf '[%s,%s]' "$(rec y.txt $B 5)" "$(rec x.txt $A 4)" >"$T/new.json"
H2="$(spec_hash <"$T/new.json")"
api PUT "$P/artifacts/$H2" "$TOK" "@$T/new.json"
expect_status 201 "an unsorted new artifact is accepted"
api GET "$P/artifacts/$H2/files" "$TOK"
expect_eq "x.txt y.txt" "$(jget '[.files[].file_path] | join(" ")')" "and stored sorted"

# Failures store nothing and name what failed.
nothing_stored() {
	api GET "$P/artifacts/$1" "$TOK"
	expect_status 404 "$2: nothing was stored"
}
printf '[%s,%s]' "$(rec d.txt $A 1)" "$(rec d.txt $B 2)" >"$T/dup.json"
HD="$(printf '[%s]' "$(rec d.txt $A 1)" | spec_hash)"
api PUT "$P/artifacts/$HD" "$TOK" "@$T/dup.json"
expect_status 400 "a path twice"
expect_contains "twice" "$(jget .error.message)" "the message says twice"
nothing_stored "$HD" "a path twice"

printf '[%s,%s,%s]' "$(rec e1.txt $A 1)" "$(rec e2.txt not-an-md5 2)" "$(rec e3.txt $A 3)" >"$T/bad.json"
HB="$(printf '[%s,%s]' "$(rec e1.txt $A 1)" "$(rec e3.txt $A 3)" | spec_hash)"
api PUT "$P/artifacts/$HB" "$TOK" "@$T/bad.json"
expect_status 400 "a bad record in the middle"
expect_contains "record 2" "$(jget .error.message)" "the message names record 2"
nothing_stored "$HB" "a bad record"

printf '[%s,%s]' "$(rec f1.txt $A 1)" "$(rec f2.txt $A 2)" >"$T/f.json"
WRONG=0000000000000000000000000000000000000000000000000000000000000000
api PUT "$P/artifacts/$WRONG" "$TOK" "@$T/f.json"
expect_status 400 "a wrong hash"
expect_eq integrity "$(jget .error.code)" "code integrity"
nothing_stored "$WRONG" "a wrong hash"

HF="$(spec_hash <"$T/f.json")"
head -c 60 "$T/f.json" >"$T/cut.json"
api PUT "$P/artifacts/$HF" "$TOK" "@$T/cut.json"
expect_status 400 "a cut-off body"
nothing_stored "$HF" "a cut-off body"

# Many records: up whole, down page by page.
python3 - "$T/big.json" <<'PY'
import json, sys
recs = [{"file_path": "big/%06d" % i, "file_hash": "9e107d9d372bb6826bd81d3542a419d6",
         "type": "Local", "size": i, "metadata": {}} for i in range(20000)]
json.dump(recs, open(sys.argv[1], "w"))
PY
HG="$(spec_hash <"$T/big.json")"
api PUT "$P/artifacts/$HG" "$TOK" "@$T/big.json"
expect_status 201 "20,000 records"
expect_eq 20000 "$(jget .files)" "all of them"
api GET "$P/artifacts/$HG/files" "$TOK"
n1="$(jget '.files | length')"
next="$(jget .next)"
api GET "$P/artifacts/$HG/files?cursor=$next" "$TOK"
n2="$(jget '.files | length')"
expect_eq 20000 "$((n1 + n2))" "two pages give them all"
expect_eq "big/019999" "$(jget '.files[-1].file_path')" "the last record comes last"

server_finish
e2e_done
