"""Exceptions of the nereid package, with neptune-client's class names.

Each carries the library's one-line message (``str(exc)``) and, when it
comes from libnereid, the status code (``exc.code``) and its name
(``exc.code_name``).
"""
from __future__ import annotations

from typing import Optional

__all__ = [
    "NeptuneException",
    "MissingFieldException",
    "NeptuneUnsupportedArtifactFunctionalityException",
    "NeptuneEmptyLocationException",
    "NeedExistingRunForReadOnlyMode",
    "InactiveRunException",
    "NeptuneLibraryNotFound",
]


class NeptuneException(Exception):
    """Base class of every error the package raises.

    :param message: the library's one-line message
    :param code: the libnereid status code (negative), or None
    :param code_name: the code's stable name ("not-found", ...), or None
    """

    def __init__(self, message: str, code: Optional[int] = None, code_name: Optional[str] = None) -> None:
        super().__init__(message)
        self.message: str = message
        self.code: Optional[int] = code
        self.code_name: Optional[str] = code_name

    def __str__(self) -> str:
        return self.message


class MissingFieldException(NeptuneException):
    """The field asked for does not exist in the run."""


class NeptuneUnsupportedArtifactFunctionalityException(NeptuneException):
    """The path has wildcards (``*`` or ``?``), which tracking refuses."""


class NeptuneEmptyLocationException(NeptuneException):
    """There is nothing to track at the path (an empty folder, a missing path)."""


class NeedExistingRunForReadOnlyMode(NeptuneException):
    """``mode="read-only"`` without ``with_id`` (or ``custom_run_id``) of an existing run."""


class InactiveRunException(NeptuneException):
    """The run was stopped: it can no longer be read or written."""


class NeptuneLibraryNotFound(NeptuneException):
    """libnereid could not be loaded from any of the places tried."""
