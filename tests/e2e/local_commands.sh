#!/usr/bin/env bash
# local_commands.sh - every `nereid` subcommand on local files (SPEC
# sections 2, 3, 5 and 7): run IDs, track output, hash, ls (table and the
# exact JSON form), show, runs, assign, diff, status, exit codes and the
# one-line error contract.
. "$(dirname "$0")/lib.sh"

# --- data -----------------------------------------------------------------
mkdir -p data/sub
printf 'alpha\n' >data/a.txt
head -c 70000 /dev/urandom >data/sub/b.bin
printf '' >data/c.txt
touch -d '2021-03-04 05:06:07 UTC' data/a.txt

# --- run new: KEY-N, N incrementing -----------------------------------------
R1="$(new_run)"
R2="$(new_run)"
R3="$(new_run --name "my experiment")"
KEY="${R1%-*}"
expect_match '^[A-Z]{2,10}$' "$KEY" "project key is 2-10 uppercase letters"
expect_eq "$KEY-1" "$R1" "first run of a fresh store is KEY-1"
expect_eq "$KEY-2" "$R2" "second run is KEY-2"
expect_eq "$KEY-3" "$R3" "third run is KEY-3"

# Another project numbers its runs from 1 and does not see these runs.
expect_exit 0 nereid run new --project ml-team/classification
expect_match '^[A-Z]{2,10}-1$' "$OUT" "a new project's first run is KEY-1"
P2_R1="$OUT"
expect_exit 0 nereid runs --project ml-team/classification --json
expect_eq "[\"$P2_R1\"]" "$(printf '%s' "$OUT" | py 'import json,sys
print(json.dumps([r["id"] for r in json.load(sys.stdin)]))' 2>&1)" \
	"runs of the second project: only its own run"

# --- track RUN:FIELD PATH ----------------------------------------------------
track_ok "$R1:data/train" data
H="$TRACKED_HASH"
expect_match "$HEX64" "$H" "track prints a 64-hex hash"
expect_eq "$R1 data/train $H" "$OUT" "track prints 'RUN-ID FIELD HASH'"

# track FIELD PATH without RUN: a new run.
track_ok "model" data/a.txt
expect_eq "$KEY-4" "$TRACKED_RUN" "track without RUN: creates the next run"
R4="$TRACKED_RUN"
expect_exit 0 nereid hash "$R4:model"
expect_eq "$TRACKED_HASH" "$OUT" "the new run holds the tracked field"

# --- hash / --content ----------------------------------------------------------
expect_exit 0 nereid hash "$R1:data/train"
expect_eq "$H" "$OUT" "hash prints what track printed"
expect_exit 0 nereid hash "$R1:data/train" --content
HC="$OUT"
expect_match "$HEX64" "$HC" "hash --content prints 64 hex"
expect_ne "$H" "$HC" "content hash differs from the artifact hash"
# The option may come before the reference too.
expect_exit 0 nereid hash --content "$R1:data/train"
expect_eq "$HC" "$OUT" "hash --content REF == hash REF --content"

# --- ls --json: the exact form of SPEC section 2 ------------------------------
expect_exit 0 nereid ls "$R1:data/train" --json
JSON="$OUT"
expect_eq "$H" "$(printf '%s' "$JSON" | spec_hash 2>&1)" "hash == reference hash of ls --json"
expect_eq "$HC" "$(printf '%s' "$JSON" | spec_hash --content 2>&1)" \
	"hash --content == reference content hash of ls --json"

ABS="$(cd data && pwd -P)"
expected_json() {
	local f first=1
	printf '['
	for f in a.txt c.txt sub/b.bin; do
		[ $first = 1 ] || printf ','
		first=0
		printf '{"file_path":"%s","file_hash":"%s","type":"Local","size":%s,' \
			"$f" "$(md5_of "data/$f")" "$(stat -c %s "data/$f")"
		printf '"metadata":{"file_path":"file://%s/%s","last_modified":"%s"}}' \
			"$ABS" "$f" "$(mtime_utc "data/$f")"
	done
	printf ']'
}
WANT="$(expected_json)"
expect_eq "$WANT" "$(printf '%s' "$JSON" | py 'import json,sys
print(json.dumps(json.load(sys.stdin), separators=(",",":"), ensure_ascii=False))' 2>&1)" \
	"ls --json: records (path, md5, type, size in bytes, file:// source, UTC mtime), sorted"
expect_eq "2021-03-04 05:06:07" "$(printf '%s' "$JSON" | py 'import json,sys
print(json.load(sys.stdin)[0]["metadata"]["last_modified"])' 2>&1)" \
	"last_modified is UTC 'YYYY-MM-DD HH:MM:SS'"
# Key order and spacing are part of the contract ("exactly").
expect_eq "$WANT" "$(printf '%s' "$JSON" | tr -d '\n')" "ls --json is exactly the compact SPEC form"
# Even under another TZ, last_modified is recorded and shown in UTC.
expect_exit 0 env TZ=XYZ-5:30 "$NEREID_BIN" ls "$R1:data/train" --json
expect_eq "$JSON" "$OUT" "ls --json does not depend on TZ"
expect_exit 0 env TZ=XYZ-5:30 "$NEREID_BIN" track "$R2:tz" data/a.txt
expect_eq "2021-03-04 05:06:07" "$(ls_json "$R2:tz" | py 'import json,sys
print(json.load(sys.stdin)[0]["metadata"]["last_modified"])' 2>&1)" \
	"track under TZ=+05:30 still records last_modified in UTC"

# --- ls table -----------------------------------------------------------------
expect_exit 0 nereid ls "$R1:data/train"
TABLE="$OUT"
for f in a.txt c.txt sub/b.bin; do
	expect_match "(^|[[:space:]])$f([[:space:]]|\$)" "$TABLE" "ls table lists $f"
done
expect_contains "$(stat -c %s data/sub/b.bin)" "$TABLE" "ls table shows the size in bytes"
expect_contains "$(md5_of data/sub/b.bin)" "$TABLE" "ls table shows the file hash"
# Rows in file_path order.
expect_eq "a.txt c.txt sub/b.bin" "$(printf '%s\n' "$TABLE" | grep -oE 'a\.txt|c\.txt|sub/b\.bin' | uniq | tr '\n' ' ' | sed 's/ $//')" \
	"ls table is sorted by file_path"

# --- show -----------------------------------------------------------------------
expect_exit 0 nereid show "$R3"
SHOW="$OUT"
for f in sys/id sys/name sys/owner sys/creation_time sys/modification_time; do
	expect_contains "$f" "$SHOW" "show lists $f"
done
expect_contains "my experiment" "$SHOW" "show prints sys/name"
expect_exit 0 nereid show "$R1"
expect_contains "$R1" "$OUT" "show prints sys/id"
expect_match "data/train[[:space:]]+$H" "$OUT" "show prints the artifact field with its hash"

expect_exit 0 nereid show "$R1" --json
SJ="$OUT"
check_show_json() {
	printf '%s' "$SJ" | py '
import json, re, sys
run, h = sys.argv[1], sys.argv[2]
d = json.load(sys.stdin)
assert isinstance(d, dict), "not an object"
for k in ("sys/id", "sys/name", "sys/owner", "sys/creation_time", "sys/modification_time", "data/train"):
    assert k in d, "missing " + k
for k, v in d.items():
    assert isinstance(v, str), k + " is not a string"
assert d["sys/id"] == run, "sys/id is " + d["sys/id"]
assert d["data/train"] == h, "data/train is " + d["data/train"]
assert d["sys/owner"], "empty sys/owner"
iso = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$"
for k in ("sys/creation_time", "sys/modification_time"):
    assert re.match(iso, d[k]), k + " is not ISO 8601 UTC: " + d[k]
assert d["sys/modification_time"] >= d["sys/creation_time"], "modified before created"
uuid = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
assert re.match(uuid, d["sys/uuid"]), "sys/uuid is not a UUID: " + d["sys/uuid"]
extra = set(d) - {"sys/id", "sys/name", "sys/owner", "sys/creation_time", "sys/modification_time", "sys/uuid", "data/train"}
assert not extra, "unexpected fields " + repr(sorted(extra))
' "$R1" "$H"
}
expect_true "show --json: every field, sys/ included, as strings" check_show_json
expect_exit 0 nereid show "$R3" --json
expect_eq "my experiment" "$(printf '%s' "$OUT" | py 'import json,sys
print(json.load(sys.stdin)["sys/name"])' 2>&1)" "show --json sys/name"
# creation_time is close to now (UTC, not local time).
expect_true "sys/creation_time is within 10 minutes of now (UTC)" py '
import json, sys, datetime
d = json.loads(sys.argv[1])
t = d["sys/creation_time"].replace("Z", "+00:00")
t = datetime.datetime.fromisoformat(t)
if t.tzinfo is None: t = t.replace(tzinfo=datetime.timezone.utc)
now = datetime.datetime.now(datetime.timezone.utc)
sys.exit(0 if abs((now - t).total_seconds()) < 600 else 1)' "$SJ"

# --- runs -------------------------------------------------------------------------
expect_exit 0 nereid runs
RUNS="$OUT"
FIRSTCOL="$(printf '%s\n' "$RUNS" | awk '{print $1}')"
for r in "$R1" "$R2" "$R3" "$R4"; do
	expect_match "^$r\$" "$FIRSTCOL" "runs shows $r in the leftmost column"
done
expect_exit 0 nereid runs --json
RJ="$OUT"
check_runs_json() {
	printf '%s' "$RJ" | py '
import json, re, sys
want = sys.argv[1:]
a = json.load(sys.stdin)
assert isinstance(a, list), "not an array"
for o in a:
    assert set(o) == {"id", "name", "owner", "creation_time", "modification_time", "uuid"}, repr(sorted(o))
    assert re.match("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", o["uuid"]), o["uuid"]
assert len({o["uuid"] for o in a}) == len(a), "two runs with one UUID"
ids = [o["id"] for o in a]
assert sorted(ids) == sorted(want), repr(ids)
names = {o["id"]: o["name"] for o in a}
assert names[want[2]] == "my experiment", repr(names)
' "$R1" "$R2" "$R3" "$R4"
}
expect_true "runs --json: id, name, owner, creation_time, modification_time, uuid of every run" check_runs_json

# --- assign -------------------------------------------------------------------------
expect_exit 0 nereid assign "$R2:copy" "$R1:data/train"
expect_eq "$H" "$(hash_of "$R2:copy")" "assign from RUN:FIELD copies the hash"
expect_exit 0 nereid assign "$R2:byhash" "$H"
expect_eq "$H" "$(hash_of "$R2:byhash")" "assign from a HASH"
expect_eq "$JSON" "$(ls_json "$R2:byhash")" "assigned field lists the same records"
# Assign within the same run.
expect_exit 0 nereid assign "$R1:alias" "$R1:data/train"
expect_eq "$H" "$(hash_of "$R1:alias")" "assign within one run"
# Overwrite an existing field by assignment.
expect_exit 0 nereid assign "$R2:copy" "$R4:model"
expect_eq "$(hash_of "$R4:model")" "$(hash_of "$R2:copy")" "assign replaces the field's value"
ZERO="$(printf '0%.0s' $(seq 64))"
expect_error 3 nereid assign "$R2:x" "$ZERO"
expect_error 3 nereid hash "$R2:x"
expect_error 3 nereid assign "$R2:x" "$R1:no/such/field"
expect_error 3 nereid assign "$R2:x" "$KEY-999:data/train"
expect_error 3 nereid assign "$KEY-999:x" "$H"
# The other project does not hold this artifact.
expect_error 3 nereid assign --project ml-team/classification "$P2_R1:x" "$H"

# --- diff -------------------------------------------------------------------------------
mkdir -p d1 d2
printf 'same\n' >d1/same.txt
printf 'same\n' >d2/same.txt # other place and mtime, same content
printf 'old\n' >d1/mod.txt
printf 'new!\n' >d2/mod.txt
printf 'gone\n' >d1/gone.txt
printf 'fresh\n' >d2/fresh.txt
touch -d '2020-01-01 00:00:00 UTC' d1/same.txt
track_ok "$R2:v1" d1
track_ok "$R2:v2" d2
expect_exit 1 nereid diff "$R2:v1" "$R2:v2"
DIFF="$OUT"
expect_eq "added fresh.txt
changed mod.txt
removed gone.txt" "$(printf '%s\n' "$DIFF" | grep -E '^(added|removed|changed) ' | sort)" \
	"diff text: added/removed/changed lines, same content elsewhere is equal"
expect_exit 1 nereid diff "$R2:v1" "$R2:v2" --json
expect_eq '{"added":["fresh.txt"],"changed":["mod.txt"],"removed":["gone.txt"]}' \
	"$(printf '%s' "$OUT" | py 'import json,sys
print(json.dumps(json.load(sys.stdin), sort_keys=True, separators=(",",":")))' 2>&1)" \
	"diff --json"
expect_exit 1 nereid diff "$R2:v2" "$R2:v1" --json
expect_eq '{"added":["gone.txt"],"changed":["mod.txt"],"removed":["fresh.txt"]}' \
	"$(printf '%s' "$OUT" | py 'import json,sys
print(json.dumps(json.load(sys.stdin), sort_keys=True, separators=(",",":")))' 2>&1)" \
	"diff --json reversed"
expect_exit 0 nereid diff "$R1:data/train" "$R2:byhash"
expect_eq "" "$(printf '%s\n' "$OUT" | grep -E '^(added|removed|changed) ')" "diff of equal fields lists nothing"
expect_exit 0 nereid diff "$R1:data/train" "$R2:byhash" --json
expect_eq '{"added":[],"changed":[],"removed":[]}' \
	"$(printf '%s' "$OUT" | py 'import json,sys
print(json.dumps(json.load(sys.stdin), sort_keys=True, separators=(",",":")))' 2>&1)" \
	"diff --json of equal fields"
expect_error 3 nereid diff "$R2:v1" "$R2:nothing"
expect_error 3 nereid diff "$KEY-999:a" "$R2:v1"
expect_error 2 nereid diff "$R2:v1"

# --- status -----------------------------------------------------------------------------
mkdir -p s
printf 'one\n' >s/one.txt
printf 'two\n' >s/two.txt
printf 'three\n' >s/three.txt
track_ok "$R3:s" s
expect_exit 0 nereid status "$R3:s"
expect_eq "" "$(printf '%s\n' "$OUT" | grep -E '^(added|removed|changed) ')" "status of an unchanged folder"
printf 'one, edited\n' >s/one.txt
expect_exit 1 nereid status "$R3:s"
expect_contains "changed one.txt" "$OUT" "status after a modification"
rm s/two.txt
expect_exit 1 nereid status "$R3:s"
expect_contains "removed two.txt" "$OUT" "status after a deletion"
expect_contains "changed one.txt" "$OUT" "status still shows the modification"
printf 'four\n' >s/four.txt
expect_exit 1 nereid status "$R3:s"
expect_eq "added four.txt
changed one.txt
removed two.txt" "$(printf '%s\n' "$OUT" | grep -E '^(added|removed|changed) ' | sort)" \
	"status lists exactly the three differences"
# Status never changes the field.
expect_exit 0 nereid hash "$R3:s"
expect_eq "$TRACKED_HASH" "$OUT" "status leaves the field alone"

# Same size, new content, new mtime: still seen as changed.
mkdir -p s2
printf 'aaaa\n' >s2/f.txt
touch -d '2020-01-01 00:00:00 UTC' s2/f.txt
track_ok "$R3:s2" s2
printf 'bbbb\n' >s2/f.txt
expect_exit 1 nereid status "$R3:s2"
expect_contains "changed f.txt" "$OUT" "status sees a same-size change"
# A single tracked file.
printf 'x\n' >single.txt
track_ok "$R3:single" single.txt
expect_exit 0 nereid status "$R3:single"
printf 'xy\n' >single.txt
expect_exit 1 nereid status "$R3:single"
expect_contains "changed single.txt" "$OUT" "status of a single file"
rm single.txt
expect_exit 1 nereid status "$R3:single"
expect_contains "removed single.txt" "$OUT" "status of a deleted single file"
expect_error 3 nereid status "$R3:no_field"

# --- usage errors (exit 2) and not found (exit 3) ------------------------------------------
expect_exit 1 nereid # the usage on stdout, exit 1, as git does
expect_error 2 nereid frobnicate
expect_error 2 nereid run
expect_error 2 nereid run frob
expect_error 2 nereid track
expect_error 2 nereid track "$R1:f"
expect_error 2 nereid hash
expect_error 2 nereid ls
expect_error 2 nereid show
expect_error 2 nereid assign "$R1:f"
expect_error 2 nereid download
expect_error 2 nereid status
expect_error 2 nereid diff
expect_error 2 nereid hash no_colon_reference
expect_error 2 nereid hash "$R1:"
expect_error 2 nereid hash ":data/train"
expect_error 2 nereid hash "$R1:bad//path"
expect_error 2 nereid hash "$R1:data/train" --frobnicate
expect_error 2 nereid hash "$R1:data/train" extra-argument
expect_error 2 nereid hash "$R1:data/train" --mode nonsense
expect_error 2 nereid run new --name
expect_error 2 nereid runs --project "not a project"
expect_error 2 nereid ls "$R1:data/train" --json --json-nonsense
expect_error 2 nereid show "not-a-run"
expect_error 3 nereid hash "$KEY-999:data/train"
expect_error 3 nereid hash "$R1:no/such/field"
expect_error 3 nereid ls "$R1:no/such/field"
expect_error 3 nereid ls "$KEY-999:data/train" --json
expect_error 3 nereid show "$KEY-999"
expect_error 3 nereid show "$KEY-999" --json
expect_eq "" "$OUT" "nothing on stdout on error"
expect_error 3 nereid download "$R1:no/such/field" --destination dl
expect_true "a failed download creates nothing" test ! -e dl
# The error message names what was not found.
expect_error 3 nereid hash "$R1:no/such/field"
expect_contains "no/such/field" "$ERR" "error names the missing field"
expect_error 3 nereid show "$KEY-999"
expect_contains "$KEY-999" "$ERR" "error names the missing run"

# No run was created by any failing command.
expect_exit 0 nereid runs --json
expect_eq "4" "$(printf '%s' "$OUT" | py 'import json,sys; print(len(json.load(sys.stdin)))' 2>&1)" \
	"failed commands created no run"

# --- stdout is clean: warnings and progress never go to stdout --------------------------------
expect_exit 0 nereid hash "$R1:data/train"
expect_eq "" "$ERR" "hash prints nothing on stderr"

e2e_done
