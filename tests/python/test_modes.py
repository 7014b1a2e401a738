"""The Python binding's modes with a server (SPEC section 9, issue 11):
mode="offline" queues and reads from its queue, `nereid sync` delivers it;
mode="async" survives its server going away mid-run (no exception in the
training loop), run.wait() gives up after its timeout with one warning, and
`nereid sync` delivers the rest once the server is back."""
import hashlib
import os
import re
import signal
import subprocess
import time

import pytest

import nereid


def _env(**extra):
    """The environment of a child command: the sanitizer runtime preloaded
    into python (preload.sh) is not for binaries that carry their own."""
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    env.update(extra)
    return env


def _server_bin(nereid_bin):
    b = os.path.join(os.path.dirname(nereid_bin), "nereid-server")
    if not os.path.exists(b):
        pytest.skip("no nereid-server beside the nereid command")
    return b


class Server:
    def __init__(self, binary, store):
        self.binary, self.store, self.proc, self.url = binary, store, None, None

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--listen", "127.0.0.1:0", "--store", self.store],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=_env())
        line = self.proc.stdout.readline()
        m = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        assert m, line
        self.url = m.group(1)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


@pytest.fixture
def server(nereid_bin, tmp_path, monkeypatch):
    binary = _server_bin(nereid_bin)
    store = str(tmp_path / "srvstore")
    subprocess.run([binary, "project", "create", "ws/modes", "--key", "MOD", "--store", store],
                   check=True, capture_output=True, env=_env())
    s = Server(binary, store)
    s.start()
    out = subprocess.run([binary, "token", "create", "--project", "ws/modes", "--role", "write",
                          "--url", s.url, "--store", store],
                         check=True, capture_output=True, text=True, env=_env()).stdout
    token = re.search(r"nrd_\S+", out).group(0)
    monkeypatch.setenv("NEREID_API_TOKEN", token)
    monkeypatch.setenv("NEREID_PROJECT", "ws/modes")
    monkeypatch.setenv("NEREID_STORE", s.url)
    yield s
    s.stop()


def _sync(nereid_bin, url, *args):
    env = _env(NEREID_STORE=url)
    return subprocess.run([nereid_bin, "sync", *args], capture_output=True, text=True, env=env)


def test_offline_run_reads_its_queue_and_syncs_later(server, datasets, nereid_bin):
    run = nereid.init_run(mode="offline")
    run_id = run["sys/id"].fetch()
    assert re.fullmatch(r"offline/[0-9a-f-]{36}", run_id)
    run["data"].track_files(str(datasets))
    h = run["data"].fetch_hash()
    assert [f.file_path for f in run["data"].fetch_files_list()] == [
        "train/more.csv", "train/sample.csv"]
    run.stop()
    # Nothing reached the server; the files change before the sync.
    (datasets / "train" / "sample.csv").write_text("changed\n")
    done = _sync(nereid_bin, server.url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{run_id} -> MOD-1"
    again = nereid.init_run(with_id="MOD-1", mode="read-only")
    assert again["data"].fetch_hash() == h
    again.stop()


def test_offline_run_refuses_other_reads(server, datasets):
    with nereid.init_run(mode="offline") as run:
        run["data"].track_files(str(datasets))
        with pytest.raises(nereid.exceptions.NeptuneException) as e:
            run["sys/creation_time"].fetch()
        assert "offline mode" in str(e.value)


def test_async_run_survives_its_server_going_away(server, datasets, nereid_bin, capfd):
    run = nereid.init_run()  # async, the default
    assert run["sys/id"].fetch() == "MOD-1"
    run["data"].track_files(str(datasets))
    h1 = run["data"].fetch_hash()
    server.kill()
    # The training loop goes on: queued, no exception.
    (datasets / "extra.txt").write_text("extra\n")
    run["more"].track_files(str(datasets / "extra.txt"))
    run.wait(timeout=0.5)
    err = capfd.readouterr().err
    assert err.count("nereid sync") <= 1
    run.stop()
    (datasets / "extra.txt").write_text("changed since\n")
    server.start()  # the same store, a new address
    os.environ["NEREID_STORE"] = server.url
    done = _sync(nereid_bin, server.url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("-> MOD-1")
    back = nereid.init_run(with_id="MOD-1", mode="read-only")
    assert back["data"].fetch_hash() == h1
    files = back["more"].fetch_files_list()
    assert [f.file_path for f in files] == ["extra.txt"]
    # The MD5 of what was tracked, not of the file now.
    assert files[0].file_hash == hashlib.md5(b"extra\n").hexdigest()
    back.stop()
    status = _sync(nereid_bin, server.url, "--status")
    assert status.stdout == ""
