"""The seeds' Python code (seeds/download-artifact-metadata.txt and
seeds/tracking-artifacts.txt), verbatim, run with ``import neptune`` (the
compatibility package) against the embedded store. Only the environment is
prepared: NEPTUNE_PROJECT and NEPTUNE_API_TOKEN as the seed exports them, a
datasets/train/sample.csv folder, and 44 earlier runs in the project so
that the seed's first run is "CLS-45", the ID its later lines reopen.

The seeds show each snippet on ">>>" lines; the strings below are those
lines without the prompt. One snippet is cut off in the seed after its
last argument: its closing parenthesis is the only character added."""
import os
import subprocess
import sys

import pytest

SEED_TRACK = '''
import neptune
run = neptune.init_run()  # creates a run with the example identifier "CLS-45"
run["data_versions"].track_files("datasets/")
run.stop()
'''

SEED_REOPEN = '''
run = neptune.init_run(with_id="CLS-45", mode="read-only")
'''

SEED_FIND_ID = '''
run = neptune.init_run(project="ml-team/classification")
run["sys/id"].fetch()
'''

SEED_ARGUMENTS = '''
run = neptune.init_run(
    api_token="h0dHBzOi8aHR0cHM6Lkc78ghs74kl0jvYh3Kb8",  # your token here
    project="ml-team/classification",  # your full project name here
)
'''

SEED_HASH = '''
import neptune
run = neptune.init_run(with_id="CLS-45", mode="read-only")
run["data_versions"].fetch_hash()
'''

SEED_FILES = '''
import neptune
run = neptune.init_run(with_id="CLS-45", mode="read-only")
artifact_list = run["data_versions"].fetch_files_list()
artifact_list[0].file_hash
artifact_list[0].file_path
artifact_list[0].metadata["last_modified"]
artifact_list[0].metadata["file_path"]
'''

SEED_DOWNLOAD = '''
import neptune
run = neptune.init_run(with_id="CLS-45", mode="read-only")
run["data_versions"].download(destination="downloaded_artifact")
'''

SEED_WINDOWS_PATHS = '''
import neptune

run = neptune.init_run()

path1 = "C:\\\\Path\\\\to\\\\file"
path2 = "C:/Path/to/file"
path3 = r"C:\\Path\\to\\file"
'''

SEED_QUERY = '''
run["data_versions/train"].fetch_hash()
'''

SEED_QUERY_FILES = '''
import neptune
run = neptune.init_run(with_id="CLS-45", mode="read-only")
artifact_list = run["data_versions"].fetch_files_list()
artifact_list[0].file_hash
artifact_list[0].file_path
artifact_list[0].metadata["last_modified"]
artifact_list[0].metadata["file_path"]
'''


@pytest.fixture
def seed_env(datasets, monkeypatch):
    monkeypatch.setenv("NEPTUNE_API_TOKEN", "h0dHBzOi8aHR0cHM6Lkc78ghs74kl0jvYh3Kb8")
    monkeypatch.setenv("NEPTUNE_PROJECT", "ml-team/classification")
    import neptune
    for _ in range(44):
        neptune.init_run().stop()
    return datasets


def run_seed(code, scope):
    exec(compile(code, "<seed>", "exec"), scope)
    return scope


def test_seed_download_artifact_metadata(seed_env):
    scope = run_seed(SEED_TRACK, {})
    from neptune.exceptions import InactiveRunException
    with pytest.raises(InactiveRunException):  # stopped
        scope["run"]["sys/id"].fetch()
    run_seed(SEED_REOPEN, scope)
    assert scope["run"]["sys/id"].fetch() == "CLS-45"
    scope["run"].stop()
    run_seed(SEED_FIND_ID, scope)
    assert scope["run"]["sys/id"].fetch() == "CLS-46"
    scope["run"].stop()
    run_seed(SEED_ARGUMENTS, scope)
    assert scope["run"]["sys/id"].fetch() == "CLS-47"
    scope["run"].stop()

    scope = run_seed(SEED_HASH, {})
    h = scope["run"]["data_versions"].fetch_hash()
    assert len(h) == 64
    scope["run"].stop()

    scope = run_seed(SEED_FILES, {})
    first = scope["artifact_list"][0]
    assert first.file_path == "train/sample.csv" or first.file_path == "train/more.csv"
    assert len(first.metadata["last_modified"]) == len("2022-09-30 10:50:40")
    assert first.metadata["file_path"].startswith("file:///")
    scope["run"].stop()

    scope = run_seed(SEED_DOWNLOAD, {})
    assert os.path.islink("downloaded_artifact/train/sample.csv")
    with open("downloaded_artifact/train/sample.csv") as f:
        assert f.read() == "a,b\n1,2\n"
    scope["run"].stop()


def test_seed_tracking_artifacts(seed_env):
    run_seed(SEED_TRACK, {})  # CLS-45
    scope = run_seed(SEED_WINDOWS_PATHS, {})
    assert scope["path3"] == "C:\\Path\\to\\file"
    run = scope["run"]
    run["data_versions/train"].track_files("datasets/train")
    run_seed(SEED_QUERY, scope)
    assert run["sys/id"].fetch() == "CLS-46"
    run.stop()
    scope = run_seed(SEED_QUERY_FILES, {})
    assert [f.file_path for f in scope["artifact_list"]] == ["train/more.csv", "train/sample.csv"]
    scope["run"].stop()


def test_seed_in_a_fresh_interpreter(seed_env):
    """The first snippet as a script of its own: `import neptune` finds
    the package as an installed program would (PYTHONPATH)."""
    env = {k: v for k, v in os.environ.items()}
    out = subprocess.run([sys.executable, "-c", SEED_TRACK + "print(run._id)\n"], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "CLS-45"
