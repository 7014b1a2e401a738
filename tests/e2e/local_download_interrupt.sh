#!/usr/bin/env bash
# local_download_interrupt.sh - a download leaves no temporary file behind:
# SIGINT and SIGTERM remove the ones in progress (the command dies of the
# signal), and a rerun after SIGKILL removes the stale ones beside its
# targets, while temporaries that a live process holds are never touched.
. "$(dirname "$0")/lib.sh"

command -v flock >/dev/null || skip_all "flock(1) is needed"

temporaries() { # FOLDER: the temporary files there, one a line
	find "$1" -maxdepth 1 -name '.*.nereid-*' 2>/dev/null | LC_ALL=C sort
}

# --- stale temporaries beside the targets ------------------------------------
mkdir -p data/sub
printf 'alpha\n' >data/a
printf 'beta\n' >data/sub/b
R="$(new_run)"
track_ok "$R:f" data
mkdir -p out/sub
printf 'half' >out/.a.nereid-abc123          # a killed download's copy
printf 'half' >out/sub/.b.nereid-x0y9z8      # in a folder below
printf 'half' >out/.gone.nereid-zzzzzz       # of a record no longer there
ln -s /nonexistent out/.a.nereid-link-999999999-3 # a killed download's link
printf 'mine' >out/.a.nereid-notes           # not Nereid's: 5 letters
printf 'mine' >out/.a.nereid-ABC123          # not Nereid's: upper case
printf 'mine' >out/a.nereid-abc123           # not Nereid's: no leading dot
exec 9>out/.b.nereid-live12                  # held (locked) by a live process:
flock -x 9 || fail "cannot lock"             # this shell
expect_exit 0 nereid download "$R:f" --destination out
expect_true "the links are made" test -L out/a -a -L out/sub/b
expect_eq "out/.a.nereid-ABC123
out/.a.nereid-notes
out/.b.nereid-live12" "$(temporaries out)" "stale temporaries removed, the others kept"
expect_eq "" "$(temporaries out/sub)" "a stale temporary in a folder below is removed"
expect_true "a name that is not a temporary is kept" test -f out/a.nereid-abc123
exec 9>&-

# --- downloads running at once into one folder never take each other's -----
# temporary files for stale ones
mkdir many
for i in $(seq 300); do printf 'file %s\n' "$i" >"many/f$i"; done
R3="$(new_run)"
track_ok "$R3:m" many
pids=""
for i in 1 2 3; do
	"$NEREID_BIN" download "$R3:m" --destination together --copy >"$T/.c$i.out" 2>"$T/.c$i.err" &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || bad "a download running beside others failed: $(cat "$T"/.c*.err)"
done
expect_eq "300" "$(find together -type f ! -name '.*' | wc -l)" "every file is copied"
expect_eq "" "$(temporaries together)" "no temporary file is left"
expect_eq "file 17" "$(cat together/f17)" "the copies hold the recorded content"

# --- killing a real copy in progress -----------------------------------------
mkdir big
truncate -s 1G big/big.bin
printf 'small\n' >big/small
R2="$(new_run)"
E2E_TIMEOUT=300 track_ok "$R2:big" big

# start_copy DEST: a --copy download in the background, $pid, once its
# temporary file exists (the copy is under way).
start_copy() {
	# Job control on: a background job then does not ignore SIGINT.
	set -m
	"$NEREID_BIN" download "$R2:big" --destination "$1" --copy --workers 1 \
		>"$T/.bg.out" 2>"$T/.bg.err" &
	pid=$!
	set +m
	for _ in $(seq 400); do
		[ -n "$(temporaries "$1")" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	kill -KILL "$pid" 2>/dev/null
	fail "no temporary file appeared in $1 while copying"
}

for sig in INT TERM; do
	start_copy "c_$sig"
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	want=$((128 + $(kill -l "$sig")))
	expect_eq "$want" "$rc" "SIG$sig ends the download by the signal"
	expect_eq "" "$(temporaries "c_$sig")" "SIG$sig removes the temporary file"
	expect_true "SIG$sig leaves nothing at the target" test ! -e "c_$sig/big.bin"
done

start_copy c_KILL
kill -KILL "$pid"
wait "$pid"
expect_ne "" "$(temporaries c_KILL)" "SIGKILL leaves a temporary file (it cannot be caught)"
E2E_TIMEOUT=300 expect_exit 0 nereid download "$R2:big" --destination c_KILL --copy
expect_eq "" "$(temporaries c_KILL)" "the rerun removes the stale temporary file"
expect_eq "1073741824" "$(stat -c %s c_KILL/big.bin)" "the rerun copies the file"

e2e_done
