#!/usr/bin/env bash
# local_track_own.sh - tracking never records Nereid's own files: its store
# (store.db, its WAL, the hash cache) when NEREID_HOME lies inside the
# tracked folder, however NEREID_HOME is spelled, and the temporaries a
# download leaves beside its targets (.NAME.nereid-*). One warning says so,
# and status does not see the store change under it.
. "$(dirname "$0")/lib.sh"

mkdir -p proj/data
printf 'a\n' >proj/data/a.csv
printf 'b\n' >proj/b.txt

# --- the store inside the tracked folder --------------------------------------------------------
export NEREID_HOME="$W/proj/.nereid"
expect_exit 0 nereid track data_versions proj
R="${OUT%% *}"
expect_eq "b.txt
data/a.csv" "$(ls_paths "$R:data_versions")" "the store's files are not recorded"
expect_eq 1 "$(printf '%s\n' "$ERR" | grep -c '^nereid: warning: ')" "one warning"
expect_contains "store" "$ERR" "the warning says why"
expect_contains "$NEREID_HOME" "$ERR" "the warning names the store"
expect_exit 0 nereid status "$R:data_versions"
expect_eq "" "$OUT" "status: the store's own writes are not changes"
# Again: the store and its hash cache exist now, with their WAL files.
expect_exit 0 nereid track "$R:again" proj
expect_eq "b.txt
data/a.csv" "$(ls_paths "$R:again")" "a second track records no store file either"
expect_exit 0 nereid status "$R:again"

# The same store named through a link and a relative path: found by its
# device and inode, not by its name.
ln -s proj/.nereid homelink
export NEREID_HOME=homelink
expect_exit 0 nereid track "$R:vialink" proj
expect_eq "b.txt
data/a.csv" "$(ls_paths "$R:vialink")" "NEREID_HOME through a link: the store is still skipped"
export NEREID_HOME="$W/proj/.nereid"

# The store's folder tracked itself, or its database named as the path.
printf 'mine\n' >proj/.nereid/notes.txt
expect_exit 0 nereid track "$R:home" proj/.nereid
expect_eq "notes.txt" "$(ls_paths "$R:home")" "tracking NEREID_HOME records only what is not the store"
rm proj/.nereid/notes.txt
expect_error_in "1 3" nereid track "$R:db" proj/.nereid/store.db
expect_error 3 nereid hash "$R:db"
# A link in the tracked folder to the store's database.
mkdir -p linked
printf 'x\n' >linked/x.txt
ln -s "$NEREID_HOME/store.db" linked/db
expect_exit 0 nereid track "$R:linked" linked
expect_eq "x.txt" "$(ls_paths "$R:linked")" "a link to the store is not followed into a record"

# --- download temporaries ----------------------------------------------------------------------
mkdir -p tmps/sub
printf 't\n' >tmps/t.csv
printf 'half' >tmps/.t.csv.nereid-a1b2c3
printf 'half' >tmps/sub/.x.bin.nereid-zz9y8x
ln -s "$W/tmps/t.csv" tmps/.l.csv.nereid-link-123-4
printf 'mine\n' >tmps/.hidden
printf 'mine\n' >tmps/.nereid-notes
expect_exit 0 nereid track "$R:tmps" tmps
expect_eq ".hidden
.nereid-notes
t.csv" "$(ls_paths "$R:tmps")" "Nereid's temporaries are not recorded, other hidden files are"
expect_eq 1 "$(printf '%s\n' "$ERR" | grep -c '^nereid: warning: ')" "one warning for the temporaries"
expect_contains "temporar" "$ERR" "the warning says why"
expect_error_in "1 3" nereid track "$R:onetmp" tmps/.t.csv.nereid-a1b2c3
expect_error 3 nereid hash "$R:onetmp"

e2e_done
