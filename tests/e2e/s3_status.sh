#!/usr/bin/env bash
# s3_status.sh - status and diff on S3 fields (SPEC section 7): status
# re-lists the prefix a field was tracked from and reports objects added,
# removed and changed (a new ETag) since; diff compares two fields.
set -u
. "$(dirname "$0")/s3lib.sh"
s3_start

s3_mb stat
s3_put_text stat "p/a.txt" "alpha"
s3_put_text stat "p/sub/b.txt" "beta"
s3_put_text stat "p/c.txt" "gamma"

run=$(new_run)
expect 0 track "$run:f" s3://stat/p
expect 0 status "$run:f"
[ -s "$WORK/stdout" ] && fail "status of an unchanged prefix printed: $(cat "$WORK/stdout")"

s3_put_text stat "p/sub/b.txt" "beta, changed"
s3_put_text stat "p/new.txt" "new"
s3_curl -X DELETE "$S3_DIRECT/stat/p/c.txt" -o /dev/null || fail "cannot delete s3://stat/p/c.txt"
expect 1 status "$run:f"
printf 'added new.txt\nremoved c.txt\nchanged sub/b.txt\n' | sort >"$WORK/want"
sort "$WORK/stdout" | diff - "$WORK/want" >&2 || fail "status lists what changed on S3"

# diff between the field and a new track of the same prefix.
expect 0 track "$run:g" s3://stat/p
expect 1 diff "$run:f" "$run:g" --json
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d == {"added": ["new.txt"], "removed": ["c.txt"], "changed": ["sub/b.txt"]}, d
' "$WORK/stdout" || fail "diff --json of two S3 fields"
expect 0 status "$run:g"

echo "s3_status: 1 passed, 0 failed"
