#!/usr/bin/env bash
# local_download_safety.sh - download never destroys what is at a target
# (SPEC section 5): a target holding the recorded file is left alone, one
# holding other content is reported by name and kept (exit 1) unless
# --force is given, and a target that is the source file itself is never
# replaced by a link to itself, not even with --force. Also: names with a
# backslash, an ordinary character on POSIX (SPEC section 4), are
# downloaded.
. "$(dirname "$0")/lib.sh"

no_temporaries() { # FOLDER WHAT
	expect_eq "" "$(find "$1" -name '.*.nereid-*')" "$2: no temporary file left"
}

# --- downloading into the tracked folder itself (the issue's case) ---------
mkdir -p ds/train
printf 'a,b\n1,2\n' >ds/train/data.csv
printf 'other\n' >ds/other.txt
R="$(new_run)"
track_ok "$R:data_versions" ds
ino="$(stat -c %i ds/train/data.csv)"
cd ds || fail "cd ds"
expect_exit 0 nereid download "$R:data_versions"
cd .. || fail "cd .."
expect_true "an unchanged source is left alone" test -f ds/train/data.csv -a ! -L ds/train/data.csv
expect_eq "$ino" "$(stat -c %i ds/train/data.csv)" "the source file is the same file"

printf '3,4\n' >>ds/train/data.csv
cd ds || fail "cd ds"
expect_error_lines 1 nereid download "$R:data_versions"
expect_match '^nereid: train/data\.csv: ' "$ERR" "the file left as it is is named"
expect_exit 1 nereid download "$R:data_versions" --force
expect_contains "itself" "$ERR" "--force: the target is the source itself"
expect_exit 1 nereid download "$R:data_versions" --copy --force
cd .. || fail "cd .."
expect_true "the edited file is not a link" test -f ds/train/data.csv -a ! -L ds/train/data.csv
expect_eq "a,b
1,2
3,4" "$(cat ds/train/data.csv)" "the edited content is kept"
expect_eq "$ino" "$(stat -c %i ds/train/data.csv)" "the edited file was not replaced"
expect_eq "other" "$(cat ds/other.txt)" "the other file is untouched"
no_temporaries ds "into the tracked folder"

# A hard link to the source at the target is the source file too.
mkdir -p hard/train
ln ds/train/data.csv hard/train/data.csv
expect_exit 1 nereid download "$R:data_versions" --destination hard --force
expect_contains "itself" "$ERR" "a hard link to the changed source is never replaced"
expect_eq "$ino" "$(stat -c %i hard/train/data.csv)" "the hard link is kept"

# --- links in place ----------------------------------------------------------
mkdir src
printf 'alpha\n' >src/a
printf 'beta\n' >src/b
R2="$(new_run)"
track_ok "$R2:f" src
mkdir out
ln -s ../src/a out/a # a relative link to the source: the file is in place
expect_exit 0 nereid download "$R2:f" --destination out
expect_eq "../src/a" "$(readlink out/a)" "a link leading to the source is left alone"
expect_true "the other file is linked" test -L out/b

# A link to somewhere else is other content: kept without --force.
printf 'elsewhere\n' >elsewhere
ln -sf ../elsewhere out/b
expect_error_lines 1 nereid download "$R2:f" --destination out
expect_match '^nereid: b: ' "$ERR" "the kept link is named"
expect_eq "../elsewhere" "$(readlink out/b)" "a foreign link is kept"
expect_exit 0 nereid download "$R2:f" --destination out --force
expect_eq "$(cd src && pwd -P)/b" "$(readlink out/b)" "--force replaces the foreign link"
expect_eq "elsewhere" "$(cat elsewhere)" "what the replaced link led to is untouched"

# A folder in the way is never replaced, even with --force.
mkdir -p dirs/a
printf 'inside\n' >dirs/a/keep
expect_error_lines 1 nereid download "$R2:f" --destination dirs --force
expect_match '^nereid: a: ' "$ERR" "the folder in the way is named"
expect_eq "inside" "$(cat dirs/a/keep)" "the folder in the way is kept"
expect_true "the other file is still downloaded" test -L dirs/b

# --copy over a link to the source puts a verified copy there (nothing is lost).
expect_exit 0 nereid download "$R2:f" --destination out --copy
expect_true "--copy replaces a link to the source by a copy" test -f out/a -a ! -L out/a
expect_eq "alpha" "$(cat out/a)" "the copy holds the recorded content"
no_temporaries out "links and copies"

# A copy with other content is kept without --force, replaced with it.
printf 'edited copy\n' >out/a
expect_error_lines 1 nereid download "$R2:f" --destination out --copy
expect_eq "edited copy" "$(cat out/a)" "an edited copy is kept"
expect_error_lines 1 nereid download "$R2:f" --destination out
expect_eq "edited copy" "$(cat out/a)" "an edited copy is not replaced by a link either"
expect_exit 0 nereid download "$R2:f" --destination out --copy --force
expect_eq "alpha" "$(cat out/a)" "--force replaces the edited copy"

# --- backslashes are ordinary characters of a name ---------------------------
mkdir -p 'bs/d\e'
printf 'back\n' >'bs/a\b'
printf 'deep\n' >'bs/d\e/f\g'
printf 'dots\n' >'bs/..\x'
R3="$(new_run)"
track_ok "$R3:bs" bs
expect_exit 0 nereid ls "$R3:bs" --json
expect_contains '"file_path":"a\\b"' "$OUT" "the record keeps the backslash"
expect_exit 0 nereid download "$R3:bs" --destination outbs
expect_true "a\\b is downloaded as a link" test -L 'outbs/a\b'
expect_eq "back" "$(cat 'outbs/a\b')" "a\\b holds its content"
expect_eq "deep" "$(cat 'outbs/d\e/f\g')" "a folder with a backslash is recreated"
expect_eq "dots" "$(cat 'outbs/..\x')" "..\\x is one name, not a parent"
expect_exit 0 nereid download "$R3:bs" --destination outbs2 --copy
expect_true "a\\b is copied" test -f 'outbs2/a\b' -a ! -L 'outbs2/a\b'
expect_eq "3" "$(find outbs2 -type f | wc -l)" "exactly the recorded files are copied"
expect_true "nothing was written beside the destination" test ! -e x -a ! -e outbs/x

e2e_done
