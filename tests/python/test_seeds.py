"""The seeds' Python examples, run against the embedded store."""
import hashlib
import os
import pathlib
import subprocess

import nereid
from nereid import ArtifactFileData


def track_seed_run():
    run = nereid.init_run()  # creates a run
    run["data_versions"].track_files("datasets/")
    run_id = run["sys/id"].fetch()
    run.stop()
    return run_id


def test_track_then_reopen_read_only(datasets):
    run_id = track_seed_run()
    run = nereid.init_run(with_id=run_id, mode="read-only")
    assert run["sys/id"].fetch() == run_id
    h = run["data_versions"].fetch_hash()
    assert len(h) == 64 and all(c in "0123456789abcdef" for c in h)
    run.stop()


def test_fetch_hash_matches_cli(datasets, nereid_bin):
    run_id = track_seed_run()
    with nereid.init_run(with_id=run_id, mode="read-only") as run:
        h = run["data_versions"].fetch_hash()
        c = run["data_versions"].fetch_content_hash()
    assert cli(nereid_bin, "hash", f"{run_id}:data_versions").split()[-1] == h
    assert cli(nereid_bin, "hash", f"{run_id}:data_versions", "--content").split()[-1] == c


def cli(nereid_bin, *args):
    """stdout of the nereid command; the Python process's preloaded ASan
    runtime is not passed on (the command links its own)."""
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    out = subprocess.run([nereid_bin, *args], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_fetch_files_list(datasets):
    run_id = track_seed_run()
    run = nereid.init_run(with_id=run_id, mode="read-only")
    artifact_list = run["data_versions"].fetch_files_list()
    assert [f.file_path for f in artifact_list] == ["train/more.csv", "train/sample.csv"]
    f = artifact_list[1]
    assert isinstance(f, ArtifactFileData)

    assert f.file_hash == hashlib.md5(b"a,b\n1,2\n").hexdigest()
    assert f.type == "Local"
    assert f.size == 8
    src = (datasets / "train" / "sample.csv").resolve()
    assert f.metadata["file_path"] == "file://" + str(src)
    assert len(f.metadata["last_modified"]) == 19  # 'YYYY-MM-DD HH:MM:SS'
    run.stop()


def test_artifact_file_data_is_neptunes_dataclass():
    import dataclasses
    names = [f.name for f in dataclasses.fields(ArtifactFileData)]
    assert names == ["file_path", "file_hash", "type", "metadata", "size"]
    a = ArtifactFileData("x", "h", "Local", {"file_path": "file:///x"}, 1)
    assert a == ArtifactFileData("x", "h", "Local", {"file_path": "file:///x"}, 1)
    assert a != ArtifactFileData("x", "h", "Local", {"file_path": "file:///x"}, 2)


def test_download(datasets):
    run_id = track_seed_run()
    run = nereid.init_run(with_id=run_id, mode="read-only")
    run["data_versions"].download(destination="downloaded_artifact")
    target = pathlib.Path("downloaded_artifact/train/sample.csv")
    assert target.is_symlink()
    assert target.read_text() == "a,b\n1,2\n"
    run.stop()


def test_download_default_destination_is_cwd(datasets, tmp_path, monkeypatch):
    run_id = track_seed_run()
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    with nereid.init_run(with_id=run_id, mode="read-only") as run:
        run["data_versions"].download()
    assert (out / "train" / "more.csv").read_text() == "c,d\n3,4\n"


def test_pathlike_destination_and_single_file(datasets):
    with nereid.init_run() as run:
        run["data_versions/train"].track_files(pathlib.Path("datasets/train/sample.csv"),
                                               destination="d")
        files = run["data_versions/train"].fetch_files_list()
        assert [f.file_path for f in files] == ["d/sample.csv"]
        run["file_uri"].track_files("file://" + str(datasets.resolve()))
        assert len(run["file_uri"].fetch_files_list()) == 2


def test_incremental_tracking_equals_folder(datasets):
    with nereid.init_run() as run:
        run["whole"].track_files("datasets/train")
        run["parts"].track_files("datasets/train/sample.csv")
        run["parts"].track_files("datasets/train/more.csv")
        assert run["whole"].fetch_hash() == run["parts"].fetch_hash()


def test_sys_fields(datasets):
    with nereid.init_run(name="seed run") as run:
        assert run["sys/name"].fetch() == "seed run"
        assert run["sys/owner"].fetch()
        for f in ("sys/creation_time", "sys/modification_time"):
            t = run[f].fetch()  # a datetime in UTC, as neptune-client's
            assert t.utcoffset().total_seconds() == 0


def test_repr():
    with nereid.init_run() as run:
        assert repr(run["x"]) == '<Artifact field at "x">'
        assert repr(run["data_versions"]["train"]) == '<Artifact field at "data_versions/train">'


def test_project_from_keyword_and_environment(datasets, monkeypatch):
    with nereid.init_run(project="ml-team/classification") as run:
        run["d"].track_files("datasets")
        run_id = run["sys/id"].fetch()
    assert run_id.startswith("CLS-")
    monkeypatch.setenv("NEPTUNE_PROJECT", "ml-team/classification")
    with nereid.init_run(with_id=run_id, mode="read-only") as run:
        assert len(run["d"].fetch_files_list()) == 2


def test_threads_two_runs_and_one_shared(datasets):
    import threading
    errors = []

    def work(run, field):
        try:
            for _ in range(5):
                run[field].track_files("datasets/train")
                assert len(run[field].fetch_files_list()) == 2
        except Exception as e:  # reported below
            errors.append(e)

    a, b = nereid.init_run(), nereid.init_run()
    threads = [threading.Thread(target=work, args=(r, f))
               for r, f in ((a, "x"), (b, "x"), (a, "y"), (b, "y"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert a["x"].fetch_hash() == b["y"].fetch_hash()
    a.stop()
    b.stop()


def test_seed_code_verbatim(datasets):
    """The lines of seeds/download-artifact-metadata.txt, with the run ID
    this store gives in place of "CLS-45"."""
    import nereid as neptune
    run = neptune.init_run()  # creates a run with the example identifier "CLS-45"
    run["data_versions"].track_files("datasets/")
    run_id = run["sys/id"].fetch()
    assert run.get_url().endswith("/" + run_id)
    run.stop()

    run = neptune.init_run(with_id=run_id, mode="read-only")
    run["data_versions"].fetch_hash()
    artifact_list = run["data_versions"].fetch_files_list()
    artifact_list[0].file_hash
    artifact_list[0].file_path
    artifact_list[0].metadata["last_modified"]
    artifact_list[0].metadata["file_path"]
    run["data_versions"].download(destination="downloaded_artifact")
    assert os.path.islink("downloaded_artifact/train/sample.csv")
    run.stop()


def test_fetch_files_list_matches_cli_json(datasets, nereid_bin):
    import json
    run_id = track_seed_run()
    with nereid.init_run(with_id=run_id, mode="read-only") as run:
        files = run["data_versions"].fetch_files_list()
    records = json.loads(cli(nereid_bin, "ls", f"{run_id}:data_versions", "--json"))
    assert files == [ArtifactFileData(**r) for r in records]
