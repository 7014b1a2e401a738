"""custom_run_id, description and tags (nereid_run_create): stored as
sys/custom_run_id, sys/description and sys/tags; custom_run_id (or
NEPTUNE_CUSTOM_RUN_ID) resumes the run that has it; the runs table shows
and filters them."""
import warnings

import pytest

import nereid
from nereid import exceptions as exc


def test_stored_as_sys_fields():
    with nereid.init_run(custom_run_id="job-7", name="n", description="a run",
                         tags=["b", "a", "b"]) as run:
        assert run["sys/custom_run_id"].fetch() == "job-7"
        assert run["sys/description"].fetch() == "a run"
        tags = run["sys/tags"].fetch()
        assert tags == {"a", "b"} and isinstance(tags, set)
        assert repr(run["sys/tags"]) == '<StringSet field at "sys/tags">'
        assert run.get_structure()["sys"]["tags"].path == "sys/tags"
        run_id = run["sys/id"].fetch()
    with nereid.init_run(with_id=run_id, mode="read-only") as run:
        assert run.fetch()["sys"]["tags"] == {"a", "b"}
    with nereid.init_run(tags="single") as run:  # a str is one tag
        assert run["sys/tags"].fetch() == {"single"}
        assert run["sys/description"].fetch() == ""
    with nereid.init_run() as run:
        assert run["sys/tags"].fetch() == set()
        with pytest.raises(exc.MissingFieldException):
            run["sys/custom_run_id"].fetch()


def test_custom_run_id_resumes(datasets, monkeypatch):
    with nereid.init_run(custom_run_id="job-1", tags=["t"]) as run:
        run["d"].track_files("datasets")
        first = run["sys/id"].fetch()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        with nereid.init_run(custom_run_id="job-1", tags=["other"]) as run:
            assert run["sys/id"].fetch() == first
            assert run["sys/tags"].fetch() == {"t"}  # kept as it was
            assert len(run["d"].fetch_files_list()) == 2
    assert [str(x.message) for x in w] == [
        "nereid: Run() ignores these neptune-client options: "
        "tags (the run exists: kept as it was)"]
    monkeypatch.setenv("NEPTUNE_CUSTOM_RUN_ID", "job-1")
    with nereid.init_run() as run:
        assert run["sys/id"].fetch() == first
    with nereid.init_run(mode="read-only") as run:  # the environment's custom ID
        assert run["sys/id"].fetch() == first
    with nereid.init_run(with_id=first) as run:  # with_id wins over the environment
        assert run["sys/id"].fetch() == first
    monkeypatch.delenv("NEPTUNE_CUSTOM_RUN_ID")
    with nereid.init_run(custom_run_id="job-2") as run:
        assert run["sys/id"].fetch() != first


def test_read_only_custom_run_id_must_exist():
    nereid.init_run(custom_run_id="there").stop()
    with pytest.raises(exc.RunNotFound) as e:
        nereid.init_run(custom_run_id="not-there", mode="read-only")
    assert "custom run ID" in str(e.value)
    with nereid.init_project() as project:
        assert len(project.fetch_runs_table().to_rows()) == 1  # nothing made


def test_bad_values_name_what_failed():
    with pytest.raises(exc.NeptuneException) as e:
        nereid.init_run(tags=["a,b"])
    assert "a,b" in str(e.value) and e.value.code_name == "invalid"
    with pytest.raises(TypeError):
        nereid.init_run(tags=[1])
    with pytest.raises(TypeError):
        nereid.init_run(tags=5)
    with pytest.raises(TypeError):
        nereid.init_run(custom_run_id=7)
    with pytest.raises(exc.NeptuneException):
        nereid.init_run(custom_run_id="x" * 129)
    with nereid.init_project() as project:  # nothing made by any of them
        assert project.fetch_runs_table().to_rows() == []


def test_runs_table_shows_and_filters_tags():
    nereid.init_run(tags=["cnn", "best"], description="first", custom_run_id="c1").stop()
    nereid.init_run(tags=["cnn"]).stop()
    nereid.init_run().stop()
    with nereid.init_project() as project:
        rows = project.fetch_runs_table(ascending=True).to_rows()
        assert [r.get_attribute_value("sys/tags") for r in rows] == [{"best", "cnn"}, {"cnn"},
                                                                     set()]
        assert rows[0].get_attribute_value("sys/description") == "first"
        assert rows[0].get_attribute_value("sys/custom_run_id") == "c1"
        assert rows[0].get_attribute_type("sys/tags") == "StringSet"
        with pytest.raises(ValueError):
            rows[1].get_attribute_value("sys/custom_run_id")

        def tagged(tag):
            return [r.get_attribute_value("sys/id")
                    for r in project.fetch_runs_table(tag=tag, ascending=True).to_rows()]

        first, second = rows[0].get_attribute_value("sys/id"), rows[1].get_attribute_value(
            "sys/id")
        assert tagged("cnn") == [first, second]
        assert tagged(["cnn", "best"]) == [first]  # every tag must match
        assert tagged("none") == []
        by_tags = project.fetch_runs_table(sort_by="sys/tags", ascending=True).to_rows()
        none = rows[2].get_attribute_value("sys/id")
        assert [r.get_attribute_value("sys/id") for r in by_tags][:2] == [none, first]


def test_to_pandas_joins_tags():
    pytest.importorskip("pandas", reason="pandas is not installed (python3-pandas)")
    nereid.init_run(tags=["y", "x"]).stop()
    with nereid.init_project() as project:
        df = project.fetch_runs_table().to_pandas()
    assert df["sys/tags"].tolist() == ["x,y"]
