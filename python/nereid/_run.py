"""Runs and field handlers: neptune-client's Run API over libnereid."""
from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from . import _compare, _lib, _progress
from . import exceptions as exc

PathLike = Union[str, "os.PathLike[str]"]

SYS_FIELDS = ("sys/id", "sys/name", "sys/owner", "sys/creation_time", "sys/modification_time")

# Keyword options of neptune-client 1.x's init_run() that Nereid accepts
# and ignores (one warning per call names those given).
NEPTUNE_IGNORED_OPTIONS = frozenset({
    "source_files", "capture_stdout", "capture_stderr", "capture_hardware_metrics",
    "fail_on_exception", "monitoring_namespace", "flush_period", "proxies",
    "capture_traceback", "git_ref", "dependencies", "async_lag_callback",
    "async_lag_threshold", "async_no_progress_callback", "async_no_progress_threshold",
    "enable_remote_signals",
})


@dataclass
class ArtifactFileData:
    """One file record of an artifact, as neptune-client's ArtifactFileData.

    :ivar file_path: path inside the artifact (POSIX, relative)
    :ivar file_hash: MD5 of a local file, the ETag of an S3 object
    :ivar type: ``"Local"`` or ``"S3"``
    :ivar metadata: ``{"file_path": source URL, "last_modified": "YYYY-MM-DD HH:MM:SS" (UTC)}``
    :ivar size: size in bytes, or None when unknown
    """

    file_path: str
    file_hash: str
    type: str
    metadata: Dict[str, str] = field(default_factory=dict)
    size: Optional[int] = None


class Handler:
    """A field of a run, as ``run[path]`` gives it (neptune-client's Handler)."""

    def __init__(self, run: "Run", path: str) -> None:
        self._run = run
        self._path = path

    def __repr__(self) -> str:
        return f'<Artifact field at "{self._path}">'

    @property
    def path(self) -> str:
        """The field's path, e.g. ``"data_versions/train"``."""
        return self._path

    def __getitem__(self, sub: str) -> "Handler":
        return Handler(self._run, f"{self._path}/{sub}")

    def track_files(self, path: PathLike, *, destination: Optional[str] = None,
                    wait: bool = False, progress_bar: _progress.ProgressBarType = None) -> None:
        """Record the files at path (a file, folder, ``file://`` URI or ``s3://`` location)
        into this artifact field, adding them to what it holds.

        :param path: ``str`` or ``os.PathLike``
        :param destination: prefix of every recorded ``file_path``
        :param wait: accepted for neptune-client; the embedded store writes at once
        :param progress_bar: None or True: a bar on stderr when it is a terminal; False:
            none; a :class:`~nereid.ProgressBarCallback` class (as neptune-client's)
        :raises NeptuneUnsupportedArtifactFunctionalityException: wildcards in path
        :raises NeptuneEmptyLocationException: nothing to track at path
        :raises NeptuneException: read-only mode, an unreadable file, ...
        :raises KeyboardInterrupt: Ctrl-C (the field is left as it was)
        """
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a str or os.PathLike, not {type(path).__name__}")
        h = _lib.HASH()
        with self._run._using() as (l, r), \
                _progress.long_call(self._run, progress_bar, "Tracking files"):
            rc = l.nereid_run_track_files(h, r, _lib.enc(self._path), _lib.enc(path),
                                          _lib.enc(destination))
            if rc < 0:
                raise self._run._track_error(rc)

    def fetch_hash(self) -> str:
        """The artifact hash of the field (SHA-256, 64 lowercase hex).

        :raises MissingFieldException: the field does not exist
        """
        return self._hash(_lib.HASH_ARTIFACT)

    def fetch_content_hash(self) -> str:
        """The content hash of the field: the same data anywhere, any time, has the same one.

        :raises MissingFieldException: the field does not exist
        """
        return self._hash(_lib.HASH_CONTENT)

    def _hash(self, kind: int) -> str:
        h = _lib.HASH()
        with self._run._using() as (l, r):
            rc = l.nereid_run_fetch_hash(h, r, _lib.enc(self._path), kind)
            if rc < 0:
                raise self._run._read_error(rc)
        return h.value.decode("ascii")

    def fetch_files_list(self) -> List[ArtifactFileData]:
        """The field's file records, sorted by ``file_path``.

        :raises MissingFieldException: the field does not exist
        """
        files = ctypes.c_void_p()
        with self._run._using() as (l, r):
            rc = l.nereid_run_fetch_files_list(ctypes.byref(files), r, _lib.enc(self._path))
            if rc < 0:
                raise self._run._read_error(rc)
        # The list is the caller's, independent of the run: read outside the
        # lock, in one call (its JSON form, SPEC section 2), not one per field.
        text = ctypes.c_void_p()
        try:
            rc = l.nereid_files_to_json(ctypes.byref(text), files)
            if rc < 0:
                raise _lib.error(rc)
            # 100,000 records make 400,000 objects: without the cyclic
            # collector running over them meanwhile, this is twice as fast.
            collecting = gc.isenabled()
            gc.disable()
            try:
                try:
                    records = json.loads(ctypes.string_at(text.value).decode("utf-8"))
                finally:
                    l.nereid_string_free(text)
                return [ArtifactFileData(r["file_path"], r["file_hash"], r["type"],
                                         r["metadata"], r["size"]) for r in records]
            finally:
                if collecting:
                    gc.enable()
        finally:
            l.nereid_files_free(files)

    def download(self, destination: Optional[PathLike] = None,
                 progress_bar: _progress.ProgressBarType = None, *, copy: bool = False,
                 force: bool = False) -> None:
        """Recreate every file of the field under destination (default: the current folder):
        symbolic links to local sources, S3 objects fetched.

        :param destination: a folder, created if needed
        :param progress_bar: None or True: a bar on stderr when it is a terminal; False:
            none; a :class:`~nereid.ProgressBarCallback` class (as neptune-client's)
        :param copy: (Nereid) copy local sources, verified against their MD5, instead of
            linking them (``nereid download --copy``)
        :param force: (Nereid) replace targets holding other content (``--force``)
        :raises MissingFieldException: the field does not exist
        :raises NeptuneException: a file could not be put in place (the others still are)
        :raises KeyboardInterrupt: Ctrl-C (every target complete or untouched, no
            temporary file left)
        """
        flags = (_lib.DOWNLOAD_COPY if copy else 0) | (_lib.DOWNLOAD_FORCE if force else 0)
        with self._run._using() as (l, r), \
                _progress.long_call(self._run, progress_bar, "Downloading files"):
            rc = l.nereid_run_download(r, _lib.enc(self._path), _lib.enc(destination), flags)
            if rc < 0:
                raise self._run._read_error(rc)

    def fetch(self) -> Any:
        """The value of a ``sys/`` field (``run["sys/id"].fetch()`` is the run's ID).

        :raises MissingFieldException: no such field
        """
        if self._path.startswith("sys/"):
            out = ctypes.c_void_p()
            with self._run._using() as (l, r):
                rc = l.nereid_run_sys(ctypes.byref(out), r, _lib.enc(self._path))
                if rc < 0:
                    raise self._run._read_error(rc)
            try:
                return _lib.dec(ctypes.string_at(out.value)) if out.value else None
            finally:
                l.nereid_string_free(out)
        raise NotImplementedError("fetch() of an artifact field is not available yet; "
                                  "use fetch_hash() or fetch_files_list()")

    # --- Beyond neptune-client: comparing artifacts (_compare.py) ----------

    def _native_files(self) -> ctypes.c_void_p:
        """The field's records as a nereid_files handle (the caller frees it)."""
        files = ctypes.c_void_p()
        with self._run._using() as (l, r):
            rc = l.nereid_run_fetch_files_list(ctypes.byref(files), r, _lib.enc(self._path))
            if rc < 0:
                raise self._run._read_error(rc)
        return files

    def diff(self, other: "Handler") -> _compare.ArtifactDiff:
        """What differs from this field's artifact to other's, by ``file_path``: as
        ``nereid diff RUN:THIS RUN2:OTHER``. other may be a field of another run, opened
        from another project or store.

        :param other: another handler, ``run2["data_versions"]``
        :return: an :class:`ArtifactDiff` (``added``, ``removed``, ``changed``: lists of
            file_paths); true when anything differs
        :raises MissingFieldException: either field does not exist
        """
        if not isinstance(other, Handler):
            raise TypeError(f"diff() compares with another field handler, not {type(other).__name__}")
        old = self._native_files()
        try:
            new = other._native_files()
            try:
                l = _compare.declare(self._run._lib)
                d = ctypes.c_void_p()
                rc = l.nereid_diff_files(ctypes.byref(d), old, new)
                if rc < 0:
                    raise _lib.error(rc)
                try:
                    return _compare.read(l, d)
                finally:
                    l.nereid_diff_free(d)
            finally:
                self._run._lib.nereid_files_free(new)
        finally:
            self._run._lib.nereid_files_free(old)

    def status(self, progress_bar: _progress.ProgressBarType = None) -> _compare.ArtifactDiff:
        """Re-scan the places the field was tracked from and compare them with its records,
        as ``nereid status RUN:FIELD``: ``added`` files are new at the sources, ``removed``
        ones gone, ``changed`` ones have another hash, size or type.

        :param progress_bar: as :meth:`track_files`
        :raises MissingFieldException: the field does not exist
        :raises NeptuneException: a source could not be read
        :raises KeyboardInterrupt: Ctrl-C
        """
        lib = _compare.declare(self._run._lib)
        d = ctypes.c_void_p()
        try:
            with self._run._using() as (l, r), \
                    _progress.long_call(self._run, progress_bar, "Checking files"):
                rc = l.nereid_run_status(ctypes.byref(d), r, _lib.enc(self._path))
                if rc < 0:
                    raise self._run._read_error(rc)
            return _compare.read(lib, d)
        finally:
            lib.nereid_diff_free(d)


class Run:
    """A run, as :func:`init_run` opens it (neptune-client's Run).

    ``run[path]`` gives a :class:`Handler`; ``stop()`` (or leaving a ``with``
    block) releases it, after which every use raises InactiveRunException.
    """

    def __init__(self, lib: ctypes.CDLL, project: ctypes.c_void_p, run: ctypes.c_void_p,
                 mode: str) -> None:
        self._lib = lib
        self._project: Optional[ctypes.c_void_p] = project
        self._run: Optional[ctypes.c_void_p] = run
        self._mode = mode
        # libnereid: a run serves one thread at a time. Every call into the
        # library holds this lock, and stop() waits for the call in progress.
        self._lock = threading.RLock()
        rid = lib.nereid_run_id(run)
        self._id: str = _lib.dec(rid) or ""

    def __repr__(self) -> str:
        return f"<Run {self._id} mode={self._mode}>"

    def __getitem__(self, path: str) -> Handler:
        if not isinstance(path, str):
            raise TypeError(f"a field path is a str, not {type(path).__name__}")
        return Handler(self, path)

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, *args: Any) -> None:
        self.stop()

    @contextlib.contextmanager
    def _using(self) -> Iterator[Tuple[ctypes.CDLL, ctypes.c_void_p]]:
        """The library and the run handle, held by this thread for the block."""
        with self._lock:
            r = self._run
            if r is None:
                raise exc.InactiveRunException(
                    f"run {self._id} is stopped: it cannot be read or written any more")
            yield self._lib, r

    def _read_error(self, rc: int) -> exc.NeptuneException:
        if rc == _lib.ENOTFOUND:
            return _lib.error(rc, exc.MissingFieldException)
        return _lib.error(rc)

    def _track_error(self, rc: int) -> exc.NeptuneException:
        if rc == _lib.ENOTFOUND:
            return _lib.error(rc, exc.NeptuneEmptyLocationException)
        e = _lib.error(rc)
        if rc == _lib.EINVALID and "wildcards are not supported" in e.message:
            return exc.NeptuneUnsupportedArtifactFunctionalityException(e.message, rc, e.code_name)
        return e

    def wait(self, disk_only: bool = False) -> None:
        """Wait for what was written to be stored (the embedded store writes at once)."""
        with self._using():
            pass

    def sync(self, wait: bool = True) -> None:
        """Synchronise with the store (nothing to do on the embedded store)."""
        with self._using():
            pass

    def get_url(self) -> str:
        """A reference to the run (``nereid://PROJECT/ID``; no web UI yet)."""
        with self._using() as (l, _):
            name = _lib.dec(l.nereid_project_name(self._project))
        return f"nereid://{name}/{self._id}"

    def stop(self, seconds: Optional[float] = None) -> None:
        """Stop the run and release it; a second call does nothing."""
        with self._lock:
            run, project = self._run, self._project
            self._run = self._project = None
        if run is not None:
            self._lib.nereid_run_free(run)
        if project is not None:
            self._lib.nereid_project_free(project)

    def __del__(self) -> None:
        try:
            self.stop()
        except Exception:
            pass


def init_run(with_id: Optional[str] = None, *, project: Optional[str] = None,
             api_token: Optional[str] = None, custom_run_id: Optional[str] = None,
             mode: Optional[str] = None, name: Optional[str] = None,
             description: Optional[str] = None, tags: Optional[Iterable[str]] = None,
             **neptune_options: Any) -> Run:
    """Open a run: a new one, or the existing one ``with_id`` (e.g. ``"CLS-45"``).

    Settings come from the environment (``NEREID_*``, ``NEPTUNE_PROJECT``,
    ``NEPTUNE_API_TOKEN``, ``NEPTUNE_MODE``, AWS/S3 variables), the keyword
    arguments taking precedence.

    :param with_id: ID of an existing run to reopen
    :param project: ``"workspace/project"``
    :param api_token: token of a server store (unused by the embedded store)
    :param custom_run_id: not supported yet: ignored with a warning
    :param mode: ``"async"`` (default), ``"sync"``, ``"offline"``, ``"read-only"``, ``"debug"``
    :param name: ``sys/name`` of a new run
    :param description: not stored yet: ignored with a warning
    :param tags: not stored yet: ignored with a warning
    :param neptune_options: neptune-client's other options, ignored with one warning
    :raises TypeError: a keyword neptune-client does not have either
    :raises NeedExistingRunForReadOnlyMode: read-only mode without ``with_id``
    :raises NeptuneException: no such run, a bad mode, ...
    """
    unknown = sorted(k for k in neptune_options if k not in NEPTUNE_IGNORED_OPTIONS)
    if unknown:
        raise TypeError(f"init_run() got an unexpected keyword argument '{unknown[0]}'")
    ignored = sorted(neptune_options)
    if custom_run_id is None:
        custom_run_id = os.environ.get("NEPTUNE_CUSTOM_RUN_ID") or None
    for k, v in (("custom_run_id", custom_run_id), ("description", description), ("tags", tags)):
        if v is not None:
            ignored.append(k)
    if ignored:
        warnings.warn("nereid: init_run() ignores these neptune-client options: "
                      + ", ".join(sorted(ignored)), stacklevel=2)
    if mode is None:
        mode = os.environ.get("NEPTUNE_MODE") or "async"
    l = _lib.lib()
    mode_value = ctypes.c_int()
    if l.nereid_mode_parse(ctypes.byref(mode_value), _lib.enc(mode)) < 0:
        raise ValueError(f"unknown mode {mode!r}: one of async, sync, offline, read-only, debug")
    if mode_value.value == _lib.MODE_READ_ONLY and with_id is None:
        raise exc.NeedExistingRunForReadOnlyMode(
            "read-only mode needs an existing run: pass with_id=\"KEY-N\"")
    opts = _lib.Options()
    rc = l.nereid_options_init(ctypes.byref(opts), _lib.OPTIONS_VERSION)
    if rc < 0:
        raise _lib.error(rc)
    proj = ctypes.c_void_p()
    hook = _progress.Hook()  # kept by the Run: the project calls it until freed
    try:
        rc = l.nereid_options_from_env(ctypes.byref(opts))
        if rc < 0:
            raise _lib.error(rc)
        keep = []  # bytes the options point into, alive until the project is open
        if project is not None:
            keep.append(_lib.enc(project))
            opts.project = keep[-1]
        if api_token is not None:
            keep.append(_lib.enc(api_token))
            opts.api_token = keep[-1]
        opts.mode = mode_value.value
        opts.progress = hook.cfunc  # progress bars and Ctrl-C (_progress.py)
        rc = l.nereid_project_open(ctypes.byref(proj), None, ctypes.byref(opts))
        if rc < 0:
            raise _lib.error(rc)
    finally:
        l.nereid_options_dispose(ctypes.byref(opts))
    run = ctypes.c_void_p()
    rc = l.nereid_run_open(ctypes.byref(run), proj, _lib.enc(with_id), _lib.enc(name))
    if rc < 0:
        e = _lib.error(rc)
        l.nereid_project_free(proj)
        raise e
    opened = Run(l, proj, run, mode)
    opened._progress_hook = hook
    return opened
