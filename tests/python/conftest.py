"""pytest setup for the nereid Python package: every test runs in its own
temporary folder (the current directory) with its own NEREID_HOME, and no
NEREID_*, NEPTUNE_*, AWS_* or S3_* variable from outside (NEREID_LIBRARY,
the built library, is kept). NEREID_BIN names the built command line."""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))

KEEP = {"NEREID_LIBRARY", "NEREID_BIN"}


@pytest.fixture(autouse=True)
def nereid_env(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith(("NEREID_", "NEPTUNE_", "AWS_", "S3_")) and name not in KEEP:
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("NEREID_HOME", str(home))
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def datasets(nereid_env):
    """The seeds' datasets/ folder: datasets/train/sample.csv and one more file."""
    train = nereid_env / "datasets" / "train"
    train.mkdir(parents=True)
    (train / "sample.csv").write_text("a,b\n1,2\n")
    (train / "more.csv").write_text("c,d\n3,4\n")
    return nereid_env / "datasets"


@pytest.fixture
def nereid_bin():
    """Path of the built nereid command."""
    b = os.environ.get("NEREID_BIN")
    if not b:
        lib = os.environ.get("NEREID_LIBRARY", "")
        b = os.path.join(os.path.dirname(lib), "nereid")
    if not os.path.exists(b):
        pytest.skip("NEREID_BIN is not the built nereid command")
    return b
