#!/usr/bin/env bash
# local_projects.sh - projects (SPEC sections 1, 6, 7): the built-in project
# needs no setup; a project is made by its first run or by `project new`,
# never by a read (a mistyped name exits 3 and leaves nothing behind);
# `project new` of an existing project with another key fails naming the
# key, and in read-only mode fails with 4; "." and ".." parts are refused;
# `project list [--json]` lists the projects.
. "$(dirname "$0")/lib.sh"

mkdir -p data
printf 'one\n' >data/one.txt

projects_json() {
	nereid project list --json 2>/dev/null
}
project_names() {
	projects_json | py 'import json,sys
for p in json.load(sys.stdin): print(p["name"])' 2>&1
}

# --- a fresh store: reads create nothing, the built-in project needs no setup --------------
expect_exit 0 nereid project list --json
expect_eq "[]" "$OUT" "a fresh store has no project"
expect_exit 0 nereid project list
expect_match "^PROJECT +KEY +RUNS" "$OUT" "project list prints a header"
expect_exit 0 nereid runs --json
expect_eq "[]" "$OUT" "the built-in project reads as empty before its first run"
expect_error 3 nereid hash SND-1:f
expect_eq "" "$(ls -A "$NEREID_HOME")" "reads made no store"
track_ok f data
expect_eq "SND-1" "$TRACKED_RUN" "the first track needs no setup"
expect_eq '[{"name":"local/sandbox","key":"SND","runs":1}]' "$(projects_json)" "project list --json"

# --- reads of a project that does not exist: exit 3, nothing created --------------------------
for c in "runs" "runs --json" "hash CLS-1:f" "ls CLS-1:f" "ls CLS-1:f --json" "show CLS-1" \
	"status CLS-1:f" "download CLS-1:f --destination dl" "diff CLS-1:f CLS-2:f" "rm CLS-1:f"; do
	expect_error 3 nereid $c --project ml-team/clasification
	expect_contains "ml-team/clasification" "$ERR" "the error names the project ($c)"
	expect_error 3 env NEREID_PROJECT=ml-team/clasification "$NEREID_BIN" $c
done
expect_error 3 nereid track CLS-1:f data --project ml-team/clasification
expect_error 3 nereid assign CLS-1:f SND-1:f --project ml-team/clasification
expect_eq "local/sandbox" "$(project_names)" "reads of a mistyped project created nothing"
expect_true "no download folder was made" test ! -e dl

# --- writes make the project ----------------------------------------------------------------
track_ok f data --project ml-team/classification
expect_eq "CLS-1" "$TRACKED_RUN" "the first track into a new project makes it, with the derived key"
expect_exit 0 nereid run new --project ml-team/classification
expect_eq "CLS-2" "$OUT" "its next run"
# Several processes making the same new project at once: one project, distinct runs.
for i in 1 2 3 4; do
	nereid run new --project ml-team/together >"$T/together.$i" 2>&1 &
done
wait
expect_eq "TGT-1 TGT-2 TGT-3 TGT-4" "$(cat "$T"/together.* | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')" \
	"concurrent first runs of a new project"

# --- project new ----------------------------------------------------------------------------
expect_exit 0 nereid project new ml-team/sentiment --key SENT
expect_eq "ml-team/sentiment SENT" "$OUT" "project new prints the name and key"
expect_exit 0 nereid project new ml-team/sentiment --key SENT
expect_eq "ml-team/sentiment SENT" "$OUT" "project new again with the same key"
expect_exit 0 nereid project new ml-team/sentiment
expect_eq "ml-team/sentiment SENT" "$OUT" "project new again without a key"
expect_error 1 nereid project new ml-team/sentiment --key OTHER
expect_contains "SENT" "$ERR" "the error names the existing key"
expect_error 1 nereid project new ml-team/classification --key CLASS
expect_contains "CLS" "$ERR" "the error names the existing key"
expect_exit 0 nereid run new --project ml-team/sentiment
expect_eq "SENT-1" "$OUT" "a created project's runs use its key"
expect_error 2 nereid project new ml-team/bad --key lower
expect_error 2 nereid project new ml-team/bad --key A
# Read-only: refused, nothing made; debug: computed, nothing kept.
expect_error 4 nereid project new ml-team/ro --mode read-only
expect_contains "read-only" "$ERR" "the error says read-only"
expect_error 4 nereid project new ml-team/sentiment --mode read-only
expect_exit 0 nereid project new ml-team/dbg --key DBG --mode debug
expect_eq "ml-team/dbg DBG" "$OUT" "debug project new prints what it would make"
FRESH="$T/fresh"
expect_error 4 env NEREID_HOME="$FRESH" "$NEREID_BIN" project new ml-team/ro --mode read-only
expect_true "read-only project new creates no store" test ! -e "$FRESH"

# --- names with "." or ".." parts -------------------------------------------------------------
for name in "ml-team/.." "ml-team/." "../x" "./x" "../.." "ml-team" "a/b/c" "/x" "x/" "a//b"; do
	expect_error 2 nereid project new "$name"
	expect_error 2 nereid runs --project "$name"
	expect_error 2 nereid track f data --project "$name"
	expect_error 2 env NEREID_PROJECT="$name" "$NEREID_BIN" run new
done
expect_exit 0 nereid project new ml-team/..v1.. --key DOTS
expect_eq "ml-team/..v1.. DOTS" "$OUT" "dots inside a part are fine"

# --- project list ---------------------------------------------------------------------------
expect_eq "local/sandbox
ml-team/..v1..
ml-team/classification
ml-team/sentiment
ml-team/together" "$(project_names)" "project list: every project, sorted by name, none from refused commands"
expect_exit 0 nereid project list --json
expect_eq "2" "$(printf '%s' "$OUT" | py 'import json,sys
print([p["runs"] for p in json.load(sys.stdin) if p["name"] == "ml-team/classification"][0])' 2>&1)" \
	"project list counts the runs"
expect_exit 0 nereid project list
expect_match "ml-team/sentiment +SENT +1" "$OUT" "project list table row"
expect_exit 0 nereid project list --mode read-only
expect_exit 0 nereid project list --json --mode debug
expect_error 2 nereid project list extra
expect_error 2 nereid project remove x

e2e_done
