# s3_track.sh - tracking from S3 (SPEC section 4) against s3rver behind a
# signature-checking endpoint: one object, a prefix with sub-folders,
# --destination, the '/' boundary, folder markers, keys with special and
# non-ASCII characters, the whole bucket, the records' fields, and files
# tracked one by one giving the same hash as their prefix at once.
set -u
. "$(dirname "$0")/s3lib.sh"
s3_start

s3_mb kuiper
s3_put_text kuiper "path/train/a.csv" "a,b
1,2
"
s3_put_text kuiper "path/train/sub/b.csv" "bbbb"
s3_put_text kuiper "path/README" "read me"
s3_put_text kuiper "path2/x" "not under path/"
s3_put_text kuiper "pathology" "not under path/ either"
s3_put_text kuiper "path/empty/" ""
s3_put_text kuiper "path/train/" ""
printf 'abc' >"$WORK/abc"
s3_put kuiper "$(printf 'path/donn\xc3\xa9es/\xc3\xa9.txt')" "$WORK/abc"
s3_put kuiper "path/odd/a b+c%d~e=f.txt" "$WORK/abc"
s3_put kuiper "path/odd/100% (copy) [1] & 'q'.txt" "$WORK/abc"

run=$(new_run)

# One object: a single record named after the key's base name.
expect 0 track "$run:one" s3://kuiper/path/train/a.csv
json_paths "$run:one" >"$WORK/paths"
[ "$(cat "$WORK/paths")" = "a.csv" ] || fail "one object: got $(cat "$WORK/paths")"
nereid ls "$run:one" --json | python3 -c '
import json, sys, re, hashlib
r = json.load(sys.stdin)[0]
assert r["type"] == "S3", r
assert r["size"] == 8, r
assert r["file_hash"] == hashlib.md5(b"a,b\n1,2\n").hexdigest(), r
assert r["metadata"]["file_path"] == "s3://kuiper/path/train/a.csv", r
assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r["metadata"]["last_modified"]), r
' || fail "one object: record fields"

# A prefix with sub-folders: relative paths, the '/' boundary (path2/x and
# pathology are not taken), folder markers skipped, odd keys kept exactly.
expect 0 track "$run:all" s3://kuiper/path
json_paths "$run:all" >"$WORK/paths"
cat >"$WORK/want" <<EOF
README
donn$(printf '\xc3\xa9')es/$(printf '\xc3\xa9').txt
odd/100% (copy) [1] & 'q'.txt
odd/a b+c%d~e=f.txt
train/a.csv
train/sub/b.csv
EOF
diff "$WORK/want" "$WORK/paths" >&2 || fail "prefix listing differs"
nereid ls "$run:all" --json | python3 -c '
import json, sys
recs = {r["file_path"]: r for r in json.load(sys.stdin)}
r = recs["odd/a b+c%d~e=f.txt"]
assert r["metadata"]["file_path"] == "s3://kuiper/path/odd/a b+c%d~e=f.txt", r
assert r["file_hash"] == "900150983cd24fb0d6963f7d28e17f72", r
assert r["size"] == 3, r
' || fail "prefix: record fields"

# The same with a trailing '/' gives the same artifact.
expect 0 track "$run:slash" s3://kuiper/path/
[ "$(hash_of "$run:slash")" = "$(hash_of "$run:all")" ] || fail "path/ and path differ"

# --destination prefixes every file_path.
expect 0 track "$run:dest" s3://kuiper/path/train --destination data/v1
json_paths "$run:dest" >"$WORK/paths"
printf 'data/v1/a.csv\ndata/v1/sub/b.csv\n' | diff - "$WORK/paths" >&2 || fail "--destination"

# A key with special characters, tracked on its own by its exact bytes.
expect 0 track "$run:odd" "s3://kuiper/path/odd/a b+c%d~e=f.txt"
[ "$(json_paths "$run:odd")" = "a b+c%d~e=f.txt" ] || fail "odd key alone"
expect 0 track "$run:uni" "$(printf 's3://kuiper/path/donn\xc3\xa9es/\xc3\xa9.txt')"
[ "$(json_paths "$run:uni")" = "$(printf '\xc3\xa9.txt')" ] || fail "unicode key alone"

# The whole bucket.
expect 0 track "$run:bucket" s3://kuiper
json_paths "$run:bucket" >"$WORK/paths"
[ "$(wc -l <"$WORK/paths")" -eq 8 ] || fail "whole bucket: $(wc -l <"$WORK/paths") records"
grep -qx "path2/x" "$WORK/paths" && grep -qx "pathology" "$WORK/paths" &&
	grep -qx "path/train/sub/b.csv" "$WORK/paths" || fail "whole bucket: missing keys"
grep -q '/$' "$WORK/paths" && fail "whole bucket: a folder marker was recorded"

# Files one by one into a field == the prefix at once (same hash).
expect 0 track "$run:inc" s3://kuiper/path/README
expect 0 track "$run:inc" s3://kuiper/path/train/a.csv --destination train
expect 0 track "$run:inc" s3://kuiper/path/train/sub/b.csv --destination train/sub
expect 0 track "$run:inc" "s3://kuiper/path/odd/a b+c%d~e=f.txt" --destination odd
expect 0 track "$run:inc" "s3://kuiper/path/odd/100% (copy) [1] & 'q'.txt" --destination odd
expect 0 track "$run:inc" "$(printf 's3://kuiper/path/donn\xc3\xa9es/\xc3\xa9.txt')" \
	--destination "$(printf 'donn\xc3\xa9es')"
[ "$(hash_of "$run:inc")" = "$(hash_of "$run:all")" ] ||
	fail "one by one ($(hash_of "$run:inc")) != at once ($(hash_of "$run:all"))"

# Nothing under a prefix: an error, nothing recorded.
expect 3 track "$run:none" s3://kuiper/nothing/here
expect_err "nothing to track"
expect 3 hash "$run:none"

# A key that is a prefix of others but also an object: the object wins.
s3_put_text kuiper "dual" "object"
s3_put_text kuiper "dual/inner" "inner"
expect 0 track "$run:dual" s3://kuiper/dual
[ "$(json_paths "$run:dual")" = "dual" ] || fail "exact object must win over the folder"

echo "s3_track: 1 passed, 0 failed"
