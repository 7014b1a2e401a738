#!/usr/bin/env python3
"""bench/pg_bench.py - the measurements of bench/pg_bench.sh (which starts
PostgreSQL and two servers and passes their URLs): records per second of a
1,000,000-record artifact stored through a server, runs per second of 16
concurrent clients, and requests per second of the run-table route on one
server against two. Prints figures; asserts nothing.

With --pids (the servers') and --postmaster, each figure is followed by
where the CPU went while it was measured: seconds of CPU used by the
servers, by PostgreSQL (the postmaster and every backend, live or exited)
and by the clients (this script and its worker processes), and per
request or record, beside the CPUs the machine has. On a machine whose
few CPUs are shared by all three, their sum per request bounds the rate:
rate <= CPUs / (CPU seconds per request).
"""
import argparse
import hashlib
import http.client
import json
import multiprocessing
import os
import sys
import time
import urllib.parse
import uuid

P = "/api/v1/projects/ws/bench"


TICK = os.sysconf("SC_CLK_TCK")


def proc_stat(pid):
    """utime+stime, cutime+cstime (seconds) and ppid of a process, or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # fields[0] is the state (field 3): utime is field 14, cutime 16.
    return ((int(fields[11]) + int(fields[12])) / TICK,
            (int(fields[13]) + int(fields[14])) / TICK, int(fields[1]))


def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


class Cpu:
    """CPU seconds of the servers, PostgreSQL and the clients, sampled."""

    def __init__(self, pids, postmaster):
        self.pids, self.postmaster = pids, postmaster

    def sample(self):
        servers = sum((proc_stat(p) or (0, 0, 0))[0] for p in self.pids)
        pg = 0.0
        if self.postmaster:
            own = proc_stat(self.postmaster) or (0, 0, 0)
            pg = own[0] + own[1]
            for d in os.listdir("/proc"):
                if d.isdigit():
                    st = proc_stat(int(d))
                    if st and st[2] == self.postmaster:
                        pg += st[0]
        t = os.times()
        return servers, pg, t.user + t.system + t.children_user + t.children_system

    def report(self, before, n, unit, wall):
        """Print where the CPU went over wall seconds that did n units."""
        if not self.pids:
            return
        after = self.sample()
        d = [a - b for a, b in zip(after, before)]
        total, cpus = sum(d), os.cpu_count()
        print("  CPU: servers %.2f s, PostgreSQL %.2f s, clients %.2f s; per %s %.3f + %.3f + "
              "%.3f = %.3f ms; they had %.0f%% of the %d CPUs (load average %s): %d CPUs to "
              "themselves would allow at most %.0f %ss/s"
              % (d[0], d[1], d[2], unit, 1e3 * d[0] / n, 1e3 * d[1] / n, 1e3 * d[2] / n,
                 1e3 * total / n, 100 * total / (wall * cpus), cpus, load(), cpus,
                 cpus * n / total if total else 0, unit))


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


# In the pool's workers, a failure is an exception pool.map hands back
# (SystemExit there would leave the pool waiting for a dead worker).
def creator(args):
    url, tok, n, start = args
    c = conn(url)
    while time.time() < start:
        time.sleep(0.001)
    ids = []
    for _ in range(n):
        st, data = call(c, tok, "POST", "/runs", json.dumps({"uuid": str(uuid.uuid4())}))
        if st != 201:
            raise RuntimeError("create run: %d %s" % (st, data[:200]))
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
            raise RuntimeError("run-table: %d %s" % (st, data[:200]))
        n += 1
    return n


def table_rps(urls, tok, clients, seconds, cpu):
    start = time.time() + 1.0
    with multiprocessing.Pool(clients) as pool:
        before = cpu.sample()
        counts = pool.map(reader, [(urls[i % len(urls)], tok, seconds, start)
                                   for i in range(clients)])
    rps = sum(counts) / seconds
    print("run-table (limit 50, %d clients, %.0f s) on %d server(s): %.0f requests/s"
          % (clients, seconds, len(urls), rps))
    cpu.report(before, sum(counts), "request", seconds + 1.0)
    return rps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--token", required=True)
    ap.add_argument("--spec", required=True, help="tests/e2e, for spec_hash.py")
    ap.add_argument("--records", type=int, default=1000000)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--runs-each", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--pids", default="", help="the servers' process IDs, comma-separated")
    ap.add_argument("--postmaster", type=int, default=0, help="PostgreSQL's postmaster PID")
    ap.add_argument("servers", nargs=2)
    a = ap.parse_args()
    sys.path.insert(0, a.spec)
    from spec_hash import artifact_hash
    tok, (sa, sb) = a.token, a.servers
    cpu = Cpu([int(p) for p in a.pids.split(",") if p], a.postmaster)

    recs = [{"file_path": "data/%07d.bin" % i,
             "file_hash": hashlib.md5(b"%d" % i).hexdigest(),
             "type": "Local", "size": i, "metadata": {}} for i in range(a.records)]
    h = artifact_hash(recs)
    body = json.dumps(recs).encode()
    c = conn(sa)
    before = cpu.sample()
    t0 = time.monotonic()
    st, data = call(c, tok, "PUT", "/artifacts/" + h, body)
    dt = time.monotonic() - t0
    if st not in (200, 201):
        raise SystemExit("upload: %d %s" % (st, data[:300]))
    print("artifact of %d records (%.0f MB of JSON) through one server: %.2f s, %.0f records/s"
          % (a.records, len(body) / 1e6, dt, a.records / dt))
    cpu.report(before, a.records / 1000, "1000-record", dt)

    start = time.time() + 1.0
    with multiprocessing.Pool(a.clients) as pool:
        before = cpu.sample()
        ids = pool.map(creator, [((sa, sb)[i % 2], tok, a.runs_each, start)
                                 for i in range(a.clients)])
        dt = time.time() - start
    ids = [i for part in ids for i in part]
    nums = sorted(int(i.split("-")[1]) for i in ids)
    gapfree = nums == list(range(1, len(nums) + 1))
    print("%d clients creating %d runs through two servers: %.2f s, %.0f runs/s (distinct and "
          "gap-free: %s)" % (a.clients, len(ids), dt, len(ids) / dt, gapfree))
    cpu.report(before, len(ids), "run", time.time() - start + 1.0)

    # Fields on the table's first page: the big artifact on the newest runs.
    for n in nums[-20:]:
        st, data = call(c, tok, "PUT", "/runs/BEN-%d/fields/data" % n,
                        json.dumps({"expect": "", "hash": h}))
        if st != 200:
            raise SystemExit("field: %d %s" % (st, data[:200]))
    clients = 8
    one = table_rps([sa], tok, clients, a.seconds, cpu)
    two = table_rps([sa, sb], tok, clients, a.seconds, cpu)
    print("run-table (limit 50, %d clients, %.0f s each): one server %.0f requests/s, two servers "
          "%.0f requests/s: %.2fx" % (clients, a.seconds, one, two, two / one))


if __name__ == "__main__":
    main()
