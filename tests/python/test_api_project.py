"""init_project() and fetch_runs_table(): a few hundred runs read page by
page, ID first, sys/ columns, artifact fields as their hash, filters,
sorting, limit, columns, to_rows() and to_pandas()."""
import datetime
import sys

import pytest

import nereid
from nereid import _project
from nereid import exceptions as exc

RUNS = 260


@pytest.fixture(scope="module")
def big_project(tmp_path_factory):
    """RUNS runs in project team/big, every third with field data/train,
    run 5 with a name: made once for the module, in its own NEREID_HOME."""
    import os
    home = tmp_path_factory.mktemp("bighome")
    work = tmp_path_factory.mktemp("bigwork")
    (work / "a.csv").write_text("a\n")
    with pytest.MonkeyPatch.context() as mp:  # made before the per-test setup
        for name in list(os.environ):
            if name.startswith(("NEREID_", "NEPTUNE_")) and name != "NEREID_LIBRARY":
                mp.delenv(name)
        mp.setenv("NEREID_HOME", str(home))
        mp.chdir(work)
        hashes = {}
        for i in range(1, RUNS + 1):
            with nereid.init_run(project="team/big", name="five" if i == 5 else None) as run:
                if i % 3 == 0:
                    run["data/train"].track_files("a.csv", destination=str(i))
                    hashes[run["sys/id"].fetch()] = run["data/train"].fetch_hash()
    return home, hashes


@pytest.fixture
def project(big_project, monkeypatch):
    home, hashes = big_project
    monkeypatch.setenv("NEREID_HOME", str(home))
    with nereid.init_project(project="team/big") as p:
        yield p, hashes


def ids(table):
    return [r.get_attribute_value("sys/id") for r in table.to_rows()]


def test_every_run_newest_first(project):
    p, hashes = project
    table = p.fetch_runs_table()
    got = ids(table)
    assert len(got) == RUNS
    assert got[0] == f"BG-{RUNS}" and got[-1] == "BG-1"  # sys/creation_time, descending
    rows = {r.get_attribute_value("sys/id"): r for r in table.to_rows()}
    for run_id, h in hashes.items():
        assert rows[run_id].get_attribute_value("data/train") == h  # the field's hash
        assert rows[run_id]["data"]["train"].get() == h
    assert rows["BG-5"].get_attribute_value("sys/name") == "five"
    created = rows["BG-1"].get_attribute_value("sys/creation_time")
    assert isinstance(created, datetime.datetime) and created.tzinfo is not None
    with pytest.raises(ValueError) as e:
        rows["BG-1"].get_attribute_value("data/train")  # BG-1 has no such field
    assert str(e.value) == "Could not find data/train attribute"
    assert rows["BG-3"].get_attribute_type("data/train") == "Artifact"
    assert rows["BG-3"].get_attribute_type("sys/creation_time") == "Datetime"


def test_paging_reads_the_same_runs(project, monkeypatch):
    p, _ = project
    whole = ids(p.fetch_runs_table(ascending=True))
    pages = []
    real = p._page

    def counting(after, limit):
        pages.append((after, limit))
        return real(after, limit)

    monkeypatch.setattr(_project, "PAGE", 7)
    monkeypatch.setattr(p, "_page", counting)
    assert ids(p.fetch_runs_table(ascending=True)) == whole
    assert whole == [f"BG-{i}" for i in range(1, RUNS + 1)]
    assert len(pages) == RUNS // 7 + 1
    assert pages[0] == (None, 7) and pages[1] == ("BG-7", 7)


def test_limit_and_sort(project):
    p, hashes = project
    assert ids(p.fetch_runs_table(limit=3)) == [f"BG-{RUNS}", f"BG-{RUNS - 1}",
                                                f"BG-{RUNS - 2}"]
    assert ids(p.fetch_runs_table(limit=2, ascending=True)) == ["BG-1", "BG-2"]
    by_name = ids(p.fetch_runs_table(sort_by="sys/name", limit=1))
    assert by_name == ["BG-5"]  # the only name; the empty ones sort below it
    by_field = ids(p.fetch_runs_table(sort_by="data/train", ascending=True))
    assert set(by_field[:len(hashes)]) == set(hashes)  # runs without the field last
    assert by_field[:len(hashes)] == sorted(hashes, key=lambda i: (hashes[i], int(i[3:])))


def test_filters(project):
    p, _ = project
    assert ids(p.fetch_runs_table(id=["BG-2", "BG-9", "BG-999"], ascending=True)) == [
        "BG-2", "BG-9"]
    assert ids(p.fetch_runs_table(id="BG-4")) == ["BG-4"]
    owner = p.fetch_runs_table(limit=1).to_rows()[0].get_attribute_value("sys/owner")
    assert len(ids(p.fetch_runs_table(owner=owner))) == RUNS
    assert ids(p.fetch_runs_table(owner="someone-else")) == []
    assert ids(p.fetch_runs_table(state="active")) == []
    assert len(ids(p.fetch_runs_table(state=["inactive", "active"]))) == RUNS
    assert ids(p.fetch_runs_table(tag="best")) == []
    assert ids(p.fetch_runs_table(trashed=True)) == []
    assert len(ids(p.fetch_runs_table(trashed=None))) == RUNS


def test_columns(project):
    p, hashes = project
    rows = p.fetch_runs_table(columns=["sys/name"], limit=2).to_rows()
    assert set(rows[0]._values) == {"sys/id", "sys/name", "sys/creation_time"}
    assert rows[0].get_attribute_value("sys/name") == ""
    rows = p.fetch_runs_table(columns=["data/train"], id="BG-3").to_rows()
    assert rows[0].get_attribute_value("data/train") == hashes["BG-3"]


def test_to_pandas(project):
    pandas = pytest.importorskip("pandas", reason="pandas is not installed (python3-pandas)")
    p, hashes = project
    df = p.fetch_runs_table(ascending=True).to_pandas()
    assert list(df.columns) == ["sys/id", "sys/creation_time", "sys/description",
                                "sys/modification_time", "sys/name", "sys/owner", "sys/tags",
                                "data/train"]
    assert len(df) == RUNS
    assert df["sys/id"].tolist()[:2] == ["BG-1", "BG-2"]
    assert df.loc[df["sys/id"] == "BG-3", "data/train"].item() == hashes["BG-3"]
    assert pandas.isna(df.loc[df["sys/id"] == "BG-1", "data/train"].item())


def test_to_pandas_without_pandas(project, monkeypatch):
    p, _ = project
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` fails
    table = p.fetch_runs_table(limit=1)
    with pytest.raises(ImportError) as e:
        table.to_pandas()
    assert "to_pandas() needs pandas" in str(e.value)
    assert len(table.to_rows()) == 1  # the rows are still there


def test_project_url_and_environment(project, monkeypatch):
    p, _ = project
    assert p.get_url() == "nereid://team/big"
    monkeypatch.setenv("NEPTUNE_PROJECT", "team/big")
    with nereid.init_project() as q:
        assert len(q.fetch_runs_table(limit=5).to_rows()) == 5
    import neptune
    with neptune.init_project(project="team/big", api_token="token", mode="read-only") as q:
        assert isinstance(q, neptune.Project)


def test_empty_builtin_project():
    with nereid.init_project() as p:
        assert p.fetch_runs_table().to_rows() == []
        assert p.get_url() == "nereid://local/sandbox"
