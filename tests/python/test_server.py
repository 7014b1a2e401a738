"""The Python binding against a real nereid-server: the seeds' code runs
unchanged with only NEPTUNE_API_TOKEN and NEPTUNE_PROJECT set (no store
option), everything lands on the server and nothing in the local embedded
store; init_project().fetch_runs_table reads the server's runs; a token the
server refuses raises neptune-client's NeptuneInvalidApiTokenException, a
read token writing raises an access error that is not about the token.

The server is started on 127.0.0.1 (a port the kernel picks) with a
temporary store, from beside the built nereid command."""
import os
import re
import subprocess

import pytest

from test_neptune_seeds import (SEED_DOWNLOAD, SEED_FILES, SEED_HASH, SEED_REOPEN, SEED_TRACK,
                                run_seed)


def server_bin(nereid_bin):
    b = os.path.join(os.path.dirname(nereid_bin), "nereid-server")
    if not os.path.exists(b):
        pytest.skip("no nereid-server beside the nereid command")
    return b


def child_env():
    """The environment of a child program: not this python's preloaded
    sanitizer runtime (the built programs carry their own)."""
    return {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}


class Server:
    def __init__(self, binary, store):
        self.binary = binary
        self.store = store
        self.proc = subprocess.Popen(
            [binary, "serve", "--listen", "127.0.0.1:0", "--store", store],
            stdout=subprocess.PIPE, stderr=None if os.environ.get("SRV_DEBUG") else subprocess.DEVNULL, text=True, env=child_env())
        line = self.proc.stdout.readline()
        m = re.match(r"nereid-server: listening on (http://127\.0\.0\.1:\d+)$", line.strip())
        if not m:
            self.stop()
            raise AssertionError(f"nereid-server did not start: {line!r}")
        self.url = m.group(1)

    def admin(self, *args):
        out = subprocess.run([self.binary, *args, "--store", self.store], check=True,
                             capture_output=True, text=True, timeout=60, env=child_env())
        return out.stdout.strip()

    def token(self, project, role, name):
        return self.admin("token", "create", "--project", project, "--role", role, "--name",
                          name, "--url", self.url)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def server(tmp_path, nereid_bin):
    srv = Server(server_bin(nereid_bin), str(tmp_path / "srvstore"))
    try:
        srv.admin("project", "create", "ml-team/classification", "--key", "CLS")
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def on_server(server, datasets, monkeypatch):
    """The seed's environment, pointing at the server: 44 earlier runs
    there, so the seed's first run is CLS-45."""
    token = server.token("ml-team/classification", "write", "alice")
    monkeypatch.setenv("NEPTUNE_API_TOKEN", token)
    monkeypatch.setenv("NEPTUNE_PROJECT", "ml-team/classification")
    import neptune
    for _ in range(44):
        neptune.init_run().stop()
    return token


def cli(nereid_bin, token, *args):
    env = {k: v for k, v in child_env().items() if not k.startswith(("NEREID_", "NEPTUNE_"))}
    env.update(NEREID_API_TOKEN=token, NEREID_PROJECT="ml-team/classification",
               NEREID_HOME=os.path.join(os.getcwd(), "cli-home"))
    return subprocess.run([nereid_bin, *args], capture_output=True, text=True, env=env,
                          timeout=60)


def test_seeds_code_against_the_server(on_server, nereid_bin, server):
    run_seed(SEED_TRACK, {})  # CLS-45, on the server
    scope = run_seed(SEED_REOPEN, {"neptune": __import__("neptune")})
    assert scope["run"]["sys/id"].fetch() == "CLS-45"
    assert scope["run"]["sys/owner"].fetch() == "alice"  # the token's name: made by the server
    scope["run"].stop()

    scope = run_seed(SEED_HASH, {})
    h = scope["run"]["data_versions"].fetch_hash()
    scope["run"].stop()
    out = cli(nereid_bin, on_server, "hash", "CLS-45:data_versions")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == h  # the CLI reads the same artifact from the server

    scope = run_seed(SEED_FILES, {})
    assert sorted(f.file_path for f in scope["artifact_list"]) == ["train/more.csv",
                                                                   "train/sample.csv"]
    assert scope["artifact_list"][0].metadata["file_path"].startswith("file:///")
    scope["run"].stop()

    scope = run_seed(SEED_DOWNLOAD, {})
    with open("downloaded_artifact/train/sample.csv") as f:
        assert f.read() == "a,b\n1,2\n"
    scope["run"].stop()

    # Nothing went to the local embedded store.
    assert not os.path.exists(os.path.join(os.environ["NEREID_HOME"], "store.db"))
    # The server's own log of runs: 45 of them.
    out = cli(nereid_bin, on_server, "runs", "--json")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count('"CLS-') == 45


def test_fetch_runs_table_from_the_server(on_server):
    import neptune
    with neptune.init_run(name="best") as run:
        run["data_versions/train"].track_files("datasets/train")
        h = run["data_versions/train"].fetch_hash()
    table = neptune.init_project().fetch_runs_table()
    rows = list(table)
    ids = [r.get_attribute_value("sys/id") for r in rows]
    assert ids[0] == "CLS-45" and "CLS-1" in ids and len(ids) == 45  # newest first, as Neptune
    last = [r for r in rows if r.get_attribute_value("sys/id") == "CLS-45"][0]
    assert last.get_attribute_value("sys/name") == "best"
    assert last.get_attribute_value("data_versions/train") == h


def test_invalid_token_raises_neptunes_exception(server, datasets, monkeypatch):
    import neptune
    from neptune.exceptions import NeptuneException, NeptuneInvalidApiTokenException
    good = server.token("ml-team/classification", "write", "bob")
    monkeypatch.setenv("NEPTUNE_PROJECT", "ml-team/classification")
    # A token of this server with another secret: unknown to it.
    unknown = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    monkeypatch.setenv("NEPTUNE_API_TOKEN", unknown)
    with pytest.raises(NeptuneInvalidApiTokenException) as err:
        neptune.init_run()
    assert isinstance(err.value, NeptuneException)
    assert "unknown token" in str(err.value)
    assert good not in str(err.value) and unknown not in str(err.value)
    # Revoked: the same exception, from the api_token argument too.
    listing = server.admin("token", "list")
    bob = [line.split()[0] for line in listing.splitlines() if "\tbob\t" in line][0]
    server.admin("token", "revoke", bob)
    with pytest.raises(NeptuneInvalidApiTokenException, match="revoked"):
        neptune.init_run(api_token=good)
    with pytest.raises(NeptuneInvalidApiTokenException):
        neptune.init_project(api_token=good).fetch_runs_table()


def test_read_token_writing_is_not_a_token_error(server, datasets, monkeypatch):
    import neptune
    from neptune.exceptions import NeptuneException, NeptuneInvalidApiTokenException
    writer = server.token("ml-team/classification", "write", "w")
    monkeypatch.setenv("NEPTUNE_PROJECT", "ml-team/classification")
    neptune.init_run(api_token=writer).stop()  # CLS-1
    reader = server.token("ml-team/classification", "read", "r")
    monkeypatch.setenv("NEPTUNE_API_TOKEN", reader)
    run = neptune.init_run(with_id="CLS-1", mode="read-only")
    assert run["sys/id"].fetch() == "CLS-1"
    run.stop()
    with pytest.raises(NeptuneException) as err:
        neptune.init_run()  # a new run: a write
    assert not isinstance(err.value, NeptuneInvalidApiTokenException)
    run = neptune.init_run(with_id="CLS-1")
    with pytest.raises(NeptuneException) as err:
        run["data_versions"].track_files("datasets/train")
        run.wait()
    assert not isinstance(err.value, NeptuneInvalidApiTokenException)
    run.stop()
