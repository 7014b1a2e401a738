#!/usr/bin/env python3
"""http_canned.py - a real HTTP/1.1 server on 127.0.0.1 that answers from a
scenario file, for the http(s) store backend's tests (test_http_store.c).

    http_canned.py SCENARIO.json LOG PORTFILE [CERT.pem KEY.pem]

Every request reads SCENARIO.json again (the test rewrites it between
steps): {"routes": [{"method": "GET", "path": "/api/v1/...", "status": 200,
"body": "...", "repeat": N, "stall": S}]}; the first route whose method and
path (query included) match answers with status and body (body repeated N
times; with "stall" it sends the head and then nothing for S seconds).
"path" ending in "*" matches by prefix. No match: 404 with an error body.
Each request appends one JSON line to LOG: method, path, the Authorization
header, the body. The chosen port is written to PORTFILE. With a
certificate and its key it serves HTTPS.

Not a nereid-server: it knows no route, it only replays answers.
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCENARIO, LOG, PORTFILE = sys.argv[1], sys.argv[2], sys.argv[3]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def answer(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                body += self.rfile.read(size)
                self.rfile.readline()
                if size == 0:
                    break
        else:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
        with open(LOG, "a") as log:
            log.write(json.dumps({"method": self.command, "path": self.path,
                                  "auth": self.headers.get("Authorization"),
                                  "body": body.decode("utf-8", "replace")}) + "\n")
        with open(SCENARIO) as f:
            routes = json.load(f)["routes"]
        for r in routes:
            p = r["path"]
            if r["method"] == self.command and (
                    self.path == p or (p.endswith("*") and self.path.startswith(p[:-1]))):
                break
        else:
            r = {"status": 404, "body": json.dumps(
                {"error": {"code": "not-found", "message": "no canned answer for " + self.path}})}
        data = r.get("body", "").encode() * int(r.get("repeat", 1))
        self.send_response(r.get("status", 200))
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if r.get("stall"):
            self.wfile.flush()
            time.sleep(r["stall"])
            return
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = answer


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if len(sys.argv) > 5:
    import ssl  # noqa: E402

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[4], sys.argv[5])
    server.socket = context.wrap_socket(server.socket, server_side=True)
server.daemon_threads = True
# A client that hangs up on purpose (an answer over its limit) is no error here.
server.handle_error = lambda request, address: None
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402

os.rename(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
