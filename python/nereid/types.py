"""Values that can be assigned to a field, as neptune-client's ``neptune.types``.

Nereid stores artifact fields only, so the one value type is
:class:`Artifact`, what ``run["a"].fetch()`` returns. Not the place for
field handlers (``_run.py``) or file records (``ArtifactFileData``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

__all__ = ["Artifact"]

_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Artifact:
    """An artifact value: the artifact hash of a field, as neptune-client's
    ``neptune.types.Artifact``. ``run["b"] = run["a"].fetch()`` makes field b
    hold the same artifact as a, in this run or another run of the project.

    :ivar hash: the artifact hash (SHA-256, 64 lowercase hex)
    """

    hash: str
    # Where the value was fetched from ("workspace/project"), so that an
    # assignment into another project can say where the artifact is.
    project: Optional[str] = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.hash, str) or len(self.hash) != 64 or not _HEX.issuperset(self.hash):
            raise ValueError(f"Artifact: {self.hash!r} is not an artifact hash (64 lowercase hex)")

    def __str__(self) -> str:
        return f"Artifact({self.hash})"
