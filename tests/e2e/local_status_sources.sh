#!/usr/bin/env bash
# local_status_sources.sh - status of a field without remembered folders
# (assigned from a hash, or imported) re-checks each record's own source:
# exactly the one file it names, read by the driver of the record's type,
# compared under the record's own file_path. A file that became a folder
# is removed (its new content is not added to the field), an imported
# record whose file_path differs from its source's name is not reported as
# moved, and a record whose source is of another kind than its type (a
# store written by hand) is removed: a Local record makes no S3 request,
# an S3 record never reads a local file.
. "$(dirname "$0")/lib.sh"

mkdir -p d
printf 'one\n' >d/a.txt
printf 'two\n' >d/b.txt
R="$(new_run)"
track_ok "$R:f" d
H="$(hash_of "$R:f")"
B_SOURCE="$(ls_json "$R:f" | py 'import json,sys
print([r for r in json.load(sys.stdin) if r["file_path"] == "b.txt"][0]["metadata"]["file_path"])')"
expect_match '^file:///.*/d/b\.txt$' "$B_SOURCE" "the source of b.txt"

# --- a file replaced by a folder: removed, its content not added ---
R2="$(new_run)"
expect_exit 0 nereid assign "$R2:g" "$H"
expect_exit 0 nereid status "$R2:g"
expect_eq "" "$OUT" "assigned field: nothing changed yet"
rm d/a.txt
mkdir d/a.txt
printf 'inner\n' >d/a.txt/inner
expect_exit 1 nereid status "$R2:g"
expect_eq "removed a.txt" "$OUT" "a file that became a folder is removed, nothing added"
expect_exit 1 nereid status "$R2:g" --json
expect_eq '{"added":[],"removed":["a.txt"],"changed":[]}' "$OUT" "the same in JSON"
rm -r d/a.txt
mkfifo d/a.txt
expect_exit 1 nereid status "$R2:g"
expect_eq "removed a.txt" "$OUT" "a file that became a FIFO is removed, and status does not fail"
rm d/a.txt

# --- an imported record named otherwise than its source ---
B_MD5="$(md5_of d/b.txt)"
B_TIME="$(mtime_utc d/b.txt)"
record() { # record FILE_PATH TYPE SOURCE
	printf '[{"file_path":"%s","file_hash":"%s","type":"%s","size":4,"metadata":{"file_path":"%s","last_modified":"%s"}}]' \
		"$1" "$B_MD5" "$2" "$3" "$B_TIME"
}
record renamed/copy.txt Local "$B_SOURCE" >renamed.json
R3="$(new_run)"
expect_exit 0 nereid import "$R3:h" renamed.json
expect_exit 0 nereid status "$R3:h"
expect_eq "" "$OUT" "an imported record under another name: unchanged, not moved"
printf 'TWO\n' >d/b.txt
expect_exit 1 nereid status "$R3:h"
expect_eq "changed renamed/copy.txt" "$OUT" "its change is reported under its own file_path"
printf 'two\n' >d/b.txt

# --- a record whose source is of another kind than its type ---
if command -v sqlite3 >/dev/null 2>&1; then
	record s3.txt S3 "s3://bucket/b.txt" >s3.json
	R4="$(new_run)"
	expect_exit 0 nereid import "$R4:k" s3.json
	sqlite3 "$NEREID_HOME/store.db" \
		"UPDATE artifact_files SET source = '$B_SOURCE' WHERE file_path = 's3.txt'" ||
		fail "sqlite3 update"
	expect_exit 1 nereid status "$R4:k"
	expect_eq "removed s3.txt" "$OUT" "an S3 record with a file:// source reads no local file"

	record local.txt Local "$B_SOURCE" >local.json
	R5="$(new_run)"
	expect_exit 0 nereid import "$R5:m" local.json
	sqlite3 "$NEREID_HOME/store.db" \
		"UPDATE artifact_files SET source = 's3://bucket/b.txt' WHERE file_path = 'local.txt'" ||
		fail "sqlite3 update"
	# No credentials are set: a request would fail with exit 4.
	expect_exit 1 nereid status "$R5:m"
	expect_eq "removed local.txt" "$OUT" "a Local record with an s3:// source makes no request"
else
	echo "# sqlite3 missing: the records of another kind are not checked"
fi

e2e_done
