#!/usr/bin/env bash
# local_import_checks.sh - `nereid import` refuses every record SPEC
# section 2 says cannot exist (bad file_path, type, hash, source, time,
# size, duplicates, unknown keys, wrong JSON types), naming the first bad
# one by its number and why, with exit 2 and nothing stored; it reads its
# JSON one record at a time (a large import from stdin, a record over
# 1 MiB refused).
. "$(dirname "$0")/lib.sh"

MD5=9e107d9d372bb6826bd81d3542a419d6
WHEN="2022-09-30 10:50:40"
# rec PATH [HASH] [TYPE] [SOURCE] [WHEN] [SIZE]: one record, parts replaceable (JSON-escaped already).
rec() {
	printf '{"file_path":"%s","file_hash":"%s","type":"%s","size":%s,"metadata":{"file_path":"%s","last_modified":"%s"}}' \
		"$1" "${2:-$MD5}" "${3:-Local}" "${6:-1}" "${4:-file:///data/$1}" "${5:-$WHEN}"
}
GOOD1="$(rec a.txt)"
GOOD2="$(rec sub/b.txt)"

R="$(new_run)"
expect_exit 0 nereid import "$R:f" <(printf '[%s]' "$GOOD1")
H="$(hash_of "$R:f")"
expect_match '^[0-9a-f]{64}$' "$H" "a good record is imported"

# refused BAD_RECORD WANT_IN_MESSAGE: as the 3rd of 3 records, into a new and
# into an existing field; exit 2, one error line naming record 3, nothing stored.
n=0
refused() {
	n=$((n + 1))
	printf '[%s,%s,%s]' "$GOOD1" "$GOOD2" "$1" >bad$n.json
	expect_error 2 nereid import "$R:new$n" bad$n.json
	expect_contains "bad$n.json: record 3" "$ERR" "case $n: the message names the input and record 3"
	expect_contains "$2" "$ERR" "case $n: the message says why ($2)"
	expect_error 3 nereid hash "$R:new$n"
	expect_error 2 nereid import "$R:f" bad$n.json
	expect_eq "$H" "$(hash_of "$R:f")" "case $n: the existing field is unchanged"
}

# file_path
refused "$(rec ../x)" '("../x"): file_path must be a relative path'
refused "$(rec /etc/x)" '("/etc/x"): file_path must be a relative path'
refused "$(rec '')" '(""): file_path must be a relative path'
refused "$(rec a//b)" 'file_path must be a relative path'
refused "$(rec a/./b)" 'file_path must be a relative path'
refused "$(rec a/)" 'file_path must be a relative path'
# type and hash
refused "$(rec c.txt $MD5 Folder)" 'type "Folder" is not "Local" or "S3"'
refused "$(rec c.txt $MD5 local)" 'type "local" is not "Local" or "S3"'
refused "$(rec c.txt 9E107D9D372BB6826BD81D3542A419D6)" 'is not an MD5 (32 lowercase hex digits)'
refused "$(rec c.txt abc)" 'is not an MD5'
refused "$(rec c.txt 'a b' S3 s3://b/c.txt)" 'is not an ETag'
# source
refused "$(rec c.txt $MD5 Local /etc/passwd)" 'must be a file:/// URL'
refused "$(rec c.txt $MD5 Local c.txt)" 'must be a file:/// URL'
refused "$(rec c.txt $MD5 Local http://example.com/c.txt)" 'must be a file:/// URL'
refused "$(rec c.txt $MD5 Local file://host/c.txt)" 'not an absolute file:///path URL'
refused "$(rec c.txt $MD5 Local file:///d/../etc/passwd)" 'segment'
refused "$(rec c.txt $MD5 Local 'file:///d/50%')" "'%' not followed by two hex digits"
refused "$(rec c.txt $MD5 Local 'file:///d/c#1')" "'#' or '?'"
refused "$(rec c.txt $MD5 S3 file:///d/c.txt)" 'must be s3://bucket/key'
refused "$(rec c.txt $MD5 S3 s3://bucket)" 'no key after the bucket'
refused "$(rec c.txt $MD5 S3 's3://b/p/../c')" 'segment'
# last_modified
refused "$(rec c.txt $MD5 Local file:///d/c.txt '2022-09-30T10:50:40Z')" 'metadata.last_modified "2022-09-30T10:50:40Z" is not'
refused "$(rec c.txt $MD5 Local file:///d/c.txt '2022-02-30 10:50:40')" 'metadata.last_modified'
refused "$(rec c.txt $MD5 Local file:///d/c.txt '2022-09-30 25:00:00')" 'metadata.last_modified'
refused "$(rec c.txt $MD5 Local file:///d/c.txt 'yesterday')" 'metadata.last_modified'
# size and JSON types
refused "$(rec c.txt $MD5 Local file:///d/c.txt "$WHEN" -1)" '"size" must not be negative'
refused "$(rec c.txt $MD5 Local file:///d/c.txt "$WHEN" 1.5)" '"size" must be an integer or null'
refused "$(rec c.txt $MD5 Local file:///d/c.txt "$WHEN" '"1"')" '"size" must be an integer or null'
refused "$(rec c.txt $MD5 Local file:///d/c.txt "$WHEN" true)" '"size" must be an integer or null'
refused '{"file_path":1,"file_hash":"x","type":"S3"}' '"file_path" must be a string'
refused '{"file_path":"c","file_hash":"x","type":"S3","metadata":[]}' '"metadata" must be an object'
refused '{"file_path":"c","file_hash":"x","type":"S3","metadata":{"file_path":7}}' 'must be a string'
refused '"c.txt"' 'expected an object'
# unknown keys
refused '{"file_path":"c","file_hash":"x","type":"S3","owner":"eve"}' 'unknown key "owner"'
refused '{"file_path":"c","file_hash":"x","type":"S3","metadata":{"etag":"x"}}' 'unknown key "metadata.etag"'
# duplicates: the later one is named, with the first
refused "$(rec a.txt)" 'record 3 ("a.txt"): file_path appears twice (first in record 1)'

# What is accepted: S3 keys raw, byte for byte (never decoded), raw spaces
# and non-ASCII in file:// sources as other trackers wrote them, no metadata.
ODD='[{"file_path":"k","file_hash":"d41d8cd98f00b204e9800998ecf8427e-2","type":"S3","size":0,"metadata":{"file_path":"s3://b/p/100%41 #?x é","last_modified":"2021-05-23 03:55:26"}},{"file_path":"n","file_hash":"9e107d9d372bb6826bd81d3542a419d6","type":"Local","size":null,"metadata":{"file_path":"file:///home/me/my data/é.csv"}},{"file_path":"v","file_hash":"abc","type":"S3","size":null,"metadata":{}}]'
printf '%s' "$ODD" >odd.json
expect_exit 0 nereid import "$R:odd" odd.json
expect_exit 0 nereid ls "$R:odd" --json
expect_eq "$ODD" "$OUT" "accepted records come back exactly as they were given"

# The first bad record is named, wherever it is.
printf '[%s,%s,%s,%s]' "$GOOD1" "$(rec ../one)" "$GOOD2" "$(rec ../two)" >first.json
expect_error 2 nereid import "$R:g" first.json
expect_contains 'first.json: record 2 ("../one")' "$ERR" "the first bad record is named"
expect_not_contains "two" "$ERR" "only the first"
printf '[%s,%s,%s]' "$GOOD1" "$GOOD1" "$(rec ../x)" >dupfirst.json
expect_error 2 nereid import "$R:g" dupfirst.json
expect_contains 'record 2 ("a.txt"): file_path appears twice' "$ERR" "a duplicate before a bad record is first"

# Malformed JSON: named with the input and where.
printf '[%s,%s' "$GOOD1" "$GOOD2" >open.json
expect_error 2 nereid import "$R:g" open.json
expect_contains "open.json: the array is not closed" "$ERR" "an unclosed array"
printf '[%s,]' "$GOOD1" >trailing.json
expect_error 2 nereid import "$R:g" trailing.json
expect_contains "trailing.json: record 2: expected an object" "$ERR" "a trailing comma"
printf '[%s] []' "$GOOD1" >after.json
expect_error 2 nereid import "$R:g" after.json
expect_contains "after.json: data after the array" "$ERR" "data after the array"
printf '%s' "$GOOD1" >object.json
expect_error 2 nereid import "$R:g" object.json
expect_contains "object.json: expected a JSON array of records (byte 0)" "$ERR" "not an array"
printf '[{"file_path":"a","file_path":"b"}]' >dupkey.json
expect_error 2 nereid import "$R:g" dupkey.json
expect_contains "dupkey.json: record 1: JSON:" "$ERR" "a duplicate key"
printf '[]' >empty.json
expect_error 2 nereid import "$R:g" empty.json
expect_contains "no records" "$ERR" "an empty array"
expect_error 3 nereid import "$R:g" no_such.json
expect_error 3 nereid hash "$R:g"

# A record of more than 1 MiB of JSON is refused (no unbounded buffer).
py 'import sys
sys.stdout.write("[{\"file_path\":\"" + "a" * (1 << 20) + "\",\"file_hash\":\"x\",\"type\":\"S3\"}]")' >huge.json
expect_error 2 nereid import "$R:g" huge.json
expect_contains "huge.json: record 1: longer than 1048576 bytes" "$ERR" "a huge record is refused"

# From stdin, streamed: many records, any white space, the reference hash.
py 'import json, sys
recs = [{"file_path": "d%d/f%05d" % (i % 7, i), "file_hash": "%032x" % i, "type": "Local",
         "size": i, "metadata": {"file_path": "file:///data/d%d/f%05d" % (i % 7, i),
         "last_modified": "2021-01-01 00:00:00"}} for i in range(30000)]
json.dump(recs, sys.stdout, indent=1)' >many.json
expect_exit 0 nereid import "$R:many" - <many.json
expect_eq "$(spec_hash <many.json 2>&1)" "$(hash_of "$R:many")" "30,000 records from stdin: the reference hash"
expect_eq 30000 "$(ls_json "$R:many" | py 'import json,sys; print(len(json.load(sys.stdin)))' 2>&1)" "every record stored"
printf '[%s,%s]' "$GOOD1" "$(rec ../x)" >stdin.json
expect_error 2 nereid import "$R:stdin" - <stdin.json
expect_contains 'stdin: record 2 ("../x")' "$ERR" "stdin is named in messages"
expect_error 3 nereid hash "$R:stdin"

e2e_done
