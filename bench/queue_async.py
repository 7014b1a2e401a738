"""queue_async.py - what an async run's track costs the caller (SPEC
section 9, docs/internals/queue.md): N track_files of one small file each
into a loopback nereid-server, in sync mode, in async mode, and in async
mode with the server stopped (SIGSTOP) for the whole loop; then how long
wait() takes to deliver what was queued. Not a test: nothing is asserted.

    NEREID_LIBRARY=build/libnereid.so PYTHONPATH=python \\
        python3 bench/queue_async.py build/nereid-server [N]
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

import nereid


def main():
    server_bin = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    tmp = tempfile.mkdtemp(prefix="nereid-qbench-")
    store = os.path.join(tmp, "store")
    subprocess.run([server_bin, "project", "create", "ws/bench", "--key", "QB", "--store", store],
                   check=True, capture_output=True)
    srv = subprocess.Popen([server_bin, "serve", "--listen", "127.0.0.1:0", "--store", store],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = re.search(r"(http://\S+)", srv.stdout.readline()).group(1)
    out = subprocess.run([server_bin, "token", "create", "--project", "ws/bench", "--role",
                          "write", "--url", url, "--store", store],
                         check=True, capture_output=True, text=True).stdout
    os.environ.update(NEREID_API_TOKEN=re.search(r"nrd_\S+", out).group(0),
                      NEREID_PROJECT="ws/bench", NEREID_STORE=url,
                      NEREID_HOME=os.path.join(tmp, "home"))
    files = []
    for i in range(n):
        p = os.path.join(tmp, f"f{i}.txt")
        with open(p, "w") as f:
            f.write(f"file {i}\n")
        files.append(p)
    try:
        for label, mode, stop in (("sync", "sync", False), ("async", "async", False),
                                  ("async, server stopped", "async", True)):
            run = nereid.init_run(mode=mode)
            if stop:
                srv.send_signal(signal.SIGSTOP)
            t0 = time.perf_counter()
            for i, p in enumerate(files):
                run[f"f{i}"].track_files(p)
            t1 = time.perf_counter()
            if stop:
                srv.send_signal(signal.SIGCONT)
            run.wait(timeout=600)
            t2 = time.perf_counter()
            run.stop()
            print(f"{label:24s} {n} tracks: {(t1 - t0) / n * 1000:7.2f} ms per track; "
                  f"wait() after: {(t2 - t1) * 1000:8.1f} ms")
    finally:
        srv.send_signal(signal.SIGCONT)
        srv.terminate()
        srv.wait()


if __name__ == "__main__":
    main()
