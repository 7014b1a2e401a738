#!/usr/bin/env bash
# local_ui_browser.sh - `nereid ui` opens the UI in a browser once the
# server answers, when one is available ($BROWSER here, a script that
# records the URL it is given), and not with --no-browser.
. "$(dirname "$0")/lib.sh"

cat >"$T/browser.sh" <<'SH'
#!/bin/sh
curl -s -o /dev/null -w '%{http_code}' "$1" >"$OPENED.status"
printf '%s\n' "$1" >"$OPENED"
SH
chmod +x "$T/browser.sh"
nereid project new ws/demo >/dev/null 2>&1 || true

PORT="$(free_port)"
OPENED="$T/opened" BROWSER="$T/browser.sh" "$NEREID_BIN" ui --listen "127.0.0.1:$PORT" >"$T/ui.out" 2>&1 &
UI_PID=$!
for _ in $(seq 1 200); do
	[ -s "$T/opened" ] && break
	sleep 0.05
done
expect_eq "http://127.0.0.1:$PORT/" "$(cat "$T/opened" 2>/dev/null)" "the browser is given the UI's URL"
expect_eq "200" "$(cat "$T/opened.status" 2>/dev/null)" "once the server answers there"
kill -TERM "$UI_PID"
wait "$UI_PID"
expect_eq 0 "$?" "nereid ui exits 0 on SIGTERM"

# --no-browser: the server alone.
PORT="$(free_port)"
OPENED="$T/opened2" BROWSER="$T/browser.sh" "$NEREID_BIN" ui --no-browser --listen "127.0.0.1:$PORT" >"$T/ui2.out" 2>&1 &
UI_PID=$!
for _ in $(seq 1 200); do
	curl -sf -o /dev/null "http://127.0.0.1:$PORT/api/v1/health" && break
	sleep 0.05
done
expect_eq "200" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")" "--no-browser still serves the UI"
sleep 1
expect_eq "no" "$([ -e "$T/opened2" ] && echo yes || echo no)" "and starts no browser"
kill -TERM "$UI_PID"
wait "$UI_PID"
expect_error 2 nereid ui --no-browser extra
e2e_done
