#!/usr/bin/env bash
# local_download.sh - `nereid download` of local records (SPEC section 5):
# symbolic links to the sources, --copy with MD5 verification, re-download
# is a no-op, a changed source gives exit 5 and nothing at the target, a
# missing source is named and the others still arrive (exit 3), and hostile
# records (stored with `nereid import`) never write outside the destination.
. "$(dirname "$0")/lib.sh"

R="$(new_run)"

mkdir -p data/sub/deep
printf 'alpha\n' >data/a.txt
head -c 200000 /dev/urandom >data/sub/b.bin
printf 'deep\n' >data/sub/deep/c.txt
printf '' >data/empty.txt
ABS="$(cd data && pwd -P)"
FILES="a.txt
empty.txt
sub/b.bin
sub/deep/c.txt"
track_ok "$R:d" data

# --- links ------------------------------------------------------------------------------------------
expect_exit 0 nereid download "$R:d" --destination out
for f in $FILES; do
	expect_true "out/$f is a symbolic link" test -L "out/$f"
	expect_eq "$ABS/$f" "$(readlink "out/$f")" "out/$f points at the source"
	expect_true "out/$f has the source's bytes" cmp -s "out/$f" "data/$f"
done
expect_eq "$FILES" "$(cd out && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort)" \
	"download creates exactly the recorded files"

# Re-download: nothing is touched.
snapshot() { (cd "$1" && find . ! -type d -exec stat -c '%n %i %y %Z %F' {} + | LC_ALL=C sort); }
S1="$(snapshot out)"
sleep 1.1
expect_exit 0 nereid download "$R:d" --destination out
expect_eq "$S1" "$(snapshot out)" "re-download of links: same inodes and times"

# Default destination: the current folder.
mkdir -p here
(cd here && capture nereid download "$R:d" && echo "$RC" >"$T/.rc")
expect_eq 0 "$(cat "$T/.rc")" "download without --destination exits 0"
expect_eq "$ABS/sub/b.bin" "$(readlink here/sub/b.bin)" "default destination is ."
# A destination given as an absolute path that does not exist yet.
expect_exit 0 nereid download "$R:d" --destination "$T/abs/new/dest"
expect_eq "$ABS/a.txt" "$(readlink "$T/abs/new/dest/a.txt")" "absolute, new destination"

# --- copies -------------------------------------------------------------------------------------------
expect_exit 0 nereid download "$R:d" --destination copy --copy
for f in $FILES; do
	expect_true "copy/$f is a regular file" test -f "copy/$f" -a ! -L "copy/$f"
	expect_true "copy/$f has the source's bytes" cmp -s "copy/$f" "data/$f"
done
expect_eq "$FILES" "$(cd copy && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort)" \
	"--copy creates exactly the recorded files, no temporary left"
S2="$(snapshot copy)"
sleep 1.1
expect_exit 0 nereid download "$R:d" --destination copy --copy
expect_eq "$S2" "$(snapshot copy)" "re-download with --copy: same inodes and times"
# A copy made over links already in place replaces them with files.
expect_exit 0 nereid download "$R:d" --destination out --copy
expect_true "--copy over an existing link gives a regular file" test -f out/a.txt -a ! -L out/a.txt
expect_true "and the source is untouched" cmp -s data/a.txt <(printf 'alpha\n')
# A stale regular file at the target is kept and reported; --force replaces
# it with the recorded bytes.
printf 'stale content\n' >copy/a.txt
expect_error_lines 1 nereid download "$R:d" --destination copy --copy
expect_contains "a.txt" "$ERR" "the kept target is named"
expect_eq "stale content" "$(cat copy/a.txt)" "a target with other content is left as it is"
expect_exit 0 nereid download "$R:d" --destination copy --copy --force
expect_true "--force replaces a stale target" cmp -s copy/a.txt data/a.txt

# --- a source changed after tracking + --copy: exit 5, nothing at the target --------------------------------
cp -rp data data2
track_ok "$R:d2" data2
printf 'alpha CHANGED\n' >data2/a.txt
expect_error_lines 5 nereid download "$R:d2" --destination changed --copy
expect_contains "a.txt" "$ERR" "the integrity error names the file"
expect_true "nothing left at the changed file's target" test ! -e changed/a.txt -a ! -L changed/a.txt
expect_eq "empty.txt
sub/b.bin
sub/deep/c.txt" "$(cd changed 2>/dev/null && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort)" \
	"the other files are copied, no temporary file left"
# Same size, same mtime, other bytes: still caught.
cp -rp data data3
track_ok "$R:d3" data3
touch -r data3/a.txt "$T/.ref"
printf 'ALPHA\n' >data3/a.txt
touch -r "$T/.ref" data3/a.txt
expect_error_lines 5 nereid download "$R:d3" --destination changed3 --copy
expect_true "same-size change: nothing at the target" test ! -e changed3/a.txt
# A target that exists with other bytes is not replaced by a bad copy.
mkdir -p changed4
printf 'keep me\n' >changed4/a.txt
expect_exit 5 nereid download "$R:d2" --destination changed4 --copy --force
expect_eq "keep me" "$(cat changed4/a.txt)" "a failed verification keeps the target"
expect_true "a failed verification leaves no temporary next to the target" \
	test "$(find changed4 -maxdepth 1 -name '*a.txt*' ! -name a.txt | wc -l)" = 0

# --- a missing source: named, the others still downloaded, exit 3 ------------------------------------------
cp -rp data data4
track_ok "$R:d4" data4
rm data4/sub/b.bin
expect_error_lines 3 nereid download "$R:d4" --destination miss --copy
expect_contains "b.bin" "$ERR" "the missing source is named"
expect_eq "a.txt
empty.txt
sub/deep/c.txt" "$(cd miss 2>/dev/null && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort)" \
	"--copy: the other files are downloaded"
expect_error_lines 3 nereid download "$R:d4" --destination missl
expect_contains "b.bin" "$ERR" "link mode: the missing source is named"
expect_eq "a.txt
empty.txt
sub/deep/c.txt" "$(cd missl 2>/dev/null && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort)" \
	"link mode: the others are linked, no dangling link made"
# Two missing sources: both named.
rm data4/a.txt
expect_exit 3 nereid download "$R:d4" --destination miss2 --copy
expect_contains "b.bin" "$ERR" "first missing source named"
expect_contains "a.txt" "$ERR" "second missing source named"

# --- errors before any work -----------------------------------------------------------------------------------
expect_error 3 nereid download "$R:nope" --destination none
expect_true "unknown field: no destination created" test ! -e none
printf 'file\n' >notadir
expect_exit_in "1 4" nereid download "$R:d" --destination notadir/x --copy

# --- hostile records: nothing is ever written outside the destination ---------------------------------------------
if ! nereid_has_command import; then
	bad "nereid import is missing: hostile-record checks not run"
else
	mkdir -p jail/inside
	printf 'payload\n' >payload.txt
	PM="$(md5_of payload.txt)"
	PSRC="file://$W/payload.txt"
	PT="$(mtime_utc payload.txt)"
	rec() { printf '{"file_path":"%s","file_hash":"%s","type":"Local","size":8,"metadata":{"file_path":"%s","last_modified":"%s"}}' "$1" "$PM" "$PSRC" "$PT"; }
	plant() { # FROM TO: rename a stored file_path behind nereid's back
		py 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE artifact_files SET file_path = ? WHERE file_path = ?", (sys.argv[3], sys.argv[2]))
db.commit()' "$NEREID_HOME/store.db" "$1" "$2"
	}
	i=0
	for evil in "../escape.txt" "../../escape2.txt" "a/../../escape3.txt" "$T/abs_escape.txt" \
		"/etc/nereid_escape.txt" "./dot.txt" "a//b.txt" "a/./b.txt" "." ".." "" "a/" "a/.."; do
		i=$((i + 1))
		printf '[%s,%s]' "$(rec good.txt)" "$(rec "$evil")" >evil$i.json
		expect_error 2 nereid import "$R:evil$i" evil$i.json
		expect_contains "record 2" "$ERR" "import refuses the hostile file_path '$evil', naming it"
		expect_error 3 nereid hash "$R:evil$i"
		# Planted in the store (as a foreign writer could): download must still refuse it.
		printf '[%s,%s]' "$(rec good.txt)" "$(rec "planted$i")" >evil$i.json
		expect_exit 0 nereid import "$R:evil$i" evil$i.json
		plant "planted$i" "$evil"
		expect_eq "$evil" "$(ls_json "$R:evil$i" | py 'import json,sys
print([r["file_path"] for r in json.load(sys.stdin) if r["file_path"] != "good.txt"][0])' 2>&1)" \
			"the hostile file_path '$evil' is in the store (so download must refuse it)"
		expect_exit_in "1 2 3" nereid download "$R:evil$i" --destination jail/inside --copy
		expect_match '^nereid: ' "$ERR" "refusal of '$evil' is reported"
		expect_exit_in "1 2 3" nereid download "$R:evil$i" --destination jail/inside
	done
	expect_eq "inside/good.txt" "$(cd jail && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort)" \
		"only the good record was written, inside the destination"
	expect_true "nothing escaped to the work folder" test ! -e escape.txt -a ! -e jail/escape.txt \
		-a ! -e "$W/../escape2.txt" -a ! -e "$T/abs_escape.txt" -a ! -e /etc/nereid_escape.txt \
		-a ! -e jail/escape3.txt -a ! -e escape3.txt
	expect_true "good.txt was still copied" cmp -s jail/inside/good.txt payload.txt
	# A hostile record alone: refused with an error naming it.
	printf '[%s]' "$(rec planted_lonely)" >lonely.json
	expect_exit 0 nereid import "$R:lonely" lonely.json
	plant planted_lonely ../lonely.txt
	expect_exit_in "1 2 3" nereid download "$R:lonely" --destination jail2
	expect_contains "lonely.txt" "$ERR" "the refused record is named"
	expect_true "nothing escaped" test ! -e lonely.txt
	# A record whose source is not a file:// URL (a relative or odd one).
	printf '[{"file_path":"rel.txt","file_hash":"%s","type":"Local","size":8,"metadata":{"file_path":"payload.txt","last_modified":"%s"}}]' \
		"$PM" "$PT" >relsrc.json
	expect_error 2 nereid import "$R:relsrc" relsrc.json
	expect_contains "must be a file:/// URL" "$ERR" "import refuses a relative source"
	# import rejects what is not a JSON array of records.
	printf '{"not":"an array"}' >bad1.json
	printf '[{"file_path":"x"' >bad2.json
	expect_error 2 nereid import "$R:bad" bad1.json
	expect_error 2 nereid import "$R:bad" bad2.json
	expect_error 3 nereid import "$R:bad" no_such.json
	expect_error 3 nereid hash "$R:bad"
fi

e2e_done
