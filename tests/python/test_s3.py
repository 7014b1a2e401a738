"""S3 from Python against the test S3 server (s3rver, tests/s3/s3rver.sh, on
127.0.0.1 with the credentials S3RVER/S3RVER), started once for this file:
neptune-client's S3 artifact scenarios (creation, download, incremental
tracking into an existing field) re-written against Nereid, plus status,
progress and the error paths. Skipped, saying why, without node, npm or
curl (as the tests/e2e/s3_*.sh scripts are)."""
import hashlib
import os
import re
import shutil
import subprocess
import urllib.parse

import pytest

import nereid
from nereid import exceptions as exc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
S3RVER = os.path.join(ROOT, "tests", "s3", "s3rver.sh")


def tool_env():
    """The environment of the server, curl and the nereid command: without
    the sanitizer runtime that tests/python/preload.sh preloads for an ASan
    libnereid (node and curl hang with it, the command has its own)."""
    return {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}


@pytest.fixture(scope="module")
def s3server(tmp_path_factory):
    for tool in ("node", "npm", "curl", "bash"):
        if shutil.which(tool) is None:
            pytest.skip(f"skipped: {tool} is not installed (the S3 tests need s3rver)")
    state = tmp_path_factory.mktemp("s3rver")
    p = subprocess.run(["bash", S3RVER, "start", str(state)], capture_output=True, text=True,
                       env=tool_env())
    if p.returncode != 0:
        pytest.fail(f"s3rver did not start: {p.stderr.strip()}")
    port = int(p.stdout.strip())
    yield f"http://127.0.0.1:{port}"
    subprocess.run(["bash", S3RVER, "stop", str(state)], capture_output=True, env=tool_env())


class Bucket:
    """A new bucket of the test server, seeded with curl."""

    def __init__(self, endpoint, name):
        self.endpoint, self.name = endpoint, name
        self._curl("-X", "PUT", f"{endpoint}/{name}")

    def _curl(self, *args):
        subprocess.run(["curl", "-sS", "-f", "--aws-sigv4", "aws:amz:us-east-1:s3",
                        "--user", "S3RVER:S3RVER", "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD",
                        "-o", "/dev/null", *args], check=True, env=tool_env(), timeout=60)

    def put(self, key, data):
        tmp = os.path.join(os.getcwd(), ".put.tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        url = f"{self.endpoint}/{self.name}/{urllib.parse.quote(key, safe='/~')}"
        self._curl("-X", "PUT", "--data-binary", "@" + tmp, url)
        os.unlink(tmp)

    def delete(self, key):
        self._curl("-X", "DELETE", f"{self.endpoint}/{self.name}/{urllib.parse.quote(key)}")


_count = [0]


@pytest.fixture
def bucket(s3server, monkeypatch):
    """A fresh bucket, and the environment nereid reads for S3."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "S3RVER")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "S3RVER")
    monkeypatch.setenv("S3_ENDPOINT_URL", s3server)
    _count[0] += 1
    return Bucket(s3server, f"py-bucket-{_count[0]}")


def md5(data):
    return hashlib.md5(data).hexdigest()


def test_s3_creation_and_records(bucket, nereid_bin):
    bucket.put("data/train/a.csv", b"a,b\n1,2\n")
    bucket.put("data/train/sub/b.csv", b"bbbb")
    bucket.put("data/README", b"read me")
    bucket.put("data2/x", b"not under data/")
    with nereid.init_run() as run:
        run["s3"].track_files(f"s3://{bucket.name}/data")
        run["one"].track_files(f"s3://{bucket.name}/data/README", destination="docs")
        run_id = run["sys/id"].fetch()
        files = run["s3"].fetch_files_list()
        assert [f.file_path for f in files] == ["README", "train/a.csv", "train/sub/b.csv"]
        a = files[1]
        assert a.type == "S3" and a.size == 8 and a.file_hash == md5(b"a,b\n1,2\n")
        assert a.metadata["file_path"] == f"s3://{bucket.name}/data/train/a.csv"
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", a.metadata["last_modified"])
        assert [f.file_path for f in run["one"].fetch_files_list()] == ["docs/README"]
        h = run["s3"].fetch_hash()
    cli = subprocess.run([nereid_bin, "hash", f"{run_id}:s3"], capture_output=True, text=True,
                         env=tool_env())
    assert cli.stdout.strip() == h, cli.stderr


def test_s3_download(bucket, nereid_env):
    big = os.urandom(300_000)
    bucket.put("set/big.bin", big)
    bucket.put("set/sub/hello.txt", b"hello\n")
    bucket.put("set/donn\u00e9es/\u00e9", b"x=1")
    with nereid.init_run() as run:
        run["set"].track_files(f"s3://{bucket.name}/set")
        run_id = run["sys/id"].fetch()
    with nereid.init_run(with_id=run_id, mode="read-only") as run:
        progress = []

        class Bar(nereid.ProgressBarCallback):
            def update(self, *, by, total=None):
                progress.append(by)

        run["set"].download(destination="out", progress_bar=Bar)
    out = nereid_env / "out"
    assert (out / "big.bin").read_bytes() == big
    assert not os.path.islink(out / "big.bin")
    assert (out / "sub" / "hello.txt").read_bytes() == b"hello\n"
    assert (out / "donn\u00e9es" / "\u00e9").read_bytes() == b"x=1"
    assert sum(progress) == 3
    assert not [n for n in os.listdir(out) if ".nereid-" in n]


def test_s3_incremental_tracking(bucket):
    bucket.put("p/train/a.csv", b"a")
    bucket.put("p/test/b.csv", b"b")
    with nereid.init_run() as run:
        run["art"].track_files(f"s3://{bucket.name}/p/train", destination="train")
        first = run["art"].fetch_hash()
        run["art"].track_files(f"s3://{bucket.name}/p/test", destination="test")
        assert [f.file_path for f in run["art"].fetch_files_list()] == ["test/b.csv",
                                                                        "train/a.csv"]
        assert run["art"].fetch_hash() != first
        run["once"].track_files(f"s3://{bucket.name}/p")
        assert run["once"].fetch_hash() == run["art"].fetch_hash()  # same as at once
        # an object changed at the source: tracking again updates its record
        bucket.put("p/test/b.csv", b"bbb")
        assert run["art"].status().changed == ["test/b.csv"]
        run["art"].track_files(f"s3://{bucket.name}/p/test", destination="test")
        rec = {f.file_path: f for f in run["art"].fetch_files_list()}
        assert rec["test/b.csv"].file_hash == md5(b"bbb") and rec["test/b.csv"].size == 3
        assert not run["art"].status()
        bucket.delete("p/train/a.csv")
        assert run["art"].status().removed == ["train/a.csv"]
        assert run["art"].diff(run["once"]).changed == ["test/b.csv"]


def test_s3_errors(bucket, monkeypatch):
    bucket.put("k/a", b"a")
    with nereid.init_run() as run:
        with pytest.raises(exc.NeptuneEmptyLocationException) as e:
            run["x"].track_files(f"s3://{bucket.name}/no/such/prefix")
        assert "s3://" in str(e.value)
        with pytest.raises(exc.NeptuneException) as e:
            run["x"].track_files("s3://no-such-bucket-here/k")
        assert "no-such-bucket-here" in str(e.value)
        with pytest.raises(exc.MissingFieldException):
            run["x"].fetch_hash()
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with nereid.init_run() as run:
        with pytest.raises(exc.NeptuneException) as e:
            run["x"].track_files(f"s3://{bucket.name}/k")
        assert e.value.code_name == "access"


def test_s3_ctrl_c(bucket, nereid_env):
    """Ctrl-C (a real SIGINT to this process) during an S3 track and an S3
    download: KeyboardInterrupt, the field as before, no temporary file."""
    import signal

    for i in range(30):
        bucket.put(f"c/{i:02d}.bin", os.urandom(20_000))

    class KillOnce(nereid.ProgressBarCallback):
        def update(self, *, by, total=None):
            os.kill(os.getpid(), signal.SIGINT)

    with nereid.init_run() as run:
        run["f"].track_files(f"s3://{bucket.name}/c/00.bin")
        before = run["f"].fetch_files_list()
        with pytest.raises(KeyboardInterrupt) as e:
            run["f"].track_files(f"s3://{bucket.name}/c", progress_bar=KillOnce)
        assert getattr(e.value.__context__, "code_name", None) == "cancelled"
        assert run["f"].fetch_files_list() == before
        run["g"].track_files(f"s3://{bucket.name}/c")
        with pytest.raises(KeyboardInterrupt) as e:
            run["g"].download(destination="out", progress_bar=KillOnce)
        assert getattr(e.value.__context__, "code_name", None) == "cancelled"
        out = nereid_env / "out"
        leftovers = [n for _, _, names in os.walk(out) for n in names if ".nereid-" in n]
        assert leftovers == []
        run["g"].download(destination="out", progress_bar=False)  # completes afterwards
        assert len(os.listdir(out)) == 30
