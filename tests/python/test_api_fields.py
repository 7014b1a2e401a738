"""A run's fields through neptune-client's API: artifact values (fetch and
assignment), del/pop, exists, get_structure, print_structure, the sys/
fields, wait/sync/stop/get_url, and use after stop."""
import datetime
import threading

import pytest

import nereid
from nereid import exceptions as exc
from nereid.types import Artifact


@pytest.fixture
def run(datasets):
    with nereid.init_run(name="fields") as r:
        r["data_versions/train"].track_files("datasets/train")
        yield r


def test_fetch_is_an_artifact_value(run):
    value = run["data_versions/train"].fetch()
    assert isinstance(value, Artifact)
    assert value.hash == run["data_versions/train"].fetch_hash()
    assert repr(value) == f"Artifact(hash='{value.hash}')"
    assert str(value) == f"Artifact({value.hash})"
    with pytest.raises(ValueError):
        Artifact("not a hash")


def test_assign_value_and_handler(run):
    value = run["data_versions/train"].fetch()
    run["copy"] = value
    run["ns"]["copy"] = run["data_versions/train"]  # a handler: its artifact
    run.assign({"a": {"b": value}})
    for path in ("copy", "ns/copy", "a/b"):
        assert run[path].fetch_hash() == value.hash
        assert run[path].fetch_files_list() == run["data_versions/train"].fetch_files_list()


def test_assign_unsupported_types(run):
    for bad in (5, "text", 1.5, None, ["x"], b"0" * 64):
        with pytest.raises(TypeError) as e:
            run["x"] = bad
        assert str(e.value).startswith(f"Value of unsupported type {type(bad)}")
    assert not run.exists("x")


def test_assign_sys_is_protected(run):
    value = run["data_versions/train"].fetch()
    with pytest.raises(exc.NeptuneProtectedPathException) as e:
        run["sys/name"] = value
    assert "sys/name" in str(e.value)
    assert run["sys/name"].fetch() == "fields"


def test_assign_across_projects_names_both(run):
    value = run["data_versions/train"].fetch()
    with nereid.init_run(project="other-team/other") as other:
        with pytest.raises(exc.ArtifactNotFoundException) as e:
            other["copy"] = value
        assert value.hash in str(e.value) and "other-team/other" in str(e.value)
        assert isinstance(e.value, exc.MetadataInconsistency)
        assert not other.exists("copy")


def test_del_pop_and_namespaces(run):
    value = run["data_versions/train"].fetch()
    run["data_versions/test"] = value
    run["keep"] = value
    del run["data_versions/test"]
    assert not run.exists("data_versions/test") and run.exists("data_versions/train")
    run.pop("data_versions")  # a namespace: every field below it
    assert not run.exists("data_versions")
    run["x/y/z"] = value
    del run["x"]["y"]  # through a handler
    assert not run.exists("x")
    run["w"] = value
    run["w"].pop()
    assert not run.exists("w")
    assert run["keep"].fetch() == value  # untouched
    with pytest.raises(exc.MissingFieldException) as e:
        del run["nope"]
    assert "nope" in str(e.value)
    with pytest.raises(KeyError):  # as neptune-client's, also a KeyError
        run.pop("nope")
    with pytest.raises(exc.NeptuneProtectedPathException):
        del run["sys/id"]
    # removed, then brought back: the artifact stays in the project
    run["again"] = value
    assert run["again"].fetch_files_list() == run["keep"].fetch_files_list()


def test_exists(run):
    assert run.exists("data_versions/train")
    assert run.exists("data_versions")  # a namespace
    assert run.exists("sys/id") and run.exists("sys")
    assert not run.exists("data_versions/tra")  # not a prefix of a name
    assert not run.exists("nope")
    with pytest.raises(TypeError):
        run.exists(3)


def test_get_structure_and_print(run, capsys):
    s = run.get_structure()
    assert set(s) == {"sys", "data_versions"}
    assert repr(s["data_versions"]["train"]) == '<Artifact field at "data_versions/train">'
    assert repr(s["sys"]["id"]) == '<String field at "sys/id">'
    assert s["data_versions"]["train"].fetch_hash() == run["data_versions/train"].fetch_hash()
    run.print_structure()
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "'data_versions':"
    assert out[1] == "    'train': Artifact"
    assert "    'creation_time': Datetime" in out
    assert "    'id': String" in out


def test_handler_has_no_run_methods(run):
    with pytest.raises(AttributeError) as e:
        run["data_versions"].exists("train")
    assert "run.exists()" in str(e.value)
    assert run["data_versions"].get_root_object() is run


def test_namespace_and_run_fetch(run):
    value = run["data_versions/train"].fetch()
    assert run["data_versions"].fetch() == {"train": value}
    everything = run.fetch()
    assert everything["data_versions"] == {"train": value}
    assert everything["sys"]["id"] == run["sys/id"].fetch()
    with pytest.raises(exc.MissingFieldException):
        run["nope"].fetch()


def test_every_sys_field(run):
    run_id = run["sys/id"].fetch()
    assert run_id.startswith("SND-")  # the built-in local/sandbox project
    assert run["sys/name"].fetch() == "fields"
    assert isinstance(run["sys/owner"].fetch(), str) and run["sys/owner"].fetch()
    created = run["sys/creation_time"].fetch()
    modified = run["sys/modification_time"].fetch()
    assert created.tzinfo is not None and created.utcoffset() == datetime.timedelta(0)
    assert modified >= created
    assert repr(run["sys/creation_time"]) == '<Datetime field at "sys/creation_time">'
    with pytest.raises(exc.MissingFieldException):
        run["sys/nope"].fetch()


def test_wait_sync_url_state(run):
    run.wait()
    run.wait(disk_only=True)
    run.sync()
    run.sync(wait=False)
    assert run.get_url() == "nereid://local/sandbox/" + run["sys/id"].fetch()
    assert run.get_state() == "started"


def test_everything_after_stop_is_inactive(datasets):
    run = nereid.init_run()
    run["d"].track_files("datasets")
    value = run["d"].fetch()
    run.stop()
    assert run.get_state() == "stopped"
    calls = [lambda: run["d"].fetch(), lambda: run["d"].fetch_hash(),
             lambda: run["d"].fetch_content_hash(), lambda: run["d"].fetch_files_list(),
             lambda: run["d"].download("out"), lambda: run["e"].track_files("datasets"),
             lambda: run.__setitem__("e", value), lambda: run.__delitem__("d"),
             lambda: run.pop("d"), lambda: run.exists("d"), lambda: run.get_structure(),
             lambda: run.print_structure(), lambda: run.fetch(), lambda: run.wait(),
             lambda: run.sync(), lambda: run.get_url(), lambda: run["sys/id"].fetch()]
    for call in calls:
        with pytest.raises(exc.InactiveRunException) as e:
            call()
        assert "stopped" in str(e.value)
    run.stop()  # again: nothing


def test_two_runs_in_two_threads(datasets):
    errors = []
    ids = []

    def work():
        try:
            with nereid.init_run() as r:
                for i in range(5):
                    r[f"f{i}"].track_files("datasets/train")
                    r[f"g{i}"] = r[f"f{i}"].fetch()
                    r.pop(f"f{i}")
                assert sorted(r.get_structure()) == ["g0", "g1", "g2", "g3", "g4", "sys"]
                ids.append(r["sys/id"].fetch())
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(ids)) == 2


def test_field_that_is_also_a_namespace(run):
    """The store allows "data_versions" beside "data_versions/train": the
    structure keeps both (the field under the key ""), and reading it never
    writes."""
    run["data_versions"].track_files("datasets/train/sample.csv")
    value = run["data_versions"].fetch()  # the field itself
    assert value.hash == run["data_versions"].fetch_hash()
    before = run["data_versions/train"].fetch_hash()
    s = run.get_structure()
    assert set(s["data_versions"]) == {"", "train"}
    assert s["data_versions"][""].path == "data_versions"
    assert set(run.fetch()["data_versions"]) == {"", "train"}
    assert run["data_versions/train"].fetch_hash() == before


def test_a_dict_with_a_bad_value_writes_nothing(run):
    value = run["data_versions/train"].fetch()
    with pytest.raises(TypeError):
        run["ns"] = {"a": value, "b": 3}
    with pytest.raises(exc.NeptuneProtectedPathException):
        run.assign({"a": value, "sys": {"name": value}})
    with nereid.init_run(project="team/other") as other:
        foreign = other["f"].track_files("datasets/train/sample.csv") or other["f"].fetch()
    with pytest.raises(exc.ArtifactNotFoundException):
        run.assign({"a": value, "z": foreign})
    assert not run.exists("ns") and not run.exists("a") and not run.exists("z")
    run.assign({"ns": {"a": value, "b": value}})
    assert run["ns"].fetch() == {"a": value, "b": value}
