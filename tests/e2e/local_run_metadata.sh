#!/usr/bin/env bash
# local_run_metadata.sh - `nereid run new` with Neptune's run metadata:
# --name, --description, --tag (a sorted set), --custom-run-id (a run with
# that ID is resumed, not made again, also by concurrent creators), how
# `show` prints them (text: tags joined by ','; --json: an array), and
# every bad value refused with one line, exit 2 and nothing created.
. "$(dirname "$0")/lib.sh"

runs_count() {
	nereid runs --json | py 'import json,sys; print(len(json.load(sys.stdin)))'
}

expect_exit 0 nereid run new --name "first" --description "the baseline" --tag nlp --tag "v 2" \
	--tag nlp --tag "été" --custom-run-id exp-7
expect_eq "SND-1" "$OUT" "a new run's ID"
expect_exit 0 nereid show SND-1
expect_contains "sys/custom_run_id      exp-7" "$OUT" "show: sys/custom_run_id"
expect_contains "sys/description        the baseline" "$OUT" "show: sys/description"
expect_contains "sys/tags               nlp,v 2,été" "$OUT" "show: the tags sorted, once each, joined by ','"
expect_exit 0 nereid show SND-1 --json
expect_eq '["nlp", "v 2", "été"] exp-7 the baseline first' \
	"$(printf '%s' "$OUT" | py 'import json,sys; d=json.load(sys.stdin); print(json.dumps(d["sys/tags"], ensure_ascii=False), d["sys/custom_run_id"], d["sys/description"], d["sys/name"])')" \
	"show --json: sys/tags an array, the rest strings"

# --- resume by custom run ID -------------------------------------------------------------------
expect_exit 0 nereid run new --custom-run-id exp-7 --name "other" --tag new
expect_eq "SND-1" "$OUT" "the same custom run ID resumes the run"
expect_eq "1" "$(runs_count)" "and makes no run"
expect_exit 0 nereid show SND-1 --json
expect_eq 'first ["nlp", "v 2", "été"]' \
	"$(printf '%s' "$OUT" | py 'import json,sys; d=json.load(sys.stdin); print(d["sys/name"], json.dumps(d["sys/tags"], ensure_ascii=False))')" \
	"a resumed run keeps its name and tags"
expect_exit 0 nereid run new --custom-run-id exp-8
expect_eq "SND-2" "$OUT" "another custom run ID makes a run"
expect_exit 0 nereid run new --custom-run-id exp-7 --project ws/other
expect_eq "OTH-1" "$OUT" "custom run IDs are per project"

# A run without metadata shows none of it (the sys/ list of before).
expect_exit 0 nereid run new
expect_eq "SND-3" "$OUT" "a plain run"
expect_exit 0 nereid show SND-3 --json
expect_eq "['sys/creation_time', 'sys/id', 'sys/modification_time', 'sys/name', 'sys/owner', 'sys/uuid']" \
	"$(printf '%s' "$OUT" | py 'import json,sys; print(sorted(json.load(sys.stdin)))')" \
	"no sys/custom_run_id, sys/description or sys/tags when unset"

# Eight creators at once with one custom run ID: one run between them.
for i in 1 2 3 4 5 6 7 8; do
	nereid run new --custom-run-id "race" >"$T/race.$i" 2>&1 &
done
wait
expect_eq "1" "$(cat "$T"/race.* | sort -u | wc -l)" "every concurrent creator printed one ID"
expect_match "^SND-[0-9]+$" "$(cat "$T/race.1")" "a run ID"
expect_eq "4" "$(runs_count)" "and one run was made"

# --- bad values: exit 2, one line naming what, nothing created --------------------------------
expect_error 2 nereid run new --tag "a,b"
expect_contains "tag" "$ERR" "a ',' in a tag is named"
expect_error 2 nereid run new --tag "$(printf 'a\tb')"
expect_contains "control character" "$ERR" "a control character in a tag"
expect_error 2 nereid run new --tag ""
expect_error 2 nereid run new --tag " padded"
expect_error 2 nereid run new --tag "$(head -c 129 /dev/zero | tr '\0' x)"
expect_contains "longer than 128" "$ERR" "a tag over 128 bytes"
expect_error 2 nereid run new --tag "$(printf 'bad\xff')"
expect_contains "UTF-8" "$ERR" "invalid UTF-8 in a tag"
args=()
for i in $(seq 1 101); do args+=(--tag "t$i"); done
expect_error 2 nereid run new "${args[@]}"
expect_contains "at most 100" "$ERR" "more than 100 tags"
expect_error 2 nereid run new --custom-run-id ""
expect_error 2 nereid run new --custom-run-id "$(printf 'a\nb')"
expect_contains "custom run ID" "$ERR" "a control character in a custom run ID"
expect_error 2 nereid run new --custom-run-id "$(head -c 129 /dev/zero | tr '\0' c)"
expect_error 2 nereid run new --description "$(head -c 16385 /dev/zero | tr '\0' d)"
expect_contains "description" "$ERR" "a description over 16384 bytes"
expect_error 2 nereid run new --tag
expect_error 2 nereid track data --tag x "$T"
expect_eq "4" "$(runs_count)" "no bad value made a run"
args=()
for i in $(seq 1 100); do args+=(--tag "t$i"); done
expect_exit 0 nereid run new "${args[@]}" --description "$(head -c 16384 /dev/zero | tr '\0' d)"
expect_eq "SND-5" "$OUT" "100 tags and 16384 bytes of description are allowed"

# --- modes --------------------------------------------------------------------------------------
expect_error 4 nereid run new --custom-run-id exp-9 --mode read-only
expect_contains "existing run" "$ERR" "read-only mode makes no run"
expect_exit 0 nereid run new --custom-run-id exp-7 --mode read-only
expect_eq "SND-1" "$OUT" "read-only mode opens the run a custom run ID names (Neptune's)"
expect_exit 0 nereid run new --custom-run-id exp-9 --mode debug
expect_eq "SND-6" "$OUT" "debug mode computes the run"
expect_exit 0 nereid run new --custom-run-id exp-9
expect_eq "SND-6" "$OUT" "debug mode stored nothing: the run is made now"

e2e_done
