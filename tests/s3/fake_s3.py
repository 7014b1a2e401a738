#!/usr/bin/env python3
"""fake_s3.py - the small S3 endpoint of the S3 end-to-end tests.

Two roles, on 127.0.0.1 at a free port (written to --port-file):

* proxy (--upstream URL): checks every request's AWS Signature V4 exactly
  as S3 does (s3rver itself does not check V4 signatures), then forwards it
  to s3rver. A wrong secret gets 403 SignatureDoesNotMatch, a wrong key
  403 InvalidAccessKeyId, a missing x-amz-content-sha256 400, a session
  token that does not match 403 InvalidToken. Faults can be injected with
  unsigned requests to /__control/...:
    /__control/fail?count=N&status=503&code=SlowDown  the next N requests fail
    /__control/stall?count=N                          the next N requests send
                                                      headers, then nothing
    /__control/count                                  requests seen so far
  A GET with If-Match is answered 412 PreconditionFailed when the object's
  ETag is another, as S3 does (s3rver ignores If-Match). /__control/stats
  gives {"count", "gets", "gets_if_match"} as JSON.
* hostile (--hostile, or --hostile-keys FILE): no signature check; every
  HEAD is answered 404. What else it does is set by
  /__control/hostile?mode=MODE&...:
    keys (default)  every ListObjectsV2 lists the keys of FILE (one per
                    line, as they are: a line twice lists the key twice)
    cycle&len=N     a listing whose continuation tokens go round a cycle of
                    N pages (default 3), each page one new key
    empty           endless listing pages without keys, each with a new token
    same            endless listing pages, each with the same two keys and a
                    new token
    trickle-list    a listing answer whose body comes four bytes per second:
                    clearly above a client's stall limit (1 byte/s over
                    30 s), so only its overall deadline can stop it
    get&announce=N&send=N|endless&delay=S&etag=E
                    every GET answers 200 with Content-Length N (none when
                    absent), then sends N bytes ("endless": until the client
                    stops, at most 512 MiB), one byte every S seconds when
                    delay is set; ETag E when set. /__control/sent gives
                    {"sent": bytes, "closed": 1 when the client hung up}.
  Nothing hostile runs unbounded: a handler gives up after two minutes.

Standard library only. Test code: bounded, loopback only.
"""
import argparse
import hashlib
import hmac
import http.client
import http.server
import json
import threading
import time
import urllib.parse
from xml.sax.saxutils import escape

STATE = {"fail": 0, "fail_status": 503, "fail_code": "SlowDown", "stall": 0, "count": 0,
         "gets": 0, "gets_if_match": 0, "hostile": {"mode": "keys"}, "sent": 0, "closed": 0}
HOSTILE_MAX_S = 120
ENDLESS_MAX = 512 << 20
LOCK = threading.Lock()
ARGS = None


def error_xml(code, message):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code>'
            "<Message>%s</Message></Error>" % (code, escape(message))).encode()


def aws_quote(raw, safe):
    return urllib.parse.quote(raw, safe=safe)


def canonical_query(query):
    pairs = []
    if query:
        for part in query.split("&"):
            k, _, v = part.partition("=")
            k = urllib.parse.unquote_to_bytes(k)
            v = urllib.parse.unquote_to_bytes(v)
            pairs.append((aws_quote(k, "~"), aws_quote(v, "~")))
    pairs.sort()
    return "&".join("%s=%s" % kv for kv in pairs)


def hmac256(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):  # silent
        pass

    def send_error_xml(self, status, code, message):
        body = error_xml(code, message) if self.command != "HEAD" else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(error_xml(code, message))))
        self.end_headers()
        self.wfile.write(body)

    def check_signature(self):
        """None when the request is signed right, else (status, code, message)."""
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            return (403, "AccessDenied", "no AWS4-HMAC-SHA256 authorization")
        fields = {}
        for item in auth[len("AWS4-HMAC-SHA256 "):].split(","):
            k, _, v = item.strip().partition("=")
            fields[k] = v
        try:
            key_id, date, region, service, term = fields["Credential"].split("/")
            signed = fields["SignedHeaders"].split(";")
            signature = fields["Signature"]
        except (KeyError, ValueError):
            return (400, "AuthorizationHeaderMalformed", "bad Authorization header")
        if key_id != ARGS.key:
            return (403, "InvalidAccessKeyId", "unknown access key")
        if region != ARGS.region or service != "s3" or term != "aws4_request":
            return (400, "AuthorizationHeaderMalformed", "bad credential scope " + region)
        payload = self.headers.get("x-amz-content-sha256")
        if payload is None:
            return (400, "InvalidRequest",
                    "Missing required header for this request: x-amz-content-sha256")
        for must in ("host", "x-amz-date", "x-amz-content-sha256"):
            if must not in signed:
                return (403, "AccessDenied", must + " is not signed")
        token = self.headers.get("x-amz-security-token")
        if ARGS.token is not None and token != ARGS.token:
            return (403, "InvalidToken", "The provided token is malformed or otherwise invalid.")
        if token is not None and "x-amz-security-token" not in signed:
            return (403, "AccessDenied", "x-amz-security-token is not signed")
        path, _, query = self.path.partition("?")
        canon_uri = aws_quote(urllib.parse.unquote_to_bytes(path), "/~")
        headers = ""
        for name in signed:
            value = self.headers.get(name)
            if value is None:
                return (403, "AccessDenied", "signed header %s is missing" % name)
            headers += "%s:%s\n" % (name, " ".join(value.strip().split()))
        creq = "\n".join([self.command, canon_uri, canonical_query(query), headers,
                          ";".join(signed), payload])
        amz_date = self.headers.get("x-amz-date", "")
        scope = "/".join([date, region, service, term])
        sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(creq.encode()).hexdigest()])
        k = hmac256(("AWS4" + ARGS.secret).encode(), date)
        k = hmac256(k, region)
        k = hmac256(k, service)
        k = hmac256(k, term)
        want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, signature):
            return (403, "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature "
                    "you provided.")
        return None

    def control(self):
        path, _, query = self.path.partition("?")
        q = dict(urllib.parse.parse_qsl(query))
        with LOCK:
            if path == "/__control/fail":
                STATE["fail"] = int(q.get("count", "1"))
                STATE["fail_status"] = int(q.get("status", "503"))
                STATE["fail_code"] = q.get("code", "SlowDown")
            elif path == "/__control/stall":
                STATE["stall"] = int(q.get("count", "1"))
            elif path == "/__control/hostile":
                STATE["hostile"] = q
                STATE["sent"] = STATE["closed"] = 0
            if path == "/__control/stats":
                body = json.dumps({k: STATE[k] for k in ("count", "gets", "gets_if_match")})
            elif path == "/__control/sent":
                body = json.dumps({"sent": STATE["sent"], "closed": STATE["closed"]})
            else:
                body = str(STATE["count"])
            body = body.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def listing_page(self, keys, token):
        """A ListObjectsV2 page of keys; truncated with token when not None."""
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult>',
                 "<IsTruncated>%s</IsTruncated>" % ("true" if token else "false")]
        if token:
            parts.append("<NextContinuationToken>%s</NextContinuationToken>" % escape(token))
        for key in keys:
            parts.append("<Contents><Key>%s</Key><LastModified>2021-05-23T03:55:26.000Z"
                         "</LastModified><ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;"
                         "</ETag><Size>1</Size></Contents>" % escape(key))
        parts.append("</ListBucketResult>")
        return "".join(parts).encode()

    def hostile_listing(self, h, q):
        prefix = q.get("prefix", "")
        token = q.get("continuation-token")
        mode = h.get("mode", "keys")
        if mode == "cycle":
            n = int(h.get("len", "3"))
            i = int(token.split("-")[1]) if token else 0
            return self.listing_page([prefix + "k-%d" % i], "tok-%d" % (i % n + 1))
        if mode in ("empty", "same"):
            i = int(token.split("-")[1]) if token else 0
            keys = [prefix + "x", prefix + "y"] if mode == "same" else []
            return self.listing_page(keys, "%s-%d" % (mode, i + 1))
        keys = []
        if ARGS.hostile_keys:
            with open(ARGS.hostile_keys, encoding="utf-8") as f:
                keys = [line.rstrip("\n") for line in f if line.strip()]
        return self.listing_page(keys, None)

    def hostile_send(self, data, delay):
        """Send data (one byte at a time every delay seconds when delay > 0);
        False when the client hung up or time ran out."""
        start = time.monotonic()
        step = 1 if delay > 0 else 65536
        for i in range(0, len(data), step):
            if time.monotonic() - start > HOSTILE_MAX_S:
                return False
            try:
                self.wfile.write(data[i:i + step])
                self.wfile.flush()
            except OSError:
                with LOCK:
                    STATE["closed"] = 1
                return False
            with LOCK:
                STATE["sent"] += len(data[i:i + step])
            if delay > 0:
                time.sleep(delay)
        return True

    def hostile_get(self, h):
        announce = h.get("announce")
        send = h.get("send", "0")
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if announce is not None:
            self.send_header("Content-Length", announce)
        if h.get("etag"):
            self.send_header("ETag", '"%s"' % h["etag"])
        self.end_headers()
        delay = float(h.get("delay", "0"))
        if send != "endless":
            self.hostile_send(b"x" * int(send), delay)
            return
        chunk = b"x" * (1 << 20)
        for _ in range(ENDLESS_MAX // len(chunk)):
            if not self.hostile_send(chunk, delay):
                return

    def hostile(self):
        path, _, query = self.path.partition("?")
        q = dict(urllib.parse.parse_qsl(query))
        with LOCK:
            h = dict(STATE["hostile"])
        mode = h.get("mode", "keys")
        if self.command == "GET" and "list-type" not in q and mode == "get":
            self.hostile_get(h)
            return
        if self.command == "HEAD" or "list-type" not in q:
            self.send_error_xml(404, "NoSuchKey", "The specified key does not exist.")
            return
        if mode == "trickle-list":
            body = self.listing_page([q.get("prefix", "") + "slow"], None)
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.hostile_send(body, 0.25)
            return
        body = self.hostile_listing(h, q)
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def proxy(self):
        with LOCK:
            STATE["count"] += 1
            if STATE["fail"] > 0:
                STATE["fail"] -= 1
                fault = ("fail", STATE["fail_status"], STATE["fail_code"])
            elif STATE["stall"] > 0:
                STATE["stall"] -= 1
                fault = ("stall",)
            else:
                fault = None
        if fault and fault[0] == "fail":
            self.send_error_xml(fault[1], fault[2], "injected failure")
            return
        if fault:
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.flush()
            time.sleep(90)  # bounded: the client gives up long before
            return
        problem = self.check_signature()
        if problem:
            self.send_error_xml(*problem)
            return
        up = urllib.parse.urlsplit(ARGS.upstream)
        length = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("host", "connection")}
        if_match = self.headers.get("If-Match")
        if self.command == "GET" and "list-type" not in self.path:
            with LOCK:
                STATE["gets"] += 1
                STATE["gets_if_match"] += if_match is not None
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            etag = resp.getheader("ETag")
            if (if_match is not None and resp.status == 200 and etag is not None and
                    etag not in [t.strip() for t in if_match.split(",")] and
                    if_match.strip() != "*"):
                self.send_error_xml(412, "PreconditionFailed",
                                    "At least one of the pre-conditions you specified did "
                                    "not hold")
                return
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("connection", "transfer-encoding", "date", "server",
                                     "keep-alive"):
                    self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                while True:
                    chunk = resp.read(65536)
                    if not chunk:
                        break
                    self.wfile.write(chunk)
        finally:
            conn.close()

    def handle_any(self):
        if self.path.startswith("/__control/"):
            self.control()
        elif ARGS.hostile or ARGS.hostile_keys:
            self.hostile()
        else:
            self.proxy()

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = handle_any


def main():
    global ARGS
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--upstream")
    p.add_argument("--hostile", action="store_true")
    p.add_argument("--hostile-keys")
    p.add_argument("--key", default="S3RVER")
    p.add_argument("--secret", default="S3RVER")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--token")
    ARGS = p.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(tmp, ARGS.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
