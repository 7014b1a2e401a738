#!/usr/bin/env bash
# local_track.sh - `nereid track` of local files and folders (SPEC section
# 4): one record per regular file, file_path relative to the folder, every
# accepted path form (relative, absolute, ./, trailing /, ~/, file://),
# destination prefixes, the union on re-tracking, odd file names, sizes and
# MD5s, field path limits.
. "$(dirname "$0")/lib.sh"

R="$(new_run)"
KEY="${R%-*}"

mkdir -p data/deep/er/est data/.hidden_dir
printf 'hello\n' >data/top.txt
printf '' >data/empty.txt
printf 'dot\n' >data/.dotfile
printf 'hid\n' >data/.hidden_dir/h.txt
printf 'deep\n' >data/deep/er/est/leaf.txt
head -c 3000000 /dev/urandom >data/deep/big.bin
printf 'spaces\n' >"data/with space.txt"
printf 'utf8\n' >"data/données é.txt"
ABS="$(cd data && pwd -P)"

# --- a single file: one record, file_path = base name ---------------------------
track_ok "$R:one" data/deep/er/est/leaf.txt
expect_eq "leaf.txt" "$(ls_paths "$R:one")" "a file gives one record named by its base name"
check_record() { # REF FILE_PATH SOURCE
	ls_json "$1" | py '
import json, sys, hashlib, os, datetime
ref, fp, src = sys.argv[1:4]
recs = [r for r in json.load(sys.stdin) if r["file_path"] == fp]
assert len(recs) == 1, "record %s: %d found" % (fp, len(recs))
r = recs[0]
data = open(src, "rb").read()
real = os.path.realpath(src)
st = os.stat(src)
want_mtime = datetime.datetime.fromtimestamp(int(st.st_mtime), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
assert r["file_hash"] == hashlib.md5(data).hexdigest(), "md5 " + r["file_hash"]
assert r["size"] == len(data), "size %r != %d" % (r["size"], len(data))
assert r["type"] == "Local", r["type"]
# The source is a URL: percent-encoded but for unreserved, sub-delims, ":@/" and non-ASCII.
url = "file://" + "".join(c if c.isascii() and (c.isalnum() or c in "-._~!$&\x27()+,;=:@/") or ord(c) >= 0xA0
                          else "".join("%%%02X" % b for b in c.encode()) for c in real)
assert r["metadata"] == {"file_path": url, "last_modified": want_mtime}, repr(r["metadata"])
' "$@"
}
expect_true "single file record" check_record "$R:one" leaf.txt data/deep/er/est/leaf.txt

# --- a folder: every regular file, recursively, relative paths, sorted ---------------
track_ok "$R:all" data
H_ALL="$TRACKED_HASH"
WANT_PATHS="$(cd data && find . -type f | sed 's|^\./||' | LC_ALL=C sort)"
expect_eq "$WANT_PATHS" "$(ls_paths "$R:all")" \
	"folder: every regular file (hidden ones too), relative, sorted bytewise"
for f in top.txt empty.txt .dotfile .hidden_dir/h.txt deep/er/est/leaf.txt deep/big.bin \
	"with space.txt" "données é.txt"; do
	expect_true "record of $f" check_record "$R:all" "$f" "data/$f"
done
expect_eq "$H_ALL" "$(ls_json "$R:all" | spec_hash 2>&1)" "folder hash == reference hash"
expect_eq "d41d8cd98f00b204e9800998ecf8427e" \
	"$(ls_json "$R:all" | py 'import json,sys
print([r["file_hash"] for r in json.load(sys.stdin) if r["file_path"]=="empty.txt"][0])' 2>&1)" \
	"empty file: MD5 of nothing"

# --- every path form of the same folder gives the same records and hash -----------------
mkdir -p home
printf 'x\n' >home/hfile.txt
same_as() { # FIELD PATH [cwd]
	local field="$1" path="$2" dir="${3:-.}"
	(cd "$dir" && capture nereid track "$R:$field" "$path" && printf '%s\n' "$RC" >"$T/.rc")
	expect_eq 0 "$(cat "$T/.rc")" "track $path exits 0"
	expect_eq "$H_ALL" "$(hash_of "$R:$field")" "track $path (from $dir) == track data"
}
same_as rel data
same_as rel_slash data/
same_as dot_rel ./data
same_as abs "$ABS"
same_as abs_slash "$ABS/"
same_as dotdot ../../data data/deep
same_as dot . data
same_as file_uri "file://$ABS"
same_as file_uri_slash "file://$ABS/"
# Through a symlinked folder on the way: the source is the resolved path.
ln -s "$W" "$T/worklink"
same_as via_link "$T/worklink/data"

# ~/ expands to $HOME.
expect_exit 0 env HOME="$W/home" "$NEREID_BIN" track "$R:tilde" "~/hfile.txt"
expect_eq "file://$(cd home && pwd -P)/hfile.txt" "$(ls_json "$R:tilde" | py 'import json,sys
print(json.load(sys.stdin)[0]["metadata"]["file_path"])' 2>&1)" "~/ is the home folder"

# --- destination prefixes every file_path -------------------------------------------------------
track_ok "$R:dest" data --destination "train/v1"
expect_eq "$(printf '%s\n' "$WANT_PATHS" | sed 's|^|train/v1/|')" "$(ls_paths "$R:dest")" \
	"--destination prefixes every file_path"
expect_eq "$TRACKED_HASH" "$(ls_json "$R:dest" | spec_hash 2>&1)" "destination hash == reference"
expect_ne "$H_ALL" "$TRACKED_HASH" "destination changes the hash"
track_ok "$R:dest1" data/top.txt --destination models
expect_eq "models/top.txt" "$(ls_paths "$R:dest1")" "--destination with a single file"
# A destination that would make an invalid file_path is refused (or, at
# most, normalised): an absolute path, or a "..", "." or empty segment must
# never be stored.
valid_paths() {
	ls_json "$1" | py '
import json, sys
for r in json.load(sys.stdin):
    p = r["file_path"]
    segs = p.split("/")
    assert not p.startswith("/") and all(s not in ("", ".", "..") for s in segs), p
'
}
i=0
for d in ../up /abs "a//b" "a/./b" "a/../b" "a/.." "a/"; do
	i=$((i + 1))
	capture nereid track "$R:baddest$i" data --destination "$d"
	if [ "$RC" = 0 ]; then
		expect_true "--destination '$d' stored only valid file_paths" valid_paths "$R:baddest$i"
	else
		expect_error_in "1 2" nereid track "$R:baddest$i" data --destination "$d"
		expect_error 3 nereid hash "$R:baddest$i"
	fi
	case "$d" in ../up)
		expect_ne 0 "$RC" "--destination '$d' climbs out: refused" ;;
	esac
done

# --- tracking into a field that holds an artifact adds to it ---------------------------------------
mkdir -p u1 u2
printf 'a1\n' >u1/a.txt
printf 'b1\n' >u1/b.txt
printf 'b2 newer\n' >u2/b.txt
printf 'c2\n' >u2/c.txt
track_ok "$R:union" u1
track_ok "$R:union" u2
expect_eq "a.txt
b.txt
c.txt" "$(ls_paths "$R:union")" "re-tracking adds: union by file_path"
expect_eq "$(md5_of u2/b.txt)" "$(ls_json "$R:union" | py 'import json,sys
print([r["file_hash"] for r in json.load(sys.stdin) if r["file_path"]=="b.txt"][0])' 2>&1)" \
	"the newer record wins"
expect_eq "file://$(cd u2 && pwd -P)/b.txt" "$(ls_json "$R:union" | py 'import json,sys
print([r["metadata"]["file_path"] for r in json.load(sys.stdin) if r["file_path"]=="b.txt"][0])' 2>&1)" \
	"the newer record's source wins"
expect_eq "$TRACKED_HASH" "$(hash_of "$R:union")" "the field holds the last printed hash"
# Re-tracking unchanged files changes nothing.
track_ok "$R:union" u2
expect_eq "$(hash_of "$R:union")" "$TRACKED_HASH" "re-tracking the same files keeps the hash"
H_U="$TRACKED_HASH"
track_ok "$R:union" u1/a.txt
expect_eq "$H_U" "$TRACKED_HASH" "re-tracking an unchanged file keeps the hash"
# A modified file replaces its record.
printf 'a1 modified\n' >u1/a.txt
track_ok "$R:union" u1/a.txt
expect_ne "$H_U" "$TRACKED_HASH" "re-tracking a modified file changes the hash"
expect_eq "$(md5_of u1/a.txt)" "$(ls_json "$R:union" | py 'import json,sys
print([r["file_hash"] for r in json.load(sys.stdin) if r["file_path"]=="a.txt"][0])' 2>&1)" \
	"the modified file's new MD5 is recorded"

# --- the same files in two runs: the same artifact -----------------------------------------------
R2="$(new_run)"
track_ok "$R2:all" data
expect_eq "$H_ALL" "$TRACKED_HASH" "same files tracked in another run: same artifact hash"
# Copies elsewhere: same content hash, different artifact hash.
cp -rp data copy
track_ok "$R2:copy" copy
expect_ne "$H_ALL" "$TRACKED_HASH" "a copy elsewhere has another artifact hash"
expect_eq "$(hash_of "$R:all" --content)" "$(hash_of "$R2:copy" --content)" \
	"a copy elsewhere has the same content hash"
# A touched file changes the artifact hash but not the content hash.
touch -d '2001-01-01 00:00:00 UTC' copy/top.txt
track_ok "$R2:copy" copy/top.txt
expect_eq "2001-01-01 00:00:00" "$(ls_json "$R2:copy" | py 'import json,sys
print([r["metadata"]["last_modified"] for r in json.load(sys.stdin) if r["file_path"]=="top.txt"][0])' 2>&1)" \
	"new last_modified recorded"
expect_eq "$(hash_of "$R:all" --content)" "$(hash_of "$R2:copy" --content)" \
	"mtime does not change the content hash"

# --- field paths ------------------------------------------------------------------------------------
for f in a a/b/c data_versions/train x.y-z_1 A.B/C-D; do
	track_ok "$R:$f" data/top.txt
done
LONG="$(printf 'a%.0s' $(seq 1024))"
track_ok "$R:$LONG" data/top.txt
expect_error 2 nereid track "$R:${LONG}b" data/top.txt
LONGSEG="$(printf 'abcdefghi/%.0s' $(seq 102))abc" # 1023 bytes
track_ok "$R:$LONGSEG" data/top.txt

# The file is re-hashed when it changes between tracks even if size and
# mtime look the same to a cache (content changed, mtime set back).
printf 'AAAA\n' >cache.txt
touch -d '2010-01-01 00:00:00 UTC' cache.txt
track_ok "$R:cache" cache.txt
H1="$TRACKED_HASH"
printf 'BBBB\n' >cache.txt
touch -d '2010-01-01 00:00:01 UTC' cache.txt
track_ok "$R:cache" cache.txt
expect_ne "$H1" "$TRACKED_HASH" "a changed file (same size, new mtime) is re-hashed"
expect_eq "$(md5_of cache.txt)" "$(ls_json "$R:cache" | py 'import json,sys
print(json.load(sys.stdin)[0]["file_hash"])' 2>&1)" "re-hashed MD5 recorded"

# --- the store survives: a new process sees everything ----------------------------------------------
expect_eq "$H_ALL" "$(hash_of "$R:all")" "the field persists across processes"

e2e_done
