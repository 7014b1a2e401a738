"""neptune-client's own end-to-end artifact scenarios (its
tests/e2e/standard/test_artifacts.py: local creation, assignment, local
download, incremental tracking into an existing field), re-written for
Nereid's embedded store through the neptune compatibility package. The
S3 scenarios are the S3 tests' (tests/e2e)."""
import os
import uuid
from pathlib import Path

import pytest

import neptune


def key():
    return "artifacts/" + uuid.uuid4().hex[:8]


def write(path, text):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def run():
    with neptune.init_run() as r:
        yield r


def test_local_creation(run, nereid_env):
    first, second = key(), key()
    write("notes.txt", "Five sentences of some paragraph.\n")
    run[first].track_files(".")
    run[second].track_files(f"file://{nereid_env}")
    run.sync()
    assert run[first].fetch_hash() == run[second].fetch_hash()
    assert run[first].fetch_files_list() == run[second].fetch_files_list()
    assert [f.file_path for f in run[first].fetch_files_list()] == ["notes.txt"]


def test_assignment(run):
    first, second = key(), key()
    write("report.pdf", "not really a pdf\n")
    run[first].track_files("report.pdf")
    run.wait()
    run[second] = run[first].fetch()
    run.sync()
    assert run[first].fetch_hash() == run[second].fetch_hash()
    assert run[first].fetch_files_list() == run[second].fetch_files_list()


def test_local_download(run, nereid_env, tmp_path, monkeypatch):
    first, second = key(), key()
    filename, filepath = "top.csv", "deep/er/still/file.txt"
    write(filename, "top\n")
    write(filepath, "deep\n")
    run[first].track_files(filename)  # relative path
    run[second].track_files(f"file://{nereid_env}")  # absolute URI
    run.sync()
    out = tmp_path / "elsewhere"
    out.mkdir()
    monkeypatch.chdir(out)
    assert not Path(f"artifacts/{filename}").exists()
    run[first].download("artifacts/")
    assert Path(f"artifacts/{filename}").read_text() == "top\n"
    assert not Path(filepath).exists()
    run[second].download()
    assert Path(filepath).read_text() == "deep\n"


def test_local_existing(run, nereid_env):
    first, second = key(), key()
    filename, filepath = "a.txt", "x/y/b.txt"
    write(filename, "a\n")
    write(filepath, "b\n")
    run[first].track_files(".")  # both files
    run[second].track_files(f"file://{nereid_env}/{filename}")  # only a
    run.sync()
    assert run[first].fetch_hash() != run[second].fetch_hash()
    # b added to the existing field: now the same as first
    run[second].track_files(filepath, destination=str(Path(filepath).parent))
    run.sync()
    assert run[first].fetch_hash() == run[second].fetch_hash()
    assert run[first].fetch_files_list() == run[second].fetch_files_list()


def test_assignment_into_another_run_of_the_project():
    write("model.bin", "weights\n")
    with neptune.init_run() as a:
        a["model"].track_files("model.bin")
        value = a["model"].fetch()
        files = a["model"].fetch_files_list()
    with neptune.init_run() as b:
        b["models/best"] = value
        assert b["models/best"].fetch_hash() == value.hash
        assert b["models/best"].fetch_files_list() == files
        run_id = b["sys/id"].fetch()
    # stored: a new session reads it back
    with neptune.init_run(with_id=run_id, mode="read-only") as b:
        assert b["models/best"].fetch() == value
