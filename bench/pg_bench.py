#!/usr/bin/env python3
"""bench/pg_bench.py - the measurements of bench/pg_bench.sh (which starts
PostgreSQL and two servers and passes their URLs): records per second of a
1,000,000-record artifact stored through a server, runs per second of 16
concurrent clients, and requests per second of the run-table route on one
server against two. Prints figures; asserts nothing.
"""
import argparse
import hashlib
import http.client
import json
import multiprocessing
import sys
import time
import urllib.parse
import uuid

P = "/api/v1/projects/ws/bench"


def conn(url):
    u = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=600)


def call(c, tok, method, path, body=None):
    headers = {"Authorization": "Bearer " + tok}
    if body is not None:
        headers["Content-Type"] = "application/json"
    c.request(method, P + path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    return r.status, data


def creator(args):
    url, tok, n, start = args
    c = conn(url)
    while time.time() < start:
        time.sleep(0.001)
    ids = []
    for _ in range(n):
        st, data = call(c, tok, "POST", "/runs", json.dumps({"uuid": str(uuid.uuid4())}))
        if st != 201:
            raise SystemExit("create run: %d %s" % (st, data[:200]))
        ids.append(json.loads(data)["id"])
    return ids


def reader(args):
    url, tok, seconds, start = args
    c = conn(url)
    while time.time() < start:
        time.sleep(0.001)
    n = 0
    while time.time() < start + seconds:
        st, data = call(c, tok, "GET", "/run-table?limit=50&sort=creation_time&order=desc")
        if st != 200:
            raise SystemExit("run-table: %d %s" % (st, data[:200]))
        n += 1
    return n


def table_rps(urls, tok, clients, seconds):
    start = time.time() + 1.0
    with multiprocessing.Pool(clients) as pool:
        counts = pool.map(reader, [(urls[i % len(urls)], tok, seconds, start)
                                   for i in range(clients)])
    return sum(counts) / seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--token", required=True)
    ap.add_argument("--spec", required=True, help="tests/e2e, for spec_hash.py")
    ap.add_argument("--records", type=int, default=1000000)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--runs-each", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("servers", nargs=2)
    a = ap.parse_args()
    sys.path.insert(0, a.spec)
    from spec_hash import artifact_hash
    tok, (sa, sb) = a.token, a.servers

    recs = [{"file_path": "data/%07d.bin" % i,
             "file_hash": hashlib.md5(b"%d" % i).hexdigest(),
             "type": "Local", "size": i, "metadata": {}} for i in range(a.records)]
    h = artifact_hash(recs)
    body = json.dumps(recs).encode()
    c = conn(sa)
    t0 = time.monotonic()
    st, data = call(c, tok, "PUT", "/artifacts/" + h, body)
    dt = time.monotonic() - t0
    if st not in (200, 201):
        raise SystemExit("upload: %d %s" % (st, data[:300]))
    print("artifact of %d records (%.0f MB of JSON) through one server: %.2f s, %.0f records/s"
          % (a.records, len(body) / 1e6, dt, a.records / dt))

    start = time.time() + 1.0
    with multiprocessing.Pool(a.clients) as pool:
        t0 = time.time()
        ids = pool.map(creator, [((sa, sb)[i % 2], tok, a.runs_each, start)
                                 for i in range(a.clients)])
        dt = time.time() - start
    ids = [i for part in ids for i in part]
    nums = sorted(int(i.split("-")[1]) for i in ids)
    gapfree = nums == list(range(1, len(nums) + 1))
    print("%d clients creating %d runs through two servers: %.2f s, %.0f runs/s (distinct and "
          "gap-free: %s)" % (a.clients, len(ids), dt, len(ids) / dt, gapfree))

    # Fields on the table's first page: the big artifact on the newest runs.
    for n in nums[-20:]:
        st, data = call(c, tok, "PUT", "/runs/BEN-%d/fields/data" % n,
                        json.dumps({"expect": "", "hash": h}))
        if st != 200:
            raise SystemExit("field: %d %s" % (st, data[:200]))
    clients = 8
    one = table_rps([sa], tok, clients, a.seconds)
    two = table_rps([sa, sb], tok, clients, a.seconds)
    print("run-table (limit 50, %d clients, %.0f s each): one server %.0f requests/s, two servers "
          "%.0f requests/s: %.2fx" % (clients, a.seconds, one, two, two / one))


if __name__ == "__main__":
    main()
