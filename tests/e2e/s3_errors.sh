# s3_errors.sh - how S3 failures reach the user (SPEC sections 6 and 7):
# missing credentials and a wrong secret or key (exit 4), a missing bucket
# (exit 3), session tokens, a wrong region, 5xx/SlowDown answers retried
# then reported with the status and S3 code, a stalled server, a stopped
# server (exit 1 within seconds), a bad S3_ENDPOINT_URL (exit 2). A failed
# track leaves the field as it was.
set -u
. "$(dirname "$0")/s3lib.sh"
s3_start

control() {
	curl -sS -f "$S3_ENDPOINT_URL/__control/$1" || fail "control $1"
}

s3_mb bkt
s3_put_text bkt "d/a" "aaa"
s3_put_text bkt "d/b" "bbb"
run=$(new_run)
expect 0 track "$run:f" s3://bkt/d/a
before=$(hash_of "$run:f")

# Credentials.
(
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	expect 4 track "$run:f" s3://bkt/d
	expect_err "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"
) || exit 1
(
	unset AWS_SECRET_ACCESS_KEY
	expect 4 track "$run:f" s3://bkt/d
) || exit 1
AWS_SECRET_ACCESS_KEY=wrong expect 4 track "$run:f" s3://bkt/d
expect_err "SignatureDoesNotMatch"
AWS_SECRET_ACCESS_KEY=wrong expect 4 track "$run:f" s3://bkt/d/a
expect_err "SignatureDoesNotMatch"
AWS_ACCESS_KEY_ID=NOSUCHKEY expect 4 track "$run:f" s3://bkt/d/
expect_err "InvalidAccessKeyId"
[ "$(hash_of "$run:f")" = "$before" ] || fail "a failed track changed the field"

# A missing bucket.
expect 3 track "$run:f" s3://nosuchbucket/d
expect_err "s3://nosuchbucket: bucket not found"
expect 3 track "$run:f" s3://nosuchbucket

# The region is part of the signature.
AWS_REGION=eu-west-3 expect 1 track "$run:f" s3://bkt/d/
expect_err "eu-west-3"
AWS_DEFAULT_REGION=us-east-1 AWS_REGION= expect 0 track "$run:g" s3://bkt/d/
AWS_REGION="bad region" expect 2 track "$run:f" s3://bkt/d/

# Session tokens: sent (and signed) when set, checked by a second endpoint.
TOKEN_PORT=$(s3_start_fake --upstream "$S3_DIRECT" --token "tok/en+=")
S3_ENDPOINT_URL="http://127.0.0.1:$TOKEN_PORT" AWS_SESSION_TOKEN="tok/en+=" \
	expect 0 track "$run:tok" s3://bkt/d
S3_ENDPOINT_URL="http://127.0.0.1:$TOKEN_PORT" AWS_SESSION_TOKEN="other" \
	expect 4 track "$run:tok2" s3://bkt/d
expect_err "InvalidToken"
S3_ENDPOINT_URL="http://127.0.0.1:$TOKEN_PORT" expect 4 track "$run:tok2" s3://bkt/d

# 503 SlowDown three times, then success: retried, invisible to the user.
seen=$(control count)
control "fail?count=3&status=503&code=SlowDown" >/dev/null
expect 0 track "$run:retry" s3://bkt/d
[ "$(json_paths "$run:retry" | wc -l)" -eq 2 ] || fail "retry: wrong records"
[ $(($(control count) - seen)) -ge 5 ] || fail "retry: the 503s were not retried"

# 5xx that never ends: reported with status, code, attempts.
control "fail?count=50&status=500&code=InternalError" >/dev/null
expect 1 track "$run:f" s3://bkt/d/
expect_err "HTTP 500, InternalError after 5 attempts"
control "fail?count=0" >/dev/null

# A download that meets two 503s still arrives.
control "fail?count=2&status=503&code=SlowDown" >/dev/null
expect 0 download "$run:retry" --destination "$WORK/dl"
[ "$(cat "$WORK/dl/a")" = "aaa" ] && [ "$(cat "$WORK/dl/b")" = "bbb" ] || fail "download after 503"

# A stalled server (headers, then silence): fails, within about 30 s.
control "stall?count=1" >/dev/null
start=$(date +%s)
expect 1 track "$run:f" s3://bkt/d/
elapsed=$(($(date +%s) - start))
expect_err "S3 endpoint"
[ "$elapsed" -le 60 ] || fail "a stalled server took ${elapsed}s to be given up"

# A bad endpoint setting.
S3_ENDPOINT_URL="ftp://127.0.0.1:$PROXY_PORT" expect 2 track "$run:f" s3://bkt/d
expect_err "S3_ENDPOINT_URL"

# The server stops: a clear error within seconds, exit 1.
bash "$S3_TOOLS/s3rver.sh" stop "$WORK/s3rver"
start=$(date +%s)
S3_ENDPOINT_URL="$S3_DIRECT" expect 1 track "$run:f" s3://bkt/d
elapsed=$(($(date +%s) - start))
expect_err "S3 endpoint $S3_DIRECT: Couldn't connect to server"
[ "$elapsed" -le 10 ] || fail "an unreachable endpoint took ${elapsed}s to be reported"
S3_ENDPOINT_URL="$S3_DIRECT" expect 1 download "$run:retry" --destination "$WORK/dl2"
expect_err "Couldn't connect"
[ "$(hash_of "$run:f")" = "$before" ] || fail "failed tracks changed the field"

echo "s3_errors: 1 passed, 0 failed"
