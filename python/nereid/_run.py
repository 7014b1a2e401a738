"""Runs and field handlers: neptune-client's Run API over libnereid."""
from __future__ import annotations

import contextlib
import ctypes
import datetime
import gc
import json
import os
import sys
import threading
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from . import _compare, _lib, _options, _progress
from . import exceptions as exc
from .types import Artifact

PathLike = Union[str, "os.PathLike[str]"]

SYS_FIELDS = ("sys/id", "sys/name", "sys/owner", "sys/creation_time", "sys/modification_time",
              "sys/custom_run_id", "sys/description", "sys/tags", "sys/uuid")
# neptune-client's field types of the sys/ fields, as get_structure() and
# print_structure() name them; every other field is an artifact.
SYS_TYPES = {"sys/creation_time": "Datetime", "sys/modification_time": "Datetime",
             "sys/tags": "StringSet"}


def _tag_list(tags: Union[None, str, Iterable[str]]) -> List[str]:
    """neptune-client's tags argument (a str or a collection of str) as a list."""
    if tags is None:
        return []
    if isinstance(tags, str):
        return [tags]
    if not isinstance(tags, (list, set, tuple, frozenset)):
        raise TypeError(f"tags must be a list or set or tuple (was {type(tags)})")
    for t in tags:
        if not isinstance(t, str):
            raise TypeError(f"elements of collection 'tags' must be a str (was {type(t)})")
    return list(tags)
# Run-level methods that a handler does not have (neptune-client says so).
RUN_LEVEL_METHODS = frozenset({"exists", "get_structure", "print_structure", "stop", "sync",
                               "wait"})

# Keyword options of neptune-client 1.x's init_run() that Nereid accepts
# and ignores (one warning per call names those given).
NEPTUNE_IGNORED_OPTIONS = frozenset({
    "source_files", "capture_stdout", "capture_stderr", "capture_hardware_metrics",
    "fail_on_exception", "monitoring_namespace", "flush_period", "proxies",
    "capture_traceback", "git_ref", "dependencies", "async_lag_callback",
    "async_lag_threshold", "async_no_progress_callback", "async_no_progress_threshold",
    "enable_remote_signals",
})


def _field_type(path: str) -> str:
    """neptune-client's type name of the field at path."""
    if path.startswith("sys/"):
        return SYS_TYPES.get(path, "String")
    return "Artifact"


def _sys_value(path: str, text: Optional[str]) -> Any:
    """A sys/ value as neptune-client returns it: a datetime (aware, UTC) for
    the times, a set of str for the tags, else the str."""
    if text is None:
        return None
    kind = SYS_TYPES.get(path)
    if kind == "Datetime":
        try:
            return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
    if kind == "StringSet":
        return set(t for t in text.split(",") if t) if text else set()
    return text


def _nest(pairs: Iterable[Tuple[str, Any]]) -> Dict[str, Any]:
    """{"a/b": v} as {"a": {"b": v}}. A path that is both a field and a
    namespace (the store allows "a" beside "a/b") is a dict holding the
    field itself under the key "" ({"a": {"": v1, "b": v2}})."""
    out: Dict[str, Any] = {}
    for path, value in pairs:
        parts = path.split("/")
        node = out
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {} if part not in node else {"": node[part]}
            node = child
        last = parts[-1]
        if isinstance(node.get(last), dict):
            node[last][""] = value
        else:
            node[last] = value
    return out


def _assignments(path: str, value: Any) -> List[Tuple[str, Artifact]]:
    """The (field path, artifact) pairs an assignment of value at path makes:
    a dict's values each at its key below path, a handler's artifact. A
    TypeError for any other value, before anything is written."""
    if isinstance(value, dict):
        pairs: List[Tuple[str, Artifact]] = []
        for key, sub in value.items():
            if not isinstance(key, str):
                raise TypeError(f"a field path is a str, not {type(key).__name__}")
            pairs += _assignments(f"{path}/{key}" if path else key, sub)
        return pairs
    if isinstance(value, Handler):
        value = value.fetch()
    if not isinstance(value, Artifact):
        raise TypeError(f"Value of unsupported type {type(value)}: Nereid fields hold "
                        "artifacts (assign run[path].fetch(), or call track_files())")
    return [(path, value)]


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
        return f'<{_field_type(self._path)} field at "{self._path}">'

    @property
    def path(self) -> str:
        """The field's path, e.g. ``"data_versions/train"``."""
        return self._path

    def __getitem__(self, sub: str) -> "Handler":
        return Handler(self._run, f"{self._path}/{sub}")

    def __setitem__(self, sub: str, value: Any) -> None:
        self[sub].assign(value)

    def __delitem__(self, sub: str) -> None:
        self.pop(sub)

    def __getattr__(self, name: str) -> Any:
        if name in RUN_LEVEL_METHODS:
            raise AttributeError(f"{name}() is a method of the run, not of a field: "
                                 f"call run.{name}(), not run[\"{self._path}\"].{name}()")
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def get_root_object(self) -> "Run":
        """The run this field belongs to."""
        return self._run

    def assign(self, value: Any, *, wait: bool = False) -> None:
        """Make this field hold an artifact value: ``run["b"] = run["a"].fetch()``.

        Also accepted: another field's handler (``run["b"] = run["a"]``, its
        artifact) and a dict of those (each key a path below this field).

        :param value: an :class:`~nereid.types.Artifact`, a handler, or a dict
        :param wait: accepted for neptune-client; the embedded store writes at once
        :raises TypeError: any other value (Nereid stores artifact fields only)
        :raises ArtifactNotFoundException: no artifact with this hash in the run's project
        :raises NeptuneProtectedPathException: a ``sys/`` field
        """
        # Every value is checked before the first is written: a dict with a
        # bad value writes nothing.
        pairs = _assignments(self._path, value)
        with self._run._using() as (l, r):
            for path, artifact in pairs:
                if path == "sys" or path.startswith("sys/"):
                    raise exc.NeptuneProtectedPathException(f"field {path}: sys/ is read-only",
                                                            _lib.EINVALID, "invalid")
                rc = l.nereid_project_artifact_exists(self._run._project, _lib.enc(artifact.hash))
                if rc < 0:
                    raise self._run._write_error(rc, path, artifact)
            for path, artifact in pairs:
                rc = l.nereid_run_assign_hash(r, _lib.enc(path), _lib.enc(artifact.hash))
                if rc < 0:
                    raise self._run._write_error(rc, path, artifact)

    def pop(self, path: Optional[str] = None, *, wait: bool = False) -> None:
        """Remove this field (or the field path below it), or every field of a
        namespace, in one step. The artifacts stay in the project: assigning
        a fetched value brings one back.

        :raises MissingFieldException: no such field or namespace
        :raises NeptuneProtectedPathException: a ``sys/`` field
        """
        if path is not None:
            _options.verify_type("path", path, (str,))
        target = self._path if not path else f"{self._path}/{path}"
        self._run.pop(target, wait=wait)

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
        with self._run._using() as (l, r), \
                _progress.long_call(self._run, progress_bar, "Tracking files"):
            # No hash asked for: in async mode the call returns once the
            # operation is queued, whatever the server does.
            rc = l.nereid_run_track_files(None, r, _lib.enc(self._path), _lib.enc(path),
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
        """The field's value: an artifact field's :class:`~nereid.types.Artifact`
        (assignable to another field), a ``sys/`` field's value (a str, a
        timezone-aware UTC ``datetime`` for the times), or for a namespace a
        dict of the values below it.

        :raises MissingFieldException: no such field
        """
        if self._path.startswith("sys/"):
            out = ctypes.c_void_p()
            with self._run._using() as (l, r):
                rc = l.nereid_run_sys(ctypes.byref(out), r, _lib.enc(self._path))
                if rc < 0:
                    raise self._run._read_error(rc)
            try:
                text = _lib.dec(ctypes.string_at(out.value)) if out.value else None
            finally:
                l.nereid_string_free(out)
            return _sys_value(self._path, text)
        return self._run._fetch_path(self._path)

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
    """A run: a new one, or the existing one ``with_id`` (e.g. ``"CLS-45"``),
    as neptune-client's ``Run`` (``init_run`` is this class).

    Settings come from the environment (``NEREID_*``, ``NEPTUNE_PROJECT``,
    ``NEPTUNE_API_TOKEN``, ``NEPTUNE_MODE``, ``NEPTUNE_CUSTOM_RUN_ID``,
    AWS/S3 variables), the keyword arguments taking precedence.
    ``run[path]`` gives a :class:`Handler`; ``stop()`` (or leaving a ``with``
    block) releases the run, after which every use raises
    InactiveRunException.

    :param with_id: ID of an existing run to reopen
    :param project: ``"workspace/project"``
    :param api_token: token of a server store (unused by the embedded store)
    :param custom_run_id: the ID the program gives the run (``NEPTUNE_CUSTOM_RUN_ID``
        too): the project's run with this custom ID is resumed, else one is made
        with it (``sys/custom_run_id``)
    :param mode: ``"async"`` (default), ``"sync"``, ``"offline"``, ``"read-only"``, ``"debug"``
    :param name: ``sys/name`` of a new run
    :param description: ``sys/description`` of a new run
    :param tags: ``sys/tags`` of a new run: a str or a collection of str
        (a resumed run keeps its name, description and tags: a warning says so)
    :param neptune_options: neptune-client's other options, ignored with one warning
    :raises TypeError: a keyword neptune-client does not have either, an argument of a wrong type
    :raises ValueError: an unknown mode
    :raises NeedExistingRunForReadOnlyMode: read-only mode without ``with_id`` or ``custom_run_id``
    :raises NeptuneRunResumeAndCustomIdCollision: both ``with_id`` and ``custom_run_id``
    :raises RunNotFound: no run ``with_id`` in the project (read-only: no run with
        ``custom_run_id`` either)
    :raises NeptuneException: the store cannot be opened or written, ...
    """

    def __init__(self, with_id: Optional[str] = None, *, project: Optional[str] = None,
                 api_token: Optional[str] = None, custom_run_id: Optional[str] = None,
                 mode: Optional[str] = None, name: Optional[str] = None,
                 description: Optional[str] = None,
                 tags: Optional[Union[List[str], str]] = None,
                 **neptune_options: Any) -> None:
        # Set first: stop() and __del__ work whatever fails below.
        self._lock = threading.RLock()
        self._run: Optional[ctypes.c_void_p] = None
        self._project: Optional[ctypes.c_void_p] = None
        self._id = with_id or ""
        self._mode = mode or ""
        self._project_name = ""
        ignored = _options.check_keywords("Run", neptune_options, NEPTUNE_IGNORED_OPTIONS)
        for key, value in (("with_id", with_id), ("custom_run_id", custom_run_id),
                           ("name", name), ("description", description)):
            _options.verify_type(key, value, (str, type(None)))
        tag_list = _tag_list(tags)
        if with_id and custom_run_id:
            raise exc.NeptuneRunResumeAndCustomIdCollision(
                "with_id and custom_run_id cannot both be given: with_id resumes a run by "
                "its ID, custom_run_id by the ID the program chose")
        if not with_id and not custom_run_id:
            custom_run_id = os.environ.get("NEPTUNE_CUSTOM_RUN_ID") or None
        self._mode, mode_value = _options.resolve_mode(mode, "async")
        if mode_value == _lib.MODE_READ_ONLY and not with_id and not custom_run_id:
            raise exc.NeedExistingRunForReadOnlyMode(
                "read-only mode needs an existing run: pass with_id=\"KEY-N\" "
                "(or custom_run_id)")
        l = _lib.lib()
        self._lib = l
        hook = _progress.Hook()  # kept by the Run: the project calls it until freed
        proj = _options.open_project(project, api_token, mode_value, hook.cfunc)
        self._progress_hook = hook
        run = ctypes.c_void_p()
        metadata = [k for k, v in (("name", name), ("description", description),
                                   ("tags", tags)) if v is not None]
        if with_id:
            rc = l.nereid_run_open(ctypes.byref(run), proj, _lib.enc(with_id), None)
            missing = exc.RunNotFound if rc == _lib.ENOTFOUND else exc.NeptuneException
        else:
            opts = _lib.RunOptions()
            l.nereid_run_options_init(ctypes.byref(opts), _lib.RUN_OPTIONS_VERSION)
            keep = [_lib.enc(custom_run_id), _lib.enc(name), _lib.enc(description)]
            opts.custom_run_id, opts.name, opts.description = keep
            encoded = [_lib.enc(t) for t in tag_list]
            array = (ctypes.c_char_p * max(len(encoded), 1))(*encoded)
            opts.tags = ctypes.cast(array, ctypes.POINTER(ctypes.c_char_p)) if encoded else None
            opts.ntags = len(encoded)
            rc = l.nereid_run_create(ctypes.byref(run), proj, ctypes.byref(opts))
            # Read-only mode opens only a run that exists: anything else is "not found".
            missing = (exc.RunNotFound if rc == _lib.EREADONLY
                       and mode_value == _lib.MODE_READ_ONLY else exc.NeptuneException)
        if rc < 0:
            e = _lib.error(rc, missing)
            l.nereid_project_free(proj)
            raise e
        if with_id or l.nereid_run_resumed(run):
            # An existing run keeps its name, description and tags.
            ignored += [f"{k} (the run exists: kept as it was)" for k in metadata]
        self._project, self._run = proj, run
        self._id = _lib.dec(l.nereid_run_id(run)) or ""
        self._project_name = _lib.dec(l.nereid_project_name(proj)) or ""
        _options.warn_ignored("Run", ignored)

    def __repr__(self) -> str:
        return f"<Run {self._id} mode={self._mode}>"

    def __getitem__(self, path: str) -> Handler:
        if not isinstance(path, str):
            raise TypeError(f"a field path is a str, not {type(path).__name__}")
        return Handler(self, path)

    def __setitem__(self, path: str, value: Any) -> None:
        self[path].assign(value)

    def __delitem__(self, path: str) -> None:
        self.pop(path)

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

    def _write_error(self, rc: int, path: str, value: Optional[Artifact] = None
                     ) -> exc.NeptuneException:
        """The exception of a failed assignment (value given) or removal."""
        if rc == _lib.EINVALID and (path == "sys" or path.startswith("sys/")):
            return _lib.error(rc, exc.NeptuneProtectedPathException)
        if rc == _lib.ENOTFOUND and value is not None:
            e = _lib.error(rc, exc.ArtifactNotFoundException)
            if value.project and value.project != self._project_name:
                e.message += (f" (the value was fetched from project {value.project}; "
                              "an artifact is assigned within its project)")
            return e
        return self._read_error(rc)

    def _fields(self) -> List[Tuple[str, str]]:
        """Every field of the run with its value (sys/ first), in one call."""
        out = ctypes.c_void_p()
        with self._using() as (l, r):
            rc = l.nereid_run_fields(ctypes.byref(out), r)
            if rc < 0:
                raise _lib.error(rc)
        try:
            n = l.nereid_fields_count(out)
            return [(_lib.dec(l.nereid_fields_path(out, i)) or "",
                     _lib.dec(l.nereid_fields_value(out, i)) or "") for i in range(n)]
        finally:
            l.nereid_fields_free(out)

    def _value(self, path: str, text: str) -> Any:
        if path.startswith("sys/"):
            return _sys_value(path, text)
        return Artifact(text, self._project_name)

    def _fetch_path(self, path: str) -> Any:
        """The value at path: a field's, or a namespace's dict of values."""
        prefix = path.rstrip("/") + "/" if path else ""
        found = []
        for p, v in self._fields():
            if p == path:
                return self._value(p, v)
            if p.startswith(prefix):
                found.append((p[len(prefix):], self._value(p, v)))
        if not found:
            raise exc.MissingFieldException(f"{self._id}:{path}: no such field", _lib.ENOTFOUND,
                                            "not-found")
        return _nest(found)

    def fetch(self) -> Dict[str, Any]:
        """Every field's value, nested by namespace (``{"sys": {"id": ...}, ...}``)."""
        return self._fetch_path("")

    def assign(self, value: Dict[str, Any], *, wait: bool = False) -> None:
        """Assign every value of a dict (nested dicts are namespaces), as
        ``run[key] = value`` for each."""
        _options.verify_type("value", value, (dict,))
        Handler(self, "").assign(value, wait=wait)

    def exists(self, path: str) -> bool:
        """Whether a field or a namespace exists at path."""
        _options.verify_type("path", path, (str,))
        path = path.strip("/")
        prefix = path + "/"
        return any(p == path or p.startswith(prefix) for p, _ in self._fields())

    def pop(self, path: str, *, wait: bool = False) -> None:
        """Remove the field at path, or every field of the namespace, in one step.

        :raises MissingFieldException: no such field or namespace
        :raises NeptuneProtectedPathException: a ``sys/`` field
        """
        _options.verify_type("path", path, (str,))
        with self._using() as (l, r):
            rc = l.nereid_run_remove_field(r, _lib.enc(path))
            if rc < 0:
                raise self._write_error(rc, path)

    def get_structure(self) -> Dict[str, Any]:
        """The run's fields as nested dicts by namespace, each field's
        :class:`Handler` a leaf (``{"sys": {"id": <String field ...>}, ...}``)."""
        return _nest((p, Handler(self, p)) for p, _ in self._fields())

    def print_structure(self) -> None:
        """Print the structure, a line per namespace and field with its type,
        sorted by name (namespaces in blue on a terminal)."""
        color = sys.stdout.isatty()
        blue, end = ("\033[94m", "\033[0m") if color else ("", "")

        def show(node: Dict[str, Any], indent: int) -> None:
            for key in sorted(node):
                value = node[key]
                if isinstance(value, dict):
                    print(f"{'    ' * indent}{blue}'{key}'{end}:")
                    show(value, indent + 1)
                else:
                    print(f"{'    ' * indent}{blue}'{key}'{end}: {_field_type(value.path)}")

        show(self.get_structure(), 0)

    def get_state(self) -> str:
        """``"started"``, or ``"stopped"`` after stop()."""
        return "stopped" if self._run is None else "started"

    def wait(self, *, disk_only: bool = False, timeout: float = 30.0) -> None:
        """Wait for what this run queued to be delivered by its background
        sender (SPEC section 9: async mode with a server), up to timeout
        seconds (30 by default, as stop(): long enough for a slow server,
        short enough for a job whose server is gone); what is left stays
        queued for ``nereid sync``, with one warning. A write the server
        refused is raised here, once. The embedded store and sync mode
        write at once; offline mode delivers nothing."""
        with self._using() as (l, run):
            if disk_only:
                return  # queued operations are on disk before a call returns
            rc = l.nereid_run_wait(run, max(0, int(timeout * 1000)))
            self._id = _lib.dec(l.nereid_run_id(run)) or self._id
            if rc < 0:
                raise _lib.error(rc)
            if rc == 1:
                self._warn_left()

    def _warn_left(self) -> None:
        """The one warning of a run whose operations stay queued (the
        library says it returned 1; the binding, as a tool, prints it)."""
        if getattr(self, "_warned_left", False):
            return
        self._warned_left = True
        print(f"nereid: warning: {self._id}: not everything this run queued is delivered "
              f"yet; it stays queued: deliver it with `nereid sync`", file=sys.stderr)

    def sync(self, *, wait: bool = True) -> None:
        """Deliver what this run queued now (as wait())."""
        self.wait()

    def get_url(self) -> str:
        """The run's address: ``nereid://WORKSPACE/PROJECT/ID`` (the embedded
        store has no web address; ``nereid ui`` serves it on loopback)."""
        with self._using():
            return f"nereid://{self._project_name}/{self._id}"

    def stop(self, *, seconds: Optional[float] = None) -> None:
        """Stop the run and release it; a second call does nothing. In async
        mode with a server, first waits up to 30 s for the delivery of what
        the run queued (as wait()); what is left stays queued for
        ``nereid sync``, with one warning."""
        with self._lock:
            run, project = self._run, self._project
            self._run = self._project = None
        if run is not None:
            # The end of an async run waits for its delivery (30 s, as
            # nereid_run_free), unless a wait already gave up: what is left
            # stays queued, with the one warning; a write the server
            # refused is told, not raised.
            rc = 0 if getattr(self, "_warned_left", False) else \
                self._lib.nereid_run_wait(run, 30000)
            self._id = _lib.dec(self._lib.nereid_run_id(run)) or self._id
            if rc == 1:
                self._warn_left()
            elif rc < 0:
                print(f"nereid: warning: {self._id}: "
                      f"{_lib.dec(self._lib.nereid_error_last())}", file=sys.stderr)
            self._lib.nereid_run_free(run)
        if project is not None:
            self._lib.nereid_project_free(project)

    def __del__(self) -> None:
        try:
            self.stop()
        except Exception:
            pass


init_run = Run
