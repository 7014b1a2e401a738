#!/usr/bin/env bash
# The main job on a sample folder, as in the seed documents: track
# datasets/ under data_versions, then list, hash and download it. Runs in
# a temporary folder with its own NEREID_HOME, so it leaves nothing behind.
set -euo pipefail
nereid=$(realpath "${1:-build/nereid}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export NEREID_HOME="$work/home"
cd "$work"

mkdir -p datasets/train datasets/test
printf 'x,y\n1,2\n3,4\n' >datasets/train/sample.csv
printf 'x,y\n5,6\n' >datasets/test/sample.csv
printf 'A tiny sample dataset.\n' >datasets/README

set -x
"$nereid" track data_versions datasets/
run=$("$nereid" runs --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["id"])')
"$nereid" ls "$run:data_versions"
"$nereid" hash "$run:data_versions"
"$nereid" download "$run:data_versions" --destination downloaded_artifact
ls -l downloaded_artifact downloaded_artifact/train
"$nereid" status "$run:data_versions"
