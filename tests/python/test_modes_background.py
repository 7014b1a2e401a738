"""Async mode's background sender and the processes of one run (SPEC
section 9, issue 11): a track into a server that is stopped (SIGSTOP)
returns while it is stopped, and wait() delivers everything once it is
continued; four processes of one custom_run_id share one run and one queue,
and with one of them killed -9 mid-way `nereid sync` delivers the rest: the
server holds every field a track returned for, each applied once."""
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading

import nereid

from test_modes import _env, _sync, server  # noqa: F401  (the fixture)

# How long a test waits before it calls a call hung (a guard against a
# hung test, never a figure the test checks).
HANG_GUARD_S = 300
# The guard on tracks into the stopped server: generous for tracks that
# return at once, and below the HTTP store's 30 s stall timeout, the only
# way a track that sent its request in the caller's thread could come back
# while the server stays stopped.
TRACK_GUARD_S = 20


def _flat(tree, prefix=""):
    out = []
    for k, v in tree.items():
        if isinstance(v, dict):
            out += _flat(v, f"{prefix}{k}/")
        else:
            out.append(f"{prefix}{k}")
    return out


def _applied(server):
    db = sqlite3.connect(os.path.join(server.store, "store.db"))
    try:
        return db.execute("SELECT count(*), count(DISTINCT queue || ':' || seq) "
                          "FROM applied_ops").fetchone()
    finally:
        db.close()


def test_track_returns_while_the_server_is_stopped(server, datasets, capfd):
    run = nereid.init_run()
    assert run["sys/id"].fetch() == "MOD-1"
    files = []
    for i in range(5):
        f = datasets / f"f{i}.txt"
        f.write_text(f"file {i}\n")
        files.append(f)
    run["first"].track_files(str(files[0]))
    run.wait()
    returned = threading.Event()
    failure = []

    def loop():
        try:
            for i, f in enumerate(files):
                run[f"f{i}"].track_files(str(f))
        except Exception as e:  # reported below, in the test's thread
            failure.append(e)
        returned.set()

    os.kill(server.proc.pid, signal.SIGSTOP)
    try:
        t = threading.Thread(target=loop, daemon=True)
        t.start()
        # The tracks return while the server cannot answer anything.
        t.join(TRACK_GUARD_S)
        assert returned.is_set(), "a track waited on the stopped server"
        assert not failure, failure
    finally:
        os.kill(server.proc.pid, signal.SIGCONT)
    run.wait(timeout=HANG_GUARD_S)
    run.stop()
    assert "nereid sync" not in capfd.readouterr().err
    back = nereid.init_run(with_id="MOD-1", mode="read-only")
    for i in range(5):
        assert [f.file_path for f in back[f"f{i}"].fetch_files_list()] == [f"f{i}.txt"]
    back.stop()
    count, distinct = _applied(server)
    assert count == distinct == 6


def test_reads_of_an_async_run_see_its_own_writes(server, datasets):
    with nereid.init_run() as run:
        run["data"].track_files(str(datasets))
        assert [f.file_path for f in run["data"].fetch_files_list()] == [
            "train/more.csv", "train/sample.csv"]
        assert len(run["data"].fetch_hash()) == 64


RANK = textwrap.dedent("""
    import sys, pathlib, nereid
    rank, count, folder = int(sys.argv[1]), int(sys.argv[2]), pathlib.Path(sys.argv[3])
    pause_at = int(sys.argv[4])
    run = nereid.init_run(custom_run_id="ranks-1")
    print("id", run["sys/id"].fetch(), flush=True)
    for j in range(count):
        f = folder / f"r{rank}_{j}.txt"
        f.write_text(f"rank {rank} file {j}\\n")
        run[f"rank{rank}/f{j}"].track_files(str(f))
        print("tracked", f"rank{rank}/f{j}", flush=True)
        if j + 1 == pause_at:
            sys.stdin.read()  # until killed
    run.stop()
""")


def _ranks(tmp_path, count, kill_rank=None, kill_after=0, server=None):
    """Four ranks of one run. With kill_rank, that one is killed -9 while it
    waits after kill_after tracks returned; with server too, the server is
    stopped from the moment that rank has its run until it is killed, so
    what it queued cannot have been acknowledged before the kill."""
    script = tmp_path / "rank.py"
    script.write_text(RANK)
    folder = tmp_path / "rankfiles"
    folder.mkdir(exist_ok=True)
    procs = [subprocess.Popen([sys.executable, str(script), str(r), str(count), str(folder),
                               str(kill_after if r == kill_rank else -1)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=dict(os.environ))
             for r in range(4)]
    outs = [[] for _ in range(4)]
    order = sorted(range(4), key=lambda r: r != kill_rank)
    for r in order:
        p, lines = procs[r], outs[r]
        if r == kill_rank:
            stopped = False
            try:
                while sum(1 for x in lines if x.startswith("tracked")) < kill_after:
                    line = p.stdout.readline()
                    assert line, p.stderr.read()
                    lines.append(line.strip())
                    if line.startswith("id ") and server is not None:
                        os.kill(server.proc.pid, signal.SIGSTOP)
                        stopped = True
                p.kill()
                rest, err = p.communicate(timeout=HANG_GUARD_S)
                assert p.returncode == -signal.SIGKILL
            finally:
                if stopped:
                    os.kill(server.proc.pid, signal.SIGCONT)
        else:
            rest, err = p.communicate(timeout=HANG_GUARD_S)
            assert p.returncode == 0, err
        lines += [x.strip() for x in rest.splitlines() if x.strip()]
    return outs


def _check_ranks(server, outs):
    ids = {line.split()[1] for lines in outs for line in lines if line.startswith("id ")}
    assert ids == {"MOD-1"}, "one run for the four processes"
    told = {line.split()[1] for lines in outs for line in lines if line.startswith("tracked")}
    back = nereid.init_run(with_id="MOD-1", mode="read-only")
    fields = {f for f in _flat(back.get_structure()) if f.startswith("rank")}
    # Every field a track returned for is there, with its one file.
    assert told <= fields
    for field in sorted(fields):
        rank, j = field[4:].split("/f")
        assert [f.file_path for f in back[field].fetch_files_list()] == [f"r{rank}_{j}.txt"]
    back.stop()
    # Each operation applied once: as many as the fields.
    count, distinct = _applied(server)
    assert count == distinct == len(fields)
    return fields


def test_four_processes_of_one_run_share_it(server, tmp_path, nereid_bin):
    outs = _ranks(tmp_path, 6)
    fields = _check_ranks(server, outs)
    assert len(fields) == 24
    # One queue was shared, and the last process to close removed it.
    assert os.listdir(os.path.join(os.environ["NEREID_HOME"], "queue")) == []


def _queued_ops(nereid_bin, url):
    """Operations still queued, summed over `nereid sync --status`."""
    status = _sync(nereid_bin, url, "--status")
    assert status.returncode == 0, status.stderr
    total = 0
    for line in status.stdout.splitlines():
        n = line.split(" operation")[0].split()[-1]
        total += int(n)
    return total


def test_a_process_killed_mid_run_is_delivered_by_sync(server, tmp_path, nereid_bin):
    # Rank 2 is killed -9 once three of its tracks returned, the server
    # stopped meanwhile: what it queued is in the shared queue (its sender
    # killed mid-request, perhaps), delivered by the other ranks' senders or
    # by `nereid sync`, once.
    outs = _ranks(tmp_path, 6, kill_rank=2, kill_after=3, server=server)
    done = _sync(nereid_bin, server.url)
    assert done.returncode == 0, done.stderr
    fields = _check_ranks(server, outs)
    assert 21 <= len(fields) <= 24
    assert _queued_ops(nereid_bin, server.url) == 0


def test_one_warning_when_the_server_is_gone(server, datasets, capfd, nereid_bin):
    run = nereid.init_run()
    run["data"].track_files(str(datasets))
    run.wait()
    server.kill()
    # The training loop goes on: no exception, one warning in all.
    run["more"].track_files(str(datasets))
    run["again"].track_files(str(datasets))
    run.wait(timeout=0.2)
    run.stop()
    err = capfd.readouterr().err
    assert err.count("nereid sync") == 1, err
    assert "MOD-1" in err
    server.start()  # the same store, a new address
    os.environ["NEREID_STORE"] = server.url
    done = _sync(nereid_bin, server.url)
    assert done.returncode == 0, done.stderr
    back = nereid.init_run(with_id="MOD-1", mode="read-only")
    assert {"data", "more", "again"} <= set(_flat(back.get_structure()))
    back.stop()
