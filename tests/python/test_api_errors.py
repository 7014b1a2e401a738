"""Every exception class of nereid.exceptions raised where neptune-client
raises it, with the library's one-line message; neptune-client's keyword
and type checks; the read-only and debug modes."""
import os
import warnings

import pytest

import nereid
from nereid import exceptions as exc


def one_line(e):
    text = str(e.value)
    assert text and "\n" not in text
    return text


def made_run(path="datasets"):
    with nereid.init_run() as run:
        run["d"].track_files(path)
        return run["sys/id"].fetch(), run["d"].fetch()


def test_every_class_is_a_neptune_exception():
    for name in exc.__all__:
        assert issubclass(getattr(exc, name), exc.NeptuneException), name
    import neptune.exceptions
    for name in exc.__all__:
        assert getattr(neptune.exceptions, name) is getattr(exc, name)
    assert issubclass(exc.MissingFieldException, KeyError)
    assert issubclass(exc.MissingFieldException, AttributeError)
    assert issubclass(exc.RunNotFound, exc.MetadataContainerNotFound)
    assert issubclass(exc.ProjectNotFound, exc.MetadataContainerNotFound)
    assert issubclass(exc.InactiveRunException, exc.InactiveContainerException)
    assert issubclass(exc.NeedExistingRunForReadOnlyMode,
                      exc.NeedExistingExperimentForReadOnlyMode)
    assert issubclass(exc.NeptuneRunResumeAndCustomIdCollision,
                      exc.NeptuneWrongInitParametersException)
    assert issubclass(exc.NeptuneOfflineModeFetchException, exc.NeptuneOfflineModeException)
    assert issubclass(exc.ArtifactNotFoundException, exc.MetadataInconsistency)


def test_run_not_found(datasets):
    made_run()
    with pytest.raises(exc.RunNotFound) as e:
        nereid.init_run(with_id="SND-99", mode="read-only")
    assert one_line(e) == "run SND-99: not found in project local/sandbox"
    assert e.value.code_name == "not-found"
    with pytest.raises(exc.RunNotFound):
        nereid.init_run(with_id="SND-99")  # not created either


def test_project_not_found():
    with pytest.raises(exc.ProjectNotFound) as e:
        nereid.init_project(project="no-such/project")
    assert one_line(e) == "project no-such/project: not found"


def test_artifact_not_found(datasets):
    _, value = made_run()
    with nereid.init_run(project="team/elsewhere") as run:
        with pytest.raises(exc.ArtifactNotFoundException) as e:
            run["x"] = value
        assert value.hash in one_line(e)


def test_resume_and_custom_id_collision(datasets):
    run_id, _ = made_run()
    with pytest.raises(exc.NeptuneRunResumeAndCustomIdCollision) as e:
        nereid.init_run(with_id=run_id, custom_run_id="job-7")
    assert "with_id and custom_run_id" in one_line(e)


def test_inactive_project():
    project = nereid.init_project()
    project.stop()
    project.stop()
    for call in (project.fetch_runs_table, project.get_url, project.wait, project.sync):
        with pytest.raises(exc.InactiveProjectException) as e:
            call()
        assert "stopped" in one_line(e)


def test_offline_project_refuses_reads(datasets):
    made_run()
    with nereid.init_project(mode="offline") as project:
        with pytest.raises(exc.NeptuneOfflineModeFetchException) as e:
            project.fetch_runs_table()
        assert "offline mode" in one_line(e)


def test_query_is_unsupported():
    with nereid.init_project() as project:
        with pytest.raises(exc.NeptuneUnsupportedFunctionalityException) as e:
            project.fetch_runs_table(query="(accuracy: float > 0.88)")
        assert "NQL" in one_line(e)
        with pytest.raises(ValueError):
            project.fetch_runs_table(query="x", owner="me")


def test_protected_path(datasets):
    run_id, value = made_run()
    with nereid.init_run(with_id=run_id) as run:
        with pytest.raises(exc.NeptuneProtectedPathException) as e:
            run["sys/owner"] = value
        assert "sys/owner" in one_line(e)
        with pytest.raises(exc.NeptuneProtectedPathException):
            run.pop("sys/owner")


def test_read_only_refuses_every_write(datasets):
    run_id, value = made_run()
    with nereid.init_run(with_id=run_id, mode="read-only") as run:
        before = run.fetch()
        for write in (lambda: run["e"].track_files("datasets"),
                      lambda: run.__setitem__("e", value),
                      lambda: run.pop("d"), lambda: run.__delitem__("d")):
            with pytest.raises(exc.NeptuneException) as e:
                write()
            assert "read-only mode" in one_line(e)
            assert e.value.code_name == "read-only"
        assert run.fetch() == before
        assert run.exists("d") and not run.exists("e")


def test_debug_mode_stores_nothing(datasets):
    run_id, value = made_run()
    with nereid.init_run(mode="debug") as run:
        run["x"].track_files("datasets")
        run["y"] = run["x"].fetch()
        assert run["y"].fetch_hash() == run["x"].fetch_hash()
        run.pop("x")
        assert not run.exists("x")
    with nereid.init_run(with_id=run_id, mode="debug") as run:
        run.pop("d")
        assert not run.exists("d")
    with nereid.init_run(with_id=run_id, mode="read-only") as run:
        assert run["d"].fetch() == value  # the debug pop left it
    with nereid.init_project() as project:
        assert [r.get_attribute_value("sys/id") for r in project.fetch_runs_table()] == [run_id]


@pytest.mark.parametrize("mode", ["async", "sync", "offline"])
def test_writing_modes(datasets, mode):
    with nereid.init_run(mode=mode) as run:
        run["d"].track_files("datasets")
        run_id = run["sys/id"].fetch()
    with nereid.init_run(with_id=run_id, mode="read-only") as run:
        assert len(run["d"].fetch_files_list()) == 2


def test_unknown_keyword_as_neptune_client():
    with pytest.raises(TypeError) as e:
        nereid.init_run(capture_stdout=False, no_such=1, other=2)
    assert str(e.value) == "Run() got an unexpected keyword argument 'no_such'"
    with pytest.raises(TypeError) as e:
        nereid.init_project(proxies={}, nope=1)
    assert str(e.value) == "Project() got an unexpected keyword argument 'nope'"


def test_wrong_types_as_neptune_client():
    with pytest.raises(TypeError) as e:
        nereid.init_run(with_id=5)
    assert str(e.value) == "with_id must be a str or NoneType (was <class 'int'>)"
    with pytest.raises(TypeError):
        nereid.init_run(name=["x"])
    with pytest.raises(TypeError):
        nereid.init_run(mode=1)
    with pytest.raises(TypeError):
        nereid.init_run(tags=[1])
    with nereid.init_project() as project:
        with pytest.raises(TypeError):
            project.fetch_runs_table(limit="3")
        with pytest.raises(ValueError) as e:
            project.fetch_runs_table(limit=0)
        assert str(e.value) == "Parameter 'limit' must be a positive integer or None. Got 0."
        with pytest.raises(ValueError):
            project.fetch_runs_table(state="sleeping")


def test_bad_mode_names_the_modes(monkeypatch):
    with pytest.raises(ValueError) as e:
        nereid.init_run(mode="sideways")
    assert str(e.value).startswith("'sideways' is not a valid Mode")
    monkeypatch.setenv("NEPTUNE_MODE", "later")
    with pytest.raises(ValueError):
        nereid.init_project()


def test_ignored_options_one_warning_per_call(datasets):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        nereid.init_run(flush_period=1.0, fail_on_exception=True, description="d").stop()
        nereid.init_run().stop()  # nothing ignored: no warning
        nereid.init_run(mode="debug", capture_stdout=False).stop()
        nereid.init_project(proxies={"http": "x"}).stop()
    messages = [str(x.message) for x in w]
    assert messages == [
        "nereid: Run() ignores these neptune-client options: fail_on_exception, flush_period",
        "nereid: Run() ignores these neptune-client options: capture_stdout",
        "nereid: Project() ignores these neptune-client options: proxies"]
    assert all(x.filename == __file__ for x in w)  # points at the caller


def test_debug_mode_on_a_new_store(datasets):
    """A debug run in a store that does not exist yet (nothing to copy from:
    the library once sorted an empty array, which UBSan reports)."""
    with nereid.init_run(mode="debug") as run:
        run["d"].track_files("datasets")
        assert len(run["d"].fetch_files_list()) == 2
    with pytest.raises(exc.RunNotFound):
        nereid.init_run(with_id="SND-1", mode="read-only")
