#!/usr/bin/env bash
# spec_vectors.sh - the three test vectors of SPEC section 3, through the
# real CLI: records stored with `nereid import` must give exactly the
# vector hashes from `nereid hash` and `--content`, and come back unchanged
# from `nereid ls --json`. Also checks spec_hash.py (the independent
# reference the other scripts use) against the same vectors.
. "$(dirname "$0")/lib.sh"

V1='[{"file_path":"train/sample.csv","file_hash":"9e107d9d372bb6826bd81d3542a419d6","type":"Local","size":43,"metadata":{"file_path":"file:///data/datasets/train/sample.csv","last_modified":"2022-09-30 10:50:40"}},{"file_path":"README","file_hash":"d41d8cd98f00b204e9800998ecf8427e","type":"Local","size":0,"metadata":{"file_path":"file:///data/datasets/README","last_modified":"2022-09-30 10:50:41"}}]'
V1_A=5047df558ecc02213b674f2e0695f3d59e96c63dfe985bd6f55af3c31f53d448
V1_C=7d9a22237b4284b703778fa6e40697fda474b13aab6818d5365170c815f80b8b
V2='[{"file_path":"données/é.txt","file_hash":"2f249230a8e7c2bf6005ccd2679259ec","type":"S3","size":4,"metadata":{"file_path":"s3://kuiper/path/données/é.txt","last_modified":"2021-05-23 03:55:26"}}]'
V2_A=bfd02f2364bba5e666689046e613d54e70f60fd43663e51b4bfdb1362a8b54e2
V2_C=532f974afa998e8fed8a70c79224ead662178f136d95d9b53c115e1c7a5b2654
V3='[{"file_path":"x","file_hash":"abc","type":"S3","size":null,"metadata":{}}]'
V3_A=a4f2aa851a64472281a69de5b99827963a3b847d840898288421cf5fb1eb54b3

# --- the reference implementation -------------------------------------------------------------
expect_eq "$V1_A" "$(printf '%s' "$V1" | spec_hash 2>&1)" "spec_hash.py: vector 1 artifact"
expect_eq "$V1_C" "$(printf '%s' "$V1" | spec_hash --content 2>&1)" "spec_hash.py: vector 1 content"
expect_eq "$V2_A" "$(printf '%s' "$V2" | spec_hash 2>&1)" "spec_hash.py: vector 2 artifact"
expect_eq "$V2_C" "$(printf '%s' "$V2" | spec_hash --content 2>&1)" "spec_hash.py: vector 2 content"
expect_eq "$V3_A" "$(printf '%s' "$V3" | spec_hash 2>&1)" "spec_hash.py: vector 3 artifact"
# The reference must be able to fail: a changed record changes its hash.
expect_ne "$V1_A" "$(printf '%s' "${V1/10:50:40/10:50:39}" | spec_hash 2>&1)" "spec_hash.py sees a changed mtime"
expect_eq "$V1_C" "$(printf '%s' "${V1/10:50:40/10:50:39}" | spec_hash --content 2>&1)" \
	"spec_hash.py: mtime is not content"

if ! nereid_has_command import; then
	fail "nereid import is missing: the vectors cannot be stored"
fi

# --- the vectors through the CLI ----------------------------------------------------------------------
R="$(new_run)"
printf '%s' "$V1" >v1.json
printf '%s' "$V2" >v2.json
printf '%s' "$V3" >v3.json
expect_exit 0 nereid import "$R:v1" v1.json
expect_exit 0 nereid import "$R:v2" v2.json
expect_exit 0 nereid import "$R:v3" v3.json

expect_exit 0 nereid hash "$R:v1"
expect_eq "$V1_A" "$OUT" "vector 1: nereid hash"
expect_exit 0 nereid hash "$R:v1" --content
expect_eq "$V1_C" "$OUT" "vector 1: nereid hash --content"
expect_exit 0 nereid hash "$R:v2"
expect_eq "$V2_A" "$OUT" "vector 2: nereid hash (non-ASCII: code points, not bytes)"
expect_exit 0 nereid hash "$R:v2" --content
expect_eq "$V2_C" "$OUT" "vector 2: nereid hash --content"
expect_exit 0 nereid hash "$R:v3"
expect_eq "$V3_A" "$OUT" "vector 3: nereid hash (null size, no metadata)"
expect_exit 0 nereid hash "$R:v3" --content
expect_eq "$(printf '%s' "$V3" | spec_hash --content 2>&1)" "$OUT" "vector 3: content hash == reference"

# ls --json gives the records back: sorted by file_path, same values, the exact form.
canon() { py 'import json,sys
a = json.load(sys.stdin)
a.sort(key=lambda r: r["file_path"].encode())
print(json.dumps(a, separators=(",",":"), ensure_ascii=False))'; }
for v in 1 2 3; do
	eval "vj=\$V$v"
	expect_exit 0 nereid ls "$R:v$v" --json
	expect_eq "$(printf '%s' "$vj" | canon)" "$(printf '%s' "$OUT" | canon 2>&1)" "vector $v: ls --json returns the records"
	expect_eq "$(printf '%s' "$vj" | canon)" "$(printf '%s' "$OUT" | tr -d '\n')" \
		"vector $v: ls --json is exactly the compact SPEC form, sorted"
	expect_exit 0 nereid ls "$R:v$v"
done
expect_exit 0 nereid ls "$R:v1" --json
expect_eq "README
train/sample.csv" "$(printf '%s' "$OUT" | py 'import json,sys
for r in json.load(sys.stdin): print(r["file_path"])' 2>&1)" "vector 1: sorted by file_path"

# The order of the input does not matter; each record's key order neither.
printf '%s' "$V1" | py 'import json,sys
a = json.load(sys.stdin); a.reverse()
a = [dict(reversed(list(r.items()))) for r in a]
print(json.dumps(a))' >v1r.json
expect_exit 0 nereid import "$R:v1r" v1r.json
expect_eq "$V1_A" "$(hash_of "$R:v1r")" "vector 1 in another order, pretty JSON: same hash"

# The same artifact is shared: assign by the vector hash works in the project.
R2="$(new_run)"
expect_exit 0 nereid assign "$R2:a" "$V2_A"
expect_eq "$V2_A" "$(hash_of "$R2:a")" "assign by a vector hash"
expect_exit 0 nereid diff "$R:v1" "$R:v1r"
expect_exit 1 nereid diff "$R:v1" "$R:v2" --json
expect_eq '{"added":["données/é.txt"],"changed":[],"removed":["README","train/sample.csv"]}' \
	"$(printf '%s' "$OUT" | py 'import json,sys
print(json.dumps(json.load(sys.stdin), sort_keys=True, separators=(",",":"), ensure_ascii=False))' 2>&1)" \
	"diff of vector 1 and vector 2"

# Both vectors in one field: the hash of the union == the reference.
printf '%s' "$V1" | py 'import json,sys
a = json.load(sys.stdin) + json.loads(sys.argv[1])
print(json.dumps(a))' "$V3" >v13.json
expect_exit 0 nereid import "$R:v13" v13.json
expect_eq "$(spec_hash <v13.json 2>&1)" "$(hash_of "$R:v13")" "v1+v3 hash == reference"
expect_eq "README
train/sample.csv
x" "$(ls_paths "$R:v13")" "v1+v3 records"

# A hash of each one-record change differs (the hash covers every part).
for change in 's/"size":43/"size":44/' 's/9e107d9d/9e107d9e/' 's/"type":"Local"/"type":"S3"/g; s|file:///|s3://b/|g' \
	's|train/sample.csv","file_hash|train/sample.CSV","file_hash|' 's|datasets/train|datasets/Train|'; do
	i=$((${i:-0} + 1))
	printf '%s' "$V1" | sed "$change" >mut$i.json
	expect_exit 0 nereid import "$R:mut$i" mut$i.json
	expect_ne "$V1_A" "$(hash_of "$R:mut$i")" "changed record ($change) changes the hash"
	expect_eq "$(spec_hash <mut$i.json 2>&1)" "$(hash_of "$R:mut$i")" "changed record ($change): hash == reference"
done

e2e_done
