#!/usr/bin/env python3
"""bench/track_ab.py - two builds' `nereid track` into a server, interleaved,
against the embedded store, with CPU seconds: for work on the server
track's speed on a machine shared with other work, where one wall-clock
ratio per build (bench/server.py) moves with the load. Every round tracks
N small files (one new file each time, so each track makes a new artifact)
into the embedded store with the new build, then into a nereid-server of
each build (taken from beside its nereid), in the client's mode. Prints per
side the medians of wall time, client CPU (user + system of the command,
the background sender's thread included), server CPU (from /proc), and the
median of the per-round ratios to the embedded track. Asserts nothing.

    python3 bench/track_ab.py --old OLD/nereid --new NEW/nereid [--files 100000]
                              [--rounds 6] [--mode sync]

The stores grow by one artifact a track on every side alike; the hash cache
(NEREID_HOME) is shared and filled by an untimed track first.
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import create_token, generate, start_server, timed as server_timed  # noqa: E402

def timed(argv, env, server=None):
    """Wall seconds, the command's CPU seconds and the server's (server.py's
    timed, for a server process or none)."""
    wall, _, client, server_cpu = server_timed(argv, env, server.pid if server else None)
    return wall, client, server_cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", required=True, help="the first build's nereid")
    ap.add_argument("--new", required=True, help="the second build's nereid (also the embedded side)")
    ap.add_argument("--files", type=int, default=100000)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--mode", choices=("async", "sync"), default=None)
    args = ap.parse_args()
    builds = {"old": os.path.abspath(args.old), "new": os.path.abspath(args.new)}
    work = tempfile.mkdtemp(prefix="nereid-bench-ab-")
    servers = {}
    try:
        data = os.path.join(work, "data")
        print("bench: generating %d files..." % args.files, file=sys.stderr)
        generate(data, args.files)
        home = os.path.join(work, "home")
        os.makedirs(home)
        env = dict(os.environ, NEREID_HOME=home, NEREID_PROJECT="bench/srv", USER="bench")
        for k in ("NEREID_STORE", "NEREID_API_TOKEN", "NEPTUNE_API_TOKEN"):
            env.pop(k, None)
        sides = {"embedded": (builds["new"], ["--store", os.path.join(work, "local")], None)}
        for name, nereid in builds.items():
            server_bin = os.path.join(os.path.dirname(nereid), "nereid-server")
            store = os.path.join(work, "srv-" + name)
            p, url = start_server(server_bin, store, work, name)
            token = create_token(server_bin, store, "bench/srv", url)
            servers[name] = p
            sides[name] = (nereid, ["--store", url, "--api-token", token] +
                           (["--mode", args.mode] if args.mode else []), p)
        for nereid, opts, _ in sides.values():  # untimed: the hash cache
            timed([nereid, "track", "data", data] + opts, env)
        results = {side: [] for side in sides}
        for i in range(args.rounds):
            for side, (nereid, opts, server) in sides.items():
                with open(os.path.join(data, "extra-%s-%d.txt" % (side, i)), "w") as f:
                    f.write("%s %d\n" % (side, i))
                results[side].append(timed([nereid, "track", "data", data] + opts, env, server))
        emb = [r[0] for r in results["embedded"]]
        print("| side | wall | client CPU | server CPU | wall / embedded (median of rounds) |")
        print("|---|---|---|---|---|")
        for side, rows in results.items():
            ratio = statistics.median(r[0] / e for r, e in zip(rows, emb))
            print("| %s | %.2f s | %.2f s | %.2f s | %.2f |" % (
                side, statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows),
                statistics.median(r[2] for r in rows), ratio))
        print("(medians of %d interleaved rounds, %d files, %d CPUs, load average %.2f at the end,"
              " client mode %s)" % (args.rounds, args.files, os.cpu_count(), os.getloadavg()[0],
                                    args.mode or "default"))
    finally:
        for p in servers.values():
            p.terminate()
            p.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
