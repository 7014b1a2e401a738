#!/usr/bin/env bash
# local_walk_swap.sh - a folder swapped back and forth with a link to
# another tree while tracks run (a second process doing it in a loop): a
# track may fail ("changed while being tracked") or record what it found
# inside, but never records a file of the other tree. The unit test
# test_local_scan makes the same swap at chosen moments; this one runs the
# real binary against a real race.
. "$(dirname "$0")/lib.sh"

mkdir -p tree/a outside/a
for i in $(seq 1 200); do
	printf 'inside\n' >"tree/a/f$i"
	printf 'SECRET\n' >"outside/a/f$i"
done
printf 'top\n' >tree/top.txt
SECRET_MD5="$(printf 'SECRET\n' | md5sum | cut -d' ' -f1)"

python3 - "$W" <<'PY' &
import os, sys, time
os.chdir(sys.argv[1])
end = time.time() + 60
while time.time() < end and not os.path.exists("stop"):
    os.rename("tree/a", "tree/a.real")
    os.symlink(os.path.abspath("outside/a"), "tree/a")
    time.sleep(0.0005)
    os.unlink("tree/a")
    os.rename("tree/a.real", "tree/a")
    time.sleep(0.0005)
PY
SWAPPER=$!

R="$(new_run)"
OUTSIDE=0
TRACKED=0
for i in $(seq 1 30); do
	# A fresh hash cache every other time: workers stat what they open
	# (first track) or compare with what the walk stat'ed (later ones).
	[ $((i % 2)) = 0 ] && rm -f "$NEREID_HOME"/hashcache.db*
	capture nereid track "$R:t$i" tree
	if [ "$RC" = 0 ]; then
		TRACKED=$((TRACKED + 1))
		if ls_json "$R:t$i" | grep -q "$SECRET_MD5"; then
			OUTSIDE=$((OUTSIDE + 1))
		fi
	else
		e2e_check_error_line track tree
	fi
done
touch stop
wait "$SWAPPER"
echo "tracked $TRACKED of 30" >&2
expect_eq 0 "$OUTSIDE" "no track recorded a file from outside the tracked folder ($TRACKED of 30 succeeded)"

e2e_done
