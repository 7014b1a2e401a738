#!/usr/bin/env bash
# s3_status_records.sh - status of an S3 field assigned from a hash
# re-checks each record's own object, the one object its source names:
# an object deleted while a "folder" of the same name appeared is removed,
# and the objects now below that name are not added to the field.
set -u
. "$(dirname "$0")/s3lib.sh"
s3_start

s3_mb recs
s3_put_text recs "p/x" "one object"
s3_put_text recs "p/y" "another"

run=$(new_run)
expect 0 track "$run:f" s3://recs/p
hash=$(hash_of "$run:f")
other=$(new_run)
expect 0 assign "$other:g" "$hash"
expect 0 status "$other:g"
[ -s "$WORK/stdout" ] && fail "status of unchanged objects printed: $(cat "$WORK/stdout")"

# p/x deleted, p/x/inner put: p/x is now a "folder".
s3_curl -X DELETE "$S3_DIRECT/recs/p/x" -o /dev/null || fail "cannot delete s3://recs/p/x"
s3_put_text recs "p/x/inner" "inside"
expect 1 status "$other:g"
printf 'removed x\n' | diff - "$WORK/stdout" >&2 ||
	fail "an object replaced by a folder is removed, nothing added"
expect 1 status "$other:g" --json
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d == {"added": [], "removed": ["x"], "changed": []}, d
' "$WORK/stdout" || fail "status --json of the records"

echo "s3_status_records: 1 passed, 0 failed"
