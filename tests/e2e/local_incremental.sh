#!/usr/bin/env bash
# local_incremental.sh - the hash does not depend on how files reached a
# field (SPEC section 4): a folder at once == its files one by one (with
# --destination for the subfolders) == in another order; `.` == file://<abs>;
# destination prefixes; the union keeps the newest record.
. "$(dirname "$0")/lib.sh"

R="$(new_run)"

mkdir -p data/sub/deeper data/other
printf 'one\n' >data/one.txt
printf 'two two\n' >data/sub/two.txt
printf 'three\n' >data/sub/deeper/three.txt
head -c 100000 /dev/urandom >data/other/four.bin
printf '' >data/empty

# --- folder at once vs files one by one ---------------------------------------------
track_ok "$R:at_once" data
H="$TRACKED_HASH"
J="$(ls_json "$R:at_once")"
FILES="$(cd data && find . -type f | sed 's|^\./||' | LC_ALL=C sort)"

one_by_one() { # FIELD, then the files in the order given on stdin
	local field="$1" f dir
	while IFS= read -r f; do
		dir="$(dirname "$f")"
		if [ "$dir" = . ]; then
			expect_exit 0 nereid track "$R:$field" "data/$f"
		else
			expect_exit 0 nereid track "$R:$field" "data/$f" --destination "$dir"
		fi
	done
}
printf '%s\n' "$FILES" | one_by_one sorted
expect_eq "$H" "$(hash_of "$R:sorted")" "files one by one == folder at once (hash)"
expect_eq "$J" "$(ls_json "$R:sorted")" "files one by one == folder at once (records)"
printf '%s\n' "$FILES" | LC_ALL=C sort -r | one_by_one reversed
expect_eq "$H" "$(hash_of "$R:reversed")" "the order of tracking does not matter"
expect_eq "$H" "$(hash_of "$R:reversed")" "the order of tracking does not matter"
# Subfolders one by one with --destination.
expect_exit 0 nereid track "$R:subs" data/sub --destination sub
expect_exit 0 nereid track "$R:subs" data/other --destination other
expect_exit 0 nereid track "$R:subs" data/one.txt
expect_exit 0 nereid track "$R:subs" data/empty
expect_eq "$H" "$(hash_of "$R:subs")" "subfolders with --destination == folder at once"
# Overlapping tracks: the folder, then a file of it again.
expect_exit 0 nereid track "$R:overlap" data/sub/two.txt --destination sub
expect_exit 0 nereid track "$R:overlap" data
expect_exit 0 nereid track "$R:overlap" data/one.txt
expect_eq "$H" "$(hash_of "$R:overlap")" "overlapping tracks of unchanged files == folder at once"
# The content hash agrees too.
expect_eq "$(hash_of "$R:at_once" --content)" "$(hash_of "$R:sorted" --content)" \
	"content hash: one by one == at once"
# And both agree with the reference.
expect_eq "$H" "$(printf '%s' "$J" | spec_hash 2>&1)" "folder hash == reference hash"

# --- `.` vs file://<abs> --------------------------------------------------------------------------
ABS="$(cd data && pwd -P)"
(cd data && capture nereid track "$R:dot" . && echo "$RC" >"$T/.rc")
expect_eq 0 "$(cat "$T/.rc")" "track . exits 0"
expect_exit 0 nereid track "$R:uri" "file://$ABS"
expect_eq "$(hash_of "$R:dot")" "$(hash_of "$R:uri")" "'.' == file://<abs> (hash)"
expect_eq "$(ls_json "$R:dot")" "$(ls_json "$R:uri")" "'.' == file://<abs> (records)"
expect_eq "$H" "$(hash_of "$R:uri")" "file://<abs> == relative folder"
# A file:// URI for a single file, and with percent-free odd characters.
mkdir -p "odd dir"
printf 'odd\n' >"odd dir/f #1.txt"
expect_exit 0 nereid track "$R:oddrel" "odd dir"
expect_exit 0 nereid track "$R:odduri" "file://$W/odd dir"
expect_eq "$(hash_of "$R:oddrel")" "$(hash_of "$R:odduri")" "file:// with a space == relative path"
expect_eq "f #1.txt" "$(ls_paths "$R:odduri")" "file_path keeps spaces and #"

# --- destination --------------------------------------------------------------------------------------
expect_exit 0 nereid track "$R:dest" data --destination datasets/v2
expect_eq "$(printf '%s\n' "$FILES" | sed 's|^|datasets/v2/|')" "$(ls_paths "$R:dest")" \
	"every file_path starts with the destination"
expect_eq "$(hash_of "$R:dest")" "$(ls_json "$R:dest" | spec_hash 2>&1)" "destination: hash == reference"
# A folder tracked with a destination == its files tracked one by one under it.
printf '%s\n' "$FILES" | while IFS= read -r f; do
	dir="$(dirname "$f")"
	if [ "$dir" = . ]; then d=datasets/v2; else d="datasets/v2/$dir"; fi
	nereid track "$R:dest_one" "data/$f" --destination "$d" >/dev/null 2>&1 ||
		echo "track data/$f --destination $d failed" >>"$T/.dest_errors"
done
expect_eq "" "$(cat "$T/.dest_errors" 2>/dev/null)" "every one-by-one track with destination worked"
expect_eq "$(hash_of "$R:dest")" "$(hash_of "$R:dest_one")" "destination: folder == one by one"
# Two sources into two destinations of one field: both kept.
mkdir -p x y
printf 'same name, x\n' >x/f.txt
printf 'same name, y\n' >y/f.txt
expect_exit 0 nereid track "$R:two" x --destination x
expect_exit 0 nereid track "$R:two" y --destination y
expect_eq "x/f.txt
y/f.txt" "$(ls_paths "$R:two")" "same names under two destinations are both kept"
# The same name without destination: the newer one wins.
expect_exit 0 nereid track "$R:clash" x
expect_exit 0 nereid track "$R:clash" y
expect_eq "f.txt" "$(ls_paths "$R:clash")" "same file_path: one record"
expect_eq "file://$(cd y && pwd -P)/f.txt" "$(ls_json "$R:clash" | py 'import json,sys
print(json.load(sys.stdin)[0]["metadata"]["file_path"])' 2>&1)" "same file_path: the newer record wins"
expect_exit 0 nereid track "$R:clash2" y
expect_eq "$(hash_of "$R:clash2")" "$(hash_of "$R:clash")" "the union equals tracking the winner alone"

# --- a changed file in the union changes the hash, and back -----------------------------------------
cp -rp data data_b
expect_exit 0 nereid track "$R:chg" data_b
H1="$(hash_of "$R:chg")"
touch -r data_b/one.txt "$T/.ref"
printf 'ONE\n' >data_b/one.txt
touch -r "$T/.ref" data_b/one.txt
expect_exit 0 nereid track "$R:chg" data_b/one.txt
H2="$(hash_of "$R:chg")"
expect_ne "$H1" "$H2" "a changed file (same size, same mtime) tracked again changes the hash"
printf 'one\n' >data_b/one.txt
touch -r "$T/.ref" data_b/one.txt
expect_exit 0 nereid track "$R:chg" data_b/one.txt
expect_eq "$H1" "$(hash_of "$R:chg")" "restoring the file restores the hash"

e2e_done
