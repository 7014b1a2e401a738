#!/usr/bin/env python3
"""Benchmark of the MD5 implementations (issue 14): a cold `nereid track`
(fresh store and hash cache, data in the page cache, every record stored)
with NEREID_MD5=scalar, avx2 and avx512, against `xargs -P$(nproc) md5sum`
and against two floors: `xargs -P$(nproc) cat` of the same files, and
read_floor.c (built here with cc when there is one), which opens, fstat's,
reads and closes every file with a track's system calls on $(nproc)
threads and does nothing else (for many small files cat is no floor: it
starts a process per batch and makes more system calls per file than
md5sum). "x floor" is to the lower of the two. Cases B
(8 x 256 MiB), A (100,000 x 1-8 KiB), C (10,000 x 100 KiB) and mixed (B
and A in one folder, hard links). Datasets come from bench.py (same
layout and contents). Prints the median of --runs and the ratios.

    python3 bench/md5mb.py [--nereid build/nereid] [--workdir DIR]
                           [--cases B,A,C,mixed] [--runs N] [--quick]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (datasets and the timed runner)

TARGETS = {"B": 0.5, "A": 0.7, "C": 0.5, "mixed": 0.6}


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def build_read_floor(work):
    """bench/read_floor.c built into work, or None (with a message) when no C
    compiler is there or it fails."""
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "read_floor.c")
    out = os.path.join(work, "read_floor")
    for cc in ("cc", "gcc", "clang"):
        if shutil.which(cc):
            r = subprocess.run([cc, "-O2", "-pthread", src, "-o", out], capture_output=True,
                               text=True)
            if r.returncode == 0:
                return out
            print("bench: read_floor not built (%s): %s" % (cc, r.stderr.strip()[-300:]),
                  file=sys.stderr)
            return None
    print("bench: read_floor skipped: no C compiler", file=sys.stderr)
    return None


def dataset(case, quick, work):
    if case == "mixed":
        data_b, lay_b = dataset("B", quick, work)
        data_a, lay_a = dataset("A", quick, work)
        root = os.path.join(work, "case-mixed")
        data = os.path.join(root, "data")
        if not os.path.isdir(data):
            os.makedirs(root, exist_ok=True)
            subprocess.run(["mkdir", "-p", data], check=True)
            subprocess.run(["cp", "-al", data_b, os.path.join(data, "B")], check=True)
            subprocess.run(["cp", "-al", data_a, os.path.join(data, "A")], check=True)
        return data, lay_b + lay_a
    params = bench.CASES[case]["quick" if quick else "full"]
    return bench.generate(case, params, os.path.join(work, "case-" + case))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nereid", default="build/nereid")
    ap.add_argument("--workdir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                                      "nereid-bench-md5mb"))
    ap.add_argument("--cases", default="B,A,C,mixed")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    nereid = os.path.abspath(args.nereid)
    if not os.access(nereid, os.X_OK):
        sys.exit("bench: %s: not an executable nereid binary" % nereid)
    os.makedirs(args.workdir, exist_ok=True)
    ncpu = os.cpu_count() or 1
    flags = cpu_flags()
    impls = ["scalar"]
    if "avx2" in flags:
        impls.append("avx2")
    else:
        print("bench: avx2 skipped: this CPU has no AVX2", file=sys.stderr)
    if "avx512f" in flags and "avx512vl" in flags:
        impls.append("avx512")
    else:
        print("bench: avx512 skipped: this CPU has no AVX-512 F and VL", file=sys.stderr)
    errlog = os.path.join(args.workdir, "stderr.txt")
    floor_bin = build_read_floor(args.workdir)
    env = dict(os.environ)
    for v in ("NEREID_PROJECT", "NEPTUNE_PROJECT", "NEREID_API_TOKEN", "NEPTUNE_API_TOKEN"):
        env.pop(v, None)
    rows = []
    for case in args.cases.split(","):
        data, layout = dataset(case, args.quick, args.workdir)
        nbytes = sum(s for _, s in layout)
        nfiles = len(layout)
        par_n = str(bench.xargs_batch(nfiles, ncpu))
        bench.run(["bash", "-c", 'find "$1" -type f -print0 | xargs -0 cat >/dev/null', "b",
                   data], errfile=errlog)
        jobs = [
            ("floor: xargs -P%d cat" % ncpu, None,
             ["bash", "-c", 'find "$1" -type f -print0 | xargs -0 -P"$2" -n"$3" cat',
              "b", data, str(ncpu), par_n]),
            ("xargs -P%d md5sum" % ncpu, None,
             ["bash", "-c", 'find "$1" -type f -print0 | xargs -0 -P"$2" -n"$3" md5sum',
              "b", data, str(ncpu), par_n]),
        ]
        if floor_bin:
            jobs.insert(0, ("floor: read_floor, %d threads" % ncpu, None,
                            [floor_bin, data, str(ncpu)]))
        for impl in impls:
            jobs.append(("nereid track, NEREID_MD5=" + impl, impl,
                         [nereid, "track", "data", data]))
        # Runs interleaved (every job once, then again), so that a machine
        # whose load changes weighs on every job alike.
        walls = {name: [] for name, _, _ in jobs}
        cpus = {name: [] for name, _, _ in jobs}
        for i in range(args.runs):
            for name, impl, argv in jobs:
                e = dict(env)
                if impl:
                    e["NEREID_MD5"] = impl
                    # A fresh store and hash cache: a cold track.
                    e["NEREID_HOME"] = bench.fresh(os.path.dirname(data), "home-" + impl)
                r = bench.run(argv, env=e, errfile=errlog)
                if r.rc != 0:
                    sys.exit("bench: %s failed (exit %d): %s" % (name, r.rc, r.err))
                walls[name].append(r.wall)
                cpus[name].append(r.cpu)
        times = {name: (statistics.median(walls[name]), impl, statistics.median(cpus[name]))
                 for name, impl, _ in jobs}
        ref = times["xargs -P%d md5sum" % ncpu][0]
        floor = min(wall for name, (wall, _, _) in times.items() if name.startswith("floor:"))
        print("\ncase %s: %d files, %.2f GB, %d CPUs, median of %d runs" %
              (case, nfiles, nbytes / 1e9, ncpu, args.runs))
        print("  %-32s %8s %8s %10s %9s" % ("", "wall s", "CPU s", "x md5sum", "x floor"))
        for name, (wall, impl, cpu) in times.items():
            print("  %-32s %8.3f %8.3f %10.2f %9.2f" % (name, wall, cpu, wall / ref, wall / floor))
            if impl:
                rows.append((case, impl, wall, cpu, wall / ref, wall / floor))
        print("  target: nereid <= %.1f x md5sum" % TARGETS[case])
    print("\n| case | implementation | wall s | CPU s | x xargs md5sum | x floor |")
    print("|---|---|---|---|---|---|")
    for case, impl, wall, cpu, r, fl in rows:
        print("| %s | %s | %.3f | %.3f | %.2f | %.2f |" % (case, impl, wall, cpu, r, fl))
    print("load average at the end: %s" % " ".join("%.2f" % x for x in os.getloadavg()))
    bench.cleanup(args.workdir, True)


if __name__ == "__main__":
    main()
