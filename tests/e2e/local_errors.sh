#!/usr/bin/env bash
# local_errors.sh - failures of `nereid track` on local files (SPEC sections
# 1, 4 and 7): unreadable files (as an unprivileged user, since root reads
# everything), names that are not UTF-8, nothing to track, missing paths,
# wildcards, bad field paths, the read-only sys/ namespace; each is one
# "nereid: " line on stderr, the right exit code, and nothing recorded
# (a failed track leaves the field as it was).
. "$(dirname "$0")/lib.sh"

R="$(new_run)"
KEY="${R%-*}"

mkdir -p data
printf 'fine\n' >data/fine.txt
printf 'also\n' >data/also.txt
track_ok "$R:keep" data
H_KEEP="$TRACKED_HASH"
J_KEEP="$(ls_json "$R:keep")"

# The field is as it was, and a field that did not exist still does not.
unchanged() {
	expect_eq "$H_KEEP" "$(hash_of "$R:keep")" "${1:-failed track}: field keeps its hash"
	expect_eq "$J_KEEP" "$(ls_json "$R:keep")" "${1:-failed track}: field keeps its records"
}

# --- names that are not valid UTF-8 ------------------------------------------------------
BAD="$(printf 'bad\xff.txt')"
mkdir -p nonutf
printf 'ok\n' >nonutf/ok.txt
printf 'x\n' >"nonutf/$BAD"
expect_error_in "1 2" nereid track "$R:keep" nonutf
expect_contains "bad" "$ERR" "the error names the non-UTF-8 file"
unchanged "non-UTF-8 name"
expect_error_in "1 2" nereid track "$R:nonutf" nonutf
expect_error 3 nereid hash "$R:nonutf"
expect_error_in "1 2" nereid track "$R:nonutf" "nonutf/$BAD"
expect_error 3 nereid hash "$R:nonutf"
# An overlong encoding of "/" (C0 AF) and a lone continuation byte.
for name in "$(printf 'over\xc0\xaflong')" "$(printf 'cont\x80')" "$(printf 'sur\xed\xa0\x80')"; do
	mkdir -p nonutf2
	rm -f nonutf2/*
	printf 'ok\n' >nonutf2/ok.txt
	printf 'x\n' >"nonutf2/$name"
	expect_error_in "1 2" nereid track "$R:nonutf2" nonutf2
	expect_error 3 nereid hash "$R:nonutf2"
done
# A folder name that is not UTF-8, holding a good file.
mkdir -p nonutf3/"$(printf 'd\xfe')"
printf 'ok\n' >nonutf3/"$(printf 'd\xfe')"/ok.txt
expect_error_in "1 2" nereid track "$R:nonutf3" nonutf3
expect_error 3 nereid hash "$R:nonutf3"

# --- nothing to track ----------------------------------------------------------------------
mkdir -p empty nested_empty/a/b
expect_error_in "1 3" nereid track "$R:keep" empty
unchanged "empty folder"
expect_error_in "1 3" nereid track "$R:empty" empty
expect_error 3 nereid hash "$R:empty"
expect_error_in "1 3" nereid track "$R:empty" nested_empty
expect_error 3 nereid hash "$R:empty"

# --- missing paths: 3, named --------------------------------------------------------------------
expect_error 3 nereid track "$R:keep" no/such/path
expect_contains "no/such/path" "$ERR" "the error names the missing path"
unchanged "missing path"
expect_error 3 nereid track "$R:missing" "file://$W/no_such_file"
expect_contains "no_such_file" "$ERR" "the error names the missing file:// path"
expect_error 3 nereid hash "$R:missing"
expect_error 3 nereid track "$R:missing" "$W/no_such_dir/"
expect_error_in "2 3" nereid track "$R:missing" ""

# --- wildcards -------------------------------------------------------------------------------------
printf 'star\n' >'data2*.txt'
for p in 'data/*.txt' 'data/?lso.txt' '*' 'data2*.txt' "file://$W/data/*"; do
	expect_error_in "1 2" nereid track "$R:wild" "$p"
	expect_contains "wildcards are not supported" "$ERR" "track '$p'"
done
expect_error 3 nereid hash "$R:wild"

# --- bad field paths: 2, nothing created ---------------------------------------------------------------
LONG="$(printf 'a%.0s' $(seq 1025))"
for f in "" "/lead" "trail/" "a//b" "sp ace" "tab	x" "é" 'star*' "a/b/" "$LONG" "semi;colon" "back\\slash"; do
	expect_error 2 nereid track "$R:$f" data/fine.txt
	expect_error_in "2 3" nereid hash "$R:$f"
done
expect_exit 0 nereid show "$R" --json
expect_eq '["keep", "sys/creation_time", "sys/id", "sys/modification_time", "sys/name", "sys/owner", "sys/uuid"]' \
	"$(printf '%s' "$OUT" | py 'import json,sys; print(json.dumps(sorted(json.load(sys.stdin))))' 2>&1)" \
	"no failed track created a field"

# --- sys/ is read-only -------------------------------------------------------------------------------
expect_exit 0 nereid show "$R" --json
SYS_BEFORE="$OUT"
for f in sys/name sys/id sys/new sys/a/b; do
	expect_error_in "2 4" nereid track "$R:$f" data/fine.txt
done
expect_error_in "2 4" nereid assign "$R:sys/name" "$H_KEEP"
expect_error_in "2 4" nereid assign "$R:sys/other" "$R:keep"
expect_exit 0 nereid show "$R" --json
expect_eq "$SYS_BEFORE" "$OUT" "sys/ fields unchanged, none added"
# Reading sys/ as an artifact field is not found (it holds no hash), not a crash.
expect_error_in "2 3" nereid hash "$R:sys/id"
expect_error_in "2 3" nereid ls "$R:sys/name" --json

# --- unknown run: 3, no run created ---------------------------------------------------------------------
expect_error 3 nereid track "$KEY-999:f" data
expect_contains "$KEY-999" "$ERR" "error names the unknown run"
expect_exit 0 nereid runs --json
expect_eq "[\"$R\"]" "$(printf '%s' "$OUT" | py 'import json,sys
print(json.dumps([r["id"] for r in json.load(sys.stdin)]))' 2>&1)" "a failed track created no run"
# track FIELD PATH without RUN: that fails creates no run either.
expect_error 3 nereid track newfield no/such/path
expect_error_in "1 2" nereid track newfield 'data/*'
expect_error 2 nereid track "bad//field" data
expect_exit 0 nereid runs --json
expect_eq 1 "$(printf '%s' "$OUT" | py 'import json,sys; print(len(json.load(sys.stdin)))' 2>&1)" \
	"a failed track without RUN: leaves no empty run behind"

# --- a store that cannot be opened -------------------------------------------------------------------------
printf 'not a folder\n' >"$T/homefile"
expect_error_in "1 4" env NEREID_HOME="$T/homefile" "$NEREID_BIN" run new
printf 'garbage, not a database %.0s' $(seq 200) >"$T/garbage.txt"
mkdir -p "$T/garbage_home"
expect_exit 0 env NEREID_HOME="$T/garbage_home" "$NEREID_BIN" run new
find "$T/garbage_home" -type f | while IFS= read -r f; do
	cp "$T/garbage.txt" "$f"
done
expect_error_in "1" env NEREID_HOME="$T/garbage_home" "$NEREID_BIN" runs

# --- unreadable files, as an unprivileged user ----------------------------------------------------------------
NB_UID=65534
NB="$T/nb"
as_nobody() {
	if [ "$NOBODY_HOW" = setpriv ]; then
		(cd "$NB" && setpriv --reuid=$NB_UID --regid=$NB_UID --clear-groups \
			env HOME="$NB" NEREID_HOME="$NB/home" "$NEREID_BIN" "$@")
	else
		local cmd q
		cmd="cd $(printf '%q' "$NB") && HOME=$(printf '%q' "$NB") NEREID_HOME=$(printf '%q' "$NB/home") exec $(printf '%q' "$NEREID_BIN")"
		for q in "$@"; do cmd="$cmd $(printf '%q' "$q")"; done
		su nobody -s /bin/bash -c "$cmd"
	fi
}
NOBODY_HOW=""
chmod 755 "$T"
mkdir -p "$NB/home" "$NB/data/sub" "$NB/data/locked_dir"
printf 'readable\n' >"$NB/data/open.txt"
printf 'readable too\n' >"$NB/data/sub/open2.txt"
printf 'secret\n' >"$NB/data/secret.txt"
printf 'hidden\n' >"$NB/data/locked_dir/inside.txt"
chown -R $NB_UID:$NB_UID "$NB"
chmod 000 "$NB/data/secret.txt"
if [ "$(id -u)" != 0 ]; then
	# Not root: chmod alone makes the file unreadable.
	NOBODY_HOW=self
	as_nobody() { (cd "$NB" && env HOME="$NB" NEREID_HOME="$NB/home" "$NEREID_BIN" "$@"); }
elif command -v setpriv >/dev/null 2>&1 &&
	setpriv --reuid=$NB_UID --regid=$NB_UID --clear-groups test -x "$NEREID_BIN" 2>/dev/null; then
	NOBODY_HOW=setpriv
elif command -v su >/dev/null 2>&1 && su nobody -s /bin/sh -c "test -x '$NEREID_BIN'" 2>/dev/null; then
	NOBODY_HOW=su
fi
if [ -z "$NOBODY_HOW" ]; then
	echo "note: no way to run as an unprivileged user; unreadable-file checks skipped" >&2
else
	if [ "$NOBODY_HOW" = setpriv ] &&
		(cd "$NB" && setpriv --reuid=$NB_UID --regid=$NB_UID --clear-groups cat data/secret.txt) >/dev/null 2>&1; then
		bad "the unprivileged user can read the chmod 000 file: the test setup is wrong"
	fi
	echo "note: unreadable-file checks run as uid $NB_UID ($NOBODY_HOW)" >&2
	capture as_nobody run new
	NR="$OUT"
	expect_match "$RUNID" "$NR" "an unprivileged user creates a run in its own store"
	capture as_nobody track "$NR:f" data/open.txt
	expect_eq 0 "$RC" "unprivileged track of a readable file"
	NH="$(as_nobody hash "$NR:f" 2>/dev/null)"
	expect_match "$HEX64" "$NH" "unprivileged hash"

	expect_error 4 as_nobody track "$NR:f" data
	expect_contains "secret.txt" "$ERR" "the error names the unreadable file"
	expect_eq "$NH" "$(as_nobody hash "$NR:f" 2>/dev/null)" "unreadable file: field unchanged"
	expect_error 4 as_nobody track "$NR:g" data/secret.txt
	expect_contains "secret.txt" "$ERR" "the error names the unreadable file given as the path"
	expect_error 3 as_nobody hash "$NR:g"

	# An unreadable folder inside the tracked folder.
	chmod 644 "$NB/data/secret.txt"
	chmod 000 "$NB/data/locked_dir"
	expect_error 4 as_nobody track "$NR:g" data
	expect_contains "locked_dir" "$ERR" "the error names the unreadable folder"
	expect_error 3 as_nobody hash "$NR:g"
	chmod 755 "$NB/data/locked_dir"
	# Everything readable again: the same track now works.
	capture as_nobody track "$NR:g" data
	expect_eq 0 "$RC" "the track works once every file is readable"
	expect_eq "4" "$(as_nobody ls "$NR:g" --json 2>/dev/null | py 'import json,sys; print(len(json.load(sys.stdin)))' 2>&1)" \
		"all four files recorded"

	# A store the user cannot write: access denied, one line.
	mkdir -p "$T/root_home"
	chmod 755 "$T/root_home"
	(cd "$T" && NEREID_HOME="$T/root_home" "$NEREID_BIN" run new >/dev/null 2>&1)
	chmod -R go-w "$T/root_home"
	if [ "$NOBODY_HOW" = setpriv ]; then
		expect_error_in "1 4" setpriv --reuid=$NB_UID --regid=$NB_UID --clear-groups \
			env NEREID_HOME="$T/root_home" "$NEREID_BIN" run new
	fi
fi

e2e_done
