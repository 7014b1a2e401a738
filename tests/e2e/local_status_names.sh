#!/usr/bin/env bash
# local_status_names.sh - status re-scans exactly the places that were
# tracked, whatever their names hold: percent signs, spaces and the
# characters *, ? that a path typed on the command line may not contain.
# Both ways are covered: a field that remembers the folder it was tracked
# from, and a field assigned from a bare hash, whose records' own sources
# are re-checked one by one.
. "$(dirname "$0")/lib.sh"

dir='x%41 y'
mkdir -p "$dir/sub"
printf 'one\n' >"$dir/a?b.txt"
printf 'two\n' >"$dir/sub/c*d"
printf 'three\n' >"$dir/%20"
R="$(new_run)"
track_ok "$R:f" "$dir"
expect_eq 3 "$(ls_paths "$R:f" | wc -l)" "every odd name is tracked"
expect_exit 0 nereid status "$R:f"
expect_eq "" "$OUT" "status of an unchanged folder with odd names reports nothing"

# The same records held by another run's field, assigned from the hash.
H="$(hash_of "$R:f")"
R2="$(new_run)"
expect_exit 0 nereid assign "$R2:g" "$H"
expect_exit 0 nereid status "$R2:g"
expect_eq "" "$OUT" "status from the records' own sources: nothing changed"

printf 'changed\n' >"$dir/sub/c*d"
expect_exit 1 nereid status "$R:f"
expect_eq "changed sub/c*d" "$OUT" "a changed file is reported by its path"
expect_exit 1 nereid status "$R2:g"
expect_eq "changed sub/c*d" "$OUT" "the same from the records' own sources"

rm "$dir/%20"
expect_exit 1 nereid status "$R2:g"
expect_contains "removed %20" "$OUT" "a deleted file is reported as removed"

e2e_done
