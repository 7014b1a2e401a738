"""neptune-client's keyword options and connection modes, and opening a
project handle from them: what init_run() and init_project() share.

Not the place for what a run or a project does once open (_run.py,
_project.py), nor for loading the library (_lib.py).
"""
from __future__ import annotations

import ctypes
import os
import warnings
from typing import Any, Dict, Iterable, List, Optional, Tuple

from . import _lib
from . import exceptions as exc

MODES = ("async", "sync", "offline", "read-only", "debug")


def verify_type(name: str, value: Any, expected: Tuple[type, ...]) -> None:
    """TypeError for a value of another type, in neptune-client's words."""
    if not isinstance(value, expected):
        names = " or ".join(t.__name__ for t in expected)
        raise TypeError(f"{name} must be a {names} (was {type(value)})")


def check_keywords(caller: str, given: Dict[str, Any], ignored: Iterable[str],
                   unsupported: Optional[Dict[str, Any]] = None) -> List[str]:
    """TypeError for the first keyword of given that neptune-client does not
    have either (in neptune-client's words); else the names of the options
    accepted and ignored: the keywords given and the named arguments in
    unsupported, for warn_ignored() once the call succeeded."""
    known = frozenset(ignored)
    for key in given:
        if key not in known:
            raise TypeError(f"{caller}() got an unexpected keyword argument '{key}'")
    return sorted(set(given) | set(unsupported or ()))


def warn_ignored(caller: str, names: List[str]) -> None:
    """One warning naming every option a call ignored (none: no warning)."""
    if names:
        warnings.warn(f"nereid: {caller}() ignores these neptune-client options: "
                      + ", ".join(names), stacklevel=3)


def resolve_mode(mode: Optional[str], default: str) -> Tuple[str, int]:
    """The mode's name and enum value: the argument, else NEPTUNE_MODE, else
    default. ValueError, as neptune-client's Mode(...), for another name."""
    verify_type("mode", mode, (str, type(None)))
    name = mode or os.environ.get("NEPTUNE_MODE") or default
    value = ctypes.c_int()
    if name not in MODES or _lib.lib().nereid_mode_parse(ctypes.byref(value), _lib.enc(name)) < 0:
        raise ValueError(f"'{name}' is not a valid Mode (one of: {', '.join(MODES)})")
    return name, value.value


def open_project(project: Optional[str], api_token: Optional[str], mode: int,
                 progress: Optional[Any] = None) -> ctypes.c_void_p:
    """A project handle: the options of the environment (nereid_options_from_env),
    then the arguments given. progress, a ``_lib.PROGRESS`` function, is the
    handle's progress callback: the caller keeps it alive as long as the
    handle. The caller frees the handle with nereid_project_free."""
    verify_type("project", project, (str, type(None)))
    verify_type("api_token", api_token, (str, type(None)))
    l = _lib.lib()
    opts = _lib.Options()
    rc = l.nereid_options_init(ctypes.byref(opts), _lib.OPTIONS_VERSION)
    if rc < 0:
        raise _lib.error(rc)
    proj = ctypes.c_void_p()
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
            # As NEREID_API_TOKEN does (SPEC section 8): a server's token and
            # no NEREID_STORE make the token's server the store, not the
            # embedded store of NEREID_HOME that from_env chose without it.
            if api_token.startswith("nrd_") and not os.environ.get("NEREID_STORE"):
                opts.store = None
        opts.mode = mode
        if progress is not None:
            opts.progress = progress
        rc = l.nereid_project_open(ctypes.byref(proj), None, ctypes.byref(opts))
        if rc < 0:
            raise _lib.error(rc)
    finally:
        l.nereid_options_dispose(ctypes.byref(opts))
    return proj
