#!/usr/bin/env bash
# local_rm_replace.sh - removing and replacing fields (SPEC section 7):
# `rm RUN:FIELD` (Neptune's del run[path]) removes a field, or a namespace
# of fields, atomically; `track ... --replace` makes a field hold exactly
# what that track found. A field that once held a deleted file is no longer
# stuck: status and download work again after either.
. "$(dirname "$0")/lib.sh"

mkdir -p data other
printf 'one\n' >data/one.txt
printf 'two\n' >data/two.txt
printf 'three\n' >other/three.txt

R="$(new_run)"
track_ok "$R:f" data
H_FULL="$TRACKED_HASH"

# --- a file deleted at its source: the field is stuck without rm / --replace -----------------
rm data/two.txt
expect_exit 1 nereid status "$R:f"
expect_contains "removed two.txt" "$OUT" "status sees the deleted file"
expect_exit_in "1 3" nereid download "$R:f" --destination dl1
track_ok "$R:f" data
expect_eq "$H_FULL" "$TRACKED_HASH" "a plain track keeps the deleted file (the union)"

# --- track --replace -------------------------------------------------------------------------
R2="$(new_run)"
track_ok "$R2:ref" data
H_NOW="$TRACKED_HASH"
track_ok "$R:f" data --replace
expect_eq "$H_NOW" "$TRACKED_HASH" "--replace: the field holds exactly what this track found"
expect_eq "$H_NOW" "$(hash_of "$R:f")" "--replace is stored"
expect_eq "one.txt" "$(ls_paths "$R:f")" "--replace: only the files found"
expect_exit 0 nereid status "$R:f"
expect_eq "" "$OUT" "status is clean again after --replace"
expect_exit 0 nereid download "$R:f" --destination dl2
expect_true "download works again after --replace" test -L dl2/one.txt
# The field forgets the places it was tracked from before.
track_ok "$R:g" data
track_ok "$R:g" other --destination extra
expect_eq "extra/three.txt
one.txt" "$(ls_paths "$R:g")" "a union of two places"
track_ok "$R:g" other --replace --destination extra
expect_eq "extra/three.txt" "$(ls_paths "$R:g")" "--replace with a destination"
printf 'new\n' >data/new.txt
expect_exit 0 nereid status "$R:g"
expect_eq "" "$OUT" "after --replace, status re-scans only the new place"
rm data/new.txt
# Into a field that does not exist yet, --replace is a plain track.
track_ok "$R:fresh" data --replace
expect_eq "$H_NOW" "$TRACKED_HASH" "--replace into a new field"
# Without RUN: a new run; nothing to replace.
expect_exit 0 nereid track newrunfield data --replace
expect_match "^[A-Z]+-[0-9]+ newrunfield [0-9a-f]{64}$" "$OUT" "--replace without RUN: makes a run"

# Atomic: a failed --replace leaves the field as it was.
H_G="$(hash_of "$R:g")"
expect_error 3 nereid track "$R:g" no/such/path --replace
expect_error_in "1 2" nereid track "$R:g" 'data/*' --replace
mkdir -p empty
expect_error_in "1 3" nereid track "$R:g" empty --replace
expect_eq "$H_G" "$(hash_of "$R:g")" "failed --replace: the field is unchanged"
expect_error 4 nereid track "$R:g" data --replace --mode read-only
expect_eq "$H_G" "$(hash_of "$R:g")" "read-only --replace: unchanged"
expect_exit 0 nereid track "$R:g" data --replace --mode debug
expect_eq "$H_G" "$(hash_of "$R:g")" "debug --replace: unchanged"
expect_error 2 nereid track "$R:sys/name" data --replace
# Many replaces at once: the field ends as one of them, whole.
for i in 1 2 3 4; do
	nereid track "$R:race" data --replace >/dev/null 2>&1 &
	nereid track "$R:race" other --replace >/dev/null 2>&1 &
done
wait
P="$(ls_paths "$R:race" | tr '\n' ' ')"
expect_true "concurrent --replace: one whole result, not a mix ($P)" test "$P" = "one.txt " -o "$P" = "three.txt "

# --- rm ----------------------------------------------------------------------------------------
R3="$(new_run)"
expect_exit 0 nereid assign "$R3:copy" "$R:f"
expect_exit 0 nereid rm "$R:f"
expect_eq "" "$OUT" "rm prints nothing"
expect_error 3 nereid hash "$R:f"
expect_error 3 nereid ls "$R:f"
expect_error 3 nereid status "$R:f"
expect_error 3 nereid download "$R:f" --destination dl3
expect_exit 0 nereid show "$R" --json
expect_eq "" "$(printf '%s' "$OUT" | py 'import json,sys; print(" ".join(k for k in json.load(sys.stdin) if k == "f"))' 2>&1)" \
	"show no longer lists the removed field"
expect_error 3 nereid rm "$R:f"
expect_contains "$R:f" "$ERR" "rm of a missing field names it"
expect_eq "$H_NOW" "$(hash_of "$R3:copy")" "other fields holding the artifact keep it"
# The artifact stays in the project: assign by hash brings the field back.
expect_exit 0 nereid assign "$R:f" "$H_NOW"
expect_eq "$H_NOW" "$(hash_of "$R:f")" "rm then assign HASH restores the field"
# A field tracked again after rm starts empty (no union with what it held).
expect_exit 0 nereid rm "$R:f"
track_ok "$R:f" other
expect_eq "three.txt" "$(ls_paths "$R:f")" "a field tracked after rm holds only the new files"

# A namespace: every field below it, and nothing that only shares the prefix.
track_ok "$R:ns/a" data
track_ok "$R:ns/b/c" data
track_ok "$R:nsx" data
expect_exit 0 nereid rm "$R:ns"
expect_error 3 nereid hash "$R:ns/a"
expect_error 3 nereid hash "$R:ns/b/c"
expect_exit 0 nereid hash "$R:nsx"
expect_eq "$H_NOW" "$OUT" "rm of a namespace keeps fields that only share its prefix"

# Errors: sys/, bad paths, missing runs, read-only, debug.
expect_error 2 nereid rm "$R:sys/id"
expect_error 2 nereid rm "$R:sys"
expect_error 2 nereid rm "$R:bad//path"
expect_error 2 nereid rm "$R"
expect_error 2 nereid rm
expect_error 3 nereid rm "SND-999:nsx"
expect_error 4 nereid rm "$R:nsx" --mode read-only
expect_exit 0 nereid hash "$R:nsx"
expect_exit 0 nereid rm "$R:nsx" --mode debug
expect_exit 0 nereid hash "$R:nsx"
expect_eq "$H_NOW" "$OUT" "debug rm keeps the field"
expect_exit 0 nereid show "$R"
expect_contains "nsx" "$OUT" "the field is still shown"

e2e_done
