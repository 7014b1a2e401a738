#!/usr/bin/env python3
"""One operation of the Python binding, for bench/bench.py's Python rows
(case A). Not a test and not a user tool.

  py_op.py track FOLDER     init_run(), run["data"].track_files(FOLDER); prints the run ID
  py_op.py list RUN_ID      fetch_files_list() of RUN_ID:data (read-only); prints the
                            number of records and the seconds the call took

NEREID_LIBRARY names libnereid.so, NEREID_HOME the store; the package is
found through PYTHONPATH (bench.py sets both)."""
import sys
import time

import nereid


def main():
    op, arg = sys.argv[1], sys.argv[2]
    if op == "track":
        with nereid.init_run() as run:
            run["data"].track_files(arg, progress_bar=False)
            print(run["sys/id"].fetch())
    elif op == "list":
        with nereid.init_run(with_id=arg, mode="read-only") as run:
            t0 = time.perf_counter()
            files = run["data"].fetch_files_list()
            took = time.perf_counter() - t0
            print(len(files), "%.6f" % took)
    else:
        sys.exit("py_op.py: unknown operation %r" % op)


if __name__ == "__main__":
    main()
