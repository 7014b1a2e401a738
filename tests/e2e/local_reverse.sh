#!/usr/bin/env bash
# local_reverse.sh - the reverse lookups of SPEC section 7: `used-by (HASH |
# RUN:FIELD)` lists every RUN:FIELD of the project holding an artifact, and
# `find-file MD5` every RUN:FIELD whose artifact has a file with that hash,
# with its file_path ("is the test set inside the training set?"). Names are
# printed escaped, JSON stays valid; bad input is refused with one line; a
# store of schema 1 is read as it is and gains the indexes with its first
# write; read-only and debug modes answer too.
. "$(dirname "$0")/lib.sh"

mkdir -p train/sub test other
printf 'shared sample\n' >train/shared.csv
printf 'train only\n' >train/sub/only.csv
printf 'shared sample\n' >test/leaked.csv
printf 'test only\n' >test/clean.csv
printf 'elsewhere\n' >other/x.txt
SHARED="$(md5sum train/shared.csv | cut -c1-32)"
CLEAN="$(md5sum test/clean.csv | cut -c1-32)"
ONLY="$(md5sum train/sub/only.csv | cut -c1-32)"

R1="$(new_run)"
track_ok "$R1:data/train" train
H_TRAIN="$TRACKED_HASH"
track_ok "$R1:data/test" test
R2="$(new_run)"
expect_exit 0 nereid assign "$R2:copy" "$R1:data/train"
track_ok "$R2:other" other

# --- used-by ---------------------------------------------------------------------------------
expect_exit 0 nereid used-by "$H_TRAIN"
expect_eq "$R1:data/train
$R2:copy" "$OUT" "used-by HASH: every field holding the artifact, by run then field"
expect_exit 0 nereid used-by "$R2:copy"
expect_eq "$R1:data/train
$R2:copy" "$OUT" "used-by RUN:FIELD: the same, from the field's artifact"
expect_exit 0 nereid used-by "$H_TRAIN" --json
expect_eq "[{\"run\":\"$R1\",\"field\":\"data/train\"},{\"run\":\"$R2\",\"field\":\"copy\"}]" "$OUT" \
	"used-by --json"
# A field removed no longer holds it; the artifact stays in the project.
expect_exit 0 nereid rm "$R2:copy"
expect_exit 0 nereid used-by "$H_TRAIN"
expect_eq "$R1:data/train" "$OUT" "a removed field is not listed"
expect_exit 0 nereid rm "$R1:data/train"
expect_exit 0 nereid used-by "$H_TRAIN" --json
expect_eq "[]" "$OUT" "an artifact no field holds: an empty list, exit 0"
expect_exit 0 nereid assign "$R1:data/train" "$H_TRAIN"

# --- find-file -------------------------------------------------------------------------------
expect_exit 0 nereid find-file "$SHARED"
expect_eq "$R1:data/test leaked.csv
$R1:data/train shared.csv" "$OUT" "find-file: the test set's file is in the training set"
expect_exit 0 nereid find-file "${SHARED^^}" --json
expect_eq "[{\"run\":\"$R1\",\"field\":\"data/test\",\"file_path\":\"leaked.csv\"},{\"run\":\"$R1\",\"field\":\"data/train\",\"file_path\":\"shared.csv\"}]" \
	"$OUT" "find-file --json; the hash in any case"
expect_exit 0 nereid find-file "$ONLY"
expect_eq "$R1:data/train sub/only.csv" "$OUT" "find-file: the file_path below the field"
expect_exit 0 nereid find-file "$CLEAN"
expect_eq "$R1:data/test clean.csv" "$OUT" "a file only in the test set"
expect_exit 0 nereid find-file "0123456789abcdef0123456789abcdef"
expect_eq "" "$OUT" "a hash no file has: nothing, exit 0"
expect_exit 0 nereid find-file "0123456789abcdef0123456789abcdef-12" --json
expect_eq "[]" "$OUT" "an S3 multipart ETag is a file hash too"

# --- names are escaped, JSON stays valid ------------------------------------------------------
mkdir -p odd
printf 'shared sample\n' >"odd/new
line.csv"
printf 'shared sample\n' >odd/$'\e[31m'red.csv
R3="$(new_run)"
track_ok "$R3:odd" odd
expect_exit 0 nereid find-file "$SHARED"
expect_contains "$R3:odd new\\nline.csv" "$OUT" "a newline in a file_path is printed escaped"
expect_contains "$R3:odd \\x1b[31mred.csv" "$OUT" "a control character is printed escaped"
expect_eq "4" "$(printf '%s\n' "$OUT" | wc -l)" "one line per record"
expect_exit 0 nereid find-file "$SHARED" --json
expect_eq "4" "$(printf '%s' "$OUT" | py 'import json,sys; print(len(json.load(sys.stdin)))')" \
	"the JSON parses, every record kept"

# --- bad input: one line, the right code ----------------------------------------------------
expect_error 2 nereid find-file "zz"
expect_contains "zz: not a file hash" "$ERR" "a malformed MD5 is named"
expect_error 2 nereid find-file "0123456789abcdef0123456789abcdeg"
expect_error 2 nereid find-file "0123456789abcdef0123456789abcdef-"
expect_error 2 nereid find-file "0123456789abcdef0123456789abcdef-1x"
expect_error 2 nereid find-file "0123456789abcdef0123456789abcde"
expect_error 2 nereid used-by "ABCDEF"
expect_contains "not an artifact hash" "$ERR" "used-by: a malformed hash"
expect_error 2 nereid used-by "${H_TRAIN^^}"
expect_error 3 nereid used-by "0000000000000000000000000000000000000000000000000000000000000000"
expect_contains "not found" "$ERR" "used-by: an artifact the project does not have"
expect_error 3 nereid used-by "$R1:nope"
expect_contains "no such field" "$ERR" "used-by: a field that does not exist"
expect_error 3 nereid used-by "SND-99:data"
expect_error 2 nereid used-by "$R1:a//b"
expect_error 3 nereid find-file "$SHARED" --project ws/missing
expect_contains "ws/missing" "$ERR" "find-file in a project that does not exist"
expect_error 2 nereid used-by
expect_error 2 nereid find-file "$SHARED" --copy
# Another project does not see these artifacts.
expect_exit 0 nereid project new ws/else
expect_exit 0 nereid find-file "$SHARED" --project ws/else
expect_eq "" "$OUT" "the lookups stay in their project"
expect_error 3 nereid used-by "$H_TRAIN" --project ws/else

# --- modes ------------------------------------------------------------------------------------
expect_exit 0 nereid find-file "$ONLY" --mode read-only
expect_eq "$R1:data/train sub/only.csv" "$OUT" "read-only mode answers"
expect_exit 0 nereid find-file "$(md5sum other/x.txt | cut -c1-32)" --mode debug
expect_eq "$R2:other x.txt" "$OUT" "debug mode answers"

# --- a store of schema 1 (before the indexes) ------------------------------------------------
OLD="$T/old"
mkdir -p "$OLD"
sqlite3 "$NEREID_HOME/store.db" ".backup '$OLD/store.db'"
sqlite3 "$OLD/store.db" "DROP INDEX artifact_files_hash; DROP INDEX fields_artifact;
	PRAGMA user_version = 1;" >/dev/null
index_count() {
	sqlite3 "$1/store.db" "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN
		('artifact_files_hash', 'fields_artifact')"
}
expect_exit 0 env NEREID_HOME="$OLD" "$NEREID_BIN" find-file "$ONLY"
expect_eq "$R1:data/train sub/only.csv" "$OUT" "a schema-1 store answers without its indexes"
expect_eq "1" "$(sqlite3 "$OLD/store.db" 'PRAGMA user_version')" "and a read does not migrate it"
expect_eq "0" "$(index_count "$OLD")" "nor index it"
expect_exit 0 env NEREID_HOME="$OLD" "$NEREID_BIN" run new
expect_eq "5" "$(sqlite3 "$OLD/store.db" 'PRAGMA user_version')" "the first write migrates it (to schema 5)"
expect_eq "2" "$(index_count "$OLD")" "and makes the indexes"
expect_exit 0 env NEREID_HOME="$OLD" "$NEREID_BIN" used-by "$H_TRAIN"
expect_eq "$R1:data/train" "$OUT" "the migrated store answers"
e2e_done
