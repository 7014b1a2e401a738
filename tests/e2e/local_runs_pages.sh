#!/usr/bin/env bash
# local_runs_pages.sh - `nereid runs` reads the runs a page at a time
# (nereid_project_runs_page, 1,000 a page) and still prints every run once,
# oldest first, as one table or one JSON array: across page boundaries, with
# a gap in the numbers at a boundary, and with a run made afterwards.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"

expect_exit 0 nereid run new --name first
expect_eq "SND-1" "$OUT" "the first run"
# Runs 2..2600 written straight into the store, as many runs would be.
sqlite3 "$NEREID_HOME/store.db" "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n
  WHERE i < 2600) INSERT INTO runs(project_id, number, name, owner, creation_time,
  modification_time) SELECT 1, i, 'run ' || i, 'me', '2026-01-01T00:00:00.000Z',
  '2026-01-01T00:00:00.000Z' FROM n; DELETE FROM runs WHERE number IN (1000, 1001, 2000);
  UPDATE projects SET next_run = 2601;" || fail "cannot write the store"
expect_exit 0 nereid run new --name last
expect_eq "SND-2601" "$OUT" "a run made after them"

want="$(for i in $(seq 1 2601); do
	case $i in 1000 | 1001 | 2000) ;; *) echo "SND-$i" ;; esac
done)"
expect_exit 0 nereid runs
expect_eq "$((2598 + 1))" "$(printf '%s\n' "$OUT" | wc -l)" "one header and one line per run"
expect_match "^ID +NAME +OWNER +CREATED +MODIFIED$" "$(printf '%s\n' "$OUT" | head -n 1)" \
	"one header, first"
expect_eq "$want" "$(printf '%s\n' "$OUT" | sed 1d | awk '{print $1}')" \
	"every run once, in order, across pages"
expect_eq "0" "$(printf '%s\n' "$OUT" | grep -c '^ID ' | awk '{print $1 - 1}')" \
	"no header between pages"

expect_exit 0 nereid runs --json
expect_eq "$want" "$(printf '%s' "$OUT" | py 'import json,sys
for r in json.load(sys.stdin): print(r["id"])' 2>&1)" "--json: one array, every run once, in order"
expect_eq "first|run 999|run 1002|last" "$(printf '%s' "$OUT" | py 'import json,sys
runs = {r["id"]: r["name"] for r in json.load(sys.stdin)}
print("|".join(runs[i] for i in ("SND-1", "SND-999", "SND-1002", "SND-2601")))' 2>&1)" \
	"--json: each run with its own values"

e2e_done
