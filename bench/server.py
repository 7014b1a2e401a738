#!/usr/bin/env python3
"""bench/server.py - the server store against the embedded store, in one run
(issue 10's performance targets): `nereid track` of N small files into a
nereid-server on loopback vs the same track into the embedded store, and
`nereid ls --json` of the N records from each. Prints the medians and their
ratios; asserts nothing (see bench/README.md).

    python3 bench/server.py --nereid build/nereid [--files 100000] [--runs 3] [--mode sync]
                            [--only track|ls]

--mode is given to the server side's commands (SPEC section 9; default: the
client's own, async, which queues every write locally before sending it).

nereid-server is taken from beside the nereid binary. Both sides use one
hash cache (NEREID_HOME), filled by an untimed track first, so the timed
tracks measure the store, not MD5. --only times one command of the two
(the untimed first tracks still run). Every timed track adds one new file, so
each makes a new artifact: the server receives every record each time
(nothing is skipped as already uploaded), as the embedded store writes them.
"""
import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def generate(root, nfiles):
    rng = random.Random(10)
    pool = bytes(rng.getrandbits(8) for _ in range(16384))
    for i in range(nfiles):
        d = os.path.join(root, "%02d" % (i % 100), "%02d" % (i // 100 % 100))
        if i < 10000:
            os.makedirs(d, exist_ok=True)
        size = 1024 + (i * 7919) % 7168
        start = (i * 104729) % (len(pool) - size)
        with open(os.path.join(d, "f%06d.bin" % i), "wb") as f:
            f.write(b"%d\n" % i + pool[start:start + size])
    t = time.time() - 7200
    for dirpath, _, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(dirpath, name), (t, t))


def timed(argv, env):
    t0 = time.monotonic()
    r = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dt = time.monotonic() - t0
    if r.returncode != 0:
        sys.exit("bench: %s failed (%d): %s" % (" ".join(argv), r.returncode,
                                                 r.stderr.decode(errors="replace")[:400]))
    return dt, r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nereid", default="build/nereid")
    ap.add_argument("--files", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--mode", choices=("async", "sync"), default=None,
                    help="the client's mode for the server side (default: its own)")
    ap.add_argument("--only", choices=("track", "ls"), default=None,
                    help="time only this command (default: both)")
    args = ap.parse_args()
    whats = (args.only,) if args.only else ("track", "ls")
    nereid = os.path.abspath(args.nereid)
    server_bin = os.path.join(os.path.dirname(nereid), "nereid-server")
    work = tempfile.mkdtemp(prefix="nereid-bench-server-")
    server = None
    try:
        data = os.path.join(work, "data")
        print("bench: generating %d files..." % args.files, file=sys.stderr)
        generate(data, args.files)
        home = os.path.join(work, "home")
        os.makedirs(home)
        srvstore = os.path.join(work, "srvstore")
        local = os.path.join(work, "local")
        out = open(os.path.join(work, "serve.out"), "w+")
        server = subprocess.Popen([server_bin, "serve", "--listen", "127.0.0.1:0", "--store",
                                   srvstore], stdout=out, stderr=subprocess.DEVNULL)
        url = None
        for _ in range(200):
            out.seek(0)
            m = re.search(r"listening on (http://\S+)", out.read())
            if m:
                url = m.group(1)
                break
            time.sleep(0.05)
        if not url:
            sys.exit("bench: nereid-server did not start")
        token = subprocess.run([server_bin, "token", "create", "--project", "bench/srv", "--role",
                                "write", "--name", "bench", "--url", url, "--store", srvstore],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               check=True).stdout.decode().strip()
        env = dict(os.environ, NEREID_HOME=home, NEREID_PROJECT="bench/srv", USER="bench")
        for k in ("NEREID_STORE", "NEREID_API_TOKEN", "NEPTUNE_API_TOKEN"):
            env.pop(k, None)
        sides = {
            "embedded": ["--store", local],
            "server": ["--store", url, "--api-token", token] +
                      (["--mode", args.mode] if args.mode else []),
        }
        # Untimed: fills the hash cache, and one run on each side for ls.
        runs = {}
        for side, opts in sides.items():
            _, o = timed([nereid, "track", "data", data] + opts, env)
            runs[side] = o.decode().split()[0]
        results = {(s, w): [] for s in sides for w in whats}
        for i in range(args.runs):
            for side, opts in sides.items():
                with open(os.path.join(data, "extra-%s-%d.txt" % (side, i)), "w") as f:
                    f.write("%s %d\n" % (side, i))
                if "track" in whats:
                    dt, _ = timed([nereid, "track", "data", data] + opts, env)
                    results[(side, "track")].append(dt)
                if "ls" in whats:
                    dt, o = timed([nereid, "ls", runs[side] + ":data", "--json"] + opts, env)
                    results[(side, "ls")].append(dt)
        lines = []
        for what, label in (("track", "track (%d files)" % args.files),
                            ("ls", "ls --json (%d records)" % args.files)):
            if what not in whats:
                continue
            e = statistics.median(results[("embedded", what)])
            s = statistics.median(results[("server", what)])
            lines.append("| %s | %.2f s | %.2f s | %.2f |" % (label, e, s, s / e))
        print("| command | embedded | server | server / embedded |")
        print("|---|---|---|---|")
        print("\n".join(lines))
        print("(medians of %d runs, %d CPUs, server on 127.0.0.1, client mode %s)" %
              (args.runs, os.cpu_count(), args.mode or "default"))
    finally:
        if server:
            server.terminate()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
