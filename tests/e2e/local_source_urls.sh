#!/usr/bin/env bash
# local_source_urls.sh - metadata.file_path of a local file is a file://
# URL that names that file (RFC 3986 / RFC 8089): '%' and what would end or
# change the path (space, '#', '?', '"', controls) are percent-encoded,
# non-ASCII stays UTF-8; download and status decode it, so a file named
# "%41pct" is never taken for "Apct"; the URL given back to track names
# the same file; an imported encoded URL is followed the same way.
. "$(dirname "$0")/lib.sh"

mkdir d
printf 'percent\n' >'d/%41pct'
printf 'the other\n' >d/Apct
printf 'odd\n' >'d/sp ace#?"q'
printf 'tab\n' >"d/t$(printf '\t')b"
printf 'accent\n' >'d/é*[x]'
printf 'sub\n' >'d/a;b=c,d@e+f!'
ABS="$(cd d && pwd -P)"

R="$(new_run)"
track_ok "$R:f" d
# Every source, read by Python's URL parser, names its own file; no raw ' ', '#', '?', '"', '%XX' mix-up.
ls_json "$R:f" >recs.json
expect_eq "" "$(py 'import json, os, sys, urllib.parse, urllib.request
bad = []
for r in json.load(open(sys.argv[1])):
    url = r["metadata"]["file_path"]
    u = urllib.parse.urlsplit(url)
    path = urllib.parse.unquote(u.path, errors="strict")
    want = os.path.join(sys.argv[2], r["file_path"])
    if u.scheme != "file" or u.netloc or u.query or u.fragment or path != want:
        bad.append("%s -> %r" % (url, path))
    if any(c in url for c in " \"\t<>\\^`{|}") or "#" in url or "?" in url:
        bad.append("raw character in " + url)
print("\n".join(bad))' recs.json "$ABS" 2>&1)" "every source URL names its file"
src_of() { py 'import json,sys
print([r["metadata"]["file_path"] for r in json.load(open(sys.argv[1])) if r["file_path"] == sys.argv[2]][0])' recs.json "$1"; }
expect_eq "file://$ABS/%2541pct" "$(src_of '%41pct')" "'%' is always encoded"
expect_eq "file://$ABS/sp%20ace%23%3F%22q" "$(src_of 'sp ace#?"q')" "space, #, ? and \" are encoded"
expect_eq "file://$ABS/t%09b" "$(src_of "t$(printf '\t')b")" "a control character is encoded"
expect_eq "file://$ABS/é%2A%5Bx%5D" "$(src_of 'é*[x]')" "non-ASCII stays UTF-8; * [ ] are encoded"
expect_eq "file://$ABS/a;b=c,d@e+f!" "$(src_of 'a;b=c,d@e+f!')" "sub-delims and @ stay"

# download follows the decoded path: links to the right files, copies of the right data.
expect_exit 0 nereid download "$R:f" --destination links
expect_eq "$ABS/%41pct" "$(readlink 'links/%41pct')" "the link of %41pct points to %41pct, not Apct"
expect_eq "$ABS/sp ace#?\"q" "$(readlink 'links/sp ace#?"q')" "the link of an odd name points to it"
expect_exit 0 nereid download "$R:f" --destination copies --copy
expect_true "the copy of %41pct holds its data" cmp -s 'copies/%41pct' 'd/%41pct'
expect_true "the copy of é*[x] holds its data" cmp -s 'copies/é*[x]' 'd/é*[x]'
expect_true "every file copied" diff -r d copies

# status re-reads the same files: nothing differs; a change to %41pct is seen as that file only.
expect_exit 0 nereid status "$R:f"
expect_exit 0 nereid assign "$R:g" "$(hash_of "$R:f")"
expect_exit 0 nereid status "$R:g"
expect_eq "" "$OUT" "status from the records' own sources: nothing differs"
printf 'changed\n' >'d/%41pct'
expect_exit 1 nereid status "$R:g"
expect_eq "changed %41pct" "$OUT" "status from the sources sees the change of %41pct alone"
printf 'percent\n' >'d/%41pct'

# A recorded URL, given back to track, names the same file.
URL="$(src_of 'sp ace#?"q')"
track_ok "$R:again" "$URL"
expect_eq "$URL" "$(ls_json "$R:again" | py 'import json,sys; print(json.load(sys.stdin)[0]["metadata"]["file_path"])' 2>&1)" \
	"track of a recorded URL records the same URL"
URL="$(src_of '%41pct')"
track_ok "$R:again2" "$URL"
expect_eq "%41pct" "$(ls_paths "$R:again2")" "track of the URL of %41pct tracks %41pct"

# The folder a field was tracked from is remembered as a URL too: a folder
# named "q?d" (tracked through its URL) or "%41" is re-scanned as itself.
mkdir 'q?d' '%41'
printf 'q\n' >'q?d/f'
printf 'p\n' >'%41/f'
mkdir A
printf 'other\n' >A/f
track_ok "$R:q" "file://$W/q%3Fd"
expect_exit 0 nereid status "$R:q"
expect_eq "" "$OUT" "status of a folder named q?d: nothing differs"
track_ok "$R:p" '%41'
expect_exit 0 nereid status "$R:p"
expect_eq "" "$OUT" "status of a folder named %41: nothing differs"
printf 'changed\n' >'%41/f'
expect_exit 1 nereid status "$R:p"
expect_eq "changed f" "$OUT" "status of %41 sees its own change (not A's)"

# An imported record with an encoded source is downloaded from the decoded path.
mkdir -p "i n"
printf 'imported\n' >"i n/x%y"
printf '[{"file_path":"x","file_hash":"%s","type":"Local","size":9,"metadata":{"file_path":"file://%s/i%%20n/x%%25y","last_modified":"2022-09-30 10:50:40"}}]' \
	"$(md5_of "i n/x%y")" "$W" >imp.json
expect_exit 0 nereid import "$R:imp" imp.json
expect_exit 0 nereid download "$R:imp" --destination imp --copy
expect_true "the imported encoded source was decoded" cmp -s imp/x "i n/x%y"

e2e_done
