"""Ctrl-C and threads around the long calls: a real SIGINT sent to a process
running a long track or a long download makes the call raise
KeyboardInterrupt through the library's cancellation (the field as before,
no temporary file left); the SIGINT handler is Nereid's only during the
call; the GIL is released while the library works."""
import glob
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

import nereid
from nereid import exceptions as exc

# The child: opens the run, tracks (or downloads) with a progress bar that,
# at its first update, says "working" and waits for the parent to say it
# has sent SIGINT, so the signal always lands inside the library call.
CHILD = r"""
import os, signal, sys, time
import nereid

class Bar(nereid.ProgressBarCallback):
    first = True
    def update(self, *, by, total=None):
        if Bar.first:
            Bar.first = False
            print("working", flush=True)
            sys.stdin.readline()  # the parent has sent SIGINT

op, run_id, field, arg = sys.argv[1:5]
run = nereid.init_run(with_id=run_id)
try:
    if op == "track":
        run[field].track_files(arg, progress_bar=Bar)
    else:
        run[field].download(destination=arg, progress_bar=Bar, copy=True)
    print("finished", flush=True)
except KeyboardInterrupt as e:
    print("interrupted", getattr(e.__context__, "code_name", None), flush=True)
print("handler restored", signal.getsignal(signal.SIGINT) is signal.default_int_handler,
      flush=True)
run.stop()
"""


def run_child(op, run_id, field, arg):
    """Start the child, SIGINT it inside the call; its output lines and
    the seconds from the signal to its exit."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    p = subprocess.Popen([sys.executable, "-c", CHILD, op, run_id, field, arg],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env)
    try:
        line = p.stdout.readline()
        assert line == "working\n", line + p.stderr.read()
        p.send_signal(signal.SIGINT)
        t0 = time.monotonic()
        p.stdin.write("sent\n")
        p.stdin.flush()
        out, err = p.communicate(timeout=120)
        took = time.monotonic() - t0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 0, err
    return out.splitlines(), took


def temporaries(root):
    return sorted(glob.glob(os.path.join(root, "**", ".*.nereid-*"), recursive=True))


def test_sigint_during_a_long_track(nereid_env):
    big = nereid_env / "big"
    for d in range(20):
        (big / f"d{d:02d}").mkdir(parents=True)
        for i in range(150):
            (big / f"d{d:02d}" / f"f{i:03d}.bin").write_bytes(os.urandom(2048))
    (nereid_env / "one.txt").write_text("one\n")
    with nereid.init_run() as run:
        run["f"].track_files("one.txt")
        run_id = run["sys/id"].fetch()
        before_hash = run["f"].fetch_hash()
        before = run["f"].fetch_files_list()
    lines, took = run_child("track", run_id, "f", str(big))
    assert lines == ["interrupted cancelled", "handler restored True"], lines
    print(f"track: KeyboardInterrupt {took:.3f} s after SIGINT")
    with nereid.init_run(with_id=run_id, mode="read-only") as run:
        assert run["f"].fetch_hash() == before_hash
        assert run["f"].fetch_files_list() == before


def test_sigint_during_a_long_download(nereid_env):
    src = nereid_env / "src"
    src.mkdir()
    for i in range(4):
        with open(src / f"big{i}.bin", "wb") as f:
            chunk = os.urandom(1 << 20)
            for _ in range(24):
                f.write(chunk)
    with nereid.init_run() as run:
        run["f"].track_files("src")
        run_id = run["sys/id"].fetch()
        h = run["f"].fetch_hash()
    lines, took = run_child("download", run_id, "f", str(nereid_env / "out"))
    assert lines == ["interrupted cancelled", "handler restored True"], lines
    print(f"download: KeyboardInterrupt {took:.3f} s after SIGINT")
    assert temporaries(str(nereid_env / "out")) == []
    for i in range(4):  # every target complete or absent
        target = nereid_env / "out" / f"big{i}.bin"
        if os.path.lexists(target):
            assert not os.path.islink(target)
            assert target.read_bytes() == (src / f"big{i}.bin").read_bytes()
    with nereid.init_run(with_id=run_id, mode="read-only") as run:
        assert run["f"].fetch_hash() == h
        run["f"].download(destination=str(nereid_env / "out"), copy=True)  # completes after
    assert temporaries(str(nereid_env / "out")) == []
    assert (nereid_env / "out" / "big3.bin").read_bytes() == (src / "big3.bin").read_bytes()


def test_sigint_in_process(nereid_env):
    """os.kill(SIGINT) from inside the call: KeyboardInterrupt, nothing written,
    and Python's own handler back afterwards."""
    (nereid_env / "many").mkdir()
    for i in range(100):
        (nereid_env / "many" / f"{i}.txt").write_text(str(i))

    class KillOnce(nereid.ProgressBarCallback):
        def update(self, *, by, total=None):
            os.kill(os.getpid(), signal.SIGINT)

    with nereid.init_run() as run:
        try:
            run["f"].track_files("many", progress_bar=KillOnce)
        except KeyboardInterrupt as e:
            assert getattr(e.__context__, "code_name", None) == "cancelled"
        else:
            raise AssertionError("no KeyboardInterrupt")
        with pytest.raises(exc.MissingFieldException):
            run["f"].fetch_hash()  # the track wrote nothing
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        run["f"].track_files("many", progress_bar=False)
        assert len(run["f"].fetch_files_list()) == 100


def test_own_sigint_handler_is_left_alone(nereid_env):
    (nereid_env / "a.txt").write_text("a")
    got = []

    def mine(signum, frame):
        got.append(signum)

    class Bar(nereid.ProgressBarCallback):
        def update(self, *, by, total=None):
            assert signal.getsignal(signal.SIGINT) is mine

    old = signal.signal(signal.SIGINT, mine)
    try:
        with nereid.init_run() as run:
            run["f"].track_files("a.txt", progress_bar=Bar)
            assert len(run["f"].fetch_files_list()) == 1
        assert signal.getsignal(signal.SIGINT) is mine
    finally:
        signal.signal(signal.SIGINT, old)


def test_long_calls_in_another_thread(datasets):
    """Only the main thread can own SIGINT: elsewhere the calls just run."""
    errors = []

    def work():
        try:
            with nereid.init_run() as run:
                run["d"].track_files("datasets", progress_bar=False)
                run["d"].status(progress_bar=False)
                run["d"].download(destination="out-thread", progress_bar=False)
        except BaseException as e:  # noqa: B902
            errors.append(e)

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert errors == []
    assert os.path.islink("out-thread/train/sample.csv")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_gil_released_while_the_library_works(datasets):
    """The track must wait for the store's write lock, held by a Python
    thread that counts for a while and only then commits: the track can
    only return once that thread ran Python code, which it cannot do while
    the call holds the GIL (the library would give up after its busy
    timeout, and the track would fail)."""
    with nereid.init_run() as run:
        run["a"].track_files("datasets/train/sample.csv")
        (db,) = glob.glob(os.path.join(os.environ["NEREID_HOME"], "**", "store.db"),
                          recursive=True)
        conn = sqlite3.connect(db, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("BEGIN IMMEDIATE")  # the store's write lock
        counted = []
        call_started = threading.Event()

        def other():
            call_started.wait()
            n = 0
            for _ in range(50):  # counts while the track waits inside the library
                time.sleep(0.01)
                n += sum(1 for _ in range(1000))
            counted.append(n)
            conn.execute("COMMIT")

        t = threading.Thread(target=other)
        t.start()
        call_started.set()
        run["b"].track_files("datasets", progress_bar=False)
        t.join()
        conn.close()
        assert counted == [50_000]
        assert len(run["b"].fetch_files_list()) == 2


def test_sigint_during_status_and_download(nereid_env):
    (nereid_env / "many").mkdir()
    for i in range(50):
        (nereid_env / "many" / f"{i}.txt").write_text(str(i))

    class KillOnce(nereid.ProgressBarCallback):
        def update(self, *, by, total=None):
            os.kill(os.getpid(), signal.SIGINT)

    with nereid.init_run() as run:
        run["f"].track_files("many")
        for call in (lambda: run["f"].status(progress_bar=KillOnce),
                     lambda: run["f"].download(destination="out", progress_bar=KillOnce,
                                               copy=True)):
            try:
                call()
            except KeyboardInterrupt as e:
                assert getattr(e.__context__, "code_name", None) == "cancelled"
            else:
                raise AssertionError("no KeyboardInterrupt")
            assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        assert temporaries("out") == []
        assert not run["f"].status()  # the run still works
