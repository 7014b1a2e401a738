#!/usr/bin/env bash
# Install every build and test dependency of Nereid from Debian's packages
# (`make deps`, `make test`, `make demo` and CI run it; `make` alone never
# does). Idempotent: installs only what is missing, so running it again is
# cheap.
set -euo pipefail

packages=(
	build-essential g++ cmake ninja-build pkg-config git # build (g++: the header compiled as C++)
	libssl-dev libsqlite3-dev libcurl4-openssl-dev libexpat1-dev libjansson-dev libmicrohttpd-dev libpq-dev # libraries
	clang libclang-rt-dev clang-format # fuzzing (libFuzzer), formatting
	python3 python3-pytest sqlite3 curl jq util-linux procps coreutils findutils time # tests and benchmarks
	postgresql # the PostgreSQL store's tests (initdb, pg_ctl; tests/pg/lib.sh)
	nodejs npm # the S3-compatible test server (s3rver) and the UI tests (playwright-core), from the npm registry
	chromium # the web UI's browser tests (driven by playwright-core)
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from elsewhere than Debian's package; what counts is the command.
if command -v node >/dev/null && command -v npm >/dev/null; then
	missing=("${missing[@]/nodejs/}")
	missing=("${missing[@]/npm/}")
fi
read -r -a missing <<<"${missing[*]}"
if ((${#missing[@]})); then
	echo "install-deps: installing ${missing[*]}"
	SUDO=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || {
			echo "install-deps: installing packages needs root (or sudo): ${missing[*]}" >&2
			exit 1
		}
		SUDO="sudo"
	fi
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-deps: all dependencies present"
