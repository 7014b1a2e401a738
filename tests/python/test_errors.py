"""Every error path of this step raises neptune-client's exception class
with the library's one-line message."""
import os
import warnings

import pytest

import nereid
from nereid import exceptions as exc


def test_missing_field():
    with nereid.init_run() as run:
        run_id = run["sys/id"].fetch()
        with pytest.raises(exc.MissingFieldException) as e:
            run["nope"].fetch_hash()
        assert str(e.value) == f"{run_id}:nope: no such field"
        assert e.value.code_name == "not-found"
        with pytest.raises(exc.MissingFieldException):
            run["nope"].fetch_files_list()
        with pytest.raises(exc.MissingFieldException):
            run["nope"].download(destination="out")
        with pytest.raises(exc.MissingFieldException):
            run["sys/nope"].fetch()
        assert issubclass(exc.MissingFieldException, exc.NeptuneException)


def test_wildcards(datasets):
    with nereid.init_run() as run:
        with pytest.raises(exc.NeptuneUnsupportedArtifactFunctionalityException) as e:
            run["d"].track_files("datasets/*.csv")
        assert "wildcards are not supported" in str(e.value)
        with pytest.raises(exc.MissingFieldException):
            run["d"].fetch_hash()  # nothing recorded


def test_empty_location(nereid_env):
    (nereid_env / "empty").mkdir()
    with nereid.init_run() as run:
        with pytest.raises(exc.NeptuneEmptyLocationException) as e:
            run["d"].track_files("empty")
        assert "nothing to track" in str(e.value)
        with pytest.raises(exc.NeptuneEmptyLocationException):
            run["d"].track_files("no/such/path")


def test_read_only_needs_existing_run():
    with pytest.raises(exc.NeedExistingRunForReadOnlyMode):
        nereid.init_run(mode="read-only")


def test_read_only_refuses_writes(datasets):
    with nereid.init_run() as run:
        run["d"].track_files("datasets")
        run_id = run["sys/id"].fetch()
        h = run["d"].fetch_hash()
    with nereid.init_run(with_id=run_id, mode="read-only") as run:
        with pytest.raises(exc.NeptuneException) as e:
            run["d"].track_files("datasets/train/sample.csv", destination="x")
        assert "read-only mode" in str(e.value)
        assert e.value.code_name == "read-only"
        assert run["d"].fetch_hash() == h


def test_unknown_run():
    with nereid.init_run() as run:
        pass
    with pytest.raises(exc.NeptuneException):
        nereid.init_run(with_id="NOPE-99", mode="read-only")


def test_use_after_stop(datasets):
    run = nereid.init_run()
    run.stop()
    run.stop()  # twice is fine
    with pytest.raises(exc.InactiveRunException):
        run["d"].track_files("datasets")
    with pytest.raises(exc.InactiveRunException):
        run["sys/id"].fetch()
    with pytest.raises(exc.InactiveRunException):
        run["d"].fetch_hash()


def test_unknown_keyword_is_type_error():
    with pytest.raises(TypeError):
        nereid.init_run(no_such_option=1)


def test_neptune_options_ignored_with_one_warning():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        run = nereid.init_run(capture_stdout=False, source_files=[], tags=["a"])
        run.stop()
    assert len(w) == 1
    assert "capture_stdout" in str(w[0].message) and "source_files" in str(w[0].message)
    assert "tags" not in str(w[0].message)  # stored: sys/tags


def test_bad_mode():
    with pytest.raises(ValueError):
        nereid.init_run(mode="sideways")


def test_debug_mode_stores_nothing(datasets):
    with nereid.init_run(mode="debug") as run:
        run["d"].track_files("datasets")
    with nereid.init_run(mode="sync") as run:
        assert run["sys/id"].fetch().endswith("-1")


def test_library_not_found_lists_places(tmp_path):
    # In a fresh interpreter: this one has the library loaded already.
    import subprocess
    import sys
    here = os.path.dirname(os.path.dirname(nereid.__file__))
    missing = str(tmp_path / "missing.so")
    env = dict(os.environ, NEREID_LIBRARY=missing, PYTHONPATH=here)
    code = ("import ctypes.util, nereid\n"
            "ctypes.util.find_library = lambda name: None\n"
            "try:\n"
            "    nereid.init_run()\n"
            "except nereid.exceptions.NeptuneLibraryNotFound as e:\n"
            "    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if "tried:" not in out.stdout:
        pytest.skip("libnereid is installed where the package looks: " + out.stdout + out.stderr)
    assert missing + " (no such file)" in out.stdout
    assert os.path.join(here, "nereid", "libnereid.so") in out.stdout
    assert "libnereid.so.0" in out.stdout


def test_mode_from_environment(monkeypatch):
    monkeypatch.setenv("NEPTUNE_MODE", "read-only")
    with pytest.raises(exc.NeedExistingRunForReadOnlyMode):
        nereid.init_run()
    with nereid.init_run(mode="async") as run:  # the keyword wins
        assert run["sys/id"].fetch()
