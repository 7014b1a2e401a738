"""progress_bar= of track_files(), download() and status(): neptune-client's
forms (None/True: a bar on a terminal only; False: none; a
ProgressBarCallback class or factory), fed by libnereid's progress callback;
a bar that fails cancels the call and leaves the field as it was."""
import io
import os

import pytest

import nereid
from nereid import exceptions as exc


def make_files(root, n):
    root.mkdir()
    for i in range(n):
        (root / f"f{i:04d}.txt").write_text(f"file {i}\n")
    return root


class Recorder(nereid.ProgressBarCallback):
    """Records how it was made and used (class-level, as the class is passed)."""
    made = []

    def __init__(self, *, description=None, unit=None, **kwargs):
        super().__init__()
        self.description = description
        self.unit = unit
        self.kwargs = kwargs
        self.updates = []
        self.entered = self.exited = False
        Recorder.made.append(self)

    def __enter__(self):
        self.entered = True
        return self

    def __exit__(self, *args):
        self.exited = True

    def update(self, *, by, total=None):
        self.updates.append((by, total))


@pytest.fixture(autouse=True)
def fresh_recorder():
    Recorder.made = []


def test_track_with_progress_class(nereid_env):
    make_files(nereid_env / "many", 300)
    with nereid.init_run() as run:
        run["f"].track_files("many", progress_bar=Recorder)
        assert len(run["f"].fetch_files_list()) == 300
    (bar,) = Recorder.made
    assert bar.description == "Tracking files" and bar.unit == "files"
    assert bar.entered and bar.exited
    assert bar.updates, "the bar was never updated"
    assert sum(by for by, _ in bar.updates) == 300
    assert bar.updates[-1][1] == 300
    assert all(by >= 0 for by, _ in bar.updates)


def test_download_and_status_with_progress(datasets):
    with nereid.init_run() as run:
        run["d"].track_files("datasets", progress_bar=False)
        run["d"].download(destination="out", progress_bar=Recorder)
        assert os.path.islink("out/train/sample.csv")
        run["d"].status(progress_bar=Recorder)
    dl, st = Recorder.made
    assert dl.description == "Downloading files"
    assert sum(by for by, _ in dl.updates) == 2
    assert st.description == "Checking files" and st.exited


def test_factory_and_instance(datasets):
    made = []

    def factory(**kw):
        made.append(kw)
        return Recorder(**kw)

    with nereid.init_run() as run:
        run["d"].track_files("datasets", progress_bar=factory)
        assert made == [{"description": "Tracking files", "unit": "files", "unit_scale": False}]
        inst = Recorder()
        run["e"].track_files("datasets", progress_bar=inst)
        assert sum(by for by, _ in inst.updates) == 2


def test_bad_progress_bar_is_refused_before_any_work(datasets):
    with nereid.init_run() as run:
        for bad in (42, "yes", object()):
            with pytest.raises(TypeError) as e:
                run["d"].track_files("datasets", progress_bar=bad)
            assert "progress_bar" in str(e.value)
        with pytest.raises(TypeError):
            run["d"].track_files("datasets", progress_bar=lambda **kw: 3)
        with pytest.raises(exc.MissingFieldException):
            run["d"].fetch_hash()  # nothing was tracked


def test_failing_bar_cancels_and_raises(nereid_env):
    make_files(nereid_env / "many", 200)
    (nereid_env / "one.txt").write_text("one\n")

    class Broken(Recorder):
        def update(self, *, by, total=None):
            raise RuntimeError("the bar broke")

    with nereid.init_run() as run:
        run["f"].track_files("one.txt")
        before = run["f"].fetch_hash()
        with pytest.raises(RuntimeError, match="the bar broke") as e:
            run["f"].track_files("many", progress_bar=Broken)
        # the library was cancelled: its error is the context
        assert getattr(e.value.__context__, "code_name", None) == "cancelled"
        assert run["f"].fetch_hash() == before
        assert [f.file_path for f in run["f"].fetch_files_list()] == ["one.txt"]
        run["f"].track_files("many", progress_bar=False)  # the run still works
        assert len(run["f"].fetch_files_list()) == 201


def test_default_bar_only_on_a_terminal(datasets, monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    for value in (None, True):
        tty = Tty()
        monkeypatch.setattr("sys.stderr", tty)
        with nereid.init_run() as run:
            run["d"].track_files("datasets", progress_bar=value)
        assert tty.getvalue().startswith("\rTracking files: ")
        assert tty.getvalue().endswith("2/2 files\n")
    tty = Tty()
    monkeypatch.setattr("sys.stderr", tty)
    with nereid.init_run() as run:
        run["d"].track_files("datasets", progress_bar=False)
    assert tty.getvalue() == ""
    pipe = io.StringIO()  # not a terminal: nothing, even with True
    monkeypatch.setattr("sys.stderr", pipe)
    with nereid.init_run() as run:
        run["d"].track_files("datasets", progress_bar=True)
        run["d"].download(destination="out")
    assert pipe.getvalue() == ""


def test_text_bar():
    out = io.StringIO()
    with nereid.TextProgressBar(description="Copying", unit="files", stream=out) as bar:
        bar.update(by=3, total=10)
        bar.update(by=7)
    assert out.getvalue().endswith("\rCopying: 10/10 files\n")
    out = io.StringIO()
    with nereid.TextProgressBar(stream=out):
        pass
    assert out.getvalue() == ""  # never updated: nothing drawn


def test_bar_cannot_reenter_its_run(datasets):
    class Reenter(Recorder):
        def update(self, *, by, total=None):
            run["e"].track_files("datasets", progress_bar=False)

    with nereid.init_run() as run:
        with pytest.raises(RuntimeError, match="cannot start a long call") as e:
            run["d"].track_files("datasets", progress_bar=Reenter)
        assert getattr(e.value.__context__, "code_name", None) == "cancelled"
        for field in ("d", "e"):
            with pytest.raises(exc.MissingFieldException):
                run[field].fetch_hash()
        run["d"].track_files("datasets", progress_bar=Recorder)  # the hook is free again
        assert sum(by for by, _ in Recorder.made[-1].updates) == 2
