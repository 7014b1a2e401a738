#!/usr/bin/env bash
# local_download_existing.sh - what download does with targets already in
# place (SPEC section 5): one holding the recorded content, as a link or as
# a copy, is left alone whatever the mode; one holding other content is
# reported and kept unless --force is given.
. "$(dirname "$0")/lib.sh"

mkdir data
printf 'alpha\n' >data/a
printf 'beta\n' >data/b
R="$(new_run)"
track_ok "$R:f" data

expect_exit 0 nereid download "$R:f" --destination out --copy
ino_a="$(stat -c %i out/a)"
# A link download over copies with the recorded content keeps the copies.
expect_exit 0 nereid download "$R:f" --destination out
expect_eq "$ino_a" "$(stat -c %i out/a)" "a copy with the recorded hash is left alone by a link download"
expect_true "the copy was not turned into a link" test ! -L out/a
# A target with other content is reported by name and kept (exit 1), the
# others are still downloaded; --force replaces it by the link.
printf 'changed\n' >out/b
rm out/a
expect_error_lines 1 nereid download "$R:f" --destination out
expect_match '^nereid: b: ' "$ERR" "the kept target is named"
expect_eq "changed" "$(cat out/b)" "a target with other content is left as it is"
expect_true "the other files are still downloaded" test -L out/a
expect_exit 0 nereid download "$R:f" --destination out --force
expect_eq "$(cd data && pwd -P)/b" "$(readlink out/b)" "--force replaces a target with other content"
# A copy download over a link puts a verified copy in its place.
expect_exit 0 nereid download "$R:f" --destination out --copy
expect_true "--copy replaces a link with a copy" test ! -L out/b
expect_eq "beta" "$(cat out/b)" "the copy holds the recorded content"

e2e_done
