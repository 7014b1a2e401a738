"""Exceptions of the nereid package, with neptune-client's class names and
class hierarchy (``except KeyError`` still catches a missing field, as in
neptune-client).

Each carries the library's one-line message (``str(exc)``) and, when it
comes from libnereid, the status code (``exc.code``) and its name
(``exc.code_name``). Not a copy of neptune-client's long multi-line
messages: the one line names what failed and why.
"""
from __future__ import annotations

from typing import Optional

__all__ = [
    "NeptuneException",
    "MetadataInconsistency",
    "MissingFieldException",
    "ArtifactNotFoundException",
    "MetadataContainerNotFound",
    "ProjectNotFound",
    "RunNotFound",
    "InactiveContainerException",
    "InactiveRunException",
    "InactiveProjectException",
    "NeedExistingExperimentForReadOnlyMode",
    "NeedExistingRunForReadOnlyMode",
    "NeptuneWrongInitParametersException",
    "NeptuneRunResumeAndCustomIdCollision",
    "NeptuneOfflineModeException",
    "NeptuneOfflineModeFetchException",
    "NeptuneProtectedPathException",
    "NeptuneUnsupportedArtifactFunctionalityException",
    "NeptuneEmptyLocationException",
    "NeptuneUnsupportedFunctionalityException",
    "NeptuneLibraryNotFound",
    "NeptuneInvalidApiTokenException",
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


class MetadataInconsistency(NeptuneException):
    """What was asked for does not match what the store holds."""


class MissingFieldException(NeptuneException, AttributeError, KeyError):
    """The field asked for does not exist in the run (also a KeyError and an
    AttributeError, as in neptune-client)."""

    def __str__(self) -> str:  # KeyError's own __str__ would quote the message
        return self.message


class ArtifactNotFoundException(MetadataInconsistency):
    """No artifact with this hash exists in the project (assigning an artifact
    value of another project)."""


class MetadataContainerNotFound(NeptuneException):
    """The run or project asked for does not exist."""


class ProjectNotFound(MetadataContainerNotFound):
    """The project does not exist in the store (it has no run yet)."""


class RunNotFound(MetadataContainerNotFound):
    """No run with this ID (``with_id``) exists in the project."""


class InactiveContainerException(NeptuneException):
    """The object was stopped: it can no longer be read or written."""


class InactiveRunException(InactiveContainerException):
    """The run was stopped: it can no longer be read or written."""


class InactiveProjectException(InactiveContainerException):
    """The project was stopped: it can no longer be read."""


class NeedExistingExperimentForReadOnlyMode(NeptuneException):
    """Read-only mode needs an existing object."""


class NeedExistingRunForReadOnlyMode(NeedExistingExperimentForReadOnlyMode):
    """``mode="read-only"`` without ``with_id`` (or ``custom_run_id``) of an existing run."""


class NeptuneWrongInitParametersException(NeptuneException):
    """init_run() was given arguments that cannot go together."""


class NeptuneRunResumeAndCustomIdCollision(NeptuneWrongInitParametersException):
    """Both ``with_id`` and ``custom_run_id`` were given."""


class NeptuneOfflineModeException(NeptuneException):
    """What was asked for needs a store that offline mode does not reach."""


class NeptuneOfflineModeFetchException(NeptuneOfflineModeException):
    """A read refused in offline mode. The embedded store is read and written
    at once in every mode (SPEC section 9), so only a server store raises it."""


class NeptuneProtectedPathException(NeptuneException):
    """A ``sys/`` field cannot be assigned or removed."""


class NeptuneUnsupportedArtifactFunctionalityException(NeptuneException):
    """The path has wildcards (``*`` or ``?``), which tracking refuses."""


class NeptuneEmptyLocationException(NeptuneException):
    """There is nothing to track at the path (an empty folder, a missing path)."""


class NeptuneUnsupportedFunctionalityException(NeptuneException):
    """A neptune-client feature Nereid does not have."""


class NeptuneLibraryNotFound(NeptuneException):
    """libnereid could not be loaded from any of the places tried."""


class NeptuneInvalidApiTokenException(NeptuneException):
    """The server refused the API token: unknown to it, revoked or expired
    (HTTP 401), as neptune-client raises for an invalid token. A token the
    server knows but whose project or role does not allow the call is not
    this: that is a plain NeptuneException (access denied)."""
