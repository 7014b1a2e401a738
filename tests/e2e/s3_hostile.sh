# s3_hostile.sh - keys that cannot be file paths (SPEC sections 4 and 5).
# A fake endpoint lists hostile keys (a/../../evil, p//x, p/./x...): the
# track fails naming the key and records nothing. import refuses records
# with file_path ../evil (or absolute); planted in the store, they are
# refused by download, and nothing is written outside the destination.
set -u
. "$(dirname "$0")/s3lib.sh"
s3_start

run=$(new_run)
HOSTILE_PORT=$(s3_start_fake --hostile-keys "$WORK/keys")
for key in "p/a/../../evil" "p//x" "p/./x" "p/x/.." "p/x/" "p/ok/../../../etc/passwd"; do
	printf 'p/fine\n%s\n' "$key" >"$WORK/keys"
	S3_ENDPOINT_URL="http://127.0.0.1:$HOSTILE_PORT" expect 1 track "$run:h" s3://any/p
	expect_err "s3://any/$key: key is not a valid file path"
	expect 3 ls "$run:h"
done
# A key outside the prefix asked for is refused too.
printf 'elsewhere/x\n' >"$WORK/keys"
S3_ENDPOINT_URL="http://127.0.0.1:$HOSTILE_PORT" expect 1 track "$run:h" s3://any/p
expect_err "elsewhere/x"
# The endpoint itself is fine with sane keys.
printf 'p/fine\np/sub/also fine\n' >"$WORK/keys"
S3_ENDPOINT_URL="http://127.0.0.1:$HOSTILE_PORT" expect 0 track "$run:h" s3://any/p
[ "$(json_paths "$run:h" | tr '\n' '|')" = "fine|sub/also fine|" ] || fail "sane keys"

# Download side: records stored without the file_path check.
s3_mb bkt
s3_put_text bkt "evil" "evil content"
etag=$(printf 'evil content' | md5sum | cut -d' ' -f1)
record() { # file_path
	printf '{"file_path":"%s","file_hash":"%s","type":"S3","size":12,"metadata":{"file_path":"s3://bkt/evil","last_modified":"2021-05-23 03:55:26"}}' "$1" "$etag"
}
printf '[%s,%s,%s,%s]' "$(record ../evil)" "$(record good)" "$(record "$WORK/abs-evil")" \
	"$(record 'a/../../evil2')" >"$WORK/records.json"
# import refuses them, naming the first one, and stores nothing.
expect 2 import "$run:imp" "$WORK/records.json"
expect_err 'record 1 ("../evil"): file_path'
expect 3 ls "$run:imp"
# Planted in the store behind nereid's back: download must still refuse them.
printf '[%s,%s,%s,%s]' "$(record planted1)" "$(record good)" "$(record planted2)" \
	"$(record planted3)" >"$WORK/records.json"
expect 0 import "$run:imp" "$WORK/records.json"
plant() { # FROM TO
	python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE artifact_files SET file_path = ? WHERE file_path = ?", (sys.argv[3], sys.argv[2]))
db.commit()' "$NEREID_HOME/store.db" "$1" "$2"
}
plant planted1 ../evil
plant planted2 "$WORK/abs-evil"
plant planted3 'a/../../evil2'
mkdir -p "$WORK/dest/inner"
expect 1 download "$run:imp" --destination "$WORK/dest/inner"
expect_err "../evil"
[ -e "$WORK/dest/evil" ] && fail "../evil was written outside the destination"
[ -e "$WORK/evil2" ] || [ -e "$WORK/dest/evil2" ] && fail "a/../../evil2 was written outside"
[ -e "$WORK/abs-evil" ] && fail "an absolute file_path was written"
[ "$(cat "$WORK/dest/inner/good")" = "evil content" ] || fail "the safe record must still arrive"
[ "$(find "$WORK/dest" -type f | wc -l)" -eq 1 ] || fail "unexpected files: $(find "$WORK/dest")"

echo "s3_hostile: 1 passed, 0 failed"
