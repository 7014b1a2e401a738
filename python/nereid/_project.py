"""Projects and their runs table: neptune-client's ``init_project()``,
``Project.fetch_runs_table()``, ``Table``, ``TableEntry``.

The runs are read page by page (nereid_project_runs_page), their sys/
values from the page itself; a run's artifact fields (nereid_run_fields)
are read only for the rows kept, and only when a column asks for them. Not
the place for writing to runs (_run.py).
"""
from __future__ import annotations

import contextlib
import ctypes
import threading
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from . import _lib
from . import _options
from . import exceptions as exc
from ._run import _sys_value

PAGE = 500
"""Runs read per store query."""

SYS_COLUMNS = ("sys/id", "sys/name", "sys/owner", "sys/creation_time", "sys/modification_time")
_SYS_READERS = (("sys/id", "nereid_runs_id"), ("sys/name", "nereid_runs_name"),
                ("sys/owner", "nereid_runs_owner"),
                ("sys/creation_time", "nereid_runs_creation_time"),
                ("sys/modification_time", "nereid_runs_modification_time"))

# neptune-client's keyword options of init_project() that Nereid accepts and
# ignores; one warning per call names those given.
PROJECT_IGNORED_OPTIONS = frozenset({"proxies"})


def _column_key(path: str) -> Tuple[int, str]:
    """Column order: sys/id first, the other sys/ fields, then the rest, by name."""
    if path == "sys/id":
        return 0, ""
    return (1 if path.startswith("sys/") else 2), path


class TableEntry:
    """One run of a :class:`Table` (neptune-client's TableEntry)."""

    def __init__(self, values: Dict[str, Any]) -> None:
        self._values = values

    def __repr__(self) -> str:
        return f"<TableEntry {self._values.get('sys/id')}>"

    def __getitem__(self, path: str) -> "LeaderboardHandler":
        return LeaderboardHandler(self, path)

    def get_attribute_value(self, path: str) -> Any:
        """The value of a column: a str, a datetime for the times, a set of
        str for ``sys/tags``, an artifact field's hash.

        :raises ValueError: the run has no such field (as neptune-client)
        """
        try:
            return self._values[path]
        except KeyError:
            raise ValueError(f"Could not find {path} attribute") from None

    def get_attribute_type(self, path: str) -> str:
        """neptune-client's type name of a column ("String", "Datetime", "Artifact")."""
        self.get_attribute_value(path)
        if path in ("sys/creation_time", "sys/modification_time"):
            return "Datetime"
        if path == "sys/tags":
            return "StringSet"
        return "String" if path.startswith("sys/") else "Artifact"


class LeaderboardHandler:
    """``entry[path]``: a column of a table row."""

    def __init__(self, entry: TableEntry, path: str) -> None:
        self._entry = entry
        self._path = path

    def __getitem__(self, sub: str) -> "LeaderboardHandler":
        return LeaderboardHandler(self._entry, f"{self._path}/{sub}")

    def get(self) -> Any:
        """The value, as :meth:`TableEntry.get_attribute_value`."""
        return self._entry.get_attribute_value(self._path)


class Table:
    """The runs :meth:`Project.fetch_runs_table` found (neptune-client's Table).
    Iterating gives :class:`TableEntry` rows."""

    def __init__(self, rows: List[Dict[str, Any]]) -> None:
        self._rows = rows

    def __iter__(self) -> Iterator[TableEntry]:
        return (TableEntry(r) for r in self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def to_rows(self) -> List[TableEntry]:
        """The rows as a list."""
        return list(self)

    def to_pandas(self) -> Any:
        """A pandas DataFrame, a row per run and a column per field: ``sys/id``
        first, the other ``sys/`` fields, then the artifact fields (their
        hashes), by name; an empty cell where a run has no such field.

        :raises ImportError: pandas is not installed
        """
        try:
            import pandas
        except ImportError as e:
            raise ImportError("to_pandas() needs pandas, which is not installed "
                              "(Debian: apt-get install python3-pandas; pip install pandas)"
                              ) from e
        columns = sorted({c for r in self._rows for c in r}, key=_column_key)
        return pandas.DataFrame([[_cell(r.get(c)) for c in columns] for r in self._rows],
                                columns=columns)


def _cell(value: Any) -> Any:
    """A value as a DataFrame cell: the tags joined by ',', as neptune-client."""
    if isinstance(value, (set, frozenset)):
        return ",".join(sorted(value))
    return value


def _as_list(name: str, value: Union[None, str, Iterable[str]]) -> List[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    items = list(value)
    if not all(isinstance(v, str) for v in items):
        raise TypeError(f"{name} must be a str or a collection of str")
    return items


class Project:
    """A project, to read its runs (neptune-client's ``Project``; ``init_project``
    is this class). It is opened to read: ``mode`` defaults to
    ``"read-only"``.

    :param project: ``"workspace/project"``; else NEREID_PROJECT, NEPTUNE_PROJECT,
        the built-in local project
    :param api_token: token of a server store (unused by the embedded store)
    :param mode: one of neptune-client's modes
    :param neptune_options: ``proxies``, ignored with a warning
    :raises TypeError: a keyword neptune-client does not have either
    :raises ProjectNotFound: the store has no such project
    """

    def __init__(self, project: Optional[str] = None, *, api_token: Optional[str] = None,
                 mode: Optional[str] = None, **neptune_options: Any) -> None:
        self._lock = threading.RLock()
        self._project: Optional[ctypes.c_void_p] = None
        self._name = project or ""
        ignored = _options.check_keywords("Project", neptune_options, PROJECT_IGNORED_OPTIONS)
        self._mode, mode_value = _options.resolve_mode(mode, "read-only")
        self._lib = _lib.lib()
        self._project = _options.open_project(project, api_token, mode_value)
        self._name = _lib.dec(self._lib.nereid_project_name(self._project)) or ""
        # A project with no run yet is not in the store: say so now.
        self._page(None, 1)
        _options.warn_ignored("Project", ignored)

    def __repr__(self) -> str:
        return f"<Project {self._name} mode={self._mode}>"

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *args: Any) -> None:
        self.stop()

    @contextlib.contextmanager
    def _using(self) -> Iterator[Tuple[ctypes.CDLL, ctypes.c_void_p]]:
        with self._lock:
            p = self._project
            if p is None:
                raise exc.InactiveProjectException(
                    f"project {self._name} is stopped: it cannot be read any more")
            yield self._lib, p

    def _page(self, after: Optional[str], limit: int) -> List[Dict[str, Any]]:
        """One page of runs, oldest first, with their sys/ values."""
        out = ctypes.c_void_p()
        with self._using() as (l, p):
            rc = l.nereid_project_runs_page(ctypes.byref(out), p, _lib.enc(after), limit)
            if rc < 0:
                raise _lib.error(rc, exc.ProjectNotFound if rc == _lib.ENOTFOUND
                                 else exc.NeptuneException)
        try:
            rows = []
            for i in range(l.nereid_runs_count(out)):
                row = {path: _sys_value(path, _lib.dec(getattr(l, fn)(out, i)))
                       for path, fn in _SYS_READERS}
                custom = l.nereid_runs_custom_run_id(out, i)
                if custom is not None:
                    row["sys/custom_run_id"] = _lib.dec(custom)
                row["sys/description"] = _lib.dec(l.nereid_runs_description(out, i)) or ""
                row["sys/tags"] = {_lib.dec(l.nereid_runs_tag(out, i, j))
                                   for j in range(l.nereid_runs_tag_count(out, i))}
                rows.append(row)
            return rows
        finally:
            l.nereid_runs_free(out)

    def _runs(self) -> Iterator[Dict[str, Any]]:
        after = None
        while True:
            page = self._page(after, PAGE)
            yield from page
            if len(page) < PAGE:
                return
            after = page[-1]["sys/id"]

    def _add_fields(self, row: Dict[str, Any]) -> None:
        """The run's artifact fields into its row, as their hashes."""
        with self._using() as (l, p):
            run = ctypes.c_void_p()
            rc = l.nereid_run_open(ctypes.byref(run), p, _lib.enc(row["sys/id"]), None)
            if rc < 0:
                raise _lib.error(rc)
            fields = ctypes.c_void_p()
            try:
                rc = l.nereid_run_fields(ctypes.byref(fields), run)
                if rc < 0:
                    raise _lib.error(rc)
                for i in range(l.nereid_fields_count(fields)):
                    path = _lib.dec(l.nereid_fields_path(fields, i)) or ""
                    if not path.startswith("sys/"):
                        row[path] = _lib.dec(l.nereid_fields_value(fields, i))
            finally:
                l.nereid_fields_free(fields)
                l.nereid_run_free(run)

    def fetch_runs_table(self, *, query: Optional[str] = None,
                         id: Union[None, str, Iterable[str]] = None,
                         state: Union[None, str, Iterable[str]] = None,
                         owner: Union[None, str, Iterable[str]] = None,
                         tag: Union[None, str, Iterable[str]] = None,
                         columns: Optional[Iterable[str]] = None,
                         trashed: Optional[bool] = False,
                         limit: Optional[int] = None,
                         sort_by: str = "sys/creation_time",
                         ascending: bool = False,
                         progress_bar: Any = None) -> Table:
        """The runs matching every criterion given (neptune-client 1.x's signature).

        :param query: an NQL query: not supported (NeptuneUnsupportedFunctionalityException)
        :param id: a run ID or several (any matches)
        :param state: ``"active"`` or ``"inactive"``: the store keeps no liveness, so
            every run is inactive
        :param owner: an owner or several (any matches)
        :param tag: a tag or several (a run must have them all)
        :param columns: the fields to include (``sys/id`` and ``sort_by`` always are);
            None for every field
        :param trashed: True for the trashed runs only (Nereid has no trash: none)
        :param limit: the most rows to return, a positive int or None for all
        :param sort_by: the field to sort by (runs without it come last)
        :param ascending: sort order (default: newest first)
        :param progress_bar: accepted for neptune-client
        :raises ValueError: query with id/state/owner/tag, a limit below 1, an unknown state
        :raises TypeError: an argument of a wrong type
        :raises NeptuneOfflineModeFetchException: the project is open in offline mode
        """
        if query is not None and any((id, state, owner, tag)):
            raise ValueError("You can't use the 'query' parameter together with the 'id', "
                             "'state', 'owner', or 'tag' parameters.")
        ids, states = _as_list("id", id), _as_list("state", state)
        owners, tags = _as_list("owner", owner), _as_list("tag", tag)
        _options.verify_type("query", query, (str, type(None)))
        _options.verify_type("trashed", trashed, (bool, type(None)))
        _options.verify_type("limit", limit, (int, type(None)))
        _options.verify_type("sort_by", sort_by, (str,))
        _options.verify_type("ascending", ascending, (bool,))
        if isinstance(limit, bool) or (isinstance(limit, int) and limit <= 0):
            raise ValueError(f"Parameter 'limit' must be a positive integer or None. Got {limit}.")
        for s in states:
            if s.lower() not in ("inactive", "active"):
                raise ValueError(f"state must be one of ('inactive', 'active') (was `{s}`)")
        if self._mode == "offline":
            raise exc.NeptuneOfflineModeFetchException(
                f"project {self._name}: offline mode reads only what this process tracked, "
                "not the project's runs (open it in read-only or async mode)")
        if query is not None:
            raise exc.NeptuneUnsupportedFunctionalityException(
                "fetch_runs_table: NQL queries are not supported; filter with id, state, "
                "owner or tag")
        wanted = None if columns is None else set(_as_list("columns", columns)) | {"sys/id",
                                                                                   sort_by}
        match: List[Callable[[Dict[str, Any]], bool]] = []
        if ids:
            match.append(lambda r: r["sys/id"] in ids)
        if owners:
            match.append(lambda r: r["sys/owner"] in owners)
        if states and "inactive" not in [s.lower() for s in states]:
            match.append(lambda r: False)
        if tags:
            match.append(lambda r: set(tags) <= r["sys/tags"])
        if trashed:
            match.append(lambda r: False)
        rows = [r for r in self._runs() if all(m(r) for m in match)]
        need_fields = wanted is None or any(not c.startswith("sys/") for c in wanted)
        if not sort_by.startswith("sys/") and need_fields:
            for r in rows:
                self._add_fields(r)
        rows = _sorted(rows, sort_by, ascending)
        if limit is not None:
            rows = rows[:limit]
        if sort_by.startswith("sys/") and need_fields:
            for r in rows:
                self._add_fields(r)
        if wanted is not None:
            rows = [{k: v for k, v in r.items() if k in wanted} for r in rows]
        return Table(rows)

    def get_url(self) -> str:
        """The project's address: ``nereid://WORKSPACE/PROJECT``."""
        with self._using():
            return f"nereid://{self._name}"

    def wait(self, *, disk_only: bool = False) -> None:
        """Nothing to wait for: a project is only read."""
        with self._using():
            pass

    def sync(self, *, wait: bool = True) -> None:
        """Nothing to synchronise: every read goes to the store."""
        with self._using():
            pass

    def stop(self, *, seconds: Optional[float] = None) -> None:
        """Release the project; a second call does nothing."""
        with self._lock:
            p, self._project = self._project, None
        if p is not None:
            self._lib.nereid_project_free(p)

    def __del__(self) -> None:
        try:
            self.stop()
        except Exception:
            pass


def _sorted(rows: List[Dict[str, Any]], sort_by: str, ascending: bool) -> List[Dict[str, Any]]:
    """Rows by the value of sort_by (ties by run number, in the same order),
    the rows without it last."""
    def number(r: Dict[str, Any]) -> int:
        tail = str(r["sys/id"]).rsplit("-", 1)[-1]
        return int(tail) if tail.isdigit() else 0

    have = [r for r in rows if r.get(sort_by) is not None]
    missing = [r for r in rows if r.get(sort_by) is None]
    have.sort(key=lambda r: (_cell(r[sort_by]), number(r)), reverse=not ascending)
    return have + missing


init_project = Project
