# s3_download.sh - downloading S3 records (SPEC section 5): files come
# back byte for byte (binary, empty, odd and non-ASCII names, sub-folders),
# a target already in place is left alone, an object changed after
# tracking fails the integrity check (exit 5) leaving nothing at the
# target, a deleted object is reported by name while the others still
# arrive, and missing credentials are refused (exit 4).
set -u
. "$(dirname "$0")/s3lib.sh"
s3_start

s3_mb data
mkdir -p "$WORK/src/sub"
head -c 300000 /dev/urandom >"$WORK/src/big.bin"
printf 'hello\n' >"$WORK/src/sub/hello.txt"
: >"$WORK/src/empty"
printf 'x=1' >"$WORK/src/odd"
s3_put data "set/big.bin" "$WORK/src/big.bin"
s3_put data "set/sub/hello.txt" "$WORK/src/sub/hello.txt"
s3_put data "set/empty" "$WORK/src/empty"
s3_put data "set/a b+c%d~e=f" "$WORK/src/odd"
s3_put data "$(printf 'set/donn\xc3\xa9es/\xc3\xa9')" "$WORK/src/odd"

run=$(new_run)
expect 0 track "$run:set" s3://data/set
expect 0 download "$run:set" --destination "$WORK/out"
cmp "$WORK/src/big.bin" "$WORK/out/big.bin" || fail "big.bin differs"
cmp "$WORK/src/sub/hello.txt" "$WORK/out/sub/hello.txt" || fail "sub/hello.txt differs"
cmp "$WORK/src/empty" "$WORK/out/empty" || fail "empty differs"
cmp "$WORK/src/odd" "$WORK/out/a b+c%d~e=f" || fail "odd name differs"
cmp "$WORK/src/odd" "$WORK/out/$(printf 'donn\xc3\xa9es/\xc3\xa9')" || fail "unicode name differs"
[ "$(find "$WORK/out" -type f | wc -l)" -eq 5 ] || fail "extra files in the destination"
[ -L "$WORK/out/big.bin" ] && fail "an S3 download must be a file, not a link"

# A second download leaves the files in place (same inode).
inode=$(stat -c %i "$WORK/out/big.bin")
expect 0 download "$run:set" --destination "$WORK/out"
[ "$(stat -c %i "$WORK/out/big.bin")" = "$inode" ] || fail "a file in place was rewritten"

# A damaged local copy is kept and reported (exit 1); --force replaces it.
printf 'damaged' >"$WORK/out/sub/hello.txt"
expect 1 download "$run:set" --destination "$WORK/out"
expect_err "sub/hello.txt"
[ "$(cat "$WORK/out/sub/hello.txt")" = damaged ] || fail "a target with other content was replaced"
expect 0 download "$run:set" --destination "$WORK/out" --force
cmp "$WORK/src/sub/hello.txt" "$WORK/out/sub/hello.txt" || fail "damaged copy not replaced"

# The object changes after tracking: the GET asks for the tracked version
# (If-Match), the service answers 412: integrity failure, nothing left.
head -c 300000 /dev/urandom >"$WORK/other.bin"
s3_put data "set/big.bin" "$WORK/other.bin"
expect 5 download "$run:set" --destination "$WORK/out2"
expect_err "s3://data/set/big.bin: changed since it was tracked (HTTP 412"
[ -e "$WORK/out2/big.bin" ] && fail "a corrupted download was left at the target"
ls -A "$WORK/out2" | grep -q nereid- && fail "a temporary file was left behind"
cmp "$WORK/src/sub/hello.txt" "$WORK/out2/sub/hello.txt" || fail "the others must still arrive"

# Same size, other content: still caught (MD5, not only the size).
printf 'HELLO\n' >"$WORK/hello2"
s3_put data "set/sub/hello.txt" "$WORK/hello2"
expect 5 download "$run:set" --destination "$WORK/out3"
[ -e "$WORK/out3/sub/hello.txt" ] && fail "same-size corruption was left at the target"
find "$WORK/out3" -name '.*nereid-*' | grep -q . && fail "temporary file left in out3"

# A deleted object: reported by name, exit 3, the others still there.
run2=$(new_run)
s3_put_text data "two/keep" "keep"
s3_put_text data "two/gone" "gone"
expect 0 track "$run2:two" s3://data/two
s3_curl -X DELETE "$S3_DIRECT/data/two/gone" -o /dev/null || fail "delete"
expect 3 download "$run2:two" --destination "$WORK/out4"
expect_err "s3://data/two/gone"
[ "$(cat "$WORK/out4/keep")" = "keep" ] || fail "keep was not downloaded"
[ -e "$WORK/out4/gone" ] && fail "gone exists"

# Credentials are needed to download too.
(
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	expect 4 download "$run2:two" --destination "$WORK/out5"
	expect_err "AWS_ACCESS_KEY_ID"
) || exit 1
[ -e "$WORK/out5/keep" ] && fail "downloaded without credentials"

echo "s3_download: 1 passed, 0 failed"
