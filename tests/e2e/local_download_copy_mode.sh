#!/usr/bin/env bash
# local_download_copy_mode.sh - `download --copy` keeps the source's
# permission bits, never wider (no set-ID or sticky bit, whatever the
# umask), and its modification time.
. "$(dirname "$0")/lib.sh"

mkdir perm
printf 'secret\n' >perm/private
printf '#!/bin/sh\necho hi\n' >perm/run.sh
printf 'read only\n' >perm/ro
printf 'group\n' >perm/group
printf 'setuid\n' >perm/suid
chmod 600 perm/private
chmod 755 perm/run.sh
chmod 444 perm/ro
chmod 640 perm/group
chmod 4755 perm/suid
touch -d '2020-01-02 03:04:05.123456789' perm/*
R="$(new_run)"
track_ok "$R:p" perm

check_modes() { # FOLDER WHAT
	expect_eq "600" "$(stat -c %a "$1/private")" "$2: a 0600 file stays 0600"
	expect_eq "755" "$(stat -c %a "$1/run.sh")" "$2: a 0755 script keeps its execute bits"
	expect_eq "444" "$(stat -c %a "$1/ro")" "$2: a read-only file stays read-only"
	expect_eq "640" "$(stat -c %a "$1/group")" "$2: 0640 stays 0640"
	expect_eq "755" "$(stat -c %a "$1/suid")" "$2: no set-user-ID bit on a copy"
	expect_eq "$(stat -c %y perm/private)" "$(stat -c %y "$1/private")" "$2: the modification time is kept"
	expect_eq "$(stat -c %Y perm/run.sh)" "$(stat -c %Y "$1/run.sh")" "$2: the script's time is kept"
	expect_eq "hi" "$("$1/run.sh")" "$2: the copied script runs"
}

expect_exit 0 nereid download "$R:p" --destination c1 --copy
check_modes c1 "umask 022"
(umask 000 && nereid download "$R:p" --destination c2 --copy) || bad "download --copy under umask 000"
check_modes c2 "umask 000"
(umask 077 && nereid download "$R:p" --destination c3 --copy) || bad "download --copy under umask 077"
check_modes c3 "umask 077"

# --force over an edited copy gives the same bits and time again.
chmod 666 c1/private
printf 'edited\n' >c1/private
expect_exit 0 nereid download "$R:p" --destination c1 --copy --force
check_modes c1 "replaced"

e2e_done
