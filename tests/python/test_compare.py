"""handler.diff(other) and handler.status(): the typed result, the same
answer as `nereid diff --json` / `nereid status --json`, and the errors."""
import json
import os
import subprocess

import pytest

import nereid
from nereid import exceptions as exc


def cli_env():
    """The nereid command's environment: without the sanitizer runtime that
    tests/python/preload.sh preloads for an ASan libnereid (the command
    links its own)."""
    return {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}


def test_diff_added_removed_changed(datasets):
    with nereid.init_run() as run:
        run["a"].track_files("datasets")
        (datasets / "train" / "sample.csv").write_text("a,b\n1,2\n3,4\n")  # changed
        (datasets / "train" / "more.csv").unlink()                         # removed
        (datasets / "new.txt").write_text("new\n")                         # added
        run["b"].track_files("datasets")
        run["c"].track_files("datasets/train", destination="train")
        d = run["a"].diff(run["b"])
        assert isinstance(d, nereid.ArtifactDiff)
        assert d.added == ["new.txt"]
        assert d.removed == ["train/more.csv"]
        assert d.changed == ["train/sample.csv"]
        assert d and len(d) == 3
        d = run["b"].diff(run["c"])
        assert d.to_dict() == {"added": [], "removed": ["new.txt"], "changed": []}
        same = run["a"].diff(run["a"])
        assert not same and len(same) == 0
        assert same.to_dict() == {"added": [], "removed": [], "changed": []}


def test_diff_across_runs_equals_cli(datasets, nereid_bin):
    with nereid.init_run() as r1:
        r1["d"].track_files("datasets")
        id1 = r1["sys/id"].fetch()
    (datasets / "train" / "sample.csv").write_text("x\n")
    (datasets / "z.csv").write_text("z\n")
    with nereid.init_run() as r2:
        r2["d"].track_files("datasets")
        id2 = r2["sys/id"].fetch()
    with nereid.init_run(with_id=id1, mode="read-only") as r1, \
            nereid.init_run(with_id=id2, mode="read-only") as r2:
        got = r1["d"].diff(r2["d"]).to_dict()
    cli = subprocess.run([nereid_bin, "diff", f"{id1}:d", f"{id2}:d", "--json"],
                         capture_output=True, text=True, env=cli_env())
    assert cli.returncode == 1, cli.stderr
    assert got == json.loads(cli.stdout)
    assert got["changed"] == ["train/sample.csv"] and got["added"] == ["z.csv"]


def test_diff_errors(datasets):
    with nereid.init_run() as run:
        run["a"].track_files("datasets")
        with pytest.raises(exc.MissingFieldException) as e:
            run["a"].diff(run["nope"])
        assert "nope" in str(e.value)
        with pytest.raises(exc.MissingFieldException):
            run["nope"].diff(run["a"])
        with pytest.raises(TypeError):
            run["a"].diff("a")
        other = nereid.init_run()
        other.stop()
        with pytest.raises(exc.InactiveRunException):
            run["a"].diff(other["a"])


def test_status(datasets, nereid_bin):
    with nereid.init_run() as run:
        run["d"].track_files("datasets")
        run_id = run["sys/id"].fetch()
        st = run["d"].status(progress_bar=False)
        assert not st and st.to_dict() == {"added": [], "removed": [], "changed": []}
        (datasets / "train" / "sample.csv").write_text("changed\n")
        (datasets / "train" / "more.csv").unlink()
        (datasets / "train" / "extra.csv").write_text("extra\n")
        st = run["d"].status()
        assert st.added == ["train/extra.csv"]
        assert st.removed == ["train/more.csv"]
        assert st.changed == ["train/sample.csv"]
        h = run["d"].fetch_hash()
    cli = subprocess.run([nereid_bin, "status", f"{run_id}:d", "--json"],
                         capture_output=True, text=True, env=cli_env())
    assert cli.returncode == 1, cli.stderr
    assert json.loads(cli.stdout) == st.to_dict()
    with nereid.init_run(with_id=run_id, mode="read-only") as run:
        assert run["d"].status().changed == ["train/sample.csv"]  # reads only
        assert run["d"].fetch_hash() == h
        with pytest.raises(exc.MissingFieldException):
            run["nope"].status()


def test_status_source_gone(datasets):
    with nereid.init_run() as run:
        run["d"].track_files("datasets/train/sample.csv")
        os.unlink(datasets / "train" / "sample.csv")
        st = run["d"].status()
        assert st.removed == ["sample.csv"] and not st.added and not st.changed


def test_fetch_content_hash(datasets, nereid_bin):
    with nereid.init_run() as run:
        run["a"].track_files("datasets")
        run["b"].track_files(os.path.abspath("datasets"))
        os.utime(datasets / "train" / "sample.csv", (1, 1))
        run["c"].track_files("datasets")
        run_id = run["sys/id"].fetch()
        ca, cc = run["a"].fetch_content_hash(), run["c"].fetch_content_hash()
        assert len(ca) == 64 and ca == cc  # same data, another time
        assert run["a"].fetch_hash() != run["c"].fetch_hash()
        assert ca != run["a"].fetch_hash()
        with pytest.raises(exc.MissingFieldException):
            run["nope"].fetch_content_hash()
    cli = subprocess.run([nereid_bin, "hash", f"{run_id}:a", "--content"],
                         capture_output=True, text=True, env=cli_env())
    assert cli.stdout.strip() == ca
