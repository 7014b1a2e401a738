#!/usr/bin/env bash
# local_store_location.sh - where the nereid command finds its store and
# settings: NEREID_STORE (a folder or sqlite:FOLDER) over NEREID_HOME, the
# clear refusal of store schemes without a backend, and "~/" from HOME.
# The library takes all of it from options the command fills from the
# environment; these check that the command's behaviour is SPEC section 6's.
. "$(dirname "$0")/lib.sh"

mkdir -p data && echo hello >data/a.txt

# NEREID_STORE wins over NEREID_HOME, in its sqlite:FOLDER form too.
expect_exit 0 env NEREID_STORE="sqlite:$T/sq" "$NEREID_BIN" run new
expect_eq "SND-1" "$OUT" "first run in the sqlite: store"
[ -f "$T/sq/store.db" ] && ok || bad "NEREID_STORE=sqlite:FOLDER makes FOLDER/store.db"
# The scheme is case-insensitive everywhere: the store lands in FOLDER,
# never in a folder named "SQLITE:...".
mkdir -p "$T/upper-data" && printf 'u\n' >"$T/upper-data/u.txt"
expect_exit 0 "$NEREID_BIN" track up "$T/upper-data" --store "SQLITE:$T/upper"
[ -f "$T/upper/store.db" ] && ok || bad "SQLITE:FOLDER makes FOLDER/store.db"
[ ! -e "SQLITE:" ] && ok || bad "no folder named SQLITE: is made"
[ ! -e "$NEREID_HOME/store.db" ] && ok || bad "NEREID_HOME is left alone when NEREID_STORE is set"
expect_exit 0 env NEREID_STORE="$T/plain" "$NEREID_BIN" track data data/
[ -f "$T/plain/store.db" ] && ok || bad "NEREID_STORE=FOLDER makes FOLDER/store.db"
expect_exit 0 env NEREID_STORE="$T/plain" "$NEREID_BIN" runs --json
expect_contains '"id":"SND-1"' "$OUT" "the run is in the folder store"
# The hash cache stays under NEREID_HOME.
[ -f "$NEREID_HOME/hashcache.db" ] && ok || bad "the hash cache is NEREID_HOME/hashcache.db"
# An empty NEREID_STORE is unset: NEREID_HOME is the store.
expect_exit 0 env NEREID_STORE= "$NEREID_BIN" run new
[ -f "$NEREID_HOME/store.db" ] && ok || bad "empty NEREID_STORE: NEREID_HOME is the store"

# The hash cache stays in NEREID_HOME when the store is elsewhere; inside
# a tracked folder, its files are not tracked (the first track makes it).
mkdir -p tracked && echo t >tracked/t.txt
for round in 1 2; do
	expect_exit 0 env NEREID_STORE="$T/apart" NEREID_HOME="$W/tracked/.cache" "$NEREID_BIN" \
		track apart tracked
	[ -f "$W/tracked/.cache/hashcache.db" ] && ok || bad "round $round: the hash cache is in NEREID_HOME"
	expect_exit 0 env NEREID_STORE="$T/apart" "$NEREID_BIN" ls "SND-$round:apart" --json
	expect_eq '["t.txt"]' "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.dumps([r["file_path"] for r in json.load(sys.stdin)], separators=(",", ":")))')" "round $round: only the tracked file"
done

# --store wins over NEREID_STORE, for every command, project new and list too.
expect_exit 0 env NEREID_STORE="$T/plain" "$NEREID_BIN" run new --store "sqlite:$T/opt"
expect_eq "SND-1" "$OUT" "first run of the --store store"
expect_exit 0 "$NEREID_BIN" project new ws/p --key WSP --store="$T/opt"
expect_exit 0 env NEREID_STORE="$T/plain" "$NEREID_BIN" project list --store "$T/opt"
expect_eq "$(printf 'local/sandbox\tSND\t1\nws/p\tWSP\t0')" "$(printf '%s' "$OUT" | tail -n +2 | tr -s ' ' '\t')" "project list of --store"
expect_exit 0 "$NEREID_BIN" project list --json --store "$T/plain"
expect_not_contains 'ws/p' "$OUT" "the other store has no ws/p"
expect_error 2 "$NEREID_BIN" runs --store
expect_error 1 "$NEREID_BIN" runs --store http://127.0.0.1:1

# A server that is not there: one clear line naming it, exit 1 (sync mode;
# async queues the run for `nereid sync`, SPEC section 9).
expect_error 1 env NEREID_STORE="http://127.0.0.1:1" "$NEREID_BIN" run new --mode sync
expect_contains "cannot reach http://127.0.0.1:1" "$ERR" "unreachable server"
NEREID_SYNC_TIMEOUT=0 expect_exit 0 env NEREID_STORE="http://127.0.0.1:1" "$NEREID_BIN" run new
expect_match '^offline/[0-9a-f-]{36}$' "$OUT" "async: the run is queued"
expect_contains "nereid sync" "$ERR" "with one warning naming nereid sync"

# A PostgreSQL database that is not there: one clear line naming it (never
# its password), nothing made.
loc="postgres://me:secret@127.0.0.1:1/nereid"
expect_error 1 env NEREID_STORE="$loc" "$NEREID_BIN" run new
expect_contains "store postgres://me:***@127.0.0.1:1/nereid: cannot connect" "$ERR" "$loc"
expect_not_contains "secret" "$ERR" "the password is not shown"
expect_error 1 env NEREID_STORE="$loc" "$NEREID_BIN" project list
expect_error 2 env NEREID_STORE="sqlite:" "$NEREID_BIN" runs
expect_contains 'no folder after sqlite:' "$ERR" "sqlite: without a folder"

# "~/" is HOME's, as the command's environment says.
mkdir -p "$T/userhome/d" && echo x >"$T/userhome/d/x.txt"
expect_exit 0 env HOME="$T/userhome" "$NEREID_BIN" track home2 '~/d'
expect_error 2 env -u HOME "$NEREID_BIN" track home3 '~/d'
expect_contains 'HOME is not set' "$ERR" "no HOME"

e2e_done
