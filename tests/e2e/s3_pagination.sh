# s3_pagination.sh - a prefix of 2,500 keys, more than one ListObjectsV2
# page (s3rver gives 1,000 per page): every key is recorded exactly once,
# across the page boundaries, and keys after the prefix are not taken.
set -u
. "$(dirname "$0")/s3lib.sh"
s3_start

N=2500
s3_mb big
printf 'same content' >"$WORK/body"
seq -f "many/k%05g" 1 "$N" >"$WORK/keys"
# Seeded through the API, eight curls at a time, a hundred keys each.
sed "s|^|$S3_DIRECT/big/|" "$WORK/keys" |
	xargs -P8 -n100 curl -sS -f --aws-sigv4 "aws:amz:us-east-1:s3" --user S3RVER:S3RVER \
		-H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -X PUT --data-binary "@$WORK/body" \
		-o /dev/null || fail "seeding $N keys"
s3_put_text big "many0/after" "not under many/"
s3_put_text big "manz" "not under many/"

run=$(new_run)
expect 0 track "$run:many" s3://big/many
json_paths "$run:many" >"$WORK/paths"
sed 's|^many/||' "$WORK/keys" | diff - "$WORK/paths" >/dev/null ||
	fail "the $(wc -l <"$WORK/paths") records are not the $N keys"

# The whole bucket: every page, plus the two others.
expect 0 track "$run:bucket" s3://big
[ "$(json_paths "$run:bucket" | wc -l)" -eq $((N + 2)) ] || fail "whole bucket count"

echo "s3_pagination: 1 passed, 0 failed"
