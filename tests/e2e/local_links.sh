#!/usr/bin/env bash
# local_links.sh - symbolic links and special files in tracked folders
# (SPEC section 4): links to files are followed (source = resolved target),
# links to folders are not descended (no loops), dangling links, FIFOs,
# sockets and devices are skipped with a warning and never opened.
. "$(dirname "$0")/lib.sh"

R="$(new_run)"

mkdir -p outside/dir d
printf 'target\n' >outside/target.txt
printf 'in linked dir\n' >outside/dir/inner.txt
printf 'real\n' >d/real.txt
ln -s real.txt d/rel_link.txt                   # relative link to a file
ln -s "$W/outside/target.txt" d/abs_link.txt    # absolute link, outside the folder
ln -s rel_link.txt d/chain_link.txt             # link to a link
ln -s "$W/outside/dir" d/dir_link               # link to a folder: not descended
ln -s .. d/loop                                 # a loop
ln -s no_such_file d/dangling                   # dangling
mkfifo d/fifo
# A FIFO with a writer that never finishes would block a reader forever.
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' d/sock 2>/dev/null
HAVE_SOCK=0
[ -S d/sock ] && HAVE_SOCK=1
HAVE_DEV=0
if mknod d/zero c 1 5 2>/dev/null && [ -c d/zero ]; then
	HAVE_DEV=1 # reading /dev/zero never ends: opening it would hang the track
fi
REAL_ABS="$(cd d && pwd -P)/real.txt"
TARGET_ABS="$(cd outside && pwd -P)/target.txt"

expect_exit 0 timeout 20 "$NEREID_BIN" track "$R:links" d
[ "$RC" = 124 ] && bad "track of a folder with a FIFO/device hung"
expect_match "^[A-Z]{2,10}-[0-9]+ links [0-9a-f]{64}\$" "$OUT" "track prints its line"
WARN="$ERR"
PRINTED="${OUT##* }"
expect_eq "abs_link.txt
chain_link.txt
real.txt
rel_link.txt" "$(ls_paths "$R:links")" \
	"links to files are recorded under the link's name; folder links, dangling links, FIFOs, sockets, devices skipped"
source_of() {
	ls_json "$1" | py 'import json,sys
print([r["metadata"]["file_path"] for r in json.load(sys.stdin) if r["file_path"]==sys.argv[1]][0])' "$2" 2>&1
}
expect_eq "file://$REAL_ABS" "$(source_of "$R:links" rel_link.txt)" "relative link: source is the resolved target"
expect_eq "file://$REAL_ABS" "$(source_of "$R:links" chain_link.txt)" "chained link: source is the final target"
expect_eq "file://$TARGET_ABS" "$(source_of "$R:links" abs_link.txt)" "absolute link: source is the target"
expect_eq "$(md5_of outside/target.txt)" "$(ls_json "$R:links" | py 'import json,sys
print([r["file_hash"] for r in json.load(sys.stdin) if r["file_path"]=="abs_link.txt"][0])' 2>&1)" \
	"a link's record has the target's MD5"
expect_eq "$(mtime_utc outside/target.txt)" "$(ls_json "$R:links" | py 'import json,sys
print([r["metadata"]["last_modified"] for r in json.load(sys.stdin) if r["file_path"]=="abs_link.txt"][0])' 2>&1)" \
	"a link's record has the target's mtime"
expect_eq "$(stat -L -c %s outside/target.txt)" "$(ls_json "$R:links" | py 'import json,sys
print([r["size"] for r in json.load(sys.stdin) if r["file_path"]=="abs_link.txt"][0])' 2>&1)" \
	"a link's record has the target's size"
expect_eq "$(hash_of "$R:links")" "$(ls_json "$R:links" | spec_hash 2>&1)" "hash == reference hash"
expect_eq "$PRINTED" "$(hash_of "$R:links")" "printed hash == stored hash"
# Warnings name what was skipped, on stderr (never stdout).
for name in dir_link dangling fifo; do
	expect_contains "$name" "$WARN" "a warning names the skipped $name"
done
[ $HAVE_SOCK = 1 ] && expect_contains "sock" "$WARN" "a warning names the skipped socket"
[ $HAVE_DEV = 1 ] && expect_contains "zero" "$WARN" "a warning names the skipped device"
expect_not_contains "inner.txt" "$(ls_paths "$R:links")" "a linked folder is not descended"

# A FIFO with a writer waiting: still never opened (no hang, not recorded).
mkdir -p f2
printf 'ok\n' >f2/ok.txt
mkfifo f2/pipe
(timeout 30 sh -c 'printf "data" > f2/pipe' 2>/dev/null &)
expect_exit 0 timeout 20 "$NEREID_BIN" track "$R:pipe" f2
expect_eq "ok.txt" "$(ls_paths "$R:pipe")" "a FIFO with a writer is skipped"
# Unblock the writer if nobody opened the FIFO.
timeout 5 cat f2/pipe >/dev/null 2>&1 || true

# --- a link or special file given as the path itself ------------------------------------------------
track_ok "$R:linkarg" d/abs_link.txt
expect_eq 1 "$(ls_paths "$R:linkarg" | grep -c '')" "a link to a file as the path: one record"
expect_eq "file://$TARGET_ABS" "$(ls_json "$R:linkarg" | py 'import json,sys
print(json.load(sys.stdin)[0]["metadata"]["file_path"])' 2>&1)" "a link as the path: source is the target"

expect_exit_in "1 3" timeout 20 "$NEREID_BIN" track "$R:fifoarg" d/fifo
[ "$RC" = 124 ] && bad "track of a FIFO path hung"
e2e_check_error_line track d/fifo
expect_error 3 nereid hash "$R:fifoarg"

expect_error 3 nereid track "$R:danglearg" d/dangling
expect_contains "dangling" "$ERR" "error names the dangling link"
expect_error 3 nereid hash "$R:danglearg"

if [ $HAVE_DEV = 1 ]; then
	expect_exit_in "1 3" timeout 20 "$NEREID_BIN" track "$R:devarg" d/zero
	[ "$RC" = 124 ] && bad "track of a device path hung"
	expect_error 3 nereid hash "$R:devarg"
fi

# A folder holding only skipped entries: nothing to track, nothing recorded.
mkdir -p only_skipped
ln -s nowhere only_skipped/dangling
mkfifo only_skipped/fifo
ln -s "$W/outside/dir" only_skipped/dir_link
expect_exit_in "1 3" timeout 20 "$NEREID_BIN" track "$R:nothing" only_skipped
e2e_check_error_line track only_skipped
expect_error 3 nereid hash "$R:nothing"

# A link to a folder reached inside a tracked folder, pointing back to it.
mkdir -p cyc/a
printf 'c\n' >cyc/a/c.txt
ln -s .. cyc/a/up
ln -s "$W/cyc" cyc/a/self
expect_exit 0 timeout 20 "$NEREID_BIN" track "$R:cycle" cyc
expect_eq "a/c.txt" "$(ls_paths "$R:cycle")" "link loops are not followed"

# --- download of linked records: the link points at the resolved source -----------------------------
expect_exit 0 nereid download "$R:links" --destination dl
expect_eq "$REAL_ABS" "$(readlink dl/rel_link.txt)" "downloaded link points at the resolved source"
expect_eq "$TARGET_ABS" "$(readlink dl/abs_link.txt)" "downloaded link points at the outside target"
expect_true "no entry for a skipped folder link" test ! -e dl/dir_link -a ! -L dl/dir_link

e2e_done
