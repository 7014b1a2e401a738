#!/usr/bin/env bash
# s3rver.sh - start and stop the s3rver (a fake S3 server, pinned in
# package.json) that the S3 end-to-end tests run against, on 127.0.0.1 at a
# free port, silent. Installs it with `npm ci` the first time.
#   s3rver.sh start STATE_DIR   prints the port; the data lives in STATE_DIR/data
#   s3rver.sh stop STATE_DIR    stops the server started with that STATE_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}
state=${2:-}
[ -n "$cmd" ] && [ -n "$state" ] || { echo "usage: $0 start|stop STATE_DIR" >&2; exit 2; }

case $cmd in
start)
	# node_modules/s3rver appears long before npm ci has written the
	# packages it needs: only the stamp, a copy of the lock file written
	# once npm ci succeeded, says the install is complete (and matches
	# package-lock.json).
	stamp="$here/node_modules/.nereid-installed"
	if ! cmp -s "$here/package-lock.json" "$stamp"; then
		# Tests may start in parallel: one installs, the others wait.
		(
			flock 9
			cmp -s "$here/package-lock.json" "$stamp" || {
				(cd "$here" && npm ci --no-audit --no-fund --silent) &&
					cp "$here/package-lock.json" "$stamp.tmp" && mv "$stamp.tmp" "$stamp"
			}
		) 9>"${TMPDIR:-/tmp}/nereid-s3rver-npm.lock" >"$state/npm.log" 2>&1 || {
			echo "s3rver.sh: npm ci failed:" >&2
			cat "$state/npm.log" >&2
			exit 1
		}
	fi
	mkdir -p "$state/data"
	: >"$state/s3rver.log"
	# Node 17+ needs the legacy provider for the DES s3rver uses in its
	# continuation tokens.
	NODE_OPTIONS=--openssl-legacy-provider nohup node "$here/node_modules/s3rver/bin/s3rver.js" \
		-d "$state/data" -a 127.0.0.1 -p 0 --silent --no-vhost-buckets \
		>"$state/s3rver.log" 2>&1 </dev/null &
	echo $! >"$state/s3rver.pid"
	for _ in $(seq 1 300); do
		port=$(sed -n 's/^S3rver listening on [^:]*:\([0-9]*\)$/\1/p' "$state/s3rver.log")
		if [ -n "$port" ]; then
			echo "$port"
			exit 0
		fi
		kill -0 "$(cat "$state/s3rver.pid")" 2>/dev/null || break
		sleep 0.1
	done
	echo "s3rver.sh: s3rver did not start:" >&2
	cat "$state/s3rver.log" >&2
	exit 1
	;;
stop)
	if [ -f "$state/s3rver.pid" ]; then
		pid=$(cat "$state/s3rver.pid")
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null || true
		rm -f "$state/s3rver.pid"
	fi
	;;
*)
	echo "usage: $0 start|stop STATE_DIR" >&2
	exit 2
	;;
esac
