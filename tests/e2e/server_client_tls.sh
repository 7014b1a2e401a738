#!/usr/bin/env bash
# server_client_tls.sh - the http(s) store always verifies TLS: a server whose
# certificate no authority signed (self-signed, for 127.0.0.1) is refused with
# exit 1 and one line naming the server, and the token is never sent to it.
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null 2>&1 || skip_all "openssl is needed"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1" -keyout "$T/key.pem" -out "$T/cert.pem" \
	>/dev/null 2>&1 || fail "openssl could not make a certificate"
printf '{"routes": []}' >"$T/scenario.json"
: >"$T/log.jsonl"
python3 "$E2E_DIR/../data/http_canned.py" "$T/scenario.json" "$T/log.jsonl" "$T/port" \
	"$T/cert.pem" "$T/key.pem" 2>/dev/null &
SRV=$!
trap 'e2e_rc=$?; kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; (exit $e2e_rc); e2e_finish' EXIT
for _ in $(seq 1 200); do
	[ -s "$T/port" ] && break
	sleep 0.05
done
[ -s "$T/port" ] || fail "the HTTPS server did not start"
URL="https://127.0.0.1:$(cat "$T/port")"
TOKEN="nrd_aHR0cHM6Ly8xMjcuMC4wLjE6MQ_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"

expect_error 1 nereid runs --project ws/p --store "$URL" --api-token "$TOKEN"
expect_contains "cannot reach $URL" "$ERR" "the server is named"
expect_contains "certificate" "$ERR" "the reason is the certificate"
expect_not_contains "$TOKEN" "$ERR" "the token is not printed"
# Nothing reached the server: the handshake failed before any request.
expect_eq "" "$(cat "$T/log.jsonl")" "no request was made"

e2e_done
