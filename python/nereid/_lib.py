"""Loading libnereid and declaring the functions the package calls.

The library is looked for, in this order: the file named by the
``NEREID_LIBRARY`` environment variable; ``libnereid.so`` (or
``libnereid.so.0``) next to this package; the system library path
(``ctypes.util.find_library("nereid")``, then ``libnereid.so.0``). When
none loads, :class:`~nereid.exceptions.NeptuneLibraryNotFound` lists every
place tried and why each failed. ``nereid_init()`` is called once, on first
use, and ``nereid_shutdown()`` at exit.
"""
from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import os
import re
import threading
from typing import Any, List, Optional, Tuple

from . import exceptions as _exc

P = ctypes.c_void_p
PP = ctypes.POINTER(ctypes.c_void_p)
HASH = ctypes.c_char * 65
NOTIFY = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
PROGRESS = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.c_uint64, ctypes.c_uint64,
                            ctypes.c_void_p)

OPTIONS_VERSION = 1
EINVALID = -2
ENOTFOUND = -3
EACCESS = -4
EREADONLY = -7
HASH_ARTIFACT = 0
HASH_CONTENT = 1
MODE_READ_ONLY = 3
ECANCELLED = -8
DOWNLOAD_COPY = 1
DOWNLOAD_FORCE = 2


RUN_OPTIONS_VERSION = 1


class RunOptions(ctypes.Structure):
    """struct nereid_run_options, version 1, field for field (include/nereid.h)."""

    _fields_ = [
        ("version", ctypes.c_uint),
        ("uuid", ctypes.c_char_p),
        ("custom_run_id", ctypes.c_char_p),
        ("name", ctypes.c_char_p),
        ("description", ctypes.c_char_p),
        ("tags", ctypes.POINTER(ctypes.c_char_p)),
        ("ntags", ctypes.c_size_t),
    ]


class Options(ctypes.Structure):
    """struct nereid_options, version 1, field for field (include/nereid.h)."""

    _fields_ = [
        ("version", ctypes.c_uint),
        ("project", ctypes.c_char_p),
        ("store", ctypes.c_char_p),
        ("api_token", ctypes.c_char_p),
        ("mode", ctypes.c_int),
        ("workers", ctypes.c_uint),
        ("owner", ctypes.c_char_p),
        ("home", ctypes.c_char_p),
        ("cache", ctypes.c_char_p),
        ("s3_access_key_id", ctypes.c_char_p),
        ("s3_secret_access_key", ctypes.c_char_p),
        ("s3_session_token", ctypes.c_char_p),
        ("s3_region", ctypes.c_char_p),
        ("s3_endpoint", ctypes.c_char_p),
        ("notify", NOTIFY),
        ("progress", PROGRESS),
        ("payload", ctypes.c_void_p),
        ("internal", ctypes.c_void_p),
    ]


_SIGNATURES = {
    "nereid_version": (ctypes.c_char_p, []),
    "nereid_init": (ctypes.c_int, []),
    "nereid_shutdown": (ctypes.c_int, []),
    "nereid_error_last": (ctypes.c_char_p, []),
    "nereid_error_name": (ctypes.c_char_p, [ctypes.c_int]),
    "nereid_options_init": (ctypes.c_int, [ctypes.POINTER(Options), ctypes.c_uint]),
    "nereid_options_from_env": (ctypes.c_int, [ctypes.POINTER(Options)]),
    "nereid_options_dispose": (None, [ctypes.POINTER(Options)]),
    "nereid_mode_parse": (ctypes.c_int, [ctypes.POINTER(ctypes.c_int), ctypes.c_char_p]),
    "nereid_project_open": (ctypes.c_int, [PP, ctypes.c_char_p, ctypes.POINTER(Options)]),
    "nereid_project_free": (None, [P]),
    "nereid_project_name": (ctypes.c_char_p, [P]),
    "nereid_string_free": (None, [P]),
    "nereid_run_open": (ctypes.c_int, [PP, P, ctypes.c_char_p, ctypes.c_char_p]),
    "nereid_run_free": (None, [P]),
    "nereid_run_wait": (ctypes.c_int, [P, ctypes.c_uint]),
    "nereid_run_id": (ctypes.c_char_p, [P]),
    "nereid_run_sys": (ctypes.c_int, [PP, P, ctypes.c_char_p]),
    # hash_out may be None (NULL): an async run's track then never waits for the server.
    "nereid_run_track_files": (ctypes.c_int, [P, P, ctypes.c_char_p, ctypes.c_char_p,
                                              ctypes.c_char_p]),
    "nereid_run_fetch_hash": (ctypes.c_int, [HASH, P, ctypes.c_char_p, ctypes.c_int]),
    "nereid_run_fetch_files_list": (ctypes.c_int, [PP, P, ctypes.c_char_p]),
    "nereid_run_download": (ctypes.c_int, [P, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]),
    "nereid_files_count": (ctypes.c_size_t, [P]),
    "nereid_files_get": (P, [P, ctypes.c_size_t]),
    "nereid_files_free": (None, [P]),
    "nereid_files_to_json": (ctypes.c_int, [PP, P]),
    "nereid_file_path": (ctypes.c_char_p, [P]),
    "nereid_file_hash": (ctypes.c_char_p, [P]),
    "nereid_file_type": (ctypes.c_char_p, [P]),
    "nereid_file_has_size": (ctypes.c_int, [P]),
    "nereid_file_size": (ctypes.c_uint64, [P]),
    "nereid_file_source": (ctypes.c_char_p, [P]),
    "nereid_file_last_modified": (ctypes.c_char_p, [P]),
}

# The run's fields, removal and assignment, and the project's runs table.
_SIGNATURES_API = {
    "nereid_project_key": (ctypes.c_char_p, [P]),
    "nereid_project_artifact_exists": (ctypes.c_int, [P, ctypes.c_char_p]),
    "nereid_project_runs_page": (ctypes.c_int, [PP, P, ctypes.c_char_p, ctypes.c_size_t]),
    "nereid_runs_count": (ctypes.c_size_t, [P]),
    "nereid_runs_id": (ctypes.c_char_p, [P, ctypes.c_size_t]),
    "nereid_runs_name": (ctypes.c_char_p, [P, ctypes.c_size_t]),
    "nereid_runs_owner": (ctypes.c_char_p, [P, ctypes.c_size_t]),
    "nereid_runs_creation_time": (ctypes.c_char_p, [P, ctypes.c_size_t]),
    "nereid_runs_modification_time": (ctypes.c_char_p, [P, ctypes.c_size_t]),
    "nereid_runs_free": (None, [P]),
    "nereid_run_fields": (ctypes.c_int, [PP, P]),
    "nereid_fields_count": (ctypes.c_size_t, [P]),
    "nereid_fields_path": (ctypes.c_char_p, [P, ctypes.c_size_t]),
    "nereid_fields_value": (ctypes.c_char_p, [P, ctypes.c_size_t]),
    "nereid_fields_free": (None, [P]),
    "nereid_run_remove_field": (ctypes.c_int, [P, ctypes.c_char_p]),
    "nereid_run_assign_hash": (ctypes.c_int, [P, ctypes.c_char_p, ctypes.c_char_p]),
    "nereid_run_options_init": (ctypes.c_int, [ctypes.POINTER(RunOptions), ctypes.c_uint]),
    "nereid_run_create": (ctypes.c_int, [PP, P, ctypes.POINTER(RunOptions)]),
    "nereid_run_resumed": (ctypes.c_int, [P]),
    "nereid_runs_custom_run_id": (ctypes.c_char_p, [P, ctypes.c_size_t]),
    "nereid_runs_description": (ctypes.c_char_p, [P, ctypes.c_size_t]),
    "nereid_runs_tag_count": (ctypes.c_size_t, [P, ctypes.c_size_t]),
    "nereid_runs_tag": (ctypes.c_char_p, [P, ctypes.c_size_t, ctypes.c_size_t]),
}


def _candidates() -> List[str]:
    """Every place the library is looked for, in order."""
    places: List[str] = []
    env = os.environ.get("NEREID_LIBRARY")
    if env:
        places.append(env)
    here = os.path.dirname(os.path.abspath(__file__))
    places.append(os.path.join(here, "libnereid.so"))
    places.append(os.path.join(here, "libnereid.so.0"))
    found = ctypes.util.find_library("nereid")
    if found:
        places.append(found)
    places.append("libnereid.so.0")
    return places


def _load() -> Tuple[ctypes.CDLL, str]:
    tried: List[str] = []
    for place in _candidates():
        if os.sep in place and not os.path.exists(place):
            tried.append(f"{place} (no such file)")
            continue
        try:
            lib = ctypes.CDLL(place)
        except OSError as e:
            tried.append(f"{place} ({e})")
            continue
        try:
            for fn, (res, args) in (*_SIGNATURES.items(), *_SIGNATURES_API.items()):
                f = getattr(lib, fn)
                f.restype = res
                f.argtypes = args
        except AttributeError as e:
            tried.append(f"{place} (not a usable libnereid: {e})")
            continue
        return lib, place
    raise _exc.NeptuneLibraryNotFound(
        "libnereid not found; tried: " + "; ".join(tried)
        + " (set NEREID_LIBRARY to the path of libnereid.so)")


_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None
_path: Optional[str] = None


def lib() -> ctypes.CDLL:
    """The loaded and initialised library (loaded on first call)."""
    global _lib, _path
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is None:
            loaded, where = _load()
            rc = loaded.nereid_init()
            if rc < 0:
                raise _exc.NeptuneException(_message(loaded), rc)
            atexit.register(loaded.nereid_shutdown)
            _path = where
            _lib = loaded
    return _lib


def path() -> Optional[str]:
    """Where the library was loaded from, once it is."""
    lib()
    return _path


def _message(l: Any) -> str:
    m = l.nereid_error_last()
    return m.decode("utf-8", "replace") if m else "libnereid: unknown error"


def enc(s: Any) -> Optional[bytes]:
    """A str or os.PathLike as UTF-8 bytes for the library (None stays None)."""
    if s is None:
        return None
    if isinstance(s, bytes):
        return s
    return os.fsencode(os.fspath(s)) if isinstance(s, os.PathLike) else str(s).encode("utf-8")


def dec(b: Optional[bytes]) -> Optional[str]:
    """A string from the library (UTF-8; undecodable bytes escaped)."""
    return None if b is None else b.decode("utf-8", "surrogateescape")


# The reasons nereid-server gives with a 401 (server/auth.c), as the http(s)
# store passes them on: "server URL: unknown token". A refused token is
# neptune-client's NeptuneInvalidApiTokenException whatever the call; a 403
# (a known token without the right) stays the caller's class.
_INVALID_TOKEN = re.compile(r": (unknown token|token revoked|token expired|not a Nereid token)$")


def error(rc: int, default: type = _exc.NeptuneException) -> _exc.NeptuneException:
    """The exception for status rc, of class default, with the thread's last message."""
    l = lib()
    name = l.nereid_error_name(rc)
    message = _message(l)
    if rc == EACCESS and _INVALID_TOKEN.search(message):
        default = _exc.NeptuneInvalidApiTokenException
    return default(message, rc, name.decode() if name else None)
