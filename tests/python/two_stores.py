#!/usr/bin/env python3
"""two_stores.py - libnereid through ctypes, configured by options only.

Loads the built libnereid.so (its path in NEREID_LIBRARY), removes every
NEREID_*, NEPTUNE_*, AWS_* and S3_* variable from the environment, then, in
one process, opens two projects on two different stores (a folder and a
sqlite:FOLDER location) with two different owners and S3 settings, tracks
a folder into each from two threads at once, and reads both stores back
through the library: each holds only its own project, run and records.
Also checks that the progress callback can cancel a track (what Ctrl-C in
a binding does). Python's standard library only. Not a test of the CLI.

usage: NEREID_LIBRARY=/path/libnereid.so two_stores.py WORKDIR
Exits 0 when every check passed, 1 otherwise.
"""
import ctypes
import os
import sys
import threading

LIBRARY = os.environ.get("NEREID_LIBRARY")
for name in list(os.environ):
    if name.startswith(("NEREID_", "NEPTUNE_", "AWS_", "S3_")):
        del os.environ[name]  # also unsetenv(): the C library sees it gone

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)


NOTIFY = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
PROGRESS = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.c_uint64, ctypes.c_uint64,
                            ctypes.c_void_p)


class Options(ctypes.Structure):
    """struct nereid_options, version 1, field for field."""
    _fields_ = [
        ("version", ctypes.c_uint),
        ("project", ctypes.c_char_p),
        ("store", ctypes.c_char_p),
        ("api_token", ctypes.c_char_p),
        ("mode", ctypes.c_int),
        ("workers", ctypes.c_uint),
        ("owner", ctypes.c_char_p),
        ("home", ctypes.c_char_p),
        ("cache", ctypes.c_char_p),
        ("s3_access_key_id", ctypes.c_char_p),
        ("s3_secret_access_key", ctypes.c_char_p),
        ("s3_session_token", ctypes.c_char_p),
        ("s3_region", ctypes.c_char_p),
        ("s3_endpoint", ctypes.c_char_p),
        ("notify", NOTIFY),
        ("progress", PROGRESS),
        ("payload", ctypes.c_void_p),
        ("internal", ctypes.c_void_p),
    ]


P = ctypes.c_void_p
PP = ctypes.POINTER(ctypes.c_void_p)
HASH = ctypes.c_char * 65


def load(path):
    lib = ctypes.CDLL(path)
    sig = {
        "nereid_init": (ctypes.c_int, []),
        "nereid_shutdown": (ctypes.c_int, []),
        "nereid_error_last": (ctypes.c_char_p, []),
        "nereid_options_init": (ctypes.c_int, [ctypes.POINTER(Options), ctypes.c_uint]),
        "nereid_project_open": (ctypes.c_int, [PP, ctypes.c_char_p, ctypes.POINTER(Options)]),
        "nereid_project_free": (None, [P]),
        "nereid_project_name": (ctypes.c_char_p, [P]),
        "nereid_project_runs": (ctypes.c_int, [PP, P]),
        "nereid_project_runs_page": (ctypes.c_int, [PP, P, ctypes.c_char_p, ctypes.c_size_t]),
        "nereid_project_artifact_exists": (ctypes.c_int, [P, ctypes.c_char_p]),
        "nereid_runs_count": (ctypes.c_size_t, [P]),
        "nereid_runs_id": (ctypes.c_char_p, [P, ctypes.c_size_t]),
        "nereid_runs_owner": (ctypes.c_char_p, [P, ctypes.c_size_t]),
        "nereid_runs_free": (None, [P]),
        "nereid_projects_list": (ctypes.c_int, [PP, ctypes.POINTER(Options)]),
        "nereid_projects_count": (ctypes.c_size_t, [P]),
        "nereid_projects_name": (ctypes.c_char_p, [P, ctypes.c_size_t]),
        "nereid_projects_free": (None, [P]),
        "nereid_run_track_new": (ctypes.c_int, [PP, HASH, P, ctypes.c_char_p, ctypes.c_char_p,
                                                ctypes.c_char_p, ctypes.c_char_p]),
        "nereid_run_open": (ctypes.c_int, [PP, P, ctypes.c_char_p, ctypes.c_char_p]),
        "nereid_run_free": (None, [P]),
        "nereid_run_id": (ctypes.c_char_p, [P]),
        "nereid_run_fetch_hash": (ctypes.c_int, [HASH, P, ctypes.c_char_p, ctypes.c_int]),
        "nereid_run_fetch_files_list": (ctypes.c_int, [PP, P, ctypes.c_char_p]),
        "nereid_files_count": (ctypes.c_size_t, [P]),
        "nereid_files_get": (P, [P, ctypes.c_size_t]),
        "nereid_files_free": (None, [P]),
        "nereid_file_path": (ctypes.c_char_p, [P]),
    }
    for fn, (res, args) in sig.items():
        f = getattr(lib, fn)
        f.restype = res
        f.argtypes = args
    return lib


def error(lib):
    return lib.nereid_error_last().decode("utf-8", "replace")


def make_folder(path, names):
    os.makedirs(path)
    for n in names:
        with open(os.path.join(path, n), "w") as f:
            f.write("content of " + n + "\n")


class Side:
    """One project on one store, with its own options."""

    def __init__(self, lib, store, project, owner, key_id):
        self.lib = lib
        self.opts = Options()
        check(lib.nereid_options_init(ctypes.byref(self.opts), 1) == 0, "options_init")
        self.opts.store = store.encode()
        self.opts.project = project.encode()
        self.opts.owner = owner.encode()
        self.opts.s3_access_key_id = key_id.encode()
        self.opts.s3_secret_access_key = b"secret-" + key_id.encode()
        self.opts.workers = 2
        self.messages = []
        self.notify = NOTIFY(lambda code, msg, payload: self.messages.append(msg))
        self.opts.notify = self.notify
        self.handle = P()
        rc = lib.nereid_project_open(ctypes.byref(self.handle), None, ctypes.byref(self.opts))
        check(rc == 0, "open %s: %s" % (project, error(lib)))
        # The options were copied: the caller's strings may go at once.
        self.opts.store = self.opts.project = self.opts.owner = None
        self.rc = None
        self.hash = HASH()
        self.run_id = None

    def track(self, folder):
        run = P()
        self.rc = self.lib.nereid_run_track_new(ctypes.byref(run), self.hash, self.handle, b"exp",
                                                b"data", folder.encode(), None)
        self.err = error(self.lib) if self.rc else ""
        if run:
            self.run_id = self.lib.nereid_run_id(run)
            self.lib.nereid_run_free(run)

    def runs(self):
        runs = P()
        check(self.lib.nereid_project_runs(ctypes.byref(runs), self.handle) == 0, "runs")
        out = [(self.lib.nereid_runs_id(runs, i), self.lib.nereid_runs_owner(runs, i))
               for i in range(self.lib.nereid_runs_count(runs))]
        self.lib.nereid_runs_free(runs)
        # The same runs a page of one at a time, each page after the last.
        paged, after = [], None
        while True:
            page = P()
            check(self.lib.nereid_project_runs_page(ctypes.byref(page), self.handle, after, 1)
                  == 0, "runs page after %r: %s" % (after, error(self.lib)))
            n = self.lib.nereid_runs_count(page)
            if n:
                after = self.lib.nereid_runs_id(page, 0)
                paged.append((after, self.lib.nereid_runs_owner(page, 0)))
            self.lib.nereid_runs_free(page)
            if n == 0:
                break
        check(paged == out, "runs paged %r, all at once %r" % (paged, out))
        return out

    def files(self, run_id):
        run, files = P(), P()
        check(self.lib.nereid_run_open(ctypes.byref(run), self.handle, run_id, None) == 0,
              "run_open %s: %s" % (run_id, error(self.lib)))
        check(self.lib.nereid_run_fetch_files_list(ctypes.byref(files), run, b"data") == 0,
              "files %s: %s" % (run_id, error(self.lib)))
        names = [self.lib.nereid_file_path(self.lib.nereid_files_get(files, i)).decode()
                 for i in range(self.lib.nereid_files_count(files))]
        self.lib.nereid_files_free(files)
        self.lib.nereid_run_free(run)
        return names

    def close(self):
        self.lib.nereid_project_free(self.handle)


def projects_of(lib, store):
    opts = Options()
    lib.nereid_options_init(ctypes.byref(opts), 1)
    opts.store = store.encode()
    lst = P()
    check(lib.nereid_projects_list(ctypes.byref(lst), ctypes.byref(opts)) == 0,
          "projects_list %s: %s" % (store, error(lib)))
    names = [lib.nereid_projects_name(lst, i).decode()
             for i in range(lib.nereid_projects_count(lst))]
    lib.nereid_projects_free(lst)
    return names


def main():
    if not LIBRARY or len(sys.argv) != 2:
        print("usage: NEREID_LIBRARY=libnereid.so two_stores.py WORKDIR", file=sys.stderr)
        return 2
    work = sys.argv[1]
    # A home of its own: a library that fell back to ~/.nereid would show.
    os.environ["HOME"] = os.path.join(work, "home")
    os.makedirs(os.environ["HOME"])
    lib = load(LIBRARY)
    check(lib.nereid_init() == 1, "init")
    store_a = os.path.join(work, "store-a")
    store_b = os.path.join(work, "store-b")
    data_a = os.path.join(work, "data-a")
    data_b = os.path.join(work, "data-b")
    make_folder(data_a, ["a1.txt", "a2.txt"])
    make_folder(data_b, ["b1.txt", "b2.txt", "b3.txt"])

    a = Side(lib, store_a, "team-a/exp", "alice", "AKIAALICE")
    b = Side(lib, "sqlite:" + store_b, "team-b/exp", "bob", "AKIABOB")
    # Both tracks at once, each on its own thread (ctypes lets go of the GIL).
    threads = [threading.Thread(target=a.track, args=(data_a,)),
               threading.Thread(target=b.track, args=(data_b,))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(a.rc == 0, "track into A: %s" % (a.rc and a.err))
    check(b.rc == 0, "track into B: %s" % (b.rc and b.err))
    check(a.hash.value != b.hash.value, "the two artifacts differ")

    # Each store holds its own project, run and records, and nothing else.
    check(projects_of(lib, store_a) == ["team-a/exp"], "store A's projects")
    check(projects_of(lib, store_b) == ["team-b/exp"], "store B's projects")
    check(a.runs() == [(a.run_id, b"alice")], "store A's runs: %r" % a.runs())
    check(b.runs() == [(b.run_id, b"bob")], "store B's runs: %r" % b.runs())
    check(a.files(a.run_id) == ["a1.txt", "a2.txt"], "A's records")
    check(b.files(b.run_id) == ["b1.txt", "b2.txt", "b3.txt"], "B's records")
    check(lib.nereid_project_artifact_exists(a.handle, b.hash.value) != 0,
          "B's artifact is not in A")
    check(lib.nereid_project_artifact_exists(b.handle, a.hash.value) != 0,
          "A's artifact is not in B")
    check(lib.nereid_project_artifact_exists(a.handle, a.hash.value) == 0, "A's artifact")
    check(not os.path.exists(os.path.join(os.environ["HOME"], ".nereid")),
          "nothing in the default store")
    check(os.path.exists(os.path.join(store_a, "store.db")), "store A on disk")
    check(os.path.exists(os.path.join(store_b, "store.db")), "store B on disk")

    # The progress callback stops a track (Ctrl-C in a binding): the track
    # fails with NEREID_ECANCELLED (-8) and makes no run.
    many = os.path.join(work, "many")
    make_folder(many, ["f%04d" % i for i in range(1100)])
    c = Side(lib, store_a, "team-a/exp", "carol", "AKIACAROL")
    calls = []
    c.progress = PROGRESS(lambda stage, done, total, payload: calls.append(stage) or 1)
    c.close()
    opts = Options()
    lib.nereid_options_init(ctypes.byref(opts), 1)
    opts.store = store_a.encode()
    opts.project = b"team-a/exp"
    opts.progress = c.progress
    c.handle = P()
    check(lib.nereid_project_open(ctypes.byref(c.handle), None, ctypes.byref(opts)) == 0,
          "open C")
    c.track(many)
    check(c.rc == -8, "cancelled track: %r %s" % (c.rc, c.err))
    check("cancelled" in c.err, "cancelled track's message: %s" % c.err)
    check(len(calls) == 1, "progress called once after it asked to stop: %r" % calls)
    check(c.runs() == [(a.run_id, b"alice")], "a cancelled track makes no run")
    c.close()

    a.close()
    b.close()
    check(lib.nereid_shutdown() == 0, "shutdown")
    print("two_stores: %d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
