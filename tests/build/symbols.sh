#!/usr/bin/env bash
# symbols.sh - the static library exports only the public API (nereid_*,
# each declared in nereid.h) and internal names with the one internal
# prefix (nrd_), so that a program linking libnereid.a meets no clash with
# its own names. Names the compiler's instrumentation adds (leading "__" or
# "."), are not ours.
# Usage: symbols.sh LIBNEREID.a NEREID.H
set -u
lib=${1:?usage: symbols.sh LIBNEREID.a NEREID.H}
header=${2:?usage: symbols.sh LIBNEREID.a NEREID.H}
command -v nm >/dev/null || { echo "nm is needed" >&2; exit 77; }
names=$(nm -g --defined-only "$lib" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u)
[ -n "$names" ] || { echo "symbols: no symbols read from $lib"; echo "0 passed, 1 failed"; exit 1; }
public=$(grep -c '^nereid_' <<<"$names")
internal=$(grep -c '^nrd_' <<<"$names")
stray=$(grep -vE '^(nereid_|nrd_|__|\.)' <<<"$names")
if [ -n "$stray" ]; then
	echo "symbols: names outside nereid_ and nrd_ in $lib:"
	echo "$stray" | head -n 20
	echo "0 passed, 1 failed"
	exit 1
fi
hidden=""
for name in $(grep '^nereid_' <<<"$names"); do
	grep -qE "(^|[^A-Za-z0-9_])$name([^A-Za-z0-9_]|\$)" "$header" || hidden="$hidden $name"
done
if [ -n "$hidden" ]; then
	echo "symbols: nereid_ names that $header does not declare (internal ones take nrd_):$hidden"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "symbols: $public public (nereid_, all in the header), $internal internal (nrd_), nothing else"
echo "1 passed, 0 failed"
