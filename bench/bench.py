#!/usr/bin/env python3
"""Nereid performance benchmark (issue 4): generates deterministic datasets in a
temporary folder and times `nereid track` (cold and warm hash cache),
`nereid ls --json` and `nereid download` side by side with md5sum, parallel
md5sum and a stat-only find walk. Prints a table (median wall time, CPU time,
files/s, MB/s, peak RSS, ratios to the references, targets) and can write it
as markdown. Run it through bench/run.sh; see bench/README.md."""

import argparse
import datetime
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

KIB = 1024
MIB = 1024 * 1024

# Dataset definitions: full size and --quick size.
CASES = {
    "A": {
        "what": "small files (1-8 KiB) in a three-level tree",
        "full": {"files": 100_000},
        "quick": {"files": 10_000},
        "seed": 0xA,
    },
    "B": {
        "what": "large files (256 MiB each)",
        "full": {"files": 8, "size": 256 * MIB},
        "quick": {"files": 2, "size": 64 * MIB},
        "seed": 0xB,
    },
    "C": {
        "what": "medium files (100 KiB each)",
        "full": {"files": 10_000, "size": 100 * KIB},
        "quick": {"files": 2_000, "size": 100 * KIB},
        "seed": 0xC,
    },
}

# Reference tools and Nereid commands, in the order they appear in the table.
REF_MD5 = "md5sum (find|xargs)"
REF_PAR = "md5sum xargs -P{n}"
REF_STAT = "find -printf stat"
REF_LINK = "cp -rs (symlink tree)"
NER_COLD = "nereid track cold"
NER_WARM = "nereid track warm"
NER_LS = "nereid ls --json"
NER_DL = "nereid download"
# The Python binding (case A only): the same track from Python, and
# fetch_files_list() of the warm store's run (the call alone, timed inside Python).
NER_PY_TRACK = "nereid py track_files cold"
NER_PY_LS = "nereid py fetch_files_list"
PY_OP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "py_op.py")
PY_PACKAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python")

POOL_SIZE = 8 * MIB  # random bytes that file contents are cut from
OLD_MTIME_AGE = 2 * 3600  # generated files are dated this many seconds ago


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- datasets


def dataset_layout(case, params):
    """Deterministic list of (relative path, size) for a case."""
    rng = random.Random(CASES[case]["seed"])
    files = []
    n = params["files"]
    if case == "A":
        # three directory levels of 10 x 10 x 10 folders, files spread evenly
        for i in range(n):
            leaf = i % 1000
            rel = "l1-%d/l2-%d/l3-%d/f%06d.bin" % (leaf // 100, (leaf // 10) % 10, leaf % 10, i)
            files.append((rel, rng.randint(1 * KIB, 8 * KIB)))
    else:
        for i in range(n):
            files.append(("f%05d.bin" % i, params["size"]))
    return files


def generate(case, params, root):
    """Writes the dataset under root (reused when a matching stamp exists)."""
    layout = dataset_layout(case, params)
    stamp_path = os.path.join(root, ".bench-stamp")
    stamp = json.dumps({"case": case, "params": params, "version": 1}, sort_keys=True)
    data = os.path.join(root, "data")
    if os.path.exists(stamp_path):
        with open(stamp_path) as f:
            if f.read() == stamp:
                log("  dataset %s: reusing %s" % (case, data))
                return data, layout
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(data)
    t0 = time.perf_counter()
    rng = random.Random(CASES[case]["seed"] * 7919 + 1)
    pool = rng.randbytes(POOL_SIZE)
    old = time.time() - OLD_MTIME_AGE
    made = set()
    chunk = 1 * MIB
    for idx, (rel, size) in enumerate(layout):
        path = os.path.join(data, rel)
        d = os.path.dirname(path)
        if d not in made:
            os.makedirs(d, exist_ok=True)
            made.add(d)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            done = 0
            part = 0
            while done < size:
                n = min(chunk, size - done)
                # a unique 16-byte header per chunk, then bytes cut from the pool
                head = (b"%s%07d%07d" % (case.encode(), idx, part))[:16]
                off = rng.randrange(0, POOL_SIZE - chunk)
                body = head + pool[off : off + max(0, n - len(head))]
                os.write(fd, body[:n])
                done += n
                part += 1
        finally:
            os.close(fd)
        os.utime(path, (old, old))
    for d in made | {data}:
        os.utime(d, (old, old))
    with open(stamp_path, "w") as f:
        f.write(stamp)
    total = sum(s for _, s in layout)
    log(
        "  dataset %s: %d files, %.1f MB generated in %.1f s"
        % (case, len(layout), total / 1e6, time.perf_counter() - t0)
    )
    return data, layout


# ---------------------------------------------------------------- running


class Result:
    def __init__(self, wall, cpu, rss_kib, rc, err):
        self.wall = wall
        self.cpu = cpu
        self.rss_kib = rss_kib
        self.rc = rc
        self.err = err


GNU_TIME = None  # path of GNU time when it works; peak RSS is measured with it


def find_gnu_time():
    """GNU time (`-f %M`) measures a child forked from a small process. Without
    it, wait4's ru_maxrss also counts this Python process's own pre-exec image
    (Linux keeps the larger of the two), so RSS is only an upper bound."""
    for path in ("/usr/bin/time", shutil.which("gtime") or ""):
        if path and os.access(path, os.X_OK):
            try:
                out = subprocess.run([path, "-f", "%M", "-o", "/dev/stdout", "true"],
                                     capture_output=True, text=True, timeout=10)
            except (OSError, subprocess.SubprocessError):
                continue
            if out.returncode == 0 and out.stdout.strip().isdigit():
                return path
    return None


def run(argv, env=None, stdout="/dev/null", errfile=None):
    """Spawns argv and waits for it: wall seconds, user+sys CPU seconds of it
    and its descendants, and its peak RSS in KiB (the largest process)."""
    rssfile = errfile + ".rss"
    if GNU_TIME:
        argv = [GNU_TIME, "-f", "%M", "-o", rssfile, "--"] + argv
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_OPEN, 2, errfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    ]
    path = shutil.which(argv[0]) if os.sep not in argv[0] else argv[0]
    t0 = time.perf_counter()
    pid = os.posix_spawn(path, argv, env if env is not None else os.environ, file_actions=actions)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    rc = os.waitstatus_to_exitcode(status)
    rss = ru.ru_maxrss
    if GNU_TIME:
        try:
            with open(rssfile) as f:
                rss = int(f.read().split()[-1])
        except (OSError, ValueError, IndexError):
            rss = 0
    err = ""
    if rc != 0:
        with open(errfile, errors="replace") as f:
            err = f.read()[-2000:]
    return Result(wall, ru.ru_utime + ru.ru_stime, rss, rc, err)


def xargs_batch(nfiles, ncpu):
    """Files per md5sum (or cat) for `xargs -P ncpu -n K`: about 4 batches per
    CPU, so that -P keeps every CPU busy (B: one file per process). No cap:
    xargs splits a batch that does not fit its 128 KiB command buffer by
    itself (about 2,800 paths of case A), and a smaller K only adds process
    starts to the reference (K = 256 made case A's md5sum 391 processes and
    about 50% slower)."""
    return max(1, -(-nfiles // (ncpu * 4)))


def drop_tree(path):
    if os.path.lexists(path):
        shutil.rmtree(path)


def fresh(root, prefix):
    """A new, not yet existing path root/prefix-N. Nothing is deleted while the
    benchmark is timing: on ext4 without a journal, creating files shortly
    after many deletions is many times slower (the inode allocator skips
    recently freed inodes), which would distort the download rows. Everything
    made here is removed by cleanup() at the very end."""
    n = 1
    while os.path.lexists(os.path.join(root, "%s-%d" % (prefix, n))):
        n += 1
    return os.path.join(root, "%s-%d" % (prefix, n))


def cleanup(work, keep_data):
    """Removes the work folder, or with --workdir everything but the datasets."""
    if not keep_data:
        shutil.rmtree(work, ignore_errors=True)
        return
    for case_dir in os.listdir(work):
        full = os.path.join(work, case_dir)
        if not (case_dir.startswith("case-") and os.path.isdir(full)):
            continue
        for name in os.listdir(full):
            if name not in ("data", ".bench-stamp"):
                p = os.path.join(full, name)
                if os.path.isdir(p) and not os.path.islink(p):
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    os.unlink(p)


# ---------------------------------------------------------------- targets


def targets_for(case, full, nfiles, nbytes):
    """(tool -> (kind, value, text)) for the time targets of issue 4. Absolute
    time targets are scaled to the dataset size when it is not the full one."""
    scale_files = nfiles / CASES[case]["full"]["files"]
    t = {}
    if case == "A":
        t[NER_COLD] = ("ratio", (REF_PAR, 1.0), "<= 1.0 x xargs -P")
        t[NER_WARM] = ("ratio", (REF_STAT, 2.5), "<= 2.5 x find stat")
        lim = 1.0 * (1.0 if full else scale_files)
        t[NER_LS] = ("abs", lim, "<= %.2g s%s" % (lim, "" if full else " (scaled)"))
        t[NER_PY_TRACK] = ("ratio", (NER_COLD, 1.1), "<= 1.1 x nereid track cold")
        t[NER_PY_LS] = ("abs", lim, "<= %.2g s%s" % (lim, "" if full else " (scaled)"))
    elif case == "B":
        t[NER_COLD] = ("ratio", (REF_PAR, 0.9), "<= 0.9 x xargs -P")
    elif case == "C":
        full_bytes = CASES["C"]["full"]["files"] * CASES["C"]["full"]["size"]
        lim = 1.5 * (1.0 if full else nbytes / full_bytes)
        t[NER_COLD] = ("abs", lim, "< %.2g s%s" % (lim, "" if full else " (scaled)"))
    return t


def rss_limit_mib(nfiles):
    return 64 + nfiles / 1024.0


# ---------------------------------------------------------------- one case


def bench_case(case, args, work, nereid, ncpu):
    full = not args.quick
    params = CASES[case]["quick" if args.quick else "full"]
    layout = dataset_layout(case, params)
    nfiles = len(layout)
    nbytes = sum(s for _, s in layout)
    root = os.path.join(work, "case-" + case)

    # disk space: the data, a block of slack per file, and, kept until the end
    # (see fresh() below), one store and two link trees per run
    need = nbytes + nfiles * 8 * KIB + args.runs * nfiles * (2 * 4 * KIB + 2 * KIB) + 256 * MIB
    os.makedirs(work, exist_ok=True)
    stamp = os.path.join(root, ".bench-stamp")
    have = shutil.disk_usage(work).free + (nbytes if os.path.exists(stamp) else 0)
    if have < need:
        log(
            "  case %s SKIPPED: needs %.1f GB free in %s, only %.1f GB available"
            % (case, need / 1e9, work, have / 1e9)
        )
        return None, "skipped: not enough disk space (%.1f GB needed)" % (need / 1e9)
    avail = mem_available()
    if avail is not None and avail < nbytes * 1.3:
        log(
            "  case %s: warning: %.1f GB of memory available for %.1f GB of data, "
            "it may not stay in the page cache" % (case, avail / 1e9, nbytes / 1e9)
        )

    data, layout = generate(case, params, root)
    errlog = os.path.join(work, "stderr.txt")
    base_env = dict(os.environ)
    base_env.pop("NEREID_PROJECT", None)
    base_env.pop("NEPTUNE_PROJECT", None)
    base_env.pop("NEREID_API_TOKEN", None)
    base_env.pop("NEPTUNE_API_TOKEN", None)
    wargs = ["--workers", str(args.workers)] if args.workers is not None else []

    def nenv(home):
        e = dict(base_env)
        e["NEREID_HOME"] = home
        return e

    # page cache: read everything once
    r = run(
        ["bash", "-c", 'find "$1" -type f -print0 | xargs -0 cat', "bench", data], errfile=errlog
    )
    log("  page cache warm-up read: %.2f s" % r.wall)

    # warm store: one untimed track fills the hash cache; its run serves ls/download
    home_warm = fresh(root, "home-warm")
    out = os.path.join(work, "track.out")
    r = run([nereid, "track", "data", data] + wargs, env=nenv(home_warm), stdout=out, errfile=errlog)
    if r.rc != 0:
        log("  case %s: nereid track failed (exit %d):\n%s" % (case, r.rc, r.err))
        return None, "FAILED: the first nereid track exited with %d" % r.rc
    with open(out) as f:
        run_id = f.read().split()[0]
    ref = run_id + ":data"

    par_n = str(xargs_batch(nfiles, ncpu))
    jobs = [
        (REF_MD5, lambda: run(
            ["bash", "-c", 'set -o pipefail; find "$1" -type f -print0 | xargs -0 md5sum',
             "bench", data], errfile=errlog)),
        (REF_PAR, lambda: run(
            ["bash", "-c",
             'set -o pipefail; find "$1" -type f -print0 | xargs -0 -P"$2" -n"$3" md5sum',
             "bench", data, str(ncpu), par_n], errfile=errlog)),
        (REF_STAT, lambda: run(
            ["find", data, "-type", "f", "-printf", "%s %T@\\n"], errfile=errlog)),
        (REF_LINK, None),
        (NER_COLD, None),
        (NER_WARM, lambda: run(
            [nereid, "track", "data", data] + wargs, env=nenv(home_warm), errfile=errlog)),
        (NER_LS, lambda: run(
            [nereid, "ls", ref, "--json"], env=nenv(home_warm), errfile=errlog)),
        (NER_DL, None),
    ]
    library = args.library
    if case == "A" and library:
        jobs += [(NER_PY_TRACK, None), (NER_PY_LS, None)]
    last_dest = []

    def py_env(home):
        e = nenv(home)
        e["NEREID_LIBRARY"] = library
        e["PYTHONPATH"] = PY_PACKAGE + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
        return e

    def py_track():
        home = fresh(root, "home-py")
        return run([sys.executable, PY_OP, "track", data], env=py_env(home), errfile=errlog)

    def py_list():
        out = os.path.join(work, "py_list.out")
        r = run([sys.executable, PY_OP, "list", run_id], env=py_env(home_warm), stdout=out,
                errfile=errlog)
        if r.rc == 0:
            with open(out) as f:
                count, took = f.read().split()
            if int(count) != nfiles:
                r.rc, r.err = 1, "fetch_files_list gave %s records for %d files" % (count, nfiles)
            r.wall = float(took)  # the call alone, not the interpreter's start
        return r

    def cold():
        home = fresh(root, "home-cold")
        return run([nereid, "track", "data", data] + wargs, env=nenv(home), errfile=errlog)

    def download():
        dest = fresh(root, "download")
        last_dest[:] = [dest]
        return run([nereid, "download", ref, "--destination", dest] + wargs,
                   env=nenv(home_warm), errfile=errlog)

    def cp_links():
        return run(["cp", "-rs", data, fresh(root, "cp-rs")], errfile=errlog)

    samples = {name: [] for name, _ in jobs}
    failures = {}
    for rep in range(args.runs):
        for name, fn in jobs:
            if name in failures:
                continue
            if name == NER_COLD:
                fn = cold
            elif name == NER_DL:
                fn = download
            elif name == REF_LINK:
                fn = cp_links
            elif name == NER_PY_TRACK:
                fn = py_track
            elif name == NER_PY_LS:
                fn = py_list
            res = fn()
            if res.rc != 0:
                last = res.err.strip().splitlines()
                failures[name] = "exit %d: %s" % (res.rc, last[-1] if last else "")
                log("  %s failed (exit %d):\n%s" % (name, res.rc, res.err))
                continue
            samples[name].append(res)
        log("  run %d/%d done" % (rep + 1, args.runs))

    problems = check_results(nereid, nenv(home_warm), ref, data, layout,
                             last_dest[0] if last_dest else None, work)
    for p in problems:
        log("  CHECK FAILED: " + p)

    med = {}
    for name, res in samples.items():
        if res:
            med[name] = {
                "wall": statistics.median(x.wall for x in res),
                "cpu": statistics.median(x.cpu for x in res),
                "rss_mib": max(x.rss_kib for x in res) / 1024.0,
            }
    info = {
        "case": case,
        "what": CASES[case]["what"],
        "files": nfiles,
        "bytes": nbytes,
        "med": med,
        "failures": failures,
        "problems": problems,
        "targets": targets_for(case, full, nfiles, nbytes),
        "par_label": REF_PAR.format(n=ncpu),
        "par_n": par_n,
    }
    return info, None


def check_results(nereid, env, ref, data, layout, dest, work):
    """Untimed sanity checks: the records match the files, the links exist."""
    problems = []
    out = os.path.join(work, "ls.json")
    r = run([nereid, "ls", ref, "--json"], env=env, stdout=out, errfile=os.path.join(work, "e"))
    if r.rc != 0:
        return ["nereid ls failed: " + r.err.strip()]
    with open(out, "rb") as f:
        try:
            records = json.loads(f.read())
        except ValueError as e:
            return ["nereid ls --json printed invalid JSON: %s" % e]
    if len(records) != len(layout):
        problems.append("%d records for %d files" % (len(records), len(layout)))
    by_path = {rec.get("file_path"): rec for rec in records}
    rng = random.Random(42)
    for rel, size in rng.sample(layout, min(5, len(layout))):
        rec = by_path.get(rel)
        if rec is None:
            problems.append("no record for %s" % rel)
            continue
        h = hashlib.md5()
        with open(os.path.join(data, rel), "rb") as f:
            for block in iter(lambda: f.read(MIB), b""):
                h.update(block)
        if rec.get("file_hash") != h.hexdigest() or rec.get("size") != size:
            problems.append("record of %s does not match the file" % rel)
    links = 0
    for _, _, names in os.walk(dest or "/nonexistent"):
        links += len(names)
    if dest and links != len(layout):
        problems.append("download made %d entries for %d files" % (links, len(layout)))
    return problems


def mem_available():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * KIB
    except OSError:
        pass
    return None


# ---------------------------------------------------------------- report

COLUMNS = [
    "case", "tool", "wall s", "CPU s", "files/s", "MB/s", "peak RSS MiB",
    "x md5sum", "x xargs -P", "x find stat", "x cp -rs", "target", "met", "RSS ok",
]
RATIO_REFS = (REF_MD5, REF_PAR, REF_STAT, REF_LINK)
NUMERIC = {2, 3, 4, 5, 6, 7, 8, 9, 10}

READS_CONTENT = {REF_MD5, REF_PAR, NER_COLD, NER_WARM, NER_PY_TRACK}


def fmt_rate(x):
    if x >= 100:
        return "%.0f" % x
    return "%.3g" % x


def table_rows(infos):
    rows = []
    verdicts = []
    for info in infos:
        med = info["med"]
        case = info["case"]
        par = info["par_label"]
        refs = {r: med.get(r) for r in RATIO_REFS}
        order = [REF_MD5, REF_PAR, REF_STAT, REF_LINK, NER_COLD, NER_WARM, NER_LS, NER_DL,
                 NER_PY_TRACK, NER_PY_LS]
        for name in order:
            label = par if name == REF_PAR else name
            if name in info["failures"]:
                rows.append([case, label, "FAILED"] + [""] * (len(COLUMNS) - 5) + ["NO", ""])
                verdicts.append((case, label, False, "failed: " + info["failures"][name]))
                continue
            m = med.get(name)
            if m is None:
                continue
            wall = m["wall"]
            row = [
                case, label, "%.3f" % wall, "%.2f" % m["cpu"],
                fmt_rate(info["files"] / wall),
                fmt_rate(info["bytes"] / 1e6 / wall) if name in READS_CONTENT else "-",
                "%.1f" % m["rss_mib"],
            ]
            is_nereid = name.startswith("nereid")
            for rname in RATIO_REFS:
                r = refs[rname]
                # cp -rs does what download does; comparing it with tracking means nothing
                useful = is_nereid and r and ((rname == REF_LINK) == (name == NER_DL))
                row.append("%.2f" % (wall / r["wall"]) if useful else "")
            tgt = info["targets"].get(name)
            if tgt:
                kind, val, text = tgt
                if kind == "ratio":
                    r = med.get(val[0])
                    ok = r is not None and wall <= val[1] * r["wall"]
                else:
                    ok = wall <= val
                row += [text, "yes" if ok else "NO"]
                verdicts.append((case, label, ok, text))
            else:
                row += ["", ""]
            if is_nereid and name not in (NER_PY_TRACK, NER_PY_LS):  # Python's objects are not Nereid's
                lim = rss_limit_mib(info["files"])
                ok = m["rss_mib"] <= lim
                row.append("yes" if ok else "NO (> %.0f)" % lim)
                if not ok:
                    verdicts.append((case, label + " memory", False, "RSS <= %.0f MiB" % lim))
            else:
                row.append("")
            rows.append(row)
    return rows, verdicts


def text_table(rows):
    widths = [max(len(COLUMNS[i]), *(len(r[i]) for r in rows)) for i in range(len(COLUMNS))]
    right = NUMERIC
    lines = []

    def line(cells):
        out = []
        for i, c in enumerate(cells):
            out.append(c.rjust(widths[i]) if i in right else c.ljust(widths[i]))
        return "  ".join(out).rstrip()

    lines.append(line(COLUMNS))
    lines.append("  ".join("-" * w for w in widths))
    prev = None
    for r in rows:
        if prev is not None and r[0] != prev:
            lines.append("")
        prev = r[0]
        lines.append(line(r))
    return "\n".join(lines)


def markdown_table(rows):
    out = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join(
        "---:" if i in NUMERIC else "---" for i in range(len(COLUMNS))) + "|"]
    for r in rows:
        out.append("| " + " | ".join(c if c else " " for c in r) + " |")
    return "\n".join(out)


def environment(args, nereid, ncpu):
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = "%.1f GB RAM" % (int(f.readline().split()[1]) * KIB / 1e9)
    except (OSError, ValueError, IndexError):
        pass
    return (
        "%s, %d CPUs (%s), %s, %s; mode %s, %d runs per tool (median); peak RSS %s; nereid %s%s"
        % (
            datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            ncpu, cpu or "unknown CPU", mem, platform.platform(),
            "quick" if args.quick else "full", args.runs,
            "by GNU time" if GNU_TIME else "UPPER BOUND (no GNU time)", nereid,
            "" if args.workers is None else " --workers %d" % args.workers,
        )
    )


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(
        description="Nereid benchmark: track/ls/download against md5sum and find.")
    ap.add_argument("--nereid", default="build/nereid", help="the nereid binary")
    ap.add_argument("--quick", action="store_true",
                    help="smaller datasets (A 10,000 files, B 2 x 64 MiB, C 2,000) and 3 runs")
    ap.add_argument("--cases", default="A,B,C", help="comma-separated subset of A,B,C")
    ap.add_argument("--runs", type=int, default=None,
                    help="repetitions per tool, the median is reported (default 5, quick 3)")
    ap.add_argument("--markdown", metavar="FILE", help="also write the table as markdown")
    ap.add_argument("--workdir", metavar="DIR",
                    help="generate the datasets in DIR and keep them for the next run "
                         "(default: a temporary folder, removed at the end)")
    ap.add_argument("--workers", type=int, default=None,
                    help="pass --workers N to nereid (default: nereid's own default)")
    ap.add_argument("--library", default=None,
                    help="libnereid.so for the Python rows of case A (default: the one next "
                         "to the nereid binary; 'none' leaves the Python rows out)")
    args = ap.parse_args()
    if args.runs is None:
        args.runs = 3 if args.quick else 5
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    cases = [c.strip().upper() for c in args.cases.split(",") if c.strip()]
    for c in cases:
        if c not in CASES:
            ap.error("unknown case %r (choose from A, B, C)" % c)
    for tool in ("find", "xargs", "md5sum", "bash"):
        if shutil.which(tool) is None:
            ap.error("%s is needed (coreutils/findutils)" % tool)
    nereid = os.path.abspath(args.nereid)
    if not os.access(nereid, os.X_OK):
        ap.error("%s: not an executable" % nereid)
    if args.library is None:
        args.library = os.path.join(os.path.dirname(nereid), "libnereid.so")
        if not os.path.exists(args.library):
            log("note: no %s: the Python rows are left out" % args.library)
            args.library = ""
    elif args.library == "none":
        args.library = ""
    if args.library and args.workers is not None:
        log("note: the Python binding has no --workers: the Python rows are left out")
        args.library = ""
    elif args.library:
        args.library = os.path.abspath(args.library)
        if not os.path.exists(args.library):
            ap.error("%s: no such library" % args.library)
    ncpu = len(os.sched_getaffinity(0))
    global GNU_TIME
    GNU_TIME = find_gnu_time()
    if GNU_TIME is None:
        log("warning: GNU time (/usr/bin/time, Debian package `time`) not found: "
            "peak RSS values are upper bounds that include the Python driver's own size")

    if args.workdir:
        work = os.path.abspath(args.workdir)
        os.makedirs(work, exist_ok=True)
        keep = True
    else:
        work = tempfile.mkdtemp(prefix="nereid-bench.")
        keep = False
    env_line = environment(args, nereid, ncpu)
    log("nereid benchmark: " + env_line)
    log("work folder: " + work)
    load0 = os.getloadavg()[0]
    infos = []
    skipped = []
    t0 = time.perf_counter()
    try:
        for case in cases:
            log("case %s: %s" % (case, CASES[case]["what"]))
            info, why = bench_case(case, args, work, nereid, ncpu)
            if info is None:
                skipped.append((case, why))
            else:
                infos.append(info)
    finally:
        log("removing the benchmark's files from " + work)
        cleanup(work, keep)
    total = time.perf_counter() - t0
    env_line += "; load average %.1f before the start" % load0

    rows, verdicts = table_rows(infos)
    notes = []
    for info in infos:
        notes.append(
            "case %s: %s, %d files, %.1f MB; xargs -P%d -n%s"
            % (info["case"], info["what"], info["files"], info["bytes"] / 1e6,
               ncpu, info["par_n"]))
        for p in info["problems"]:
            notes.append("case %s: CHECK FAILED: %s" % (info["case"], p))
    for case, why in skipped:
        notes.append("case %s: %s" % (case, why))
    met = sum(1 for v in verdicts if v[2])
    summary = "targets met: %d of %d" % (met, len(verdicts))
    missed = ["%s %s (%s)" % (c, t, txt) for c, t, ok, txt in verdicts if not ok]

    print()
    print(env_line)
    for n in notes:
        print(n)
    print()
    if rows:
        print(text_table(rows))
        print()
    print(summary + ("; missed: " + "; ".join(missed) if missed else ""))
    print("benchmark took %.0f s" % total)

    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("# Nereid benchmark\n\n")
            f.write(env_line + "\n\n")
            for n in notes:
                f.write("- " + n + "\n")
            f.write("\n" + (markdown_table(rows) if rows else "(no case ran)") + "\n\n")
            f.write(summary + ("; missed: " + "; ".join(missed) if missed else "") + "\n")
        log("markdown table written to " + args.markdown)
    if load0 > ncpu * 0.5:
        log("note: the load average was %.1f before the start on %d CPUs: other work "
            "was competing with the benchmark, its times are noisy" % (load0, ncpu))
    problems = any(info["problems"] or info["failures"] for info in infos)
    problems = problems or any(why.startswith("FAILED") for _, why in skipped)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
