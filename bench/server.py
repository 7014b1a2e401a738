#!/usr/bin/env python3
"""bench/server.py - the server store against the embedded store, in one run
(issue 10's performance targets): `nereid track` of N small files into a
nereid-server on loopback vs the same track into the embedded store, and
`nereid ls --json` of the N records from each. Prints the medians and their
ratios; asserts nothing (see bench/README.md).

    python3 bench/server.py --nereid build/nereid [--files 100000] [--runs 3] [--mode sync]
                            [--only ls|track] [--baseline OTHER/nereid]

--only times one command alone (the untimed track that gives `ls` its
records still runs). Besides wall time, each row gives the CPU seconds
(user + system) of the client and of the server during the command: the
client's from the rusage of its process, the server's from /proc/PID/stat
before and after.
For `ls`, the server's request log gives the time of each page request; the
median of their sum per listing is printed too. --baseline times another
build (the one before a change) in the same rounds, on the same stores,
with its own nereid-server: the machine's load then weighs on both alike.

--mode is given to the server side's commands (SPEC section 9; default: the
client's own, async, which queues every write locally before sending it).

nereid-server is taken from beside the nereid binary. Both sides use one
hash cache (NEREID_HOME), filled by an untimed track first, so the timed
tracks measure the store, not MD5. Every timed track adds one new file, so
each makes a new artifact: the server receives every record each time
(nothing is skipped as already uploaded), as the embedded store writes them.
"""
import argparse
import os
import random
import resource
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


def start_server(server_bin, store, work, name, stderr=subprocess.DEVNULL):
    """A nereid-server on 127.0.0.1 (a free port) over store: (process, URL)."""
    out = open(os.path.join(work, name + ".out"), "w+")
    proc = subprocess.Popen([server_bin, "serve", "--listen", "127.0.0.1:0", "--store", store],
                            stdout=out, stderr=stderr)
    for _ in range(200):
        out.seek(0)
        m = re.search(r"listening on (http://\S+)", out.read())
        if m:
            return proc, m.group(1)
        time.sleep(0.05)
    proc.kill()
    sys.exit("bench: %s did not start" % server_bin)


def create_token(server_bin, store, project, url):
    """A write token of project, made in the server's store."""
    return subprocess.run([server_bin, "token", "create", "--project", project, "--role",
                           "write", "--name", "bench", "--url", url, "--store", store],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          check=True).stdout.decode().strip()


def proc_cpu(pid):
    """User + system CPU seconds of a running process (0 when unknown)."""
    if not pid:
        return 0.0
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def timed(argv, env, server_pid=None, keep_output=True):
    """Wall seconds, the command's output, its CPU seconds (user + system,
    from the rusage of reaped children) and the server's over the same time.
    Without keep_output the output goes to /dev/null, as in bench.py: a
    pipe read by this script would time the script's reading too."""
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    s0 = proc_cpu(server_pid)
    t0 = time.monotonic()
    r = subprocess.run(argv, env=env, stderr=subprocess.PIPE,
                       stdout=subprocess.PIPE if keep_output else subprocess.DEVNULL)
    dt = time.monotonic() - t0
    s1 = proc_cpu(server_pid)
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit("bench: %s failed (%d): %s" % (" ".join(argv), r.returncode,
                                                 r.stderr.decode(errors="replace")[:400]))
    cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
    return dt, r.stdout, cpu, s1 - s0


def page_ms(log, start):
    """The summed times of the artifact-page requests logged after byte start."""
    log.seek(start)
    total = 0.0
    for line in log.read().splitlines():
        m = re.match(r"GET \S*/artifacts/\{hash\}/files \d+ ([0-9.]+)ms", line)
        if m:
            total += float(m.group(1))
    return total / 1000.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nereid", default="build/nereid")
    ap.add_argument("--files", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--mode", choices=("async", "sync"), default=None,
                    help="the client's mode for the server side (default: its own)")
    ap.add_argument("--only", choices=("ls", "track"), default=None,
                    help="time only this command")
    ap.add_argument("--baseline", default=None,
                    help="another nereid build (with its nereid-server beside it) timed in the "
                         "same rounds on the same stores, e.g. the build before a change "
                         "(with --only ls)")
    args = ap.parse_args()
    if args.baseline and args.only != "ls":
        sys.exit("bench: --baseline needs --only ls (both builds list the same stores)")
    nereid = os.path.abspath(args.nereid)
    server_bin = os.path.join(os.path.dirname(nereid), "nereid-server")
    work = tempfile.mkdtemp(prefix="nereid-bench-server-")
    server = None
    base_server = None
    try:
        data = os.path.join(work, "data")
        print("bench: generating %d files..." % args.files, file=sys.stderr)
        generate(data, args.files)
        home = os.path.join(work, "home")
        os.makedirs(home)
        srvstore = os.path.join(work, "srvstore")
        local = os.path.join(work, "local")
        log = open(os.path.join(work, "serve.log"), "w+")

        server, url = start_server(server_bin, srvstore, work, "serve", stderr=log)
        token = create_token(server_bin, srvstore, "bench/srv", url)
        env = dict(os.environ, NEREID_HOME=home, NEREID_PROJECT="bench/srv", USER="bench")
        for k in ("NEREID_STORE", "NEREID_API_TOKEN", "NEPTUNE_API_TOKEN"):
            env.pop(k, None)
        mode = ["--mode", args.mode] if args.mode else []
        sides = {
            "embedded": ["--store", local],
            "server": ["--store", url, "--api-token", token] + mode,
        }
        binaries = {"embedded": nereid, "server": nereid}
        pids = {"server": server.pid}
        # Untimed: fills the hash cache, and one run on each side for ls.
        runs = {}
        for side, opts in sides.items():
            _, o, _, _ = timed([nereid, "track", "data", data] + opts, env)
            runs[side] = o.decode().split()[0]
        if args.baseline:
            base = os.path.abspath(args.baseline)
            base_server, base_url = start_server(
                os.path.join(os.path.dirname(base), "nereid-server"), srvstore, work,
                "serve-baseline", stderr=log)
            sides["embedded (baseline)"] = sides["embedded"]
            sides["server (baseline)"] = ["--store", base_url, "--api-token", token] + mode
            binaries.update({"embedded (baseline)": base, "server (baseline)": base})
            pids["server (baseline)"] = base_server.pid
            runs["embedded (baseline)"] = runs["embedded"]
            runs["server (baseline)"] = runs["server"]
        whats = [args.only] if args.only else ["track", "ls"]
        results = {(s, w): [] for s in sides for w in whats}
        pages = []
        for i in range(args.runs):
            for side, opts in sides.items():
                spid = pids.get(side)
                if "track" in whats:
                    with open(os.path.join(data, "extra-%s-%d.txt" % (side, i)), "w") as f:
                        f.write("%s %d\n" % (side, i))
                    dt, _, cpu, scpu = timed([nereid, "track", "data", data] + opts, env, spid)
                    results[(side, "track")].append((dt, cpu, scpu))
                if "ls" in whats:
                    log.flush()
                    start = os.path.getsize(log.name)
                    dt, _, cpu, scpu = timed([binaries[side], "ls", runs[side] + ":data",
                                              "--json"] + opts, env, spid, keep_output=False)
                    results[(side, "ls")].append((dt, cpu, scpu))
                    if side == "server":
                        time.sleep(0.05)  # the log line follows the answer
                        pages.append(page_ms(log, start))
        lines = []
        for what in whats:
            for suffix in ("", " (baseline)") if args.baseline else ("",):
                label = ("track (%d files)" if what == "track" else
                         "ls --json (%d records)") % args.files + suffix
                e = [statistics.median(x) for x in zip(*results[("embedded" + suffix, what)])]
                s_ = [statistics.median(x) for x in zip(*results[("server" + suffix, what)])]
                lines.append("| %s | %.2f s | %.2f s | %.2f | %.2f s | %.2f s + %.2f s |" %
                             (label, e[0], s_[0], s_[0] / e[0], e[1], s_[1], s_[2]))
        print("| command | embedded | server | server / embedded | embedded CPU | "
              "server side CPU: client + server |")
        print("|---|---|---|---|---|---|")
        print("\n".join(lines))
        if pages:
            print("(ls: the server's page requests took %.3f s in all, median of %d listings)" %
                  (statistics.median(pages), len(pages)))
        print("(medians of %d runs, %d CPUs, server on 127.0.0.1, client mode %s)" %
              (args.runs, os.cpu_count(), args.mode or "default"))
    finally:
        for proc in (server, base_server):
            if proc:
                proc.terminate()
                proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
