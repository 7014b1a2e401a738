"""Comparing artifacts: ``handler.diff(other)`` and ``handler.status()``.

What it is for: the typed result (:class:`ArtifactDiff`) and reading a
libnereid ``nereid_diff`` into it (nereid_diff_files, nereid_run_status).
What it is not for: the comparison itself, which is the library's (so the
Python result is the one of ``nereid diff`` and ``nereid status``).
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import Any, Dict, List

from . import _lib

__all__ = ["ArtifactDiff"]

CHANGE_ADDED = 1
CHANGE_REMOVED = 2
CHANGE_CHANGED = 3

_declared = False


def declare(l: ctypes.CDLL) -> ctypes.CDLL:
    """Declare the library functions this module calls (once)."""
    global _declared
    if not _declared:
        P, PP = _lib.P, _lib.PP
        for name, res, args in (
            ("nereid_diff_files", ctypes.c_int, [PP, P, P]),
            ("nereid_diff_count", ctypes.c_size_t, [P]),
            ("nereid_diff_get", ctypes.c_int, [ctypes.POINTER(ctypes.c_char_p), P, ctypes.c_size_t]),
            ("nereid_diff_free", None, [P]),
            ("nereid_run_status", ctypes.c_int, [PP, P, ctypes.c_char_p]),
        ):
            f = getattr(l, name)
            f.restype = res
            f.argtypes = args
        _declared = True
    return l


@dataclass
class ArtifactDiff:
    """What differs from one artifact to another, by ``file_path``.

    :ivar added: file_paths only in the second (for ``status()``: found at
        the sources, not recorded)
    :ivar removed: file_paths only in the first (recorded, gone from the sources)
    :ivar changed: file_paths in both whose ``file_hash``, ``size`` or
        ``type`` differ (a file only touched is not changed)

    Each list is sorted by file_path. The value is true when anything
    differs (``if run["a"].diff(run["b"]): ...``), and :meth:`to_dict` is the
    object that ``nereid diff --json`` and ``nereid status --json`` print.
    """

    added: List[str] = field(default_factory=list)
    removed: List[str] = field(default_factory=list)
    changed: List[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def __len__(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)

    def to_dict(self) -> Dict[str, List[str]]:
        """``{"added": [...], "removed": [...], "changed": [...]}``."""
        return {"added": list(self.added), "removed": list(self.removed),
                "changed": list(self.changed)}


def read(l: ctypes.CDLL, diff: Any) -> ArtifactDiff:
    """An ArtifactDiff from a nereid_diff handle (not freed here)."""
    out = ArtifactDiff()
    lists = {CHANGE_ADDED: out.added, CHANGE_REMOVED: out.removed, CHANGE_CHANGED: out.changed}
    path = ctypes.c_char_p()
    for i in range(l.nereid_diff_count(diff)):
        kind = l.nereid_diff_get(ctypes.byref(path), diff, i)
        target = lists.get(kind)
        if target is not None and path.value is not None:
            target.append(_lib.dec(path.value) or "")
    for v in lists.values():
        v.sort()
    return out
