#!/usr/bin/env bash
# run.sh - the browser tests of the web UI (ctest ui/browser): Node's own
# test runner over tests/ui/*.test.mjs, driving Debian's chromium through
# playwright-core (installed here by npm ci from package-lock.json; nothing
# is fetched when node_modules is already there). Exit 77 (skipped) with a
# message when node, npm or chromium is missing.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
: "${NEREID_BIN:?NEREID_BIN is not set: the path of the nereid binary}"
CHROMIUM="${NEREID_CHROMIUM:-/usr/bin/chromium}"
command -v node >/dev/null 2>&1 || { echo "skipped: node is not installed (apt-get install nodejs)"; exit 77; }
[ -x "$CHROMIUM" ] || { echo "skipped: no chromium at $CHROMIUM (apt-get install chromium)"; exit 77; }
if [ ! -d "$here/node_modules/playwright-core" ]; then
	command -v npm >/dev/null 2>&1 || { echo "skipped: npm is needed to install playwright-core"; exit 77; }
	(cd "$here" && npm ci --no-audit --no-fund --offline >/dev/null 2>&1 || npm ci --no-audit --no-fund) ||
		{ echo "ui: npm ci failed in $here"; exit 1; }
fi
export NEREID_CHROMIUM="$CHROMIUM"
cd "$here" && exec node --test --test-concurrency=1 ./*.test.mjs
