#!/usr/bin/env bash
# local_walk_deep.sh - a tree deeper than the C stack or PATH_MAX would
# allow (2,500 nested folders, paths of 5,000 bytes) is walked without a
# crash and tracked; what cannot be resolved at that depth (a link) is
# refused with an error that still names its cause.
. "$(dirname "$0")/lib.sh"

# deep_tree DIR LEVELS: DIR/d/d/.../d (LEVELS times), a file every 500
# levels and bottom.txt at the end. Python walks down by descriptor, as
# no shell command takes paths longer than PATH_MAX.
deep_tree() {
	python3 - "$1" "$2" <<'PY'
import os, sys
fd = os.open(".", os.O_RDONLY)
os.mkdir(sys.argv[1], dir_fd=fd)
fd = os.open(sys.argv[1], os.O_RDONLY, dir_fd=fd)
for i in range(int(sys.argv[2])):
    if i % 500 == 0:
        f = os.open("f%d.txt" % i, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(f, b"level %d\n" % i)
        os.close(f)
    os.mkdir("d", dir_fd=fd)
    fd = os.open("d", os.O_RDONLY, dir_fd=fd)
f = os.open("bottom.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
os.write(f, b"bottom\n")
os.close(f)
PY
}

deep_tree deep 2500 || fail "cannot make the deep tree"
R="$(new_run)"
expect_exit 0 nereid track "$R:deep" deep
expect_match "^$R deep [0-9a-f]{64}\$" "$OUT" "a 2,500-folder tree is tracked"
expect_eq "" "$ERR" "no warning"
PATHS="$(ls_paths "$R:deep")"
expect_eq 6 "$(printf '%s\n' "$PATHS" | grep -c '')" "every file of the deep tree is recorded"
BOTTOM="$(printf '%s\n' "$PATHS" | grep 'bottom.txt$')"
expect_eq $((2500 * 2 + 10)) "${#BOTTOM}" "the deepest file's path is complete (5,010 bytes)"
expect_eq "$(printf 'bottom\n' | md5sum | cut -d' ' -f1)" "$(ls_json "$R:deep" | py 'import json,sys
print([r["file_hash"] for r in json.load(sys.stdin) if r["file_path"].endswith("bottom.txt")][0])' 2>&1)" \
	"the deepest file's content is hashed"
expect_eq "$(hash_of "$R:deep")" "$(ls_json "$R:deep" | spec_hash 2>&1)" "hash == reference hash"
# A second track (the hash cache now answers) gives the same hash.
expect_exit 0 nereid track "$R:deep2" deep
expect_eq "$(hash_of "$R:deep")" "$(hash_of "$R:deep2")" "a re-track of the deep tree gives the same hash"
expect_exit 0 nereid status "$R:deep"
expect_eq "" "$OUT" "status of the deep tree: nothing changed"

# Deeper still, with a link to a file at the bottom: the link's path is too
# long to resolve. The track fails, and the one-line error keeps its cause.
deep_tree deeplink 2500 || fail "cannot make the second deep tree"
printf 'target\n' >target.txt
python3 - "$W/target.txt" <<'PY'
import os, sys
fd = os.open("deeplink", os.O_RDONLY)
while True:
    try:
        fd = os.open("d", os.O_RDONLY, dir_fd=fd)
    except FileNotFoundError:
        break
os.symlink(sys.argv[1], "link.txt", dir_fd=fd)
PY
expect_error 1 nereid track "$R:deeplink" deeplink
expect_match ': File name too long$' "$ERR" "the error names its cause (the end of the message is kept)"
expect_match '^nereid: .*deeplink/d/d/' "$ERR" "the error names the path (its start is kept)"
expect_contains "link.txt" "$ERR" "the error names the link"
expect_error 3 nereid hash "$R:deeplink"

e2e_done
